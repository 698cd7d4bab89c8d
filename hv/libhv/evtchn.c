/* evtchn.c - Xen's 2-level event channels: ports, binding, sending, masking.
 *
 * Port state lives in hv (d->evtchn); pending and mask bits of a DomU live in
 * its shared_info page, which the guest writes concurrently, so every access
 * to that page is a single atomic operation and no value read from it is
 * trusted twice. Dom0 has no shared_info: its ports are delivered through
 * ops.dom0_event to the connection that bound them.
 *
 * Choices where Xen leaves room (Xen's own behaviour unless noted):
 *  - Port 0 is reserved and never allocated. Close, send, unmask and
 *    bind_vcpu on port 0 or a port >= HV_EVTCHN_PORTS return -EINVAL; status
 *    of port 0 reports closed, as Xen's reserved port 0 does.
 *  - Close and send on a free port return -EINVAL; send on an unbound port is
 *    dropped and succeeds; send on a VIRQ port returns -EINVAL.
 *  - Unmask on a free DomU port is allowed (it only clears a bit the guest
 *    owns); on a free Dom0 port it is -EINVAL (Dom0 ports belong to
 *    connections).
 *  - Lookups of another domain report -ESRCH before -EPERM, as Xen does.
 *    A dying domain counts as nonexistent.
 *  - VIRQ_TIMER is the only per-vCPU VIRQ (v->virq_timer_port); every other
 *    VIRQ is global (d->virq_port) and must be bound on vCPU 0.
 *  - DomU vCPUs >= XEN_LEGACY_MAX_VCPUS have no vcpu_info slot in shared_info
 *    (there is no VCPUOP_register_vcpu_info), so ports cannot notify them:
 *    binds naming such a vCPU return -EINVAL.
 *  - Dom0 delivery: a port that was delivered stays "masked" until Dom0
 *    unmasks it, as with Linux's /dev/xen/evtchn. An event raised while it
 *    is masked is remembered and delivered once more on unmask.
 */
#include <stdlib.h>
#include <string.h>

#include "hv.h"

/* struct evtchn.dom0_pending values */
#define DOM0_IDLE 0
#define DOM0_DELIVERED 1    /* delivered, Dom0 has not unmasked yet */
#define DOM0_RAISED_AGAIN 2 /* and raised again meanwhile */

#define BITS_PER_WORD 64u

static bool port_in_range(evtchn_port_t port)
{
	return port != 0 && port < HV_EVTCHN_PORTS;
}

/* The channel of a port in use, or NULL. */
static struct evtchn *bound_port(struct domain *d, evtchn_port_t port)
{
	if (!d->evtchn || !port_in_range(port) || d->evtchn[port].state == ECS_FREE)
		return NULL;
	return &d->evtchn[port];
}

/* Another domain to bind to or act on: exists and is not dying. */
static struct domain *live_domain(struct hv *hv, uint32_t domid)
{
	struct domain *d = hv_domain(hv, domid);

	if (!d || d->state == DOM_DYING || !d->evtchn)
		return NULL;
	return d;
}

/* Resolves a domid argument (DOMID_SELF or an id) for caller. */
static int target_domain(struct domain *caller, domid_t dom, struct domain **out)
{
	struct domain *d =
	    dom == DOMID_SELF || dom == caller->domid ? caller : live_domain(caller->hv, dom);

	if (!d)
		return -XEN_ESRCH;
	if (d != caller && !caller->is_dom0)
		return -XEN_EPERM;
	*out = d;
	return 0;
}

