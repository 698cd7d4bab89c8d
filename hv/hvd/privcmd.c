/* privcmd.c - the privileged Dom0 socket: peer checks, framing, and the
 * table of operations Dom0 programs may ask of hv. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvd.h"

struct req {
	struct conn *c;
	uint64_t req_id;
	const void *arg;
	int fd; /* passed in, -1 if none; a handler that keeps it sets it to -1 */
	/* result */
	int err;
	char msg[160];
	void *out;
	size_t out_len;
	int out_fd;
	bool deferred;
};

typedef void (*priv_handler)(struct hvd *h, struct req *r);

struct priv_entry {
	priv_handler fn;
	size_t arg_len;
	const char *name;
};

struct conn *conn_by_id(struct hvd *h, uint64_t id)
{
	for (struct conn *c = h->conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

void privcmd_reply(struct conn *c, uint64_t req_id, int err, const char *msg, const void *data,
		   size_t len, int fd)
{
	struct priv_reply *rep;
	size_t total = sizeof(*rep) + (err ? 0 : len);
	static _Alignas(16) uint8_t buf[PRIV_MAX_MSG];

	if (total > sizeof(buf)) {
		err = EMSGSIZE;
		msg = "reply too large";
		total = sizeof(*rep);
	}
	rep = (struct priv_reply *)buf;
	memset(rep, 0, sizeof(*rep));
	rep->err = err;
	rep->req_id = req_id;
	if (err && msg)
		snprintf(rep->msg, sizeof(rep->msg), "%s", msg);
	else if (err)
		snprintf(rep->msg, sizeof(rep->msg), "%s", strerror(err));
	if (!err && len) {
		memcpy(buf + sizeof(*rep), data, len);
		rep->len = (uint32_t)len;
	}

	struct iovec iov = {.iov_base = buf, .iov_len = total};
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0 && !err) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof(cm.b);
		struct cmsghdr *ch = CMSG_FIRSTHDR(&mh);
		ch->cmsg_level = SOL_SOCKET;
		ch->cmsg_type = SCM_RIGHTS;
		ch->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(ch), &fd, sizeof(int));
	}
	if (sendmsg(c->fd, &mh, MSG_NOSIGNAL) < 0)
		hvd_log(c->hvd, "privcmd: reply to connection %llu lost: %s",
			(unsigned long long)c->id, strerror(errno));
}

