/* selftest.c - exercises the hypercall interface from inside a guest.
 *
 * Every check prints one line, "PASS <name>" or "FAIL <name>: <detail>", and
 * the run ends with "selftest: <p> passed, <f> failed"; other lines start with
 * "selftest: " and are informational. The domain powers off whatever the
 * result (the test harness reads the lines). Expected results follow Xen's
 * semantics (REFERENCE-xen.md section 5 and the ABI headers). Started with two
 * or more vCPUs it also checks bringing up a secondary vCPU, and with three or
 * more a VCPUOP_up without VCPUOP_initialise.
 *
 * Every wait is bounded in time, so a broken hypervisor produces FAIL lines
 * rather than a hang, except for a SCHEDOP_block that never returns.
 */
#include <xlguest.h>

#define MS 1000000ull
#define WAIT_LIMIT_NS (5000ull * MS)
#define NO_SUCH_DOMAIN ((domid_t)(DOMID_FIRST_RESERVED - 1))
#define BAD_HYPERCALL 63u
#define BAD_SUBOP 99u

static unsigned nr_pass, nr_fail;

/* Pages for grant copies; static so that their frames are known. */
static uint8_t pages[3][XL_PAGE_SIZE] __attribute__((aligned(XL_PAGE_SIZE)));

static void pass(const char *name)
{
	nr_pass++;
	printf("PASS %s\n", name);
}

XLG_PRINTF(2, 3) static void fail(const char *name, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	nr_fail++;
	printf("FAIL %s: %s\n", name, detail);
}

/* PASS if ok, else FAIL with the detail. Returns ok. */
XLG_PRINTF(3, 4) static bool check(const char *name, bool ok, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	if (ok) {
		pass(name);
		return true;
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fail(name, "%s", detail);
	return false;
}

static bool check_rc(const char *name, int64_t got, int64_t want)
{
	return check(name, got == want, "returned %lld (%s), expected %lld (%s)", (long long)got,
	             xen_errname(got), (long long)want, xen_errname(want));
}

static bool check_gntst(const char *name, int64_t rc, int16_t status, int16_t want)
{
	if (rc != 0)
		return check_rc(name, rc, 0);
	return check(name, status == want, "status %d (%s), expected %d (%s)", status,
	             gntst_name(status), want, gntst_name(want));
}

static uint64_t va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The first guest virtual address past the domain's memory. Memory up to
 * maxmem (maximum_reservation) belongs to the domain even when not all of it
 * is populated, so the end is taken from the larger of the two. */
static uint64_t memory_end_va(void)
{
	domid_t self = DOMID_SELF;
	int64_t max = hypercall_memory_op(XENMEM_maximum_reservation, &self);
	uint64_t nr = guest_nr_pages();

	if (max > 0 && (uint64_t)max > nr)
		nr = (uint64_t)max;
	return XL_GUEST_BASE + nr * XL_PAGE_SIZE;
}

/* ---- console, version, memory ----------------------------------------- */

static void test_console(void)
{
	static const char line[] = "selftest: console_io check\n";

	check_rc("console_write", hypercall_console_io(CONSOLEIO_write, sizeof(line) - 1, line),
	         sizeof(line) - 1);
	check_rc("console_write_efault",
	         hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 5, 0x10, 0, 0), -XEN_EFAULT);
}

static void test_version(void)
{
	char extra[XEN_EXTRAVERSION_LEN];
	int64_t v = hypercall_xen_version(XENVER_version, NULL);

	if (check("xen_version", v > 0 && (v >> 16) > 0, "returned %lld", (long long)v)) {
		memset(extra, 0xff, sizeof(extra));
		int64_t rc = hypercall_xen_version(XENVER_extraversion, extra);
		if (check("xen_extraversion", rc == 0 && memchr(extra, 0, sizeof(extra)),
		          "returned %lld (%s)%s", (long long)rc, xen_errname(rc),
		          rc == 0 ? ", not NUL-terminated" : ""))
			printf("selftest: hypervisor is Xen %lld.%lld%s\n", (long long)(v >> 16),
			       (long long)(v & 0xffff), extra);
	}
	check_rc("xen_version_unknown_enosys", hypercall_xen_version(BAD_SUBOP, NULL), -XEN_ENOSYS);
}