/* Checks a vCPU a port of d may notify. */
static int notify_vcpu_ok(const struct domain *d, uint32_t vcpu)
{
	if (vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	if (!d->is_dom0 && vcpu >= XEN_LEGACY_MAX_VCPUS)
		return -XEN_EINVAL;
	return 0;
}

static int get_free_port(struct domain *d)
{
	for (evtchn_port_t p = 1; p < HV_EVTCHN_PORTS; p++)
		if (d->evtchn[p].state == ECS_FREE)
			return (int)p;
	return -XEN_ENOSPC;
}

/* Takes a free port for a new binding; owner only applies to Dom0 ports. */
static struct evtchn *new_port(struct domain *d, uint64_t owner, evtchn_port_t *port)
{
	int p = get_free_port(d);

	if (p < 0)
		return NULL;
	struct evtchn *ch = &d->evtchn[p];
	memset(ch, 0, sizeof(*ch));
	ch->owner = d->is_dom0 ? owner : 0;
	*port = (evtchn_port_t)p;
	return ch;
}

/* ---- the 2-level bitmaps in a DomU's shared_info ---- */

static bool bit_test_and_set(uint64_t *words, uint32_t bit)
{
	uint64_t m = 1ull << (bit % BITS_PER_WORD);
	return (__atomic_fetch_or(&words[bit / BITS_PER_WORD], m, __ATOMIC_SEQ_CST) & m) != 0;
}

static bool bit_test_and_clear(uint64_t *words, uint32_t bit)
{
	uint64_t m = 1ull << (bit % BITS_PER_WORD);
	return (__atomic_fetch_and(&words[bit / BITS_PER_WORD], ~m, __ATOMIC_SEQ_CST) & m) != 0;
}

static bool bit_test(uint64_t *words, uint32_t bit)
{
	uint64_t m = 1ull << (bit % BITS_PER_WORD);
	return (__atomic_load_n(&words[bit / BITS_PER_WORD], __ATOMIC_SEQ_CST) & m) != 0;
}

/* Xen's vcpu_mark_events_pending: raise the upcall, kick if it was not
 * already raised. */
static void mark_events_pending(struct domain *d, struct shared_info *sh, uint32_t vcpu)
{
	if (__atomic_exchange_n(&sh->vcpu_info[vcpu].evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
		return;
	vcpu_kick(d, &d->vcpus[vcpu]);
}

/* Xen's evtchn_check_pollers: a vCPU in SCHEDOP_poll wakes when a port it
 * polls becomes pending, masked or not; vcpu_kick checks its port list. */
static void check_pollers(struct domain *d)
{
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i].wait == VCPU_POLLING)
			vcpu_kick(d, &d->vcpus[i]);
}

static void dom0_deliver(struct domain *d, struct evtchn *ch, evtchn_port_t port)
{
	const struct hv_ops *ops = hv_ops(d->hv);

	if (ops->dom0_event)
		ops->dom0_event(d->hv, ch->owner, port);
}

void evtchn_set_pending(struct domain *d, evtchn_port_t port)
{
	struct evtchn *ch = bound_port(d, port);

	if (!ch)
		return;
	if (d->is_dom0) {
		if (ch->dom0_pending == DOM0_IDLE) {
			ch->dom0_pending = DOM0_DELIVERED;
			dom0_deliver(d, ch, port);
		} else {
			ch->dom0_pending = DOM0_RAISED_AGAIN;
		}
		return;
	}
	struct shared_info *sh = domain_shared_info(d);
	if (!sh || bit_test_and_set(sh->evtchn_pending, port))
		return;
	/* ch->vcpu < min(nr_vcpus, XEN_LEGACY_MAX_VCPUS): checked at bind */
	if (!bit_test(sh->evtchn_mask, port) &&
	    !bit_test_and_set(&sh->vcpu_info[ch->vcpu].evtchn_pending_sel, port / BITS_PER_WORD))
		mark_events_pending(d, sh, ch->vcpu);
	check_pollers(d);
}

void evtchn_send_virq(struct domain *d, uint32_t virq)
{
	/* VIRQ_TIMER is per vCPU and raised by the timer code on its port */
	if (!d || !d->evtchn || virq >= NR_VIRQS || virq == VIRQ_TIMER)
		return;
	if (d->virq_port[virq])
		evtchn_set_pending(d, d->virq_port[virq]);
}

bool evtchn_vcpu_pending(struct domain *d, struct vcpu *v)
{
	struct shared_info *sh = domain_shared_info(d);

	if (!sh || v->id >= XEN_LEGACY_MAX_VCPUS)
		return false;
	struct vcpu_info *vi = &sh->vcpu_info[v->id];
	return __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_SEQ_CST);
}

/* For Dom0, pending means delivered and not yet unmasked. */
bool evtchn_port_pending(struct domain *d, evtchn_port_t port)
{
	if (!d->evtchn || !port_in_range(port))
		return false;
	if (d->is_dom0)
		return d->evtchn[port].dom0_pending != DOM0_IDLE;
	struct shared_info *sh = domain_shared_info(d);
	return sh && bit_test(sh->evtchn_pending, port);
}

/* ---- lifecycle ---- */

int evtchn_init(struct domain *d)
{
	d->evtchn = calloc(HV_EVTCHN_PORTS, sizeof(*d->evtchn));
	if (!d->evtchn)
		return -XEN_ENOMEM;
	memset(d->virq_port, 0, sizeof(d->virq_port));
	return 0;
}

/* Frees a port: its pending state goes, its mask bit is the guest's. */
static void free_port(struct domain *d, evtchn_port_t port)
{
	if (!d->is_dom0) {
		struct shared_info *sh = domain_shared_info(d);
		if (sh)
			bit_test_and_clear(sh->evtchn_pending, port);
	}
	memset(&d->evtchn[port], 0, sizeof(d->evtchn[port]));
}

