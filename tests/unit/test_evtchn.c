/* test_evtchn.c - event channels with Xen's semantics: port checks, binding,
 * sending, the 2-level pending/mask/selector bits as a guest sees them in
 * shared_info, kicks, status, reset, Dom0 delivery by owner, teardown. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

static struct hv *hv;
static struct domain *a, *b, *d0; /* a has 2 vCPUs, b has 1 */

static void setup(void)
{
	hv = hvtest_create();
	ck_assert_ptr_nonnull(hv);
	a = hvtest_domain(hv, 2);
	b = hvtest_domain(hv, 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	d0 = hv_dom0(hv);
	memset(&T, 0, sizeof(T));
}

static void teardown(void)
{
	hv_free(hv);
}

/* ---- what the guest sees in its shared_info page ---- */

static struct shared_info *sh(struct domain *d)
{
	struct shared_info *s =
	    guest_gpa(d, (uint64_t)XL_GFN_SHARED_INFO << XL_PAGE_SHIFT, sizeof(struct shared_info));
	ck_assert_ptr_nonnull(s);
	return s;
}

static bool g_pending(struct domain *d, evtchn_port_t p)
{
	return (sh(d)->evtchn_pending[p / 64] >> (p % 64)) & 1;
}

static void g_mask(struct domain *d, evtchn_port_t p, bool on)
{
	if (on)
		__atomic_or_fetch(&sh(d)->evtchn_mask[p / 64], 1ull << (p % 64), __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&sh(d)->evtchn_mask[p / 64], ~(1ull << (p % 64)),
		                   __ATOMIC_SEQ_CST);
}

static uint64_t g_sel(struct domain *d, uint32_t vcpu)
{
	return sh(d)->vcpu_info[vcpu].evtchn_pending_sel;
}

static uint8_t g_upcall(struct domain *d, uint32_t vcpu)
{
	return sh(d)->vcpu_info[vcpu].evtchn_upcall_pending;
}

/* The guest acknowledges everything, as its upcall handler would. */
static void g_ack_all(struct domain *d)
{
	struct shared_info *s = sh(d);
	for (uint32_t v = 0; v < d->nr_vcpus; v++) {
		s->vcpu_info[v].evtchn_upcall_pending = 0;
		s->vcpu_info[v].evtchn_pending_sel = 0;
	}
	memset(s->evtchn_pending, 0, sizeof(s->evtchn_pending));
}

/* ---- helpers that bind ---- */

static evtchn_port_t alloc_unbound(struct domain *d, domid_t dom, domid_t remote)
{
	struct evtchn_alloc_unbound au = {.dom = dom, .remote_dom = remote};
	ck_assert_int_eq(evtchn_alloc_unbound(d, &au, 0), 0);
	ck_assert_uint_ne(au.port, 0);
	return au.port;
}

/* Connects a port of x to a port of y; returns x's port in *px, y's in *py. */
static void connect(struct domain *x, struct domain *y, evtchn_port_t *px, evtchn_port_t *py)
{
	*py = alloc_unbound(y, DOMID_SELF, (domid_t)x->domid);
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)y->domid, .remote_port = *py};
	ck_assert_int_eq(evtchn_bind_interdomain(x, &bi, 0), 0);
	*px = bi.local_port;
}

static struct evtchn_status status_of(struct domain *caller, domid_t dom, evtchn_port_t port)
{
	struct evtchn_status st = {.dom = dom, .port = port};
	ck_assert_int_eq(evtchn_status(caller, &st), 0);
	return st;
}

/* ---- tests ---- */

START_TEST(port_0_and_ports_beyond_the_space_are_invalid)
{
	const evtchn_port_t bad[] = {0, HV_EVTCHN_PORTS, HV_EVTCHN_PORTS + 1, UINT32_MAX};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct evtchn_bind_vcpu bv = {.port = bad[i], .vcpu = 0};
		ck_assert_int_eq(evtchn_close(a, bad[i]), -XEN_EINVAL);
		ck_assert_int_eq(evtchn_send(a, bad[i]), -XEN_EINVAL);
		ck_assert_int_eq(evtchn_unmask(a, bad[i]), -XEN_EINVAL);
		ck_assert_int_eq(evtchn_unmask(d0, bad[i]), -XEN_EINVAL);
		ck_assert_int_eq(evtchn_bind_vcpu(a, &bv), -XEN_EINVAL);
		ck_assert(!evtchn_port_pending(a, bad[i]));
		evtchn_set_pending(a, bad[i]); /* ignored */
	}
	struct evtchn_status st = {.dom = DOMID_SELF, .port = HV_EVTCHN_PORTS};
	ck_assert_int_eq(evtchn_status(a, &st), -XEN_EINVAL);
	/* port 0 exists but is reserved: Xen reports it closed */
	st = status_of(a, DOMID_SELF, 0);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_closed);
	ck_assert_uint_eq(sh(a)->evtchn_pending[0], 0);
	ck_assert_uint_eq(g_upcall(a, 0), 0);
}
END_TEST

