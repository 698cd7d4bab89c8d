/* xenstored_bench.c - small READ/WRITE operations per second against a
 * private xenstored over its Unix socket: one client, one request in flight
 * (no pipelining), then writes with 100 watchers on the written path.
 * Usage: xenstored_bench [XENSTORED_BINARY] [OPS]; prints medians of 3 rounds. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { XS_READ = 2, XS_WATCH = 4, XS_WRITE = 11, XS_ERROR = 16 };
#define WATCHERS 100
#define ROUNDS 3

static char sock_path[108];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int xs_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int full_read(int fd, void *p, size_t len)
{
	char *c = p;
	while (len) {
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

/* One request, wait for its reply (watch events are not expected here). */
static int xs_call(int fd, uint32_t type, const void *payload, size_t len)
{
	char msg[16 + 4096];
	uint32_t h[4] = {type, 1, 0, (uint32_t)len};
	memcpy(msg, h, 16);
	memcpy(msg + 16, payload, len);
	if (write(fd, msg, 16 + len) != (ssize_t)(16 + len))
		return -1;
	/* Usually the whole reply arrives in one read. */
	char in[16 + 4096];
	ssize_t got = read(fd, in, sizeof(in));
	if (got < 16)
		return -1;
	uint32_t r[4];
	memcpy(r, in, sizeof(r));
	/* Bytes past this reply can only be a watch event: the drainer's. */
	if (r[3] > 4096)
		return -1;
	if ((size_t)got < 16 + r[3] && full_read(fd, in + got, 16 + r[3] - (size_t)got) < 0)
		return -1;
	return r[0] == XS_ERROR ? -1 : 0;
}

static double run_writes(int fd, int ops)
{
	static const char payload[] = "/bench/key\0value-1234";
	double t0 = now();
	for (int i = 0; i < ops; i++)
		if (xs_call(fd, XS_WRITE, payload, sizeof(payload) - 1) < 0)
			return -1;
	return ops / (now() - t0);
}

static double run_reads(int fd, int ops)
{
	double t0 = now();
	for (int i = 0; i < ops; i++)
		if (xs_call(fd, XS_READ, "/bench/key", 11) < 0)
			return -1;
	return ops / (now() - t0);
}

static volatile int drain_stop;
static int drain_ep;

/* Reads and discards watch events so watchers never hit the output cap. */
static void *drain(void *arg)
{
	char buf[65536];
	struct epoll_event ev[64];
	while (!drain_stop) {
		int n = epoll_wait(drain_ep, ev, 64, 50);
		for (int i = 0; i < n; i++)
			if (read(ev[i].data.fd, buf, sizeof(buf)) < 0 && errno != EAGAIN)
				return NULL;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : getenv("XENSTORED");
	int ops = argc > 2 ? atoi(argv[2]) : 200000;
	if (!bin) {
		fprintf(stderr, "usage: xenstored_bench XENSTORED_BINARY [OPS]\n");
		return 2;
	}
	char root[] = "/tmp/xsd-bench-XXXXXX";
	if (!mkdtemp(root))
		return 1;
	snprintf(sock_path, sizeof(sock_path), "%s/s", root);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		execl(bin, bin, "--root", root, "--socket", sock_path, (char *)NULL);
		_exit(127);
	}
	int fd = -1;
	for (int i = 0; i < 500 && fd < 0; i++) {
		fd = xs_connect();
		if (fd < 0)
			usleep(10000);
	}
	if (fd < 0) {
		fprintf(stderr, "xenstored did not start\n");
		kill(pid, SIGKILL);
		return 1;
	}
	double r[ROUNDS], w[ROUNDS], ww[ROUNDS];
	run_writes(fd, 1000); /* create the node, warm up */
	for (int i = 0; i < ROUNDS; i++) {
		w[i] = run_writes(fd, ops);
		r[i] = run_reads(fd, ops);
	}
	drain_ep = epoll_create1(EPOLL_CLOEXEC);
	int wfd[WATCHERS];
	for (int i = 0; i < WATCHERS; i++) {
		wfd[i] = xs_connect();
		char p[64];
		int l = snprintf(p, sizeof(p), "/bench/key%ctok%d", '\0', i);
		if (wfd[i] < 0 || xs_call(wfd[i], XS_WATCH, p, (size_t)l + 1) < 0) {
			fprintf(stderr, "watch setup failed\n");
			kill(pid, SIGKILL);
			return 1;
		}
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = wfd[i]};
		epoll_ctl(drain_ep, EPOLL_CTL_ADD, wfd[i], &ev);
	}
	pthread_t th;
	pthread_create(&th, NULL, drain, NULL);
	for (int i = 0; i < ROUNDS; i++)
		ww[i] = run_writes(fd, ops / 10);
	drain_stop = 1;
	pthread_join(th, NULL);
	qsort(r, ROUNDS, sizeof(double), cmp_double);
	qsort(w, ROUNDS, sizeof(double), cmp_double);
	qsort(ww, ROUNDS, sizeof(double), cmp_double);
	printf("xenstored: reads_per_s=%.0f writes_per_s=%.0f writes_with_100_watchers_per_s=%.0f\n",
	       r[ROUNDS / 2], w[ROUNDS / 2], ww[ROUNDS / 2]);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : 1;
}