/* Xen's __evtchn_close for a port in use. */
static void close_port(struct domain *d, evtchn_port_t port)
{
	struct evtchn *ch = &d->evtchn[port];

	switch (ch->state) {
	case ECS_VIRQ:
		if (ch->virq == VIRQ_TIMER) {
			if (ch->vcpu < d->nr_vcpus && d->vcpus[ch->vcpu].virq_timer_port == port)
				d->vcpus[ch->vcpu].virq_timer_port = 0;
		} else if (ch->virq < NR_VIRQS && d->virq_port[ch->virq] == port) {
			d->virq_port[ch->virq] = 0;
		}
		break;
	case ECS_INTERDOMAIN: {
		/* The peer reverts to unbound, still accepting us. A dying
		 * peer has closed its ports already (evtchn_fini). */
		struct domain *rd = hv_domain(d->hv, ch->remote_domid);
		if (rd && rd->evtchn && port_in_range(ch->remote_port)) {
			struct evtchn *rch = &rd->evtchn[ch->remote_port];
			if (rch->state == ECS_INTERDOMAIN && rch->remote_domid == d->domid &&
			    rch->remote_port == port) {
				rch->state = ECS_UNBOUND;
				rch->remote_port = 0;
			}
		}
		break;
	}
	default: /* unbound, IPI: nothing refers to them */
		break;
	}
	free_port(d, port);
}

void evtchn_fini(struct domain *d)
{
	if (!d->evtchn)
		return;
	for (evtchn_port_t p = 1; p < HV_EVTCHN_PORTS; p++)
		if (d->evtchn[p].state != ECS_FREE)
			close_port(d, p);
	free(d->evtchn);
	d->evtchn = NULL;
}

/* ---- operations ---- */

int evtchn_alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *a, uint64_t owner)
{
	struct domain *td;
	evtchn_port_t port;

	int rc = target_domain(d, a->dom, &td);
	if (rc < 0)
		return rc;
	struct evtchn *ch = new_port(td, owner, &port);
	if (!ch)
		return -XEN_ENOSPC;
	ch->state = ECS_UNBOUND;
	/* DOMID_SELF names the caller, not the domain the port is on */
	ch->remote_domid = a->remote_dom == DOMID_SELF ? (domid_t)d->domid : a->remote_dom;
	a->port = port;
	return 0;
}

int evtchn_bind_interdomain(struct domain *d, struct evtchn_bind_interdomain *b, uint64_t owner)
{
	domid_t rdom = b->remote_dom == DOMID_SELF ? (domid_t)d->domid : b->remote_dom;
	struct domain *rd = rdom == d->domid ? d : live_domain(d->hv, rdom);
	evtchn_port_t rport = b->remote_port, lport;

	if (!d->evtchn || !rd)
		return -XEN_ESRCH;
	struct evtchn *rch = bound_port(rd, rport);
	if (!rch || rch->state != ECS_UNBOUND || rch->remote_domid != d->domid)
		return -XEN_EINVAL;
	struct evtchn *lch = new_port(d, owner, &lport);
	if (!lch)
		return -XEN_ENOSPC;
	lch->state = ECS_INTERDOMAIN;
	lch->remote_domid = (uint16_t)rd->domid;
	lch->remote_port = rport;
	rch->state = ECS_INTERDOMAIN;
	rch->remote_domid = (uint16_t)d->domid;
	rch->remote_port = lport;
	b->local_port = lport;
	/* Xen raises the new local port so no notification sent before the
	 * bind is lost. */
	evtchn_set_pending(d, lport);
	return 0;
}

int evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b, uint64_t owner)
{
	evtchn_port_t port;

	if (!d->evtchn || b->virq >= NR_VIRQS)
		return -XEN_EINVAL;
	bool per_vcpu = b->virq == VIRQ_TIMER;
	if (!per_vcpu && b->vcpu != 0)
		return -XEN_EINVAL;
	int rc = notify_vcpu_ok(d, b->vcpu);
	if (rc < 0)
		return rc;
	uint32_t *slot = per_vcpu ? &d->vcpus[b->vcpu].virq_timer_port : &d->virq_port[b->virq];
	if (*slot)
		return -XEN_EEXIST;
	struct evtchn *ch = new_port(d, owner, &port);
	if (!ch)
		return -XEN_ENOSPC;
	ch->state = ECS_VIRQ;
	ch->virq = b->virq;
	ch->vcpu = b->vcpu;
	*slot = port;
	b->port = port;
	return 0;
}

int evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
	evtchn_port_t port;

	if (!d->evtchn)
		return -XEN_EINVAL;
	int rc = notify_vcpu_ok(d, b->vcpu);
	if (rc < 0)
		return rc;
	struct evtchn *ch = new_port(d, 0, &port);
	if (!ch)
		return -XEN_ENOSPC;
	ch->state = ECS_IPI;
	ch->vcpu = b->vcpu;
	b->port = port;
	return 0;
}

int evtchn_bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *b)
{
	int rc = notify_vcpu_ok(d, b->vcpu);
	if (rc < 0)
		return rc;
	struct evtchn *ch = bound_port(d, b->port);
	if (!ch)
		return -XEN_EINVAL;
	switch (ch->state) {
	case ECS_VIRQ:
		if (ch->virq == VIRQ_TIMER) /* per-vCPU VIRQs stay where bound */
			return -XEN_EINVAL;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		break;
	default: /* IPIs are bound to their vCPU */
		return -XEN_EINVAL;
	}
	ch->vcpu = b->vcpu;
	return 0;
}

int evtchn_close(struct domain *d, evtchn_port_t port)
{
	if (!bound_port(d, port))
		return -XEN_EINVAL;
	close_port(d, port);
	return 0;
}

int evtchn_send(struct domain *d, evtchn_port_t port)
{
	struct evtchn *ch = bound_port(d, port);

	if (!ch)
		return -XEN_EINVAL;
	switch (ch->state) {
	case ECS_INTERDOMAIN: {
		struct domain *rd = hv_domain(d->hv, ch->remote_domid);
		if (rd)
			evtchn_set_pending(rd, ch->remote_port);
		return 0;
	}
	case ECS_IPI:
		evtchn_set_pending(d, port);
		return 0;
	case ECS_UNBOUND: /* nobody listens yet: dropped */
		return 0;
	default:
		return -XEN_EINVAL;
	}
}

int evtchn_status(struct domain *caller, struct evtchn_status *s)
{
	struct domain *d;

	int rc = target_domain(caller, s->dom, &d);
	if (rc < 0)
		return rc;
	if (!d->evtchn || s->port >= HV_EVTCHN_PORTS)
		return -XEN_EINVAL;
	const struct evtchn *ch = &d->evtchn[s->port]; /* port 0: free, so closed */
	s->status = ch->state;
	s->vcpu = ch->vcpu;
	memset(&s->u, 0, sizeof(s->u));
	switch (ch->state) {
	case ECS_UNBOUND:
		s->u.unbound.dom = ch->remote_domid;
		break;
	case ECS_INTERDOMAIN:
		s->u.interdomain.dom = ch->remote_domid;
		s->u.interdomain.port = ch->remote_port;
		break;
	case ECS_VIRQ:
		s->u.virq = ch->virq;
		break;
	default:
		break;
	}
	return 0;
}

int evtchn_unmask(struct domain *d, evtchn_port_t port)
{
	if (!d->evtchn || !port_in_range(port))
		return -XEN_EINVAL;
	struct evtchn *ch = &d->evtchn[port];
	if (d->is_dom0) {
		if (ch->state == ECS_FREE)
			return -XEN_EINVAL;
		if (ch->dom0_pending == DOM0_RAISED_AGAIN) {
			ch->dom0_pending = DOM0_DELIVERED;
			dom0_deliver(d, ch, port);
		} else {
			ch->dom0_pending = DOM0_IDLE;
		}
		return 0;
	}
	struct shared_info *sh = domain_shared_info(d);
	if (!sh)
		return -XEN_EINVAL;
	/* Xen's evtchn_2l_unmask: re-raise only what the mask held back. */
	if (bit_test_and_clear(sh->evtchn_mask, port) && bit_test(sh->evtchn_pending, port) &&
	    !bit_test_and_set(&sh->vcpu_info[ch->vcpu].evtchn_pending_sel, port / BITS_PER_WORD))
		mark_events_pending(d, sh, ch->vcpu);
	return 0;
}

int evtchn_reset(struct domain *caller, domid_t dom)
{
	struct domain *d;

	int rc = target_domain(caller, dom, &d);
	if (rc < 0)
		return rc;
	if (!d->evtchn)
		return -XEN_ESRCH;
	for (evtchn_port_t p = 1; p < HV_EVTCHN_PORTS; p++)
		if (d->evtchn[p].state != ECS_FREE)
			close_port(d, p);
	return 0;
}

void evtchn_close_owner(struct hv *hv, uint64_t owner)
{
	struct domain *d0 = hv_dom0(hv);

	if (!d0 || !d0->evtchn)
		return;
	for (evtchn_port_t p = 1; p < HV_EVTCHN_PORTS; p++)
		if (d0->evtchn[p].state != ECS_FREE && d0->evtchn[p].owner == owner)
			close_port(d0, p);
}