START_TEST(free_ports_cannot_be_closed_or_sent_on)
{
	ck_assert_int_eq(evtchn_close(a, 5), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send(a, 5), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_close(d0, 5), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send(d0, 5), -XEN_EINVAL);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, 5).status, EVTCHNSTAT_closed);
	/* closing twice: the second close finds a free port */
	evtchn_port_t p = alloc_unbound(a, DOMID_SELF, (domid_t)b->domid);
	ck_assert_int_eq(evtchn_close(a, p), 0);
	ck_assert_int_eq(evtchn_close(a, p), -XEN_EINVAL);
}
END_TEST

START_TEST(alloc_unbound_resolves_ids_and_needs_privilege_for_another_domain)
{
	evtchn_port_t p = alloc_unbound(a, DOMID_SELF, (domid_t)b->domid);
	struct evtchn_status st = status_of(a, DOMID_SELF, p);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, b->domid);
	ck_assert_uint_eq(st.vcpu, 0);

	/* own id works like DOMID_SELF; remote DOMID_SELF is the caller */
	p = alloc_unbound(a, (domid_t)a->domid, DOMID_SELF);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, p).u.unbound.dom, a->domid);

	struct evtchn_alloc_unbound au = {.dom = (domid_t)b->domid, .remote_dom = DOMID_SELF};
	ck_assert_int_eq(evtchn_alloc_unbound(a, &au, 0), -XEN_EPERM);
	au.dom = 999;
	ck_assert_int_eq(evtchn_alloc_unbound(a, &au, 0), -XEN_ESRCH);
	au.dom = DOMID_INVALID;
	ck_assert_int_eq(evtchn_alloc_unbound(a, &au, 0), -XEN_ESRCH);

	/* Dom0 may allocate on a DomU; the port is a's, accepting Dom0, and
	 * ports on a DomU have no owner */
	au.dom = (domid_t)a->domid;
	au.remote_dom = DOMID_SELF;
	ck_assert_int_eq(evtchn_alloc_unbound(d0, &au, 42), 0);
	st = status_of(d0, (domid_t)a->domid, au.port);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, 0);
	ck_assert_uint_eq(a->evtchn[au.port].owner, 0);
	/* on Dom0 itself the port belongs to the connection */
	au.dom = DOMID_SELF;
	au.remote_dom = (domid_t)a->domid;
	ck_assert_int_eq(evtchn_alloc_unbound(d0, &au, 42), 0);
	ck_assert_uint_eq(d0->evtchn[au.port].owner, 42);
}
END_TEST

START_TEST(bind_interdomain_connects_both_ends_and_raises_the_new_local_port)
{
	evtchn_port_t pb = alloc_unbound(b, DOMID_SELF, (domid_t)a->domid);
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)b->domid, .remote_port = pb};

	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), 0);
	evtchn_port_t pa = bi.local_port;
	ck_assert_uint_ne(pa, 0);
	struct evtchn_status st = status_of(a, DOMID_SELF, pa);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.dom, b->domid);
	ck_assert_uint_eq(st.u.interdomain.port, pb);
	st = status_of(b, DOMID_SELF, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.dom, a->domid);
	ck_assert_uint_eq(st.u.interdomain.port, pa);
	/* Xen sets the new local port pending; the remote end is untouched */
	ck_assert(g_pending(a, pa));
	ck_assert(evtchn_port_pending(a, pa));
	ck_assert_uint_eq(g_sel(a, 0), 1ull << (pa / 64));
	ck_assert_uint_eq(g_upcall(a, 0), 1);
	ck_assert(!g_pending(b, pb));
	ck_assert_uint_eq(g_upcall(b, 0), 0);
}
END_TEST

START_TEST(bind_interdomain_rejects_wrong_peers_bound_ports_and_missing_domains)
{
	struct domain *c = hvtest_domain(hv, 1);
	ck_assert_ptr_nonnull(c);
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)b->domid};

	/* b's port accepts c, not a */
	bi.remote_port = alloc_unbound(b, DOMID_SELF, (domid_t)c->domid);
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_EINVAL);
	/* c may bind it; then it is no longer unbound, even for c */
	struct evtchn_bind_interdomain bc = bi;
	ck_assert_int_eq(evtchn_bind_interdomain(c, &bc, 0), 0);
	ck_assert_int_eq(evtchn_bind_interdomain(c, &bi, 0), -XEN_EINVAL);
	/* an IPI, a free port, port 0, a port out of range */
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	ck_assert_int_eq(evtchn_bind_ipi(b, &ipi), 0);
	bi.remote_port = ipi.port;
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_EINVAL);
	bi.remote_port = 300;
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_EINVAL);
	bi.remote_port = 0;
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_EINVAL);
	bi.remote_port = HV_EVTCHN_PORTS;
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_EINVAL);
	/* no such domain */
	bi.remote_dom = 999;
	bi.remote_port = 1;
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_ESRCH);
	bi.remote_dom = DOMID_ANY;
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_ESRCH);
	/* failures allocate nothing */
	for (evtchn_port_t p = 1; p < HV_EVTCHN_PORTS; p++)
		ck_assert_uint_eq(a->evtchn[p].state, ECS_FREE);
	/* loopback inside one domain is allowed, as in Xen */
	evtchn_port_t self = alloc_unbound(a, DOMID_SELF, DOMID_SELF);
	bi.remote_dom = DOMID_SELF;
	bi.remote_port = self;
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), 0);
	ck_assert_uint_ne(bi.local_port, self);
	g_ack_all(a);
	ck_assert_int_eq(evtchn_send(a, bi.local_port), 0);
	ck_assert(g_pending(a, self));
	ck_assert(!g_pending(a, bi.local_port));
}
END_TEST