static void fail(struct req *r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct req *r, int err, const char *fmt, ...)
{
	va_list ap;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

static struct domain *domu(struct hvd *h, struct req *r, uint32_t domid)
{
	struct domain *d = hv_domain(h->hv, domid);

	if (!d) {
		fail(r, ESRCH, "no domain %u", domid);
		return NULL;
	}
	if (d->is_dom0) {
		fail(r, EINVAL, "not allowed on Domain-0");
		return NULL;
	}
	return d;
}

/* Results live in a per-request buffer big enough for any fixed reply. */
static union {
	struct priv_version version;
	struct priv_physinfo physinfo;
	struct priv_domid domid;
	struct priv_dominfo info;
	struct priv_dominfo list[PRIV_LIST_MAX];
	struct priv_vcpuinfo vcpu;
	struct priv_sched sched;
	struct priv_evtchn_op evtchn;
	struct priv_gnttab_mapped mapped;
	struct priv_console_data console;
	struct priv_gnttab_copy_batch copy;
} out;

#define RESULT(field) (r->out = &out.field, r->out_len = sizeof(out.field), &out.field)

static void op_version(struct hvd *h, struct req *r)
{
	struct priv_version *v = RESULT(version);
	(void)h;
	memset(v, 0, sizeof(*v));
	v->abi_version = XENLITE_ABI_VERSION;
	v->major = 4;
	v->minor = 17;
	snprintf(v->extra, sizeof(v->extra), "-xenlite");
	snprintf(v->caps, sizeof(v->caps), "xen-3.0-x86_64");
}

static void op_physinfo(struct hvd *h, struct req *r)
{
	hv_physinfo(h->hv, RESULT(physinfo));
}

static void op_domain_create(struct hvd *h, struct req *r)
{
	struct priv_domain_create req;
	struct domain *d;

	memcpy(&req, r->arg, sizeof(req));
	int rc = domain_create(h->hv, &req, &d, r->msg, sizeof(r->msg));
	if (rc < 0) {
		r->err = -rc;
		return;
	}
	RESULT(domid)->domid = d->domid;
}

static void op_launch_pv(struct hvd *h, struct req *r)
{
	struct priv_launch_pv req;

	memcpy(&req, r->arg, sizeof(req));
	struct domain *d = domu(h, r, req.domid);
	if (!d)
		return;
	if (r->fd < 0) {
		fail(r, EBADF, "no kernel image file descriptor was passed");
		return;
	}
	if (d->state != DOM_CREATED || d->priv) {
		fail(r, EBUSY, "domain %u already has a kernel", d->domid);
		return;
	}
	if (memchr(req.cmdline, '\0', sizeof(req.cmdline)) == NULL) {
		fail(r, EINVAL, "command line is not NUL-terminated");
		return;
	}
	int rc = domain_build_pv(d, req.cmdline, r->msg, sizeof(r->msg));
	if (rc == 0)
		rc = runner_launch(h, d, r->fd, r->msg, sizeof(r->msg));
	if (rc < 0) {
		r->err = -rc;
		return;
	}
	struct dom_priv *p = d->priv;
	p->launch_conn = r->c;
	p->launch_req_id = r->req_id;
	r->deferred = true; /* answered on READY or FAILED */
}

static void op_pause(struct hvd *h, struct req *r)
{
	struct domain *d = domu(h, r, ((const struct priv_domid *)r->arg)->domid);
	if (d && domain_pause(d) < 0)
		fail(r, EINVAL, "domain %u is dying", d->domid);
}

static void op_unpause(struct hvd *h, struct req *r)
{
	struct domain *d = domu(h, r, ((const struct priv_domid *)r->arg)->domid);
	if (d && domain_unpause(d) < 0)
		fail(r, EINVAL, "domain %u is dying", d->domid);
}

static void op_shutdown(struct hvd *h, struct req *r)
{
	const struct priv_domain_shutdown *a = r->arg;
	struct domain *d = domu(h, r, a->domid);
	if (!d)
		return;
	if (a->reason > SHUTDOWN_MAX) {
		fail(r, EINVAL, "unknown shutdown reason %u", a->reason);
		return;
	}
	if (domain_shutdown(d, a->reason) < 0)
		fail(r, EINVAL, "domain %u is dying", d->domid);
}

static void op_destroy(struct hvd *h, struct req *r)
{
	struct domain *d = domu(h, r, ((const struct priv_domid *)r->arg)->domid);
	if (d)
		domain_destroy(d);
}

static void op_getinfo(struct hvd *h, struct req *r)
{
	uint32_t id = ((const struct priv_domid *)r->arg)->domid;
	struct domain *d = hv_domain(h->hv, id);
	if (!d) {
		fail(r, ESRCH, "no domain %u", id);
		return;
	}
	domain_getinfo(d, RESULT(info));
}

static void op_list(struct hvd *h, struct req *r)
{
	const struct priv_domain_list *a = r->arg;
	uint32_t max = a->max > PRIV_LIST_MAX ? PRIV_LIST_MAX : a->max, n = 0;

	for (struct domain *d = hv_domain_next(h->hv, a->first_domid); d && n < max;
	     d = hv_domain_next(h->hv, d->domid + 1))
		domain_getinfo(d, &out.list[n++]);
	r->out = out.list;
	r->out_len = n * sizeof(out.list[0]);
}

static void op_setmaxmem(struct hvd *h, struct req *r)
{
	const struct priv_domain_mem *a = r->arg;
	struct domain *d = domu(h, r, a->domid);
	int rc;
	if (d && (rc = domain_setmaxmem(d, a->kb, r->msg, sizeof(r->msg))) < 0)
		r->err = -rc;
}

static void op_settarget(struct hvd *h, struct req *r)
{
	const struct priv_domain_mem *a = r->arg;
	struct domain *d = domu(h, r, a->domid);
	if (d && domain_settarget(d, a->kb) < 0)
		fail(r, EINVAL, "target %llu KiB is above maxmem %llu KiB",
		     (unsigned long long)a->kb, (unsigned long long)(d->max_pages << 2));
}

static struct vcpu *vcpu_of(struct hvd *h, struct req *r, uint32_t domid, uint32_t id)
{
	struct domain *d = hv_domain(h->hv, domid);
	if (!d) {
		fail(r, ESRCH, "no domain %u", domid);
		return NULL;
	}
	if (id >= d->nr_vcpus) {
		fail(r, EINVAL, "domain %u has no vCPU %u", domid, id);
		return NULL;
	}
	return &d->vcpus[id];
}

static void op_vcpu_getinfo(struct hvd *h, struct req *r)
{
	const struct priv_vcpu *a = r->arg;
	struct vcpu *v = vcpu_of(h, r, a->domid, a->vcpu);
	if (!v)
		return;
	struct domain *d = hv_domain(h->hv, a->domid);
	struct priv_vcpuinfo *vi = RESULT(vcpu);
	memset(vi, 0, sizeof(*vi));
	vi->vcpu = v->id;
	vi->online = v->online;
	vi->blocked = v->wait == VCPU_BLOCKED || v->wait == VCPU_POLLING;
	vi->running = d->state == DOM_ALIVE && !d->paused && v->wait == VCPU_RUNNING && v->online;
	vi->cpu_time_ns = vcpu_cpu_ns(d, v);
	vi->affinity = v->affinity;
	if (d->is_dom0) {
		vi->cpu = v->id;
	} else if (d->runner_pid > 0 && v->tid > 0) {
		char path[64], buf[1024];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)d->runner_pid,
			 (int)v->tid);
		FILE *f = fopen(path, "r");
		if (f) {
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			/* field 39 (processor) counts from after the ")" of comm */
			char *s = strrchr(buf, ')');
			int field = 2;
			for (; s && *s; s++) {
				if (*s == ' ' && ++field == 39) {
					vi->cpu = (uint32_t)strtoul(s + 1, NULL, 10);
					break;
				}
			}
		}
	}
}

