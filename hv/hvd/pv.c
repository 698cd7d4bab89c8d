/* pv.c - PV domains in hvd: spawning the runner, the vCPU hypercall
 * channels, deferred replies, pause/stop, and reaping runners. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvd.h"

extern char **environ;

static void chan_close(struct chan *c)
{
	if (c->ev) {
		event_free(c->ev);
		c->ev = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

static void chans_close(struct dom_priv *p)
{
	for (uint32_t i = 0; p->chan && i < p->d->nr_vcpus; i++)
		chan_close(&p->chan[i]);
}

void dom_priv_free(struct domain *d)
{
	struct dom_priv *p = d->priv;

	if (!p)
		return;
	chans_close(p);
	free(p->chan);
	free(p);
	d->priv = NULL;
}

static void launch_answer(struct dom_priv *p, int err, const char *msg)
{
	if (!p->launch_conn)
		return;
	privcmd_reply(p->launch_conn, p->launch_req_id, err, msg, NULL, 0, -1);
	p->launch_conn = NULL;
}

static void chan_send(struct chan *c, const void *msg, size_t len)
{
	if (c->fd < 0)
		return;
	/* The vCPU waits for exactly this message; the socket buffer holds it. */
	if (send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len)
		hvd_log(c->p->hvd, "d%u: vCPU %u: message lost: %s", c->p->d->domid, c->v->id,
			strerror(errno));
}

static void on_ready(struct dom_priv *p, const void *buf, ssize_t n)
{
	struct domain *d = p->d;

	if (n == (ssize_t)sizeof(struct xl_runner_failed) &&
	    ((const struct xl_runner_failed *)buf)->kind == XL_RUNNER_FAILED) {
		struct xl_runner_failed f;
		memcpy(&f, buf, sizeof(f));
		f.msg[sizeof(f.msg) - 1] = '\0';
		hvd_log(p->hvd, "d%u: runner failed: %s", d->domid, f.msg);
		launch_answer(p, f.err > 0 && f.err < 4096 ? f.err : EINVAL, f.msg);
		return; /* the runner exits; the reaper records it */
	}
	struct xl_runner_ready r;
	if (n != (ssize_t)sizeof(r)) {
		launch_answer(p, EPROTO, "runner sent a malformed READY message");
		kill(d->runner_pid, SIGKILL);
		p->killed = true;
		return;
	}
	memcpy(&r, buf, sizeof(r));
	if (r.kind != XL_RUNNER_READY || r.nr_vcpus != d->nr_vcpus) {
		launch_answer(p, EPROTO, "runner sent a malformed READY message");
		kill(d->runner_pid, SIGKILL);
		p->killed = true;
		return;
	}
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		d->vcpus[i].tid = r.tids[i];
	p->entry = r.entry;
	p->ready = true;
	d->state = DOM_ALIVE;
	sched_attach(p->hvd, d);
	launch_answer(p, 0, NULL);
	if (!d->paused)
		hvd_hv_ops.domain_pause(d->hv, d, false);
}

static void on_channel(evutil_socket_t fd, short what, void *arg)
{
	struct chan *c = arg;
	struct dom_priv *p = c->p;
	struct domain *d = p->d;
	union {
		struct xl_hcall call;
		struct xl_runner_ready ready;
		struct xl_runner_failed failed;
	} buf;

	(void)what;
	p->hvd->activity++;
	ssize_t n = recv(fd, &buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* the runner is gone; the reaper will say why */
		chan_close(c);
		return;
	}
	if (!p->ready) {
		if (c->v->id == 0)
			on_ready(p, &buf, n);
		else
			hvd_log(p->hvd, "d%u: vCPU %u spoke before READY", d->domid, c->v->id);
		return;
	}
	if (n != (ssize_t)sizeof(buf.call)) {
		struct xl_hcall_ret r = {.ret = -XEN_EINVAL};
		chan_send(c, &r, sizeof(r));
		return;
	}
	int64_t ret;
	if (hv_hypercall(d, c->v, &buf.call, &ret) == 0) {
		struct xl_hcall_ret r = {.ret = ret};
		chan_send(c, &r, sizeof(r));
	}
}