START_TEST(close_reverts_the_peer_to_unbound_accepting_the_closer)
{
	evtchn_port_t pa, pb;
	connect(a, b, &pa, &pb);

	g_ack_all(a);
	ck_assert_int_eq(evtchn_close(a, pa), 0);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, pa).status, EVTCHNSTAT_closed);
	struct evtchn_status st = status_of(b, DOMID_SELF, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, a->domid);
	/* send on the now unbound end is dropped without error */
	ck_assert_int_eq(evtchn_send(b, pb), 0);
	for (uint32_t w = 0; w < 64; w++)
		ck_assert_uint_eq(sh(a)->evtchn_pending[w], 0);
	ck_assert_uint_eq(g_upcall(a, 0), 0);
	/* and a may bind to it again */
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)b->domid, .remote_port = pb};
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), 0);
	ck_assert_uint_eq(status_of(b, DOMID_SELF, pb).status, EVTCHNSTAT_interdomain);
}
END_TEST

START_TEST(close_clears_pending_but_leaves_the_mask_to_the_guest)
{
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), 0);
	g_mask(a, ipi.port, true);
	ck_assert_int_eq(evtchn_send(a, ipi.port), 0);
	ck_assert(g_pending(a, ipi.port));
	ck_assert_int_eq(evtchn_close(a, ipi.port), 0);
	ck_assert(!g_pending(a, ipi.port));
	ck_assert((sh(a)->evtchn_mask[ipi.port / 64] >> (ipi.port % 64)) & 1);
}
END_TEST

START_TEST(send_reaches_the_peer_once_and_a_pending_port_kicks_no_more)
{
	evtchn_port_t pa, pb;
	connect(a, b, &pa, &pb);
	g_ack_all(a);

	/* b's vCPU 0 is blocked: a's send sets the bit and wakes it */
	b->vcpus[0].wait = VCPU_BLOCKED;
	ck_assert_int_eq(evtchn_send(a, pa), 0);
	ck_assert(g_pending(b, pb));
	ck_assert_uint_eq(g_sel(b, 0), 1ull << (pb / 64));
	ck_assert_uint_eq(g_upcall(b, 0), 1);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert_uint_eq(T.last_wake_dom, b->domid);
	ck_assert_uint_eq(T.last_wake_vcpu, 0);
	ck_assert_uint_eq(b->vcpus[0].wait, VCPU_RUNNING);
	ck_assert(!g_pending(a, pa));

	/* the guest took the upcall but has not handled the port yet: a
	 * second send finds it pending and raises nothing */
	sh(b)->vcpu_info[0].evtchn_upcall_pending = 0;
	sh(b)->vcpu_info[0].evtchn_pending_sel = 0;
	b->vcpus[0].wait = VCPU_BLOCKED;
	ck_assert_int_eq(evtchn_send(a, pa), 0);
	ck_assert(g_pending(b, pb));
	ck_assert_uint_eq(g_sel(b, 0), 0);
	ck_assert_uint_eq(g_upcall(b, 0), 0);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert_uint_eq(b->vcpus[0].wait, VCPU_BLOCKED);
}
END_TEST

START_TEST(a_raised_upcall_is_not_kicked_again_for_another_port)
{
	struct evtchn_bind_ipi i1 = {.vcpu = 0}, i2 = {.vcpu = 0};
	ck_assert_int_eq(evtchn_bind_ipi(b, &i1), 0);
	ck_assert_int_eq(evtchn_bind_ipi(b, &i2), 0);
	b->vcpus[0].wait = VCPU_BLOCKED;
	ck_assert_int_eq(evtchn_send(b, i1.port), 0);
	ck_assert_int_eq(T.wakes, 1);
	b->vcpus[0].wait = VCPU_BLOCKED; /* (pretend it blocked regardless) */
	ck_assert_int_eq(evtchn_send(b, i2.port), 0);
	ck_assert(g_pending(b, i2.port));
	ck_assert_int_eq(T.wakes, 1); /* selector word and upcall already set */
}
END_TEST

