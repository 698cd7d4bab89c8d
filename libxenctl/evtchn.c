/* evtchn.c - libxenctl: Dom0 event channels and the pollable event stream. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "private.h"

int xenctl_evtchn_fd(xenctl_handle *h)
{
	int fd;

	if (h->stream_fd >= 0)
		return h->stream_fd;
	if (ctl_call(h, PRIV_EVTCHN_OPEN_STREAM, NULL, 0, -1, NULL, 0, NULL, &fd) < 0)
		return -1;
	if (fd < 0) {
		ctl_error(h, EPROTO, "hv sent no event stream");
		return -1;
	}
	h->stream_fd = fd;
	return fd;
}

int xenctl_evtchn_pending(xenctl_handle *h)
{
	uint32_t port;

	if (xenctl_evtchn_fd(h) < 0)
		return -1;
	ssize_t n = recv(h->stream_fd, &port, sizeof(port), MSG_DONTWAIT);
	if (n < 0)
		return -1;
	if (n != sizeof(port)) {
		ctl_error(h, EPROTO, "malformed event from hv");
		return -1;
	}
	return (int)port;
}

static int evtchn_op(xenctl_handle *h, struct priv_evtchn_op *op)
{
	/* bind before the stream exists would lose the first event */
	if ((op->op == EVTCHNOP_bind_virq || op->op == EVTCHNOP_bind_interdomain ||
	     op->op == EVTCHNOP_alloc_unbound) &&
	    xenctl_evtchn_fd(h) < 0)
		return -1;
	return ctl_call(h, PRIV_EVTCHN_OP, op, sizeof(*op), -1, op, sizeof(*op), NULL, NULL);
}

int xenctl_evtchn_unmask(xenctl_handle *h, evtchn_port_t port)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_unmask};
	op.u.unmask.port = port;
	return evtchn_op(h, &op);
}

int xenctl_evtchn_bind_virq(xenctl_handle *h, uint32_t virq)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_bind_virq};
	op.u.bind_virq.virq = virq;
	if (evtchn_op(h, &op) < 0)
		return -1;
	return (int)op.u.bind_virq.port;
}

int xenctl_evtchn_bind_interdomain(xenctl_handle *h, uint32_t domid, evtchn_port_t remote)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_bind_interdomain};
	op.u.bind_interdomain.remote_dom = (domid_t)domid;
	op.u.bind_interdomain.remote_port = remote;
	if (domid >= DOMID_FIRST_RESERVED) {
		ctl_error(h, EINVAL, "bad domain id %u", domid);
		return -1;
	}
	if (evtchn_op(h, &op) < 0)
		return -1;
	return (int)op.u.bind_interdomain.local_port;
}

int xenctl_evtchn_alloc_unbound(xenctl_handle *h, uint32_t dom, uint32_t remote)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_alloc_unbound};
	if (dom >= DOMID_FIRST_RESERVED || remote >= DOMID_FIRST_RESERVED) {
		ctl_error(h, EINVAL, "bad domain id");
		return -1;
	}
	op.u.alloc_unbound.dom = dom == 0 ? DOMID_SELF : (domid_t)dom;
	op.u.alloc_unbound.remote_dom = (domid_t)remote;
	if (evtchn_op(h, &op) < 0)
		return -1;
	return (int)op.u.alloc_unbound.port;
}

int xenctl_evtchn_notify(xenctl_handle *h, evtchn_port_t port)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_send};
	op.u.send.port = port;
	return evtchn_op(h, &op);
}

int xenctl_evtchn_unbind(xenctl_handle *h, evtchn_port_t port)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_close};
	op.u.close.port = port;
	return evtchn_op(h, &op);
}

int xenctl_evtchn_status(xenctl_handle *h, struct evtchn_status *st)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_status};
	op.u.status = *st;
	if (evtchn_op(h, &op) < 0)
		return -1;
	*st = op.u.status;
	return 0;
}

int xenctl_evtchn_reset(xenctl_handle *h, uint32_t domid)
{
	struct priv_evtchn_op op = {.op = EVTCHNOP_reset};
	op.u.reset.dom = (domid_t)domid;
	return evtchn_op(h, &op);
}