static void op_vcpu_setaffinity(struct hvd *h, struct req *r)
{
	const struct priv_vcpu_affinity *a = r->arg;
	struct domain *d = domu(h, r, a->domid);
	if (!d)
		return;
	if (a->cpumap == 0) {
		fail(r, EINVAL, "empty CPU map");
		return;
	}
	uint32_t first = 0, last = d->nr_vcpus - 1;
	if (a->vcpu != XL_ALL_VCPUS) {
		if (a->vcpu >= d->nr_vcpus) {
			fail(r, EINVAL, "domain %u has no vCPU %u", d->domid, a->vcpu);
			return;
		}
		first = last = a->vcpu;
	}
	for (uint32_t i = first; i <= last; i++) {
		int rc = sched_set_affinity(h, d, &d->vcpus[i], a->cpumap, r->msg, sizeof(r->msg));
		if (rc < 0) {
			r->err = -rc;
			return;
		}
	}
}

static void op_sched_get(struct hvd *h, struct req *r)
{
	uint32_t id = ((const struct priv_domid *)r->arg)->domid;
	struct domain *d = hv_domain(h->hv, id);
	if (!d) {
		fail(r, ESRCH, "no domain %u", id);
		return;
	}
	struct priv_sched *s = RESULT(sched);
	memset(s, 0, sizeof(*s));
	s->domid = d->domid;
	s->weight = d->weight;
	s->cap = d->cap;
}

static void op_sched_set(struct hvd *h, struct req *r)
{
	const struct priv_sched *a = r->arg;
	struct domain *d = domu(h, r, a->domid);
	if (!d)
		return;
	if (a->weight < 1 || a->weight > 65535) {
		fail(r, EINVAL, "weight must be between 1 and 65535, not %u", a->weight);
		return;
	}
	if (a->cap > 100 * (uint32_t)d->nr_vcpus) {
		fail(r, EINVAL, "cap %u%% is more than %u vCPUs can use", a->cap, d->nr_vcpus);
		return;
	}
	int rc = sched_set(h, d, a->weight, a->cap, r->msg, sizeof(r->msg));
	if (rc < 0)
		r->err = -rc;
}

static void op_evtchn_open_stream(struct hvd *h, struct req *r)
{
	int sv[2];

	(void)h;
	if (r->c->stream_fd >= 0) {
		fail(r, EBUSY, "this connection already has an event stream");
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fail(r, errno, "socketpair: %s", strerror(errno));
		return;
	}
	r->c->stream_fd = sv[0];
	r->out_fd = sv[1];
}