START_TEST(masked_ports_stay_quiet_until_unmask_re_raises_them)
{
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	ck_assert_int_eq(evtchn_bind_ipi(b, &ipi), 0);
	evtchn_port_t p = ipi.port;

	g_mask(b, p, true);
	b->vcpus[0].wait = VCPU_BLOCKED;
	ck_assert_int_eq(evtchn_send(b, p), 0);
	ck_assert(g_pending(b, p));
	ck_assert_uint_eq(g_sel(b, 0), 0);
	ck_assert_uint_eq(g_upcall(b, 0), 0);
	ck_assert_int_eq(T.wakes, 0);
	ck_assert(!evtchn_vcpu_pending(b, &b->vcpus[0]));

	/* unmask: mask cleared, selector and upcall raised, vCPU kicked */
	ck_assert_int_eq(evtchn_unmask(b, p), 0);
	ck_assert(!((sh(b)->evtchn_mask[p / 64] >> (p % 64)) & 1));
	ck_assert_uint_eq(g_sel(b, 0), 1ull << (p / 64));
	ck_assert_uint_eq(g_upcall(b, 0), 1);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert(evtchn_vcpu_pending(b, &b->vcpus[0]));

	/* unmasking a port that is not masked, or masked but not pending,
	 * raises nothing */
	g_ack_all(b);
	ck_assert_int_eq(evtchn_unmask(b, p), 0);
	g_mask(b, p, true);
	ck_assert_int_eq(evtchn_unmask(b, p), 0);
	ck_assert_uint_eq(g_sel(b, 0), 0);
	ck_assert_uint_eq(g_upcall(b, 0), 0);
	/* a free port may be unmasked: the bit is the guest's */
	ck_assert_int_eq(evtchn_unmask(b, 1000), 0);
}
END_TEST

START_TEST(upcall_mask_holds_back_the_vcpu_but_not_the_bits)
{
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	ck_assert_int_eq(evtchn_bind_ipi(b, &ipi), 0);
	sh(b)->vcpu_info[0].evtchn_upcall_mask = 1;
	b->vcpus[0].wait = VCPU_BLOCKED;
	ck_assert_int_eq(evtchn_send(b, ipi.port), 0);
	ck_assert_uint_eq(g_upcall(b, 0), 1);
	ck_assert(!evtchn_vcpu_pending(b, &b->vcpus[0]));
	ck_assert_int_eq(T.wakes, 0);
	sh(b)->vcpu_info[0].evtchn_upcall_mask = 0;
	ck_assert(evtchn_vcpu_pending(b, &b->vcpus[0]));
}
END_TEST

START_TEST(selector_bits_are_per_vcpu_and_per_word)
{
	/* fill ports up past the first selector word */
	evtchn_port_t last = 0;
	while (last < 70)
		last = alloc_unbound(a, DOMID_SELF, (domid_t)b->domid);
	struct evtchn_bind_ipi lo = {.vcpu = 0}, hi = {.vcpu = 1};
	ck_assert_int_eq(evtchn_bind_ipi(a, &hi), 0);
	ck_assert_uint_ge(hi.port, 64);
	ck_assert_int_eq(evtchn_close(a, 3), 0);
	ck_assert_int_eq(evtchn_bind_ipi(a, &lo), 0);
	ck_assert_uint_eq(lo.port, 3); /* lowest free port first */

	ck_assert_int_eq(evtchn_send(a, hi.port), 0);
	ck_assert_uint_eq(g_sel(a, 1), 1ull << (hi.port / 64));
	ck_assert_uint_eq(g_upcall(a, 1), 1);
	ck_assert_uint_eq(g_sel(a, 0), 0);
	ck_assert_uint_eq(g_upcall(a, 0), 0);
	ck_assert_int_eq(evtchn_send(a, lo.port), 0);
	ck_assert_uint_eq(g_sel(a, 0), 1);
	ck_assert_uint_eq(g_upcall(a, 0), 1);
	ck_assert_uint_eq(g_sel(a, 1), 1ull << (hi.port / 64));

	/* bind_vcpu moves where an interdomain port notifies */
	g_ack_all(a);
	evtchn_port_t pa, pb;
	connect(a, b, &pa, &pb);
	g_ack_all(a);
	struct evtchn_bind_vcpu bv = {.port = pa, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_vcpu(a, &bv), 0);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, pa).vcpu, 1);
	ck_assert_int_eq(evtchn_send(b, pb), 0);
	ck_assert_uint_eq(g_sel(a, 1), 1ull << (pa / 64));
	ck_assert_uint_eq(g_upcall(a, 0), 0);
}
END_TEST

