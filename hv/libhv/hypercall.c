/* hypercall.c - guest hypercall dispatch, blocking, polling and timers.
 *
 * Every argument is copied out of guest memory through the checked
 * accessors before it is validated; results are copied back the same way.
 * A hostile argument costs the guest an error code, never hv its state.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <xenlite/memory.h>

#include "hv_private.h"

#define CONSOLE_IO_MAX 4096u   /* bytes per console_io write, as a chunk */
#define GNTCOPY_BATCH_MAX 512u /* copy ops per grant_table_op call */

static void vcpu_wake(struct domain *d, struct vcpu *v, int64_t ret)
{
	v->wait = VCPU_RUNNING;
	v->nr_poll_ports = 0;
	v->poll_deadline_ns = 0;
	if (d->hv->ops.vcpu_wake)
		d->hv->ops.vcpu_wake(d->hv, d, v, ret);
}

void vcpu_kick(struct domain *d, struct vcpu *v)
{
	if (v->wait == VCPU_BLOCKED) {
		if (evtchn_vcpu_pending(d, v))
			vcpu_wake(d, v, 0);
	} else if (v->wait == VCPU_POLLING) {
		/* as in Xen, any upcall ends a poll, not only the polled ports */
		if (evtchn_vcpu_pending(d, v)) {
			vcpu_wake(d, v, 0);
			return;
		}
		for (uint32_t i = 0; i < v->nr_poll_ports; i++) {
			if (evtchn_port_pending(d, v->poll_ports[i])) {
				vcpu_wake(d, v, 0);
				return;
			}
		}
	}
}

static void timers_changed(struct hv *hv)
{
	if (hv->ops.timer_changed)
		hv->ops.timer_changed(hv);
}

static int64_t do_console_io(struct domain *d, uint64_t cmd, uint64_t count, uint64_t buf)
{
	switch (cmd) {
	case CONSOLEIO_write: {
		if (count > CONSOLE_IO_MAX)
			count = CONSOLE_IO_MAX;
		const void *p = guest_va(d, buf, count);
		if (!p)
			return -XEN_EFAULT;
		byte_ring_write(&d->console, p, count);
		evtchn_send_virq(hv_dom0(d->hv), VIRQ_CONSOLE);
		return (int64_t)count;
	}
	case CONSOLEIO_read:
		return -XEN_EPERM; /* input reaches DomUs through their console ring */
	default:
		return -XEN_ENOSYS;
	}
}

static int64_t do_xen_version(struct domain *d, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case XENVER_version:
		return (4 << 16) | 17;
	case XENVER_extraversion: {
		char extra[XEN_EXTRAVERSION_LEN] = "-xenlite";
		return guest_copy_to(d, arg, extra, sizeof(extra));
	}
	default:
		return -XEN_ENOSYS;
	}
}

/* Copies an argument struct in, runs op, copies it back on success. */
#define EVTCHN_CALL(type, call)                                                                    \
	do {                                                                                       \
		type a;                                                                            \
		int rc_ = guest_copy_from(d, &a, arg, sizeof(a));                                  \
		if (rc_ < 0)                                                                       \
			return rc_;                                                                \
		rc_ = (call);                                                                      \
		if (rc_ < 0)                                                                       \
			return rc_;                                                                \
		return guest_copy_to(d, arg, &a, sizeof(a));                                       \
	} while (0)