static void test_memory(void)
{
	domid_t self = DOMID_SELF, dom0 = 0;
	int64_t cur = hypercall_memory_op(XENMEM_current_reservation, &self);
	int64_t max = hypercall_memory_op(XENMEM_maximum_reservation, &self);

	check_rc("memory_current_reservation", cur, (int64_t)guest_nr_pages());
	check("memory_maximum_reservation", max >= cur && max > 0,
	      "returned %lld, current reservation %lld", (long long)max, (long long)cur);
	check_rc("memory_reservation_foreign_eperm",
	         hypercall_memory_op(XENMEM_current_reservation, &dom0), -XEN_EPERM);
	check_rc("memory_op_efault",
	         hypercall(__HYPERVISOR_memory_op, XENMEM_current_reservation, 0x10, 0, 0, 0),
	         -XEN_EFAULT);
}

/* ---- event channels --------------------------------------------------- */

struct counter {
	uint64_t events;    /* handler calls */
	uint32_t last_vcpu; /* vCPU the handler last ran on */
};

static void count_event(evtchn_port_t port, void *data)
{
	struct counter *c = data;

	__atomic_store_n(&c->last_vcpu, vcpu_id(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->events, 1, __ATOMIC_SEQ_CST);
}

static uint64_t count_of(struct counter *c)
{
	return __atomic_load_n(&c->events, __ATOMIC_SEQ_CST);
}

static void test_evtchn_unbound(void)
{
	struct evtchn_status st;
	evtchn_port_t port;
	int rc = evtchn_alloc_unbound(0, &port);

	if (!check("evtchn_alloc_unbound", rc == 0 && port > 0, "returned %d (%s), port %u", rc,
	           xen_errname(rc), rc == 0 ? port : 0))
		return;
	rc = evtchn_status(DOMID_SELF, port, &st);
	check("evtchn_status_unbound",
	      rc == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
	      "returned %d (%s), status %u, remote %u", rc, xen_errname(rc), st.status,
	      st.u.unbound.dom);
	rc = evtchn_send(port);
	check("evtchn_send_unbound_dropped", rc == 0 && !evtchn_is_pending(port),
	      "returned %d (%s), pending %d", rc, xen_errname(rc), evtchn_is_pending(port));
	check_rc("evtchn_close", evtchn_close(port), 0);
	rc = evtchn_status(DOMID_SELF, port, &st);
	check("evtchn_status_closed", rc == 0 && st.status == EVTCHNSTAT_closed,
	      "returned %d (%s), status %u", rc, xen_errname(rc), st.status);
	check_rc("evtchn_close_free_einval", evtchn_close(port), -XEN_EINVAL);
}

static void test_evtchn_errors(uint64_t mem_end)
{
	struct evtchn_alloc_unbound foreign = {.dom = 0, .remote_dom = DOMID_SELF};
	struct evtchn_status st;
	evtchn_port_t port;

	check_rc("evtchn_send_port0_einval", evtchn_send(0), -XEN_EINVAL);
	check_rc("evtchn_send_out_of_range_einval", evtchn_send(5000), -XEN_EINVAL);
	check_rc("evtchn_alloc_unbound_foreign_eperm",
	         hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &foreign), -XEN_EPERM);
	check_rc("evtchn_status_foreign_eperm", evtchn_status(0, 1, &st), -XEN_EPERM);
	check_rc("evtchn_bind_interdomain_no_domain_esrch",
	         evtchn_bind_interdomain(NO_SUCH_DOMAIN, 1, &port), -XEN_ESRCH);
	check_rc("evtchn_bind_ipi_bad_vcpu_enoent", evtchn_bind_ipi(guest_nr_vcpus(), &port),
	         -XEN_ENOENT);
	check_rc("evtchn_bind_virq_bad_virq_einval", evtchn_bind_virq(NR_VIRQS, 0, &port),
	         -XEN_EINVAL);
	check_rc("evtchn_op_unknown_enosys", hypercall_event_channel_op(BAD_SUBOP, &st),
	         -XEN_ENOSYS);
	check_rc("evtchn_status_efault_low",
	         hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_status, 0x10, 0, 0, 0),
	         -XEN_EFAULT);
	check_rc("evtchn_alloc_unbound_efault_end",
	         hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, mem_end, 0, 0, 0),
	         -XEN_EFAULT);
	check_rc("evtchn_status_efault_straddling_end",
	         hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_status, mem_end - 4, 0, 0, 0),
	         -XEN_EFAULT);
}