START_TEST(bind_virq_checks_numbers_vcpus_and_double_binds)
{
	struct evtchn_bind_virq bv = {.virq = NR_VIRQS, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_virq(a, &bv, 0), -XEN_EINVAL);
	bv.virq = UINT32_MAX;
	ck_assert_int_eq(evtchn_bind_virq(a, &bv, 0), -XEN_EINVAL);
	/* global VIRQs are bound on vCPU 0 */
	bv.virq = VIRQ_CONSOLE;
	bv.vcpu = 1;
	ck_assert_int_eq(evtchn_bind_virq(a, &bv, 0), -XEN_EINVAL);
	bv.virq = VIRQ_TIMER;
	bv.vcpu = 2;
	ck_assert_int_eq(evtchn_bind_virq(a, &bv, 0), -XEN_ENOENT);

	/* VIRQ_TIMER once per vCPU */
	struct evtchn_bind_virq t0 = {.virq = VIRQ_TIMER, .vcpu = 0};
	struct evtchn_bind_virq t1 = {.virq = VIRQ_TIMER, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_virq(a, &t0, 0), 0);
	ck_assert_int_eq(evtchn_bind_virq(a, &t1, 0), 0);
	ck_assert_uint_eq(a->vcpus[0].virq_timer_port, t0.port);
	ck_assert_uint_eq(a->vcpus[1].virq_timer_port, t1.port);
	ck_assert_int_eq(evtchn_bind_virq(a, &t1, 0), -XEN_EEXIST);
	struct evtchn_status st = status_of(a, DOMID_SELF, t1.port);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_virq);
	ck_assert_uint_eq(st.u.virq, VIRQ_TIMER);
	ck_assert_uint_eq(st.vcpu, 1);
	/* per-vCPU VIRQs cannot move; nobody sends on a VIRQ port */
	struct evtchn_bind_vcpu mv = {.port = t1.port, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_vcpu(a, &mv), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send(a, t1.port), -XEN_EINVAL);
	/* evtchn_send_virq leaves the timer to the timer code */
	evtchn_send_virq(a, VIRQ_TIMER);
	ck_assert(!g_pending(a, t0.port));

	/* a global VIRQ: raised by evtchn_send_virq, movable, rebindable */
	struct evtchn_bind_virq con = {.virq = VIRQ_CONSOLE, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_virq(a, &con, 0), 0);
	ck_assert_uint_eq(a->virq_port[VIRQ_CONSOLE], con.port);
	ck_assert_int_eq(evtchn_bind_virq(a, &con, 0), -XEN_EEXIST);
	evtchn_send_virq(a, VIRQ_CONSOLE);
	ck_assert(g_pending(a, con.port));
	evtchn_send_virq(a, VIRQ_DEBUG);   /* not bound: nothing */
	evtchn_send_virq(a, NR_VIRQS + 3); /* out of range: nothing */
	mv.port = con.port;
	mv.vcpu = 1;
	ck_assert_int_eq(evtchn_bind_vcpu(a, &mv), 0);
	ck_assert_int_eq(evtchn_close(a, con.port), 0);
	ck_assert_uint_eq(a->virq_port[VIRQ_CONSOLE], 0);
	ck_assert_int_eq(evtchn_close(a, t1.port), 0);
	ck_assert_uint_eq(a->vcpus[1].virq_timer_port, 0);
	ck_assert_int_eq(evtchn_bind_virq(a, &con, 0), 0);
	ck_assert_int_eq(evtchn_bind_virq(a, &t1, 0), 0);
}
END_TEST

START_TEST(ipis_are_local_and_bound_to_their_vcpu)
{
	struct evtchn_bind_ipi ipi = {.vcpu = 2};
	ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), -XEN_ENOENT);
	ipi.vcpu = 1;
	ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), 0);
	struct evtchn_status st = status_of(a, DOMID_SELF, ipi.port);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_ipi);
	ck_assert_uint_eq(st.vcpu, 1);
	a->vcpus[1].wait = VCPU_BLOCKED;
	ck_assert_int_eq(evtchn_send(a, ipi.port), 0);
	ck_assert(g_pending(a, ipi.port));
	ck_assert_int_eq(T.wakes, 1);
	ck_assert_uint_eq(T.last_wake_vcpu, 1);

	struct evtchn_bind_vcpu bv = {.port = ipi.port, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_vcpu(a, &bv), -XEN_EINVAL);
	bv.port = 2000; /* free */
	ck_assert_int_eq(evtchn_bind_vcpu(a, &bv), -XEN_EINVAL);
	bv.port = alloc_unbound(a, DOMID_SELF, (domid_t)b->domid);
	bv.vcpu = 7;
	ck_assert_int_eq(evtchn_bind_vcpu(a, &bv), -XEN_ENOENT);
	bv.vcpu = 1;
	ck_assert_int_eq(evtchn_bind_vcpu(a, &bv), 0);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, bv.port).vcpu, 1);
}
END_TEST

START_TEST(vcpus_without_a_vcpu_info_slot_cannot_be_notified)
{
	struct domain *big = hvtest_domain(hv, XEN_LEGACY_MAX_VCPUS + 2);
	ck_assert_ptr_nonnull(big);
	struct evtchn_bind_ipi ipi = {.vcpu = XEN_LEGACY_MAX_VCPUS};
	ck_assert_int_eq(evtchn_bind_ipi(big, &ipi), -XEN_EINVAL);
	struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = XEN_LEGACY_MAX_VCPUS + 1};
	ck_assert_int_eq(evtchn_bind_virq(big, &bv, 0), -XEN_EINVAL);
	ipi.vcpu = XEN_LEGACY_MAX_VCPUS - 1;
	ck_assert_int_eq(evtchn_bind_ipi(big, &ipi), 0);
	ck_assert(!evtchn_vcpu_pending(big, &big->vcpus[XEN_LEGACY_MAX_VCPUS]));
}
END_TEST