static int64_t do_event_channel_op(struct domain *d, struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	(void)v;
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		EVTCHN_CALL(struct evtchn_alloc_unbound, evtchn_alloc_unbound(d, &a, 0));
	case EVTCHNOP_bind_interdomain:
		EVTCHN_CALL(struct evtchn_bind_interdomain, evtchn_bind_interdomain(d, &a, 0));
	case EVTCHNOP_bind_virq:
		EVTCHN_CALL(struct evtchn_bind_virq, evtchn_bind_virq(d, &a, 0));
	case EVTCHNOP_bind_ipi:
		EVTCHN_CALL(struct evtchn_bind_ipi, evtchn_bind_ipi(d, &a));
	case EVTCHNOP_bind_vcpu:
		EVTCHN_CALL(struct evtchn_bind_vcpu, evtchn_bind_vcpu(d, &a));
	case EVTCHNOP_close:
		EVTCHN_CALL(struct evtchn_close, evtchn_close(d, a.port));
	case EVTCHNOP_send:
		EVTCHN_CALL(struct evtchn_send, evtchn_send(d, a.port));
	case EVTCHNOP_status:
		EVTCHN_CALL(struct evtchn_status, evtchn_status(d, &a));
	case EVTCHNOP_unmask:
		EVTCHN_CALL(struct evtchn_unmask, evtchn_unmask(d, a.port));
	case EVTCHNOP_reset:
		EVTCHN_CALL(struct evtchn_reset, evtchn_reset(d, a.dom));
	default:
		return -XEN_ENOSYS;
	}
}

static int64_t do_grant_table_op(struct domain *d, uint64_t cmd, uint64_t arg, uint64_t count)
{
	switch (cmd) {
	case GNTTABOP_setup_table:
		if (count != 1)
			return -XEN_EINVAL;
		EVTCHN_CALL(struct gnttab_setup_table, gnttab_setup_table(d, &a));
	case GNTTABOP_query_size:
		if (count != 1)
			return -XEN_EINVAL;
		EVTCHN_CALL(struct gnttab_query_size, gnttab_query_size(d, &a));
	case GNTTABOP_copy: {
		if (count > GNTCOPY_BATCH_MAX)
			return -XEN_EINVAL;
		for (uint64_t i = 0; i < count; i++) {
			struct gnttab_copy op;
			uint64_t at = arg + i * sizeof(op);
			if (at < arg || guest_copy_from(d, &op, at, sizeof(op)) < 0)
				return -XEN_EFAULT;
			gnttab_copy_one(d, &op, NULL, 0);
			/* only the status goes back, as Xen writes only that field */
			if (guest_copy_to(d, at + offsetof(struct gnttab_copy, status), &op.status,
					  sizeof(op.status)) < 0)
				return -XEN_EFAULT;
		}
		return 0;
	}
	default:
		return -XEN_ENOSYS;
	}
}

static int64_t do_sched_op(struct domain *d, struct vcpu *v, uint64_t cmd, uint64_t arg,
			   int *deferred)
{
	switch (cmd) {
	case SCHEDOP_yield:
		return 0;
	case SCHEDOP_block: {
		/* Xen enables event delivery on block, so an event can end it */
		struct shared_info *sh = domain_shared_info(d);
		if (sh && v->id < XEN_LEGACY_MAX_VCPUS)
			__atomic_store_n(&sh->vcpu_info[v->id].evtchn_upcall_mask, 0,
					 __ATOMIC_SEQ_CST);
		if (evtchn_vcpu_pending(d, v))
			return 0;
		v->wait = VCPU_BLOCKED;
		*deferred = 1;
		return 0;
	}
	case SCHEDOP_shutdown: {
		struct sched_shutdown s;
		if (guest_copy_from(d, &s, arg, sizeof(s)) < 0)
			return -XEN_EFAULT;
		if (s.reason > SHUTDOWN_MAX)
			return -XEN_EINVAL;
		domain_shutdown(d, s.reason);
		*deferred = 1; /* the runner is stopped; nothing answers */
		return 0;
	}
	case SCHEDOP_poll: {
		struct sched_poll p;
		if (guest_copy_from(d, &p, arg, sizeof(p)) < 0)
			return -XEN_EFAULT;
		if (p.nr_ports > sizeof(v->poll_ports) / sizeof(v->poll_ports[0]))
			return -XEN_EINVAL;
		evtchn_port_t ports[sizeof(v->poll_ports) / sizeof(v->poll_ports[0])];
		if (p.nr_ports &&
		    guest_copy_from(d, ports, p.ports, (uint64_t)p.nr_ports * sizeof(ports[0])) < 0)
			return -XEN_EFAULT;
		for (uint32_t i = 0; i < p.nr_ports; i++) {
			if (ports[i] == 0 || ports[i] >= HV_EVTCHN_PORTS)
				return -XEN_EINVAL;
			if (evtchn_port_pending(d, ports[i]))
				return 0;
		}
		if (p.timeout && p.timeout <= hv_now_ns())
			return 0;
		memcpy(v->poll_ports, ports, (size_t)p.nr_ports * sizeof(ports[0]));
		v->nr_poll_ports = p.nr_ports;
		v->poll_deadline_ns = p.timeout;
		v->wait = VCPU_POLLING;
		*deferred = 1;
		if (p.timeout)
			timers_changed(d->hv);
		return 0;
	}
	default:
		return -XEN_ENOSYS;
	}
}