static void op_evtchn(struct hvd *h, struct req *r)
{
	struct priv_evtchn_op *e = RESULT(evtchn);
	struct domain *d0 = hv_dom0(h->hv);
	uint64_t owner = r->c->id;
	int rc;

	memcpy(e, r->arg, sizeof(*e));
	switch (e->op) {
	case EVTCHNOP_alloc_unbound:
		rc = evtchn_alloc_unbound(d0, &e->u.alloc_unbound, owner);
		break;
	case EVTCHNOP_bind_interdomain:
		rc = evtchn_bind_interdomain(d0, &e->u.bind_interdomain, owner);
		break;
	case EVTCHNOP_bind_virq:
		rc = evtchn_bind_virq(d0, &e->u.bind_virq, owner);
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask: {
		evtchn_port_t port = e->u.close.port;
		struct evtchn *ch = port && port < HV_EVTCHN_PORTS ? &d0->evtchn[port] : NULL;
		/* Dom0 ports belong to the connection that bound them */
		if (!ch || ch->state == ECS_FREE || (ch->owner && ch->owner != owner)) {
			rc = -XEN_EINVAL;
			break;
		}
		rc = e->op == EVTCHNOP_close  ? evtchn_close(d0, port)
		     : e->op == EVTCHNOP_send ? evtchn_send(d0, port)
					      : evtchn_unmask(d0, port);
		break;
	}
	case EVTCHNOP_status:
		rc = evtchn_status(d0, &e->u.status);
		break;
	case EVTCHNOP_reset:
		if (e->u.reset.dom == 0 || e->u.reset.dom == DOMID_SELF) {
			rc = -XEN_EINVAL; /* Dom0's ports belong to its connections */
			break;
		}
		rc = evtchn_reset(d0, e->u.reset.dom);
		break;
	default:
		fail(r, ENOSYS, "unknown event channel operation %u", e->op);
		return;
	}
	if (rc < 0)
		fail(r, -rc, "event channel operation %u failed: %s", e->op, strerror(-rc));
}

static void op_gnttab_map(struct hvd *h, struct req *r)
{
	const struct priv_gnttab_map *a = r->arg;
	uint64_t offset;
	int memfd;

	int rc = gnttab_map(h->hv, a->domid, a->ref, a->readonly != 0, r->c->id, &offset, &memfd);
	if (rc < 0) {
		fail(r, rc == GNTST_bad_domain ? ESRCH : EINVAL,
		     "cannot map grant %u of domain %u: GNTST %d", a->ref, a->domid, rc);
		return;
	}
	struct priv_gnttab_mapped *m = RESULT(mapped);
	memset(m, 0, sizeof(*m));
	m->handle = (uint32_t)rc;
	m->offset = offset;
	r->out_fd = memfd;
}

static void op_gnttab_unmap(struct hvd *h, struct req *r)
{
	const struct priv_gnttab_unmap *a = r->arg;
	if (gnttab_unmap(h->hv, a->handle, r->c->id) < 0)
		fail(r, EINVAL, "no grant mapping with handle %u", a->handle);
}

static void op_gnttab_copy(struct hvd *h, struct req *r)
{
	struct priv_gnttab_copy_batch *b = RESULT(copy);

	memcpy(b, r->arg, sizeof(*b));
	if (b->count > PRIV_GNTTAB_COPY_MAX) {
		fail(r, EINVAL, "at most %u copies per batch", PRIV_GNTTAB_COPY_MAX);
		return;
	}
	for (uint32_t i = 0; i < b->count; i++)
		gnttab_copy_one(hv_dom0(h->hv), &b->ops[i], b->data, sizeof(b->data));
}

static void console_read(struct req *r, struct byte_ring *ring)
{
	const struct priv_console_read *a = r->arg;
	struct priv_console_data *c = &out.console;
	uint32_t max = a->max > PRIV_CONSOLE_CHUNK ? PRIV_CONSOLE_CHUNK : a->max;

	memset(c, 0, offsetof(struct priv_console_data, data));
	c->len = (uint32_t)byte_ring_read(ring, a->offset, c->data, max, &c->offset);
	c->next = c->offset + c->len;
	r->out = c;
	r->out_len = offsetof(struct priv_console_data, data) + c->len;
}

static void op_console_read(struct hvd *h, struct req *r)
{
	const struct priv_console_read *a = r->arg;
	struct domain *d = hv_domain(h->hv, a->domid);
	if (!d) {
		fail(r, ESRCH, "no domain %u", a->domid);
		return;
	}
	console_read(r, &d->console);
}

static void op_dmesg_read(struct hvd *h, struct req *r)
{
	const struct priv_console_read *a = r->arg;
	struct byte_ring *ring = hv_dmesg(h->hv);
	console_read(r, ring);
	if (a->clear)
		ring->tail = out.console.next;
}