START_TEST(polling_vcpu_wakes_on_its_port_even_when_masked)
{
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), 0);
	g_mask(a, ipi.port, true);
	/* vCPU 1 polls the port through the real hypercall */
	evtchn_port_t *ports = guest_gpa(a, SCRATCH_GPA, sizeof(evtchn_port_t));
	struct sched_poll *poll = guest_gpa(a, SCRATCH_GPA + 64, sizeof(*poll));
	*ports = ipi.port;
	poll->ports = GVA(SCRATCH_GPA);
	poll->nr_ports = 1;
	poll->timeout = 0;
	a->vcpus[1].online = true;
	a->vcpus[1].wait = VCPU_RUNNING;
	struct xl_hcall call = {.op = __HYPERVISOR_sched_op,
	                        .args = {SCHEDOP_poll, GVA(SCRATCH_GPA + 64)}};
	int64_t ret = -1;
	ck_assert_int_eq(hv_hypercall(a, &a->vcpus[1], &call, &ret), HCALL_DEFERRED);
	ck_assert_uint_eq(a->vcpus[1].wait, VCPU_POLLING);

	ck_assert_int_eq(evtchn_send(a, ipi.port), 0);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert_uint_eq(T.last_wake_vcpu, 1);
	ck_assert_uint_eq(a->vcpus[1].wait, VCPU_RUNNING);
	ck_assert_uint_eq(g_upcall(a, 0), 0); /* masked: no upcall */
}
END_TEST

START_TEST(status_reports_every_state_and_foreign_domains_need_privilege)
{
	evtchn_port_t pa, pb;
	connect(a, b, &pa, &pb);
	struct evtchn_bind_ipi ipi = {.vcpu = 1};
	ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), 0);
	struct evtchn_bind_virq bv = {.virq = VIRQ_DEBUG, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_virq(a, &bv, 0), 0);
	evtchn_port_t un = alloc_unbound(a, DOMID_SELF, (domid_t)b->domid);

	ck_assert_uint_eq(status_of(a, DOMID_SELF, 1000).status, EVTCHNSTAT_closed);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, un).status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(status_of(a, (domid_t)a->domid, pa).status, EVTCHNSTAT_interdomain);
	struct evtchn_status st = status_of(a, DOMID_SELF, ipi.port);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_ipi);
	ck_assert_uint_eq(st.vcpu, 1);
	st = status_of(a, DOMID_SELF, bv.port);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_virq);
	ck_assert_uint_eq(st.u.virq, VIRQ_DEBUG);

	/* a DomU may not look at another domain; Dom0 may */
	st.dom = (domid_t)b->domid;
	st.port = pb;
	ck_assert_int_eq(evtchn_status(a, &st), -XEN_EPERM);
	st = status_of(d0, (domid_t)b->domid, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.dom, a->domid);
	ck_assert_uint_eq(st.u.interdomain.port, pa);
	st.dom = 999;
	ck_assert_int_eq(evtchn_status(d0, &st), -XEN_ESRCH);
	ck_assert_int_eq(evtchn_status(a, &st), -XEN_ESRCH);
}
END_TEST

START_TEST(reset_closes_every_port_and_peers_revert)
{
	evtchn_port_t pa, pb;
	connect(a, b, &pa, &pb);
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), 0);
	struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_virq(a, &bv, 0), 0);

	ck_assert_int_eq(evtchn_reset(b, (domid_t)a->domid), -XEN_EPERM);
	ck_assert_int_eq(evtchn_reset(b, 999), -XEN_ESRCH);
	ck_assert_int_eq(evtchn_reset(a, DOMID_SELF), 0);
	for (evtchn_port_t p = 1; p < HV_EVTCHN_PORTS; p++)
		ck_assert_uint_eq(a->evtchn[p].state, ECS_FREE);
	ck_assert_uint_eq(a->vcpus[1].virq_timer_port, 0);
	ck_assert(!g_pending(a, pa));
	struct evtchn_status st = status_of(b, DOMID_SELF, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, a->domid);

	/* Dom0 may reset a DomU */
	connect(a, b, &pa, &pb);
	ck_assert_int_eq(evtchn_reset(d0, (domid_t)b->domid), 0);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, pa).status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(status_of(b, DOMID_SELF, pb).status, EVTCHNSTAT_closed);
}
END_TEST

START_TEST(the_port_space_runs_out_with_enospc)
{
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	for (evtchn_port_t p = 1; p < HV_EVTCHN_PORTS; p++) {
		ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), 0);
		ck_assert_uint_eq(ipi.port, p);
	}
	ck_assert_int_eq(evtchn_bind_ipi(a, &ipi), -XEN_ENOSPC);
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
	ck_assert_int_eq(evtchn_alloc_unbound(a, &au, 0), -XEN_ENOSPC);
	struct evtchn_bind_virq bv = {.virq = VIRQ_CONSOLE};
	ck_assert_int_eq(evtchn_bind_virq(a, &bv, 0), -XEN_ENOSPC);
	ck_assert_uint_eq(a->virq_port[VIRQ_CONSOLE], 0);
	evtchn_port_t pb = alloc_unbound(b, DOMID_SELF, (domid_t)a->domid);
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)b->domid, .remote_port = pb};
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), -XEN_ENOSPC);
	ck_assert_uint_eq(status_of(b, DOMID_SELF, pb).status, EVTCHNSTAT_unbound);
	ck_assert_int_eq(evtchn_close(a, 1234), 0);
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), 0);
	ck_assert_uint_eq(bi.local_port, 1234);
}
END_TEST

