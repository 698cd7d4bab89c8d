/* pool.c - standby PV runners. exec costs about half a millisecond on a
 * typical VM, longer than everything else in a domain start together. hvd
 * therefore keeps a few runners already exec'd (`pvrun --standby`) and hands
 * one its domain's arguments and descriptors at launch. A spawner thread
 * refills the pool so that the event loop never waits for an exec. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hvd.h"

#define POOL_MAX 8

struct standby {
	pid_t pid;
	int ctl; /* hvd's end of the control socket */
};

struct pool {
	struct hvd *h;
	struct standby ready[POOL_MAX];
	int nr_ready;
	int pending;     /* requested from the spawner, not yet arrived */
	int req[2];      /* main -> spawner: one byte per runner wanted */
	int res[2];      /* spawner -> main: struct standby */
	pthread_t thread;
	struct event *ev;
	struct event *refill_ev;
};

/* A replacement exec competes for the CPU with the domain just started
 * (on two cores, it doubles that domain's start): wait this long first. */
#define REFILL_DELAY_US 3000

static struct pool pool = {.req = {-1, -1}, .res = {-1, -1}};

static void *spawner(void *arg)
{
	struct hvd *h = arg;
	char c;

	/* the event loop handles signals; this thread only spawns */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (read(pool.req[0], &c, 1) == 1) {
		struct standby s = {.pid = -1, .ctl = -1};
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
			posix_spawn_file_actions_t fa;
			runner_spawn_actions(h, &fa);
			posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
			posix_spawn_file_actions_addclosefrom_np(&fa, 4);
			char *argv[] = {h->pvrun, "--standby", NULL};
			char *envp[] = {NULL};
			if (posix_spawn(&s.pid, h->pvrun, &fa, NULL, argv, envp) == 0)
				s.ctl = sv[0];
			else
				close(sv[0]);
			posix_spawn_file_actions_destroy(&fa);
			close(sv[1]);
		}
		if (write(pool.res[1], &s, sizeof(s)) != sizeof(s))
			break;
	}
	return NULL;
}

static void on_spawned(evutil_socket_t fd, short what, void *arg)
{
	struct standby s;
	(void)what;
	(void)arg;
	while (read(fd, &s, sizeof(s)) == sizeof(s)) {
		pool.pending--;
		if (s.ctl < 0)
			continue; /* logged by the next launch that finds the pool empty */
		if (pool.nr_ready < POOL_MAX) {
			pool.ready[pool.nr_ready++] = s;
		} else {
			close(s.ctl); /* it exits on EOF; the reaper collects it */
		}
	}
}

static void pool_refill(void)
{
	int want = pool.h ? pool.h->pool_size : 0;
	while (pool.req[1] >= 0 && pool.nr_ready + pool.pending < want) {
		char c = 1;
		if (write(pool.req[1], &c, 1) != 1)
			return;
		pool.pending++;
	}
}

static void on_refill(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	pool_refill();
}

static void refill_later(void)
{
	struct timeval tv = {0, REFILL_DELAY_US};
	if (pool.refill_ev)
		evtimer_add(pool.refill_ev, &tv);
}

int pool_init(struct hvd *h)
{
	pool.h = h;
	if (h->pool_size <= 0)
		return 0;
	if (h->pool_size > POOL_MAX)
		h->pool_size = POOL_MAX;
	if (pipe2(pool.req, O_CLOEXEC) < 0 || pipe2(pool.res, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	pool.ev = event_new(h->base, pool.res[0], EV_READ | EV_PERSIST, on_spawned, NULL);
	if (!pool.ev || event_add(pool.ev, NULL) < 0)
		return -1;
	pool.refill_ev = evtimer_new(h->base, on_refill, NULL);
	if (!pool.refill_ev)
		return -1;
	if (pthread_create(&pool.thread, NULL, spawner, h) != 0)
		return -1;
	pool_refill();
	return 0;
}

void pool_fini(void)
{
	if (pool.req[1] < 0)
		return;
	close(pool.req[1]); /* the spawner ends at EOF */
	pool.req[1] = -1;
	pthread_join(pool.thread, NULL);
	on_spawned(pool.res[0], 0, NULL);
	for (int i = 0; i < pool.nr_ready; i++)
		close(pool.ready[i].ctl); /* standbys exit on EOF */
	pool.nr_ready = 0;
	if (pool.ev)
		event_free(pool.ev);
	if (pool.refill_ev)
		event_free(pool.refill_ev);
	close(pool.req[0]);
	close(pool.res[0]);
	close(pool.res[1]);
}

pid_t pool_launch(char *const *args, const int *fds, int nfds)
{
	char blob[2048];
	size_t len = 0;

	for (int i = 0; args[i]; i++) {
		size_t l = strlen(args[i]) + 1;
		if (len + l > sizeof(blob))
			return -1;
		memcpy(blob + len, args[i], l);
		len += l;
	}
	while (pool.nr_ready > 0) {
		struct standby s = pool.ready[--pool.nr_ready];
		union {
			struct cmsghdr c;
			char b[CMSG_SPACE(sizeof(int) * (XL_MAX_VCPUS + 3))];
		} cm;
		memset(&cm, 0, sizeof(cm));
		struct iovec iov = {.iov_base = blob, .iov_len = len};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
				    .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds)};
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
		ssize_t n = sendmsg(s.ctl, &mh, MSG_NOSIGNAL);
		close(s.ctl);
		if (n == (ssize_t)len) {
			refill_later();
			return s.pid;
		}
		/* that standby died: try the next, its corpse is reaped anyway */
	}
	refill_later();
	return -1;
}