static const struct priv_entry priv_table[PRIV_OP_COUNT] = {
	[PRIV_VERSION] = {op_version, 0, "version"},
	[PRIV_PHYSINFO] = {op_physinfo, 0, "physinfo"},
	[PRIV_DOMAIN_CREATE] = {op_domain_create, sizeof(struct priv_domain_create), "create"},
	[PRIV_DOMAIN_LAUNCH_PV] = {op_launch_pv, sizeof(struct priv_launch_pv), "launch_pv"},
	[PRIV_DOMAIN_PAUSE] = {op_pause, sizeof(struct priv_domid), "pause"},
	[PRIV_DOMAIN_UNPAUSE] = {op_unpause, sizeof(struct priv_domid), "unpause"},
	[PRIV_DOMAIN_SHUTDOWN] = {op_shutdown, sizeof(struct priv_domain_shutdown), "shutdown"},
	[PRIV_DOMAIN_DESTROY] = {op_destroy, sizeof(struct priv_domid), "destroy"},
	[PRIV_DOMAIN_GETINFO] = {op_getinfo, sizeof(struct priv_domid), "getinfo"},
	[PRIV_DOMAIN_LIST] = {op_list, sizeof(struct priv_domain_list), "list"},
	[PRIV_DOMAIN_SETMAXMEM] = {op_setmaxmem, sizeof(struct priv_domain_mem), "setmaxmem"},
	[PRIV_DOMAIN_SETTARGET] = {op_settarget, sizeof(struct priv_domain_mem), "settarget"},
	[PRIV_VCPU_GETINFO] = {op_vcpu_getinfo, sizeof(struct priv_vcpu), "vcpu_getinfo"},
	[PRIV_VCPU_SETAFFINITY] = {op_vcpu_setaffinity, sizeof(struct priv_vcpu_affinity),
				   "vcpu_setaffinity"},
	[PRIV_SCHED_GET] = {op_sched_get, sizeof(struct priv_domid), "sched_get"},
	[PRIV_SCHED_SET] = {op_sched_set, sizeof(struct priv_sched), "sched_set"},
	[PRIV_EVTCHN_OPEN_STREAM] = {op_evtchn_open_stream, 0, "evtchn_open_stream"},
	[PRIV_EVTCHN_OP] = {op_evtchn, sizeof(struct priv_evtchn_op), "evtchn_op"},
	[PRIV_GNTTAB_MAP] = {op_gnttab_map, sizeof(struct priv_gnttab_map), "gnttab_map"},
	[PRIV_GNTTAB_UNMAP] = {op_gnttab_unmap, sizeof(struct priv_gnttab_unmap), "gnttab_unmap"},
	[PRIV_GNTTAB_COPY] = {op_gnttab_copy, sizeof(struct priv_gnttab_copy_batch),
			      "gnttab_copy"},
	[PRIV_CONSOLE_READ] = {op_console_read, sizeof(struct priv_console_read), "console_read"},
	[PRIV_DMESG_READ] = {op_dmesg_read, sizeof(struct priv_console_read), "dmesg_read"},
};