static void hvd_vcpu_wake(struct hv *hv, struct domain *d, struct vcpu *v, int64_t ret)
{
	struct dom_priv *p = d->priv;
	struct xl_hcall_ret r = {.ret = ret};

	(void)hv;
	if (p && p->chan)
		chan_send(&p->chan[v->id], &r, sizeof(r));
}

static int hvd_vcpu_start(struct hv *hv, struct domain *d, struct vcpu *v,
			  const struct xl_vcpu_context *ctx)
{
	struct dom_priv *p = d->priv;
	struct xl_runner_go go = {
		.kind = XL_RUNNER_GO,
		.vcpu = v->id,
		.entry = ctx->entry,
		.stack = ctx->stack,
		.arg = ctx->arg,
	};

	(void)hv;
	if (!p || !p->ready || p->chan[v->id].fd < 0)
		return -XEN_EINVAL;
	chan_send(&p->chan[v->id], &go, sizeof(go));
	return 0;
}

static void hvd_domain_pause(struct hv *hv, struct domain *d, bool pause)
{
	struct dom_priv *p = d->priv;

	(void)hv;
	if (!p || !p->ready || d->runner_pid <= 0)
		return; /* applied when the runner is READY */
	if (pause) {
		if (p->go_sent && !p->stopped && kill(d->runner_pid, SIGSTOP) == 0)
			p->stopped = true;
		return;
	}
	if (!p->go_sent) {
		struct xl_runner_go go = {.kind = XL_RUNNER_GO, .vcpu = 0, .entry = p->entry};
		d->vcpus[0].started = true;
		chan_send(&p->chan[0], &go, sizeof(go));
		p->go_sent = true;
	} else if (p->stopped && kill(d->runner_pid, SIGCONT) == 0) {
		p->stopped = false;
	}
}

static void runner_stop(struct domain *d)
{
	struct dom_priv *p = d->priv;

	if (!p)
		return;
	if (d->runner_pid > 0 && !p->killed) {
		kill(d->runner_pid, SIGKILL);
		p->killed = true;
	}
	chans_close(p);
	launch_answer(p, EIO, "the domain was stopped before its runner was ready");
}

static void hvd_domain_shutdown(struct hv *hv, struct domain *d)
{
	(void)hv;
	runner_stop(d);
}

static void hvd_domain_destroy(struct hv *hv, struct domain *d)
{
	struct dom_priv *p = d->priv;

	runner_stop(d);
	if (p && d->runner_pid <= 0) {
		sched_detach(p->hvd, d);
		dom_priv_free(d);
	}
	(void)hv;
}

static void hvd_dom0_event(struct hv *hv, uint64_t owner, evtchn_port_t port)
{
	struct conn *c = conn_by_id(hv_ops_ctx(hv), owner);

	if (c)
		conn_stream_push(c, port);
}

static void on_timer(evutil_socket_t fd, short what, void *arg);

static void hvd_timer_changed(struct hv *hv)
{
	struct hvd *h = hv_ops_ctx(hv);

	/* run the scan on the next loop iteration; it re-arms itself */
	struct timeval tv = {0, 0};
	evtimer_add(h->timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct hvd *h = arg;
	(void)fd;
	(void)what;
	uint64_t next = hv_run_timers(h->hv);
	if (next) {
		uint64_t now = hv_now_ns();
		uint64_t d = next > now ? next - now : 0;
		struct timeval tv = {(time_t)(d / 1000000000ull),
				     (suseconds_t)(d % 1000000000ull / 1000ull)};
		evtimer_add(h->timer, &tv);
	}
}

void hvd_timer_init(struct hvd *h);
void hvd_timer_init(struct hvd *h)
{
	h->timer = evtimer_new(h->base, on_timer, h);
}

const struct hv_ops hvd_hv_ops = {
	.vcpu_wake = hvd_vcpu_wake,
	.dom0_event = hvd_dom0_event,
	.domain_shutdown = hvd_domain_shutdown,
	.domain_destroy = hvd_domain_destroy,
	.domain_pause = hvd_domain_pause,
	.vcpu_start = hvd_vcpu_start,
	.timer_changed = hvd_timer_changed,
};

void runner_spawn_actions(struct hvd *h, posix_spawn_file_actions_t *fa)
{
	posix_spawn_file_actions_init(fa);
	posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0);
	/* with --verbose a runner's own complaints reach hvd's log */
	if (h->verbose && h->log)
		posix_spawn_file_actions_adddup2(fa, fileno(h->log), 2);
	else
		posix_spawn_file_actions_addopen(fa, 2, "/dev/null", O_WRONLY, 0);
}