/* An interdomain channel from this domain to itself. */
static void test_evtchn_loopback(void)
{
	domid_t self = guest_domid();
	struct evtchn_status st;
	evtchn_port_t a, b;
	int rc = evtchn_alloc_unbound(self, &a);

	if (rc < 0) {
		fail("evtchn_loopback_bind", "alloc_unbound: %s", xen_errname(rc));
		return;
	}
	rc = evtchn_bind_interdomain(self, a, &b);
	if (!check("evtchn_loopback_bind", rc == 0 && b != a && b > 0,
	           "returned %d (%s), ports %u and %u", rc, xen_errname(rc), a, rc == 0 ? b : 0)) {
		evtchn_close(a);
		return;
	}
	check("evtchn_bind_interdomain_sets_pending", evtchn_is_pending(b),
	      "the new local port is not pending");
	rc = evtchn_status(DOMID_SELF, b, &st);
	check("evtchn_status_interdomain",
	      rc == 0 && st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == self &&
	          st.u.interdomain.port == a,
	      "returned %d (%s), status %u, remote %u:%u", rc, xen_errname(rc), st.status,
	      st.u.interdomain.dom, st.u.interdomain.port);

	evtchn_test_and_clear(b);
	evtchn_test_and_clear(a);
	rc = evtchn_send(b);
	check("evtchn_loopback_send", rc == 0 && evtchn_is_pending(a) && !evtchn_is_pending(b),
	      "returned %d (%s), pending: sender %d, receiver %d", rc, xen_errname(rc),
	      evtchn_is_pending(b), evtchn_is_pending(a));

	rc = evtchn_close(b);
	int rs = evtchn_status(DOMID_SELF, a, &st);
	check("evtchn_close_unbinds_remote",
	      rc == 0 && rs == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == self,
	      "close %d (%s), status %d (%s) state %u remote %u", rc, xen_errname(rc), rs,
	      xen_errname(rs), st.status, st.u.unbound.dom);
	evtchn_close(a);
}

/* IPI to ourselves: masked delivery, unmask, upcalls, polling a pending port. */
static void test_evtchn_ipi(void)
{
	struct counter c = {0};
	struct evtchn_status st;
	evtchn_port_t port;
	int rc = evtchn_bind_ipi(0, &port);

	if (!check("evtchn_bind_ipi", rc == 0 && port > 0, "returned %d (%s)", rc, xen_errname(rc)))
		return;
	rc = evtchn_status(DOMID_SELF, port, &st);
	check("evtchn_status_ipi", rc == 0 && st.status == EVTCHNSTAT_ipi && st.vcpu == 0,
	      "returned %d (%s), status %u, vcpu %u", rc, xen_errname(rc), st.status, st.vcpu);

	/* no handler yet, so the port is masked: the event must wait */
	rc = evtchn_send(port);
	check("evtchn_send_ipi_sets_pending", rc == 0 && evtchn_is_pending(port),
	      "returned %d (%s), pending %d", rc, xen_errname(rc), evtchn_is_pending(port));

	rc = evtchn_set_handler(port, count_event, &c);
	check("evtchn_unmask_delivers_pending",
	      rc == 0 && count_of(&c) == 1 && !evtchn_is_pending(port) && !evtchn_is_masked(port),
	      "unmask %d (%s), handler ran %llu times, pending %d, masked %d", rc, xen_errname(rc),
	      (unsigned long long)count_of(&c), evtchn_is_pending(port), evtchn_is_masked(port));

	rc = evtchn_send(port);
	check("evtchn_ipi_upcall", rc == 0 && count_of(&c) == 2 && c.last_vcpu == 0,
	      "returned %d (%s), handler ran %llu times (expected 2)", rc, xen_errname(rc),
	      (unsigned long long)count_of(&c));

	/* a pending port ends a poll at once, masked or not */
	evtchn_mask(port);
	evtchn_send(port);
	uint64_t t0 = time_now_ns();
	rc = sched_poll(&port, 1, t0 + WAIT_LIMIT_NS);
	uint64_t took = time_now_ns() - t0;
	check("sched_poll_pending_returns",
	      rc == 0 && evtchn_is_pending(port) && took < WAIT_LIMIT_NS,
	      "returned %d (%s) after %llu ms, pending %d", rc, xen_errname(rc),
	      (unsigned long long)(took / MS), evtchn_is_pending(port));
	rc = evtchn_unmask(port);
	check("evtchn_unmask", rc == 0 && count_of(&c) == 3 && !evtchn_is_masked(port),
	      "returned %d (%s), handler ran %llu times (expected 3), masked %d", rc,
	      xen_errname(rc), (unsigned long long)count_of(&c), evtchn_is_masked(port));
	evtchn_close(port);
}