static bool stream_send(struct conn *c, evtchn_port_t port)
{
	uint32_t pt = port;
	return send(c->stream_fd, &pt, sizeof(pt), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(pt) ||
	       errno != EAGAIN; /* a dead stream drops events with its reader */
}

static void on_stream_writable(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	(void)fd;
	(void)what;
	for (uint32_t w = 0; w < HV_EVTCHN_PORTS / 64; w++) {
		while (c->backlog[w]) {
			uint32_t bit = (uint32_t)__builtin_ctzll(c->backlog[w]);
			if (!stream_send(c, w * 64 + bit)) {
				event_add(c->stream_ev, NULL);
				return;
			}
			c->backlog[w] &= ~(1ull << bit);
		}
	}
}

void conn_stream_push(struct conn *c, evtchn_port_t port)
{
	if (c->stream_fd < 0 || port >= HV_EVTCHN_PORTS)
		return;
	bool queued = c->backlog[port / 64] & (1ull << (port % 64));
	if (!queued && stream_send(c, port))
		return;
	/* Full: remember the port (a port is delivered once until unmasked,
	 * so one bit per port is enough) and send it when the reader drains. */
	c->backlog[port / 64] |= 1ull << (port % 64);
	if (!c->stream_ev)
		c->stream_ev = event_new(c->hvd->base, c->stream_fd, EV_WRITE, on_stream_writable, c);
	if (c->stream_ev)
		event_add(c->stream_ev, NULL);
}

static void conn_free(struct conn *c)
{
	struct hvd *h = c->hvd;

	/* What the client held goes with it; its domains keep running. */
	evtchn_close_owner(h->hv, c->id);
	gnttab_unmap_owner(h->hv, c->id);
	for (struct domain *d = hv_domain_next(h->hv, 1); d; d = hv_domain_next(h->hv, d->domid + 1)) {
		struct dom_priv *p = d->priv;
		if (p && p->launch_conn == c)
			p->launch_conn = NULL;
	}
	for (struct conn **pp = &h->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	event_free(c->ev);
	if (c->stream_ev)
		event_free(c->stream_ev);
	close(c->fd);
	if (c->stream_fd >= 0)
		close(c->stream_fd);
	free(c);
}

static void on_conn(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct hvd *h = c->hvd;
	static _Alignas(16) uint8_t buf[PRIV_MAX_MSG];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * 4)];
	} cm;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cm.b,
			    .msg_controllen = sizeof(cm.b)};

	(void)what;
	h->activity++;
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_free(c);
		return;
	}
	struct req r = {.c = c, .fd = -1, .out_fd = -1};
	for (struct cmsghdr *ch = CMSG_FIRSTHDR(&mh); ch; ch = CMSG_NXTHDR(&mh, ch)) {
		if (ch->cmsg_level != SOL_SOCKET || ch->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (ch->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;
			memcpy(&f, CMSG_DATA(ch) + i * sizeof(int), sizeof(int));
			if (r.fd < 0)
				r.fd = f;
			else
				close(f); /* only one fd is ever expected */
		}
	}
	struct priv_hdr hdr;
	if ((size_t)n < sizeof(hdr) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		privcmd_reply(c, 0, EPROTO, "malformed request: short or truncated message",
			      NULL, 0, -1);
		goto out;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	r.req_id = hdr.req_id;
	r.arg = buf + sizeof(hdr);
	if (!c->privileged) {
		privcmd_reply(c, hdr.req_id, EPERM,
			      "permission denied: the privcmd interface is for root only", NULL, 0,
			      -1);
		goto out;
	}
	if (hdr.op == 0 || hdr.op >= PRIV_OP_COUNT || !priv_table[hdr.op].fn) {
		privcmd_reply(c, hdr.req_id, ENOSYS, "unknown operation", NULL, 0, -1);
		goto out;
	}
	const struct priv_entry *e = &priv_table[hdr.op];
	if (hdr.len != e->arg_len || (size_t)n != sizeof(hdr) + e->arg_len) {
		char msg[160];
		snprintf(msg, sizeof(msg), "%s: argument is %zu bytes, expected %zu", e->name,
			 (size_t)n - sizeof(hdr), e->arg_len);
		privcmd_reply(c, hdr.req_id, EINVAL, msg, NULL, 0, -1);
		goto out;
	}
	e->fn(h, &r);
	if (!r.deferred)
		privcmd_reply(c, r.req_id, r.err, r.msg[0] ? r.msg : NULL, r.out, r.out_len,
			      r.out_fd);
	if (hdr.op == PRIV_EVTCHN_OPEN_STREAM && r.out_fd >= 0)
		close(r.out_fd); /* hvd keeps only its own end */
out:
	if (r.fd >= 0)
		close(r.fd);
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct hvd *h = arg;
	(void)what;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return;
	}
	c->hvd = h;
	c->fd = cfd;
	c->stream_fd = -1;
	c->id = ++h->next_conn_id;
	c->privileged = getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
			(cred.uid == 0 || cred.uid == geteuid());
	int sz = (int)PRIV_MAX_MSG * 4;
	setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(cfd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	c->ev = event_new(h->base, cfd, EV_READ | EV_PERSIST, on_conn, c);
	if (!c->ev || event_add(c->ev, NULL) < 0) {
		if (c->ev)
			event_free(c->ev);
		close(cfd);
		free(c);
		return;
	}
	c->next = h->conns;
	h->conns = c;
}

int privcmd_listen(struct hvd *h)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (strlen(h->sock_path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, h->sock_path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(h->sock_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* anyone may connect; SO_PEERCRED decides who is answered */
	chmod(h->sock_path, 0666);
	h->listen_fd = fd;
	h->listener = event_new(h->base, fd, EV_READ | EV_PERSIST, on_accept, h);
	if (!h->listener || event_add(h->listener, NULL) < 0)
		return -1;
	return 0;
}