START_TEST(dom0_ports_are_delivered_to_their_owner_until_unmasked)
{
	/* Dom0 (connection 5) offers a port to a; a binds and sends */
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = (domid_t)a->domid};
	ck_assert_int_eq(evtchn_alloc_unbound(d0, &au, 5), 0);
	struct evtchn_bind_interdomain bi = {.remote_dom = 0, .remote_port = au.port};
	ck_assert_int_eq(evtchn_bind_interdomain(a, &bi, 0), 0);
	ck_assert_int_eq(T.dom0_events, 0);

	ck_assert_int_eq(evtchn_send(a, bi.local_port), 0);
	ck_assert_int_eq(T.dom0_events, 1);
	ck_assert_uint_eq(T.last_owner, 5);
	ck_assert_uint_eq(T.last_dom0_port, au.port);
	ck_assert(evtchn_port_pending(d0, au.port));
	/* delivered ports stay masked: more sends are remembered, once */
	ck_assert_int_eq(evtchn_send(a, bi.local_port), 0);
	ck_assert_int_eq(evtchn_send(a, bi.local_port), 0);
	ck_assert_int_eq(T.dom0_events, 1);
	/* unmask delivers what came meanwhile, once */
	ck_assert_int_eq(evtchn_unmask(d0, au.port), 0);
	ck_assert_int_eq(T.dom0_events, 2);
	ck_assert_int_eq(evtchn_unmask(d0, au.port), 0);
	ck_assert_int_eq(T.dom0_events, 2);
	ck_assert(!evtchn_port_pending(d0, au.port));
	ck_assert_int_eq(evtchn_send(a, bi.local_port), 0);
	ck_assert_int_eq(T.dom0_events, 3);
	ck_assert_int_eq(evtchn_unmask(d0, au.port), 0);
	/* unmask of a free Dom0 port is refused */
	ck_assert_int_eq(evtchn_unmask(d0, 3000), -XEN_EINVAL);

	/* Dom0 sends the other way */
	g_ack_all(a);
	ck_assert_int_eq(evtchn_send(d0, au.port), 0);
	ck_assert(g_pending(a, bi.local_port));
	struct evtchn_status st = status_of(d0, DOMID_SELF, au.port);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.dom, a->domid);
}
END_TEST

START_TEST(dom0_binding_a_guest_port_is_raised_at_once)
{
	evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 0);
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)a->domid, .remote_port = pa};
	ck_assert_int_eq(evtchn_bind_interdomain(d0, &bi, 11), 0);
	ck_assert_uint_eq(d0->evtchn[bi.local_port].owner, 11);
	ck_assert_int_eq(T.dom0_events, 1);
	ck_assert_uint_eq(T.last_owner, 11);
	ck_assert_uint_eq(T.last_dom0_port, bi.local_port);
	/* a VIRQ bound by Dom0 records its owner too */
	struct evtchn_bind_virq bv = {.virq = VIRQ_CONSOLE};
	ck_assert_int_eq(evtchn_bind_virq(d0, &bv, 12), 0);
	ck_assert_uint_eq(d0->evtchn[bv.port].owner, 12);
	evtchn_send_virq(d0, VIRQ_CONSOLE);
	ck_assert_int_eq(T.dom0_events, 2);
	ck_assert_uint_eq(T.last_owner, 12);
	ck_assert_uint_eq(T.last_dom0_port, bv.port);
}
END_TEST

START_TEST(close_owner_closes_only_that_connections_ports)
{
	evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 0);
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)a->domid, .remote_port = pa};
	ck_assert_int_eq(evtchn_bind_interdomain(d0, &bi, 5), 0);
	struct evtchn_bind_virq bv = {.virq = VIRQ_DOM_EXC};
	ck_assert_int_eq(evtchn_bind_virq(d0, &bv, 5), 0);
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = (domid_t)b->domid};
	ck_assert_int_eq(evtchn_alloc_unbound(d0, &au, 6), 0);

	evtchn_close_owner(hv, 5);
	ck_assert_uint_eq(d0->evtchn[bi.local_port].state, ECS_FREE);
	ck_assert_uint_eq(d0->evtchn[bv.port].state, ECS_FREE);
	ck_assert_uint_eq(d0->virq_port[VIRQ_DOM_EXC], 0);
	ck_assert_uint_eq(d0->evtchn[au.port].state, ECS_UNBOUND);
	struct evtchn_status st = status_of(a, DOMID_SELF, pa);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, 0);
	/* another connection may now take VIRQ_DOM_EXC */
	ck_assert_int_eq(evtchn_bind_virq(d0, &bv, 7), 0);
	evtchn_close_owner(hv, 6);
	ck_assert_uint_eq(d0->evtchn[au.port].state, ECS_FREE);
	ck_assert_uint_eq(d0->evtchn[bv.port].state, ECS_VIRQ);
}
END_TEST