int runner_launch(struct hvd *h, struct domain *d, int elf_fd, char *err, size_t errlen)
{
	uint32_t nv = d->nr_vcpus;
	int theirs[XL_MAX_VCPUS];
	int rc = -ENOMEM;

	struct dom_priv *p = calloc(1, sizeof(*p));
	if (!p || !(p->chan = calloc(nv, sizeof(*p->chan)))) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->hvd = h;
	p->d = d;
	d->priv = p;
	for (uint32_t i = 0; i < nv; i++) {
		p->chan[i].fd = -1;
		theirs[i] = -1;
	}
	for (uint32_t i = 0; i < nv; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
			rc = -errno;
			snprintf(err, errlen, "socketpair: %s", strerror(errno));
			goto fail;
		}
		p->chan[i] = (struct chan){.p = p, .v = &d->vcpus[i], .fd = sv[0]};
		theirs[i] = sv[1];
		p->chan[i].ev = event_new(h->base, sv[0], EV_READ | EV_PERSIST, on_channel,
					  &p->chan[i]);
		if (!p->chan[i].ev || event_add(p->chan[i].ev, NULL) < 0) {
			snprintf(err, errlen, "cannot watch the vCPU channel");
			goto fail;
		}
	}

	/* fds in the runner: 3.. channels, then the memfd, then the image */
	posix_spawn_file_actions_t fa;
	runner_spawn_actions(h, &fa);
	/* dup2 to a range above every source first, so that no source is
	 * overwritten before it is moved to its final number */
	int nfds = (int)nv + 2 + (h->netns_fd >= 0);
	int tmpbase = d->memfd > elf_fd ? d->memfd : elf_fd;
	if (h->netns_fd > tmpbase)
		tmpbase = h->netns_fd;
	for (uint32_t i = 0; i < nv; i++)
		if (theirs[i] > tmpbase)
			tmpbase = theirs[i];
	tmpbase += 1;
	if (tmpbase < XL_HCALL_FD(nfds))
		tmpbase = XL_HCALL_FD(nfds);
	for (uint32_t i = 0; i < nv; i++)
		posix_spawn_file_actions_adddup2(&fa, theirs[i], tmpbase + (int)i);
	posix_spawn_file_actions_adddup2(&fa, d->memfd, tmpbase + (int)nv);
	posix_spawn_file_actions_adddup2(&fa, elf_fd, tmpbase + (int)nv + 1);
	if (h->netns_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, h->netns_fd, tmpbase + (int)nv + 2);
	for (int i = 0; i < nfds; i++)
		posix_spawn_file_actions_adddup2(&fa, tmpbase + i, XL_HCALL_FD(i));
	posix_spawn_file_actions_addclosefrom_np(&fa, XL_HCALL_FD(nfds));

	char a_domid[16], a_vcpus[16], a_mem[32], a_uid[16], a_gid[16], a_netns[16];
	snprintf(a_domid, sizeof(a_domid), "%u", d->domid);
	snprintf(a_vcpus, sizeof(a_vcpus), "%u", nv);
	snprintf(a_mem, sizeof(a_mem), "%llu", (unsigned long long)d->mem_bytes);
	snprintf(a_uid, sizeof(a_uid), "%u", (unsigned)h->sandbox_uid);
	snprintf(a_gid, sizeof(a_gid), "%u", (unsigned)h->sandbox_gid);
	char *argv[20];
	int ac = 0;
	argv[ac++] = h->pvrun;
	argv[ac++] = "--domid";
	argv[ac++] = a_domid;
	argv[ac++] = "--vcpus";
	argv[ac++] = a_vcpus;
	argv[ac++] = "--mem-bytes";
	argv[ac++] = a_mem;
	if (h->empty_dir[0] && geteuid() == 0) {
		argv[ac++] = "--chroot";
		argv[ac++] = h->empty_dir;
		argv[ac++] = "--uid";
		argv[ac++] = a_uid;
		argv[ac++] = "--gid";
		argv[ac++] = a_gid;
	}
	if (h->netns_fd >= 0) {
		/* joining a ready namespace costs ~30 us, making one ~450 us */
		snprintf(a_netns, sizeof(a_netns), "%d", XL_HCALL_FD(nv + 2));
		argv[ac++] = "--netns-fd";
		argv[ac++] = a_netns;
	}
	argv[ac] = NULL;
	char *envp[] = {NULL};

	int fds[XL_MAX_VCPUS + 3], nf = 0;
	for (uint32_t i = 0; i < nv; i++)
		fds[nf++] = theirs[i];
	fds[nf++] = d->memfd;
	fds[nf++] = elf_fd;
	if (h->netns_fd >= 0)
		fds[nf++] = h->netns_fd;
	pid_t pid = pool_launch(argv + 1, fds, nf);
	int e = 0;
	if (pid < 0)
		e = posix_spawn(&pid, h->pvrun, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		rc = -e;
		snprintf(err, errlen, "cannot start the PV runner %s: %s", h->pvrun, strerror(e));
		goto fail;
	}
	for (uint32_t i = 0; i < nv; i++)
		close(theirs[i]);
	d->runner_pid = pid;
	hv_log(h->hv, "d%u: runner started (pid %d)", d->domid, (int)pid);
	return 0;