/* VIRQ_TIMER: the library binds it on every vCPU; check that binding, then
 * set_timer_op + SCHEDOP_block. */
static void test_virq_timer(void)
{
	struct evtchn_status st;
	evtchn_port_t port = time_timer_port(), again;

	if (!check("time_virq_timer_bound", port > 0, "vCPU 0 has no VIRQ_TIMER port"))
		return;
	int rc = evtchn_status(DOMID_SELF, port, &st);
	check("evtchn_status_virq",
	      rc == 0 && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER && st.vcpu == 0,
	      "returned %d (%s), status %u, virq %u, vcpu %u", rc, xen_errname(rc), st.status,
	      st.u.virq, st.vcpu);
	check_rc("evtchn_bind_virq_twice_eexist", evtchn_bind_virq(VIRQ_TIMER, 0, &again),
	         -XEN_EEXIST);

	uint64_t before = time_timer_events();
	uint64_t deadline = time_now_ns() + 20 * MS;
	rc = time_set_timer(deadline);
	/* the block ends at the deadline at the latest, VIRQ or not */
	while (time_timer_events() == before && time_now_ns() < deadline)
		sched_block();
	if (time_timer_events() == before)
		sched_block(); /* past the deadline: the VIRQ may be just behind */
	uint64_t now = time_now_ns(), seen = time_timer_events() - before;
	check("timer_block_wakes_with_virq", rc == 0 && seen == 1 && now >= deadline,
	      "set_timer_op %d (%s), VIRQ_TIMER seen %llu times, woke %lld us %s the deadline", rc,
	      xen_errname(rc), (unsigned long long)seen,
	      (long long)(now >= deadline ? now - deadline : deadline - now) / 1000,
	      now >= deadline ? "after" : "before");

	/* a cancelled timer stays silent */
	before = time_timer_events();
	time_set_timer(time_now_ns() + 5 * MS);
	rc = time_set_timer(0);
	evtchn_port_t idle;
	if (evtchn_alloc_unbound(0, &idle) == 0) {
		sched_poll(&idle, 1, time_now_ns() + 30 * MS);
		evtchn_close(idle);
	}
	seen = time_timer_events() - before;
	check("timer_cancel", rc == 0 && seen == 0,
	      "set_timer_op(0) %d (%s), VIRQ_TIMER seen %llu times (expected 0)", rc,
	      xen_errname(rc), (unsigned long long)seen);
}

static void test_poll_and_sleep(void)
{
	evtchn_port_t port, bad = 5000;
	int rc = evtchn_alloc_unbound(0, &port);

	if (rc == 0) {
		uint64_t deadline = time_now_ns() + 20 * MS;
		rc = sched_poll(&port, 1, deadline);
		uint64_t now = time_now_ns();
		check("sched_poll_timeout", rc == 0 && now >= deadline && !evtchn_is_pending(port),
		      "returned %d (%s), %lld us %s the deadline", rc, xen_errname(rc),
		      (long long)(now >= deadline ? now - deadline : deadline - now) / 1000,
		      now >= deadline ? "after" : "before");
		evtchn_close(port);
	} else {
		fail("sched_poll_timeout", "alloc_unbound: %s", xen_errname(rc));
	}
	check_rc("sched_poll_bad_port_einval", sched_poll(&bad, 1, time_now_ns() + 10 * MS),
	         -XEN_EINVAL);
	check_rc("sched_op_unknown_enosys", hypercall_sched_op(BAD_SUBOP, NULL), -XEN_ENOSYS);

	uint64_t t0 = time_now_ns();
	time_sleep_ns(10 * MS);
	uint64_t took = time_now_ns() - t0;
	check("time_sleep", took >= 10 * MS && took < WAIT_LIMIT_NS, "slept %llu us for 10000",
	      (unsigned long long)(took / 1000));
}