START_TEST(dom_exc_reaches_dom0_when_a_domain_shuts_down)
{
	struct evtchn_bind_virq bv = {.virq = VIRQ_DOM_EXC};
	ck_assert_int_eq(evtchn_bind_virq(d0, &bv, 9), 0);
	ck_assert_int_eq(domain_shutdown(a, SHUTDOWN_crash), 0);
	ck_assert_int_eq(T.dom0_events, 1);
	ck_assert_uint_eq(T.last_owner, 9);
	ck_assert_uint_eq(T.last_dom0_port, bv.port);
}
END_TEST

START_TEST(destroy_reverts_peers_and_a_dying_domain_takes_no_binds)
{
	evtchn_port_t pa, pb;
	connect(a, b, &pa, &pb);
	evtchn_port_t offered = alloc_unbound(a, DOMID_SELF, (domid_t)b->domid);
	uint32_t id = a->domid;
	a->runner_pid = 999999; /* the runner has not gone yet: a stays dying */
	ck_assert_int_eq(domain_destroy(a), 0);
	ck_assert_ptr_eq(hv_domain(hv, a->domid), a);
	ck_assert_uint_eq(a->state, DOM_DYING);

	struct evtchn_status st = status_of(b, DOMID_SELF, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, a->domid);
	ck_assert_int_eq(evtchn_send(b, pb), 0);

	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)a->domid,
	                                     .remote_port = offered};
	ck_assert_int_eq(evtchn_bind_interdomain(b, &bi, 0), -XEN_ESRCH);
	struct evtchn_alloc_unbound au = {.dom = (domid_t)a->domid, .remote_dom = 0};
	ck_assert_int_eq(evtchn_alloc_unbound(d0, &au, 1), -XEN_ESRCH);
	st.dom = (domid_t)a->domid;
	ck_assert_int_eq(evtchn_status(d0, &st), -XEN_ESRCH);
	ck_assert_int_eq(evtchn_reset(d0, (domid_t)a->domid), -XEN_ESRCH);
	/* what hv itself raises on a dying domain goes nowhere */
	evtchn_send_virq(a, VIRQ_CONSOLE);
	evtchn_set_pending(a, pa);
	ck_assert(!evtchn_port_pending(a, pa));
	ck_assert_int_eq(evtchn_close(a, pa), -XEN_EINVAL);

	domain_runner_exited(a, false, 0);
	ck_assert_ptr_null(hv_domain(hv, id));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evtchn");
	TCase *tc = tcase_create("evtchn");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, port_0_and_ports_beyond_the_space_are_invalid);
	tcase_add_test(tc, free_ports_cannot_be_closed_or_sent_on);
	tcase_add_test(tc, alloc_unbound_resolves_ids_and_needs_privilege_for_another_domain);
	tcase_add_test(tc, bind_interdomain_connects_both_ends_and_raises_the_new_local_port);
	tcase_add_test(tc, bind_interdomain_rejects_wrong_peers_bound_ports_and_missing_domains);
	tcase_add_test(tc, close_reverts_the_peer_to_unbound_accepting_the_closer);
	tcase_add_test(tc, close_clears_pending_but_leaves_the_mask_to_the_guest);
	tcase_add_test(tc, send_reaches_the_peer_once_and_a_pending_port_kicks_no_more);
	tcase_add_test(tc, a_raised_upcall_is_not_kicked_again_for_another_port);
	tcase_add_test(tc, masked_ports_stay_quiet_until_unmask_re_raises_them);
	tcase_add_test(tc, upcall_mask_holds_back_the_vcpu_but_not_the_bits);
	tcase_add_test(tc, selector_bits_are_per_vcpu_and_per_word);
	tcase_add_test(tc, bind_virq_checks_numbers_vcpus_and_double_binds);
	tcase_add_test(tc, ipis_are_local_and_bound_to_their_vcpu);
	tcase_add_test(tc, vcpus_without_a_vcpu_info_slot_cannot_be_notified);
	tcase_add_test(tc, polling_vcpu_wakes_on_its_port_even_when_masked);
	tcase_add_test(tc, status_reports_every_state_and_foreign_domains_need_privilege);
	tcase_add_test(tc, reset_closes_every_port_and_peers_revert);
	tcase_add_test(tc, the_port_space_runs_out_with_enospc);
	tcase_add_test(tc, dom0_ports_are_delivered_to_their_owner_until_unmasked);
	tcase_add_test(tc, dom0_binding_a_guest_port_is_raised_at_once);
	tcase_add_test(tc, close_owner_closes_only_that_connections_ports);
	tcase_add_test(tc, dom_exc_reaches_dom0_when_a_domain_shuts_down);
	tcase_add_test(tc, destroy_reverts_peers_and_a_dying_domain_takes_no_binds);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