static void timer_fire(struct domain *d, struct vcpu *v)
{
	v->timer_ns = 0;
	if (v->virq_timer_port)
		evtchn_set_pending(d, v->virq_timer_port);
	/* the timer ends a block even when VIRQ_TIMER is not bound */
	if (v->wait == VCPU_BLOCKED)
		vcpu_wake(d, v, 0);
}

static int64_t do_set_timer_op(struct domain *d, struct vcpu *v, uint64_t deadline)
{
	v->timer_ns = deadline;
	if (deadline && deadline <= hv_now_ns())
		timer_fire(d, v);
	else
		timers_changed(d->hv);
	return 0;
}

static int64_t do_vcpu_op(struct domain *d, struct vcpu *self, uint64_t cmd, uint64_t id,
			  uint64_t arg, int *deferred)
{
	if (id >= d->nr_vcpus)
		return -XEN_ENOENT;
	struct vcpu *v = &d->vcpus[id];

	switch (cmd) {
	case VCPUOP_initialise: {
		struct xl_vcpu_context ctx;
		if (guest_copy_from(d, &ctx, arg, sizeof(ctx)) < 0)
			return -XEN_EFAULT;
		if (v->online)
			return -XEN_EEXIST;
		if (!guest_va(d, ctx.entry, 1) || ctx.stack < XL_GUEST_BASE + 16 ||
		    !guest_va(d, ctx.stack - 16, 16) || (ctx.stack & 15))
			return -XEN_EINVAL;
		v->start_ctx = ctx;
		v->initialised = true;
		return 0;
	}
	case VCPUOP_up:
		if (v->online)
			return 0;
		if (v->started) { /* it took itself down: resume where it left off */
			v->online = true;
			vcpu_wake(d, v, 0);
			return 0;
		}
		if (!v->initialised)
			return -XEN_EINVAL;
		if (!d->hv->ops.vcpu_start)
			return -XEN_ENOSYS;
		int rc = d->hv->ops.vcpu_start(d->hv, d, v, &v->start_ctx);
		if (rc < 0)
			return rc;
		v->started = true;
		v->online = true;
		v->wait = VCPU_RUNNING;
		return 0;
	case VCPUOP_down:
		/* A vCPU is a host thread: only it can stop itself. */
		if (v != self)
			return -XEN_EINVAL;
		v->online = false;
		v->wait = VCPU_OFFLINE;
		v->timer_ns = 0;
		*deferred = 1;
		return 0;
	case VCPUOP_is_up:
		return v->online ? 1 : 0;
	default:
		return -XEN_ENOSYS;
	}
}