fail:
	for (uint32_t i = 0; i < nv; i++)
		if (theirs[i] >= 0)
			close(theirs[i]);
	dom_priv_free(d);
	return rc;
}

static struct domain *domain_by_runner(struct hv *hv, pid_t pid)
{
	for (struct domain *d = hv_domain_next(hv, 1); d; d = hv_domain_next(hv, d->domid + 1))
		if (d->runner_pid == pid)
			return d;
	return NULL;
}

void runner_reap_children(struct hvd *h)
{
	for (;;) {
		int status;
		struct rusage ru;
		pid_t pid = wait4(-1, &status, WNOHANG, &ru);
		if (pid <= 0)
			return;
		struct domain *d = domain_by_runner(h->hv, pid);
		if (!d)
			continue;
		struct dom_priv *p = d->priv;
		uint64_t cpu = (uint64_t)ru.ru_utime.tv_sec * 1000000000ull +
			       (uint64_t)ru.ru_utime.tv_usec * 1000ull +
			       (uint64_t)ru.ru_stime.tv_sec * 1000000000ull +
			       (uint64_t)ru.ru_stime.tv_usec * 1000ull;
		bool killed_by_us = p && p->killed;
		bool crashed = WIFSIGNALED(status) && !killed_by_us;
		if (WIFSIGNALED(status))
			hvd_log(h, "d%u: runner %d ended by signal %d%s", d->domid, (int)pid,
				WTERMSIG(status), killed_by_us ? " (stopped by hv)" : "");
		else
			hvd_log(h, "d%u: runner %d exited with status %d", d->domid, (int)pid,
				WEXITSTATUS(status));
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
			hv_log(h->hv, "d%u: killed by the sandbox: forbidden system call",
			       d->domid);
		if (p) {
			chans_close(p);
			launch_answer(p, EIO, "the PV runner exited before it was ready");
			sched_detach(h, d);
		}
		bool dying = d->state == DOM_DYING;
		if (dying)
			dom_priv_free(d);
		domain_runner_exited(d, crashed, cpu); /* may free d */
	}
}