static bool closed_or_timer(const struct evtchn_status *st)
{
	return st->status == EVTCHNSTAT_closed ||
	       (st->status == EVTCHNSTAT_virq && st->u.virq == VIRQ_TIMER);
}

static void test_reset(void)
{
	struct counter c = {0};
	struct evtchn_status st1, st2;
	evtchn_port_t p1, p2;

	if (evtchn_alloc_unbound(0, &p1) < 0 || evtchn_bind_ipi(0, &p2) < 0) {
		fail("evtchn_reset", "could not bind ports to reset");
		return;
	}
	evtchn_set_handler(p2, count_event, &c);
	int rc = evtchn_reset();
	int r1 = evtchn_status(DOMID_SELF, p1, &st1);
	int r2 = evtchn_status(DOMID_SELF, p2, &st2);
	/* evtchn_reset binds the library's timer VIRQs again, maybe on these */
	check("evtchn_reset",
	      rc == 0 && r1 == 0 && r2 == 0 && closed_or_timer(&st1) && closed_or_timer(&st2),
	      "reset %d (%s); afterwards ports %u and %u have states %u and %u", rc,
	      xen_errname(rc), p1, p2, st1.status, st2.status);
	rc = evtchn_alloc_unbound(0, &p1);
	check("evtchn_usable_after_reset", rc == 0, "alloc_unbound: %s", xen_errname(rc));
	if (rc == 0)
		evtchn_close(p1);

	/* the library binds its timer VIRQ again, and sleeping still works */
	uint64_t t0 = time_now_ns(), before = time_timer_events();
	time_sleep_ns(5 * MS);
	uint64_t took = time_now_ns() - t0;
	check("time_sleep_after_reset",
	      time_timer_port() > 0 && time_timer_events() > before && took >= 5 * MS &&
	          took < WAIT_LIMIT_NS,
	      "timer port %u, %llu VIRQs, slept %llu us for 5000", time_timer_port(),
	      (unsigned long long)(time_timer_events() - before),
	      (unsigned long long)(took / 1000));
}

/* ---- vCPUs ------------------------------------------------------------- */

struct secondary {
	uint32_t stage; /* 1: running, 2: saw the IPI (or gave up), returning */
	uint32_t id;    /* vcpu_id() as seen on the secondary */
	struct counter ipi;
};

static void secondary_main(void *arg)
{
	struct secondary *s = arg;
	uint64_t deadline = time_now_ns() + WAIT_LIMIT_NS;

	__atomic_store_n(&s->id, vcpu_id(), __ATOMIC_RELAXED);
	__atomic_store_n(&s->stage, 1, __ATOMIC_SEQ_CST);
	/* no hypercall between the check and the block: its dispatch could run
	 * the handler, and the block would then sleep until the deadline */
	time_set_timer(deadline);
	while (count_of(&s->ipi) == 0 && time_now_ns() < deadline)
		sched_block();
	__atomic_store_n(&s->stage, 2, __ATOMIC_SEQ_CST);
	/* returning takes this vCPU down (VCPUOP_down) */
}

/* Yields until *stage reaches want or the time limit passes. */
static bool wait_stage(const uint32_t *stage, uint32_t want)
{
	uint64_t deadline = time_now_ns() + WAIT_LIMIT_NS;

	while (__atomic_load_n(stage, __ATOMIC_SEQ_CST) < want && time_now_ns() < deadline)
		sched_yield();
	return __atomic_load_n(stage, __ATOMIC_SEQ_CST) >= want;
}

static bool wait_down(unsigned id)
{
	uint64_t deadline = time_now_ns() + WAIT_LIMIT_NS;

	while (vcpu_is_up(id) != 0 && time_now_ns() < deadline)
		sched_yield();
	return vcpu_is_up(id) == 0;
}

