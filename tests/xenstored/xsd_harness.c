/* xsd_harness.c - private xenstored instances and a raw wire client for tests. */
#include "xsd_harness.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int xsd_start(struct xsd_instance *xi)
{
	const char *bin = getenv("XENSTORED");
	if (!bin)
		return -1;
	snprintf(xi->root, sizeof(xi->root), "/tmp/xsd-test-XXXXXX");
	if (!mkdtemp(xi->root))
		return -1;
	snprintf(xi->sock, sizeof(xi->sock), "%s/run/xenstored/socket", xi->root);
	setenv("XENSTORED_PATH", xi->sock, 1);
	pid_t parent = getpid();
	xi->pid = fork();
	if (xi->pid < 0)
		return -1;
	if (xi->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		execl(bin, bin, "--root", xi->root, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		int fd = xsd_connect(xi);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (waitpid(xi->pid, NULL, WNOHANG) == xi->pid) {
			xi->pid = 0;
			return -1;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

void xsd_stop(struct xsd_instance *xi)
{
	if (xi->pid > 0) {
		kill(xi->pid, SIGTERM);
		int st;
		for (int i = 0; i < 300; i++) {
			if (waitpid(xi->pid, &st, WNOHANG) == xi->pid)
				goto reaped;
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		kill(xi->pid, SIGKILL);
		waitpid(xi->pid, &st, 0);
	reaped:
		xi->pid = 0;
	}
	if (xi->root[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", xi->root);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", xi->root);
		xi->root[0] = '\0';
	}
}

int xsd_connect(const struct xsd_instance *xi)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(xi->sock) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, xi->sock, strlen(xi->sock) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	while (len) {
		ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int xsd_send(int fd, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *p, size_t len)
{
	uint32_t h[4] = {type, req_id, tx_id, (uint32_t)len};
	if (write_all(fd, h, sizeof(h)) < 0)
		return -1;
	return len ? write_all(fd, p, len) : 0;
}

static int read_all(int fd, void *p, size_t len, int timeout_ms)
{
	char *c = p;
	while (len) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int r = poll(&pfd, 1, timeout_ms);
		if (r <= 0)
			return -1;
		ssize_t n = read(fd, c, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int xsd_recv(int fd, struct xsd_msg *m, int timeout_ms)
{
	uint32_t h[4];
	if (read_all(fd, h, sizeof(h), timeout_ms) < 0)
		return -1;
	m->type = h[0];
	m->req_id = h[1];
	m->tx_id = h[2];
	m->len = h[3];
	if (m->len > 4096)
		return -1;
	if (read_all(fd, m->body, m->len, timeout_ms) < 0)
		return -1;
	m->body[m->len] = '\0';
	return 0;
}

int xsd_call(int fd, uint32_t type, uint32_t tx_id, const void *p, size_t len,
	     struct xsd_msg *reply)
{
	static uint32_t req_id = 100;
	uint32_t id = ++req_id;
	if (xsd_send(fd, type, id, tx_id, p, len) < 0)
		return -1;
	for (;;) {
		if (xsd_recv(fd, reply, 5000) < 0)
			return -1;
		if (reply->type == 15)
			continue;
		return reply->req_id == id ? 0 : -1;
	}
}

int xsd_run(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = 0;
	if (out && outlen) {
		n = fread(out, 1, outlen - 1, p);
		out[n] = '\0';
	} else {
		char buf[4096];
		while (fread(buf, 1, sizeof(buf), p) > 0)
			;
	}
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