static int64_t reservation_op(struct domain *d, uint64_t cmd, uint64_t arg)
{
	struct xen_memory_reservation r;

	if (guest_copy_from(d, &r, arg, sizeof(r)) < 0)
		return -XEN_EFAULT;
	if (r.domid != DOMID_SELF && r.domid != d->domid)
		return -XEN_EPERM;
	if (r.extent_order != 0)
		return -XEN_EINVAL;
	uint64_t done = 0;
	for (; done < r.nr_extents; done++) {
		xen_pfn_t gfn;
		uint64_t at = r.extent_start + done * sizeof(gfn);
		if (at < r.extent_start || guest_copy_from(d, &gfn, at, sizeof(gfn)) < 0)
			return done ? (int64_t)done : -XEN_EFAULT;
		if (gfn < XL_GFN_FIRST_FREE || gfn >= d->mem_bytes >> XL_PAGE_SHIFT)
			break;
		if (cmd == XENMEM_decrease_reservation) {
			if (d->tot_pages == 0)
				break;
			/* give the page back to the host: it reads as zero afterwards */
			if (fallocate(d->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)(gfn << XL_PAGE_SHIFT), (off_t)XL_PAGE_SIZE) < 0)
				break;
			d->tot_pages--;
		} else {
			if (d->tot_pages >= d->max_pages)
				break;
			d->tot_pages++;
		}
	}
	return (int64_t)done;
}

static int64_t do_memory_op(struct domain *d, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation: {
		domid_t dom;
		if (guest_copy_from(d, &dom, arg, sizeof(dom)) < 0)
			return -XEN_EFAULT;
		if (dom != DOMID_SELF && dom != d->domid)
			return -XEN_EPERM;
		return (int64_t)(cmd == XENMEM_current_reservation ? d->tot_pages : d->max_pages);
	}
	case XENMEM_maximum_ram_page:
		return (int64_t)(d->mem_bytes >> XL_PAGE_SHIFT) - 1;
	case XENMEM_decrease_reservation:
	case XENMEM_increase_reservation:
	case XENMEM_populate_physmap:
		return reservation_op(d, cmd, arg);
	default:
		return -XEN_ENOSYS;
	}
}

int hv_hypercall(struct domain *d, struct vcpu *v, const struct xl_hcall *call, int64_t *ret)
{
	const uint64_t *a = call->args;
	int deferred = 0;
	int64_t r;

	if (d->state != DOM_ALIVE) /* a late call from a runner being stopped */
		return HCALL_DEFERRED;
	switch (call->op) {
	case __HYPERVISOR_console_io:
		r = do_console_io(d, a[0], a[1], a[2]);
		break;
	case __HYPERVISOR_xen_version:
		r = do_xen_version(d, a[0], a[1]);
		break;
	case __HYPERVISOR_event_channel_op:
		r = do_event_channel_op(d, v, a[0], a[1]);
		break;
	case __HYPERVISOR_grant_table_op:
		r = do_grant_table_op(d, a[0], a[1], a[2]);
		break;
	case __HYPERVISOR_sched_op:
		r = do_sched_op(d, v, a[0], a[1], &deferred);
		break;
	case __HYPERVISOR_set_timer_op:
		r = do_set_timer_op(d, v, a[0]);
		break;
	case __HYPERVISOR_vcpu_op:
		r = do_vcpu_op(d, v, a[0], a[1], a[2], &deferred);
		break;
	case __HYPERVISOR_memory_op:
		r = do_memory_op(d, a[0], a[1]);
		break;
	default:
		r = -XEN_ENOSYS;
		break;
	}
	if (deferred)
		return HCALL_DEFERRED;
	*ret = r;
	return 0;
}

uint64_t hv_run_timers(struct hv *hv)
{
	uint64_t now = hv_now_ns(), next = 0;

	for (uint32_t id = 1; id < DOMID_FIRST_RESERVED; id++) {
		struct domain *d = hv->domains[id];
		if (!d || d->state != DOM_ALIVE)
			continue;
		for (uint32_t i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = &d->vcpus[i];
			if (v->timer_ns && v->timer_ns <= now)
				timer_fire(d, v);
			if (v->wait == VCPU_POLLING && v->poll_deadline_ns &&
			    v->poll_deadline_ns <= now)
				vcpu_wake(d, v, 0);
			if (v->timer_ns && (!next || v->timer_ns < next))
				next = v->timer_ns;
			if (v->wait == VCPU_POLLING && v->poll_deadline_ns &&
			    (!next || v->poll_deadline_ns < next))
				next = v->poll_deadline_ns;
		}
	}
	return next;
}