static void test_vcpus(void)
{
	unsigned n = guest_nr_vcpus();
	static struct secondary s;
	evtchn_port_t ipi;

	check_rc("vcpu_op_bad_vcpu_enoent", hypercall_vcpu_op(VCPUOP_is_up, n, NULL), -XEN_ENOENT);
	check_rc("vcpu_is_up_boot_vcpu", vcpu_is_up(0), 1);
	if (n < 2) {
		printf("selftest: one vCPU, secondary vCPU checks skipped\n");
		return;
	}
	check_rc("vcpu_is_up_secondary_offline", vcpu_is_up(1), 0);
	if (n >= 3)
		check_rc("vcpu_up_uninitialised_einval", hypercall_vcpu_op(VCPUOP_up, 2, NULL),
		         -XEN_EINVAL);

	int rc = evtchn_bind_ipi(1, &ipi);
	if (rc < 0) {
		fail("vcpu_up_secondary", "bind_ipi to vCPU 1: %s", xen_errname(rc));
		return;
	}
	evtchn_set_handler(ipi, count_event, &s.ipi);
	rc = vcpu_start(1, secondary_main, &s);
	if (!check_rc("vcpu_up_secondary", rc, 0)) {
		evtchn_close(ipi);
		return;
	}
	bool ran = wait_stage(&s.stage, 1);
	check("vcpu_secondary_runs", ran && s.id == 1, "stage %u, vcpu_id %u after 5 s", s.stage,
	      s.id);
	check_rc("vcpu_is_up_secondary_online", vcpu_is_up(1), ran ? 1 : 0);
	if (ran) {
		rc = evtchn_send(ipi);
		bool woke = wait_stage(&s.stage, 2);
		check("vcpu_ipi_wakes_secondary",
		      rc == 0 && woke && count_of(&s.ipi) == 1 && s.ipi.last_vcpu == 1,
		      "send %d (%s), stage %u, handler ran %llu times, last on vCPU %u", rc,
		      xen_errname(rc), s.stage, (unsigned long long)count_of(&s.ipi),
		      s.ipi.last_vcpu);
		check("vcpu_down_secondary", wait_down(1), "vCPU 1 still up after 5 s");

		/* the same vCPU takes new work */
		__atomic_store_n(&s.stage, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s.ipi.events, 0, __ATOMIC_SEQ_CST);
		rc = vcpu_start(1, secondary_main, &s);
		ran = rc == 0 && wait_stage(&s.stage, 1);
		rc = rc == 0 ? evtchn_send(ipi) : rc;
		check("vcpu_restart_secondary",
		      ran && rc == 0 && wait_stage(&s.stage, 2) && wait_down(1),
		      "start or send returned %d (%s), stage %u", rc, xen_errname(rc), s.stage);
	}
	evtchn_close(ipi);
}

/* ---- grant tables ------------------------------------------------------ */

