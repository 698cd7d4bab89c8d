/* harness.c - real hvd instances for the integration tests. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int hvd_start(struct hvd_instance *hi, const char *const *extra_args)
{
	const char *hvd = getenv("HVD");
	const char *argv[32];
	int ac = 0;

	if (!hvd) {
		fprintf(stderr, "harness: $HVD is not set\n");
		return -1;
	}
	snprintf(hi->root, sizeof(hi->root), "/tmp/xenlite-test-XXXXXX");
	if (!mkdtemp(hi->root))
		return -1;
	chmod(hi->root, 0755); /* unprivileged callers must reach the socket */
	argv[ac++] = hvd;
	argv[ac++] = "--root";
	argv[ac++] = hi->root;
	if (getenv("PVRUN")) {
		argv[ac++] = "--pvrun";
		argv[ac++] = getenv("PVRUN");
	}
	for (int i = 0; extra_args && extra_args[i] && ac < 30; i++)
		argv[ac++] = extra_args[i];
	argv[ac] = NULL;

	pid_t parent = getpid();
	hi->pid = fork();
	if (hi->pid < 0)
		return -1;
	if (hi->pid == 0) {
		/* hvd must not outlive a test program that crashes */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		int fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		execv(hvd, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 400; i++) {
		xenctl_handle *h = xenctl_open(hi->root);
		if (h) {
			struct priv_physinfo pi;
			int rc = xenctl_physinfo(h, &pi);
			xenctl_close(h);
			if (rc == 0)
				return 0;
		}
		if (waitpid(hi->pid, NULL, WNOHANG) == hi->pid) {
			hi->pid = 0;
			return -1;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

void hvd_stop(struct hvd_instance *hi)
{
	if (hi->pid > 0) {
		kill(hi->pid, SIGTERM);
		int status;
		for (int i = 0; i < 500; i++) {
			if (waitpid(hi->pid, &status, WNOHANG) == hi->pid)
				break;
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
			if (i == 499) {
				kill(hi->pid, SIGKILL);
				waitpid(hi->pid, &status, 0);
			}
		}
		hi->pid = 0;
	}
	if (hi->root[0]) {
		nftw(hi->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		hi->root[0] = '\0';
	}
}

const char *guest_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("GUEST_DIR");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
	return path;
}

int run_guest(xenctl_handle *h, const char *name, const char *cmdline, uint32_t mem_mib,
	      uint32_t vcpus, int paused)
{
	struct xenctl_domain_config cfg = {
		.memory_kb = (uint64_t)mem_mib * 1024, .vcpus = vcpus, .name = name};
	uint32_t domid;

	if (xenctl_domain_create(h, &cfg, &domid) < 0)
		return -1;
	if (xenctl_domain_launch_pv(h, domid, guest_path(name), cmdline) < 0) {
		int e = errno;
		xenctl_domain_destroy(h, domid);
		errno = e;
		return -1;
	}
	if (!paused && xenctl_domain_unpause(h, domid) < 0)
		return -1;
	return (int)domid;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int wait_shutdown(xenctl_handle *h, uint32_t domid, char *buf, size_t len, int timeout_ms)
{
	uint64_t off = 0, deadline = now_ms() + (uint64_t)timeout_ms;
	size_t used = strlen(buf);
	int fd = xenctl_evtchn_fd(h);

	if (fd < 0)
		return -1;
	/* binding twice on one handle is refused (EEXIST): that is fine */
	xenctl_evtchn_bind_virq(h, VIRQ_CONSOLE);
	xenctl_evtchn_bind_virq(h, VIRQ_DOM_EXC);
	for (;;) {
		char tmp[4096];
		int n;
		while ((n = xenctl_console_read(h, domid, &off, tmp, sizeof(tmp))) > 0) {
			size_t k = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;
			memcpy(buf + used, tmp, k);
			used += k;
			buf[used] = '\0';
		}
		struct priv_dominfo info;
		if (xenctl_domain_getinfo(h, domid, &info) < 0)
			return -1;
		if (info.flags & XEN_DOMINF_shutdown) {
			while ((n = xenctl_console_read(h, domid, &off, tmp, sizeof(tmp))) > 0) {
				size_t k = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;
				memcpy(buf + used, tmp, k);
				used += k;
				buf[used] = '\0';
			}
			return (int)((info.flags >> XEN_DOMINF_shutdownshift) & 0xff);
		}
		uint64_t now = now_ms();
		if (now >= deadline)
			return -2;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		/* wake at least every 100 ms in case an event was coalesced */
		int wait = (int)(deadline - now) < 100 ? (int)(deadline - now) : 100;
		poll(&pfd, 1, wait);
		int port;
		while ((port = xenctl_evtchn_pending(h)) >= 0)
			xenctl_evtchn_unmask(h, (evtchn_port_t)port);
	}
}

void read_dmesg(xenctl_handle *h, char *buf, size_t len)
{
	uint64_t off = 0;
	size_t used = 0;
	int n;
	buf[0] = '\0';
	while (used + 1 < len &&
	       (n = xenctl_dmesg_read(h, &off, buf + used, len - 1 - used, 0)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
}