static void fill(uint8_t *p, uint8_t seed)
{
	for (unsigned i = 0; i < XL_PAGE_SIZE; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static struct gnttab_copy copy_op(xen_pfn_t src, uint16_t src_off, xen_pfn_t dst, uint16_t dst_off,
                                  uint16_t len)
{
	return (struct gnttab_copy){
	    .source = {.u.gmfn = src, .domid = DOMID_SELF, .offset = src_off},
	    .dest = {.u.gmfn = dst, .domid = DOMID_SELF, .offset = dst_off},
	    .len = len,
	};
}

static void test_gnttab_tables(void)
{
	const struct xl_start_info_ext *ext = guest_start_info_ext();
	uint32_t nr = ext->nr_gnttab_frames;
	xen_pfn_t frames[XL_NR_GNTTAB_FRAMES] = {0};
	struct gnttab_setup_table setup = {
	    .dom = DOMID_SELF,
	    .nr_frames = nr < XL_NR_GNTTAB_FRAMES ? nr : XL_NR_GNTTAB_FRAMES,
	    .frame_list = va(frames),
	};
	int64_t rc = hypercall_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	bool frames_ok = ext->gnttab_gfn == XL_GFN_GNTTAB;

	for (uint32_t i = 0; i < setup.nr_frames; i++)
		frames_ok = frames_ok && frames[i] == XL_GFN_GNTTAB + i;
	if (check_gntst("gnttab_setup_table", rc, setup.status, GNTST_okay))
		check("gnttab_setup_table_frames", frames_ok && setup.nr_frames > 0,
		      "frames %llu %llu ..., expected %u up", (unsigned long long)frames[0],
		      (unsigned long long)frames[1], XL_GFN_GNTTAB);

	struct gnttab_query_size q = {.dom = DOMID_SELF};
	rc = hypercall_grant_table_op(GNTTABOP_query_size, &q, 1);
	if (check_gntst("gnttab_query_size", rc, q.status, GNTST_okay))
		check("gnttab_query_size_frames", q.nr_frames == nr && q.max_nr_frames >= nr,
		      "nr_frames %u (start_info says %u), max %u", q.nr_frames, nr,
		      q.max_nr_frames);
	check_rc("gnttab_op_unknown_enosys", hypercall_grant_table_op(BAD_SUBOP, &q, 1),
	         -XEN_ENOSYS);
}

static void test_gnttab_copy(void)
{
	uint8_t *a = pages[0], *b = pages[1], *c = pages[2];
	xen_pfn_t fa = virt_to_gfn(a), fb = virt_to_gfn(b);
	domid_t self = guest_domid();
	struct gnttab_copy op;
	int64_t rc;

	fill(a, 1);
	fill(b, 2);
	memcpy(c, b, XL_PAGE_SIZE);
	memcpy(c + 200, a + 100, 300);
	op = copy_op(fa, 100, fb, 200, 300);
	rc = gnttab_copy(&op, 1);
	if (check_gntst("gnttab_copy_gmfn_self", rc, op.status, GNTST_okay))
		check("gnttab_copy_gmfn_self_data", !memcmp(b, c, XL_PAGE_SIZE),
		      "destination page differs from what was copied");

	/* a grant to ourselves, read through its ref */
	int ref = gnttab_grant_access(self, fa, true);
	if (check("gnttab_grant_access", ref >= GNTTAB_NR_RESERVED_ENTRIES, "returned %d (%s)", ref,
	          xen_errname(ref))) {
		fill(b, 3);
		op = copy_op(0, 0, fb, 0, XL_PAGE_SIZE);
		op.source.u.ref = (grant_ref_t)ref;
		op.source.domid = self;
		op.flags = GNTCOPY_source_gref;
		rc = gnttab_copy(&op, 1);
		if (check_gntst("gnttab_copy_source_gref", rc, op.status, GNTST_okay))
			check("gnttab_copy_source_gref_data", !memcmp(a, b, XL_PAGE_SIZE),
			      "destination page differs from the granted page");

		/* the grant is read-only: writing through it must fail, page intact */
		memcpy(c, a, XL_PAGE_SIZE);
		op = copy_op(fb, 0, 0, 0, 64);
		op.dest.u.ref = (grant_ref_t)ref;
		op.dest.domid = self;
		op.flags = GNTCOPY_dest_gref;
		rc = gnttab_copy(&op, 1);
		check_gntst("gnttab_copy_readonly_dest", rc, op.status, GNTST_general_error);
		check("gnttab_copy_readonly_untouched", !memcmp(a, c, XL_PAGE_SIZE),
		      "a read-only granted page was written");

		const struct grant_entry_v1 *e = gnttab_entry((grant_ref_t)ref);
		uint16_t busy = e->flags & (GTF_reading | GTF_writing);
		int end = gnttab_end_access((grant_ref_t)ref);
		check("gnttab_end_access", !busy && end == 0 && e->flags == 0,
		      "returned %d (%s), flags before %#x, after %#x", end, xen_errname(end), busy,
		      e->flags);
	}

	/* a ref in range that nobody granted */
	op = copy_op(0, 0, fb, 0, 64);
	op.source.u.ref = gnttab_nr_entries() - 1;
	op.source.domid = self;
	op.flags = GNTCOPY_source_gref;
	rc = gnttab_copy(&op, 1);
	check_gntst("gnttab_copy_not_granted", rc, op.status, GNTST_general_error);

	op.source.u.ref = gnttab_nr_entries() + 1000;
	rc = gnttab_copy(&op, 1);
	check_gntst("gnttab_copy_bad_gntref", rc, op.status, GNTST_bad_gntref);

	op.source.u.ref = GNTTAB_NR_RESERVED_ENTRIES;
	op.source.domid = NO_SUCH_DOMAIN;
	rc = gnttab_copy(&op, 1);
	check_gntst("gnttab_copy_bad_domain", rc, op.status, GNTST_bad_domain);

	/* Dom0 granted us nothing: Xen answers general_error when the domain has a
	 * grant table, bad_domain when it has none; either way the copy fails */
	op.source.domid = 0;
	rc = gnttab_copy(&op, 1);
	check("gnttab_copy_dom0_gref_refused",
	      rc == 0 && (op.status == GNTST_general_error || op.status == GNTST_bad_domain ||
	                  op.status == GNTST_bad_gntref || op.status == GNTST_permission_denied),
	      "returned %lld (%s), status %d (%s)", (long long)rc, xen_errname(rc), op.status,
	      gntst_name(op.status));

	/* only DOMID_SELF may name a frame directly */
	op = copy_op(1, 0, fb, 0, 64);
	op.source.domid = 0;
	rc = gnttab_copy(&op, 1);
	check_gntst("gnttab_copy_foreign_gmfn", rc, op.status, GNTST_permission_denied);

	op = copy_op(fa, XL_PAGE_SIZE - 100, fb, 0, 200);
	rc = gnttab_copy(&op, 1);
	check_gntst("gnttab_copy_cross_page", rc, op.status, GNTST_bad_copy_arg);

	struct gnttab_copy batch[2] = {
	    copy_op(fa, 0, fb, 0, 16),
	    copy_op(fa, 0, fb, XL_PAGE_SIZE - 8, 16),
	};
	rc = gnttab_copy(batch, 2);
	check("gnttab_copy_batch_statuses",
	      rc == 0 && batch[0].status == GNTST_okay && batch[1].status == GNTST_bad_copy_arg,
	      "returned %lld (%s), statuses %d (%s) and %d (%s)", (long long)rc, xen_errname(rc),
	      batch[0].status, gntst_name(batch[0].status), batch[1].status,
	      gntst_name(batch[1].status));

	check_rc("gnttab_copy_efault",
	         hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_copy, 0x10, 1, 0, 0), -XEN_EFAULT);
}

/* ---- misc -------------------------------------------------------------- */

static void test_unknown_hypercall(void)
{
	check_rc("hypercall_unknown_enosys", hypercall(BAD_HYPERCALL, 0, 0, 0, 0, 0), -XEN_ENOSYS);
}

/* The library pieces that have no hypervisor behind them. */
static void test_library(void)
{
	char buf[64];
	struct heap_stats before, after;

	snprintf(buf, sizeof(buf), "%5d|%-4u|%05x|%s|%c|%llu|%.2s|%zu", -42, 7u, 0xbeefu, "ok", 'z',
	         18446744073709551615ull, "abc", (size_t)3);
	check("format", !strcmp(buf, "  -42|7   |0beef|ok|z|18446744073709551615|ab|3"),
	      "got \"%s\"", buf);

	heap_stats(&before);
	void *p = malloc(100), *q = aligned_alloc(XL_PAGE_SIZE, 3 * XL_PAGE_SIZE);
	uint8_t *z = calloc(64, 16);
	bool zeroed = z != NULL;
	for (unsigned i = 0; z && i < 64 * 16; i++)
		zeroed = zeroed && !z[i];
	char *r = malloc(8);
	if (r)
		memcpy(r, "1234567", 8);
	r = realloc(r, 5000);
	bool kept = r && !strcmp(r, "1234567");
	bool aligned = q && !((uintptr_t)q & (XL_PAGE_SIZE - 1));
	free(p);
	free(q);
	free(z);
	free(r);
	heap_stats(&after);
	check("heap_alloc_free",
	      p && aligned && zeroed && kept && after.nr_used == before.nr_used &&
	          after.free == before.free,
	      "malloc %p, page-aligned %d, calloc zeroed %d, realloc kept %d, used %u -> %u, free "
	      "%zu -> %zu",
	      p, aligned, zeroed, kept, before.nr_used, after.nr_used, before.free, after.free);
}

int guest_main(const char *cmdline)
{
	uint64_t mem_end = memory_end_va();

	printf("selftest: domain %u, %u vCPU(s), %llu pages, memory ends at %#llx\n",
	       (unsigned)guest_domid(), guest_nr_vcpus(), (unsigned long long)guest_nr_pages(),
	       (unsigned long long)mem_end);
	test_console();
	test_version();
	test_memory();
	test_unknown_hypercall();
	test_evtchn_unbound();
	test_evtchn_errors(mem_end);
	test_evtchn_loopback();
	test_evtchn_ipi();
	test_virq_timer();
	test_poll_and_sleep();
	test_vcpus();
	test_gnttab_tables();
	test_gnttab_copy();
	test_library();
	test_reset(); /* last: closes every port */
	printf("selftest: %u passed, %u failed\n", nr_pass, nr_fail);
	return 0;
}
