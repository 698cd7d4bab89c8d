/* test_hypercall.c - guest hypercall dispatch as a guest sees it: argument
 * copying, bad pointers, blocking and waking, polling, timers, vCPUs,
 * memory reservation, shutdown. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenlite/memory.h>

#include "hvtest.h"

static struct hv *hv;
static struct domain *d;

static void setup(void)
{
	hv = hvtest_create();
	d = hvtest_domain(hv, 2);
	ck_assert_ptr_nonnull(d);
}

static void teardown(void)
{
	hv_free(hv);
}

/* Issues a hypercall from vCPU vc; returns its result or 12345 if deferred. */
static int64_t hc(uint32_t vc, uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct xl_hcall call = {.op = op, .args = {a0, a1, a2, 0, 0}};
	int64_t ret = -9999;
	if (hv_hypercall(d, &d->vcpus[vc], &call, &ret) == HCALL_DEFERRED)
		return 12345;
	return ret;
}

static void *scratch(uint64_t off, uint64_t len)
{
	return guest_gpa(d, SCRATCH_GPA + off, len);
}

START_TEST(console_write_reaches_the_ring_and_bad_pointers_fault)
{
	memcpy(scratch(0, 6), "hello\n", 6);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 6, GVA(SCRATCH_GPA)), 6);
	char out[16];
	uint64_t start;
	ck_assert_uint_eq(byte_ring_read(&d->console, 0, out, sizeof(out), &start), 6);
	ck_assert(memcmp(out, "hello\n", 6) == 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 6, 0x10), -XEN_EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 16, GVA(d->mem_bytes - 8)),
			 -XEN_EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_read, 6, GVA(SCRATCH_GPA)),
			 -XEN_EPERM);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, 77, 0, 0), -XEN_ENOSYS);
}
END_TEST

START_TEST(unknown_hypercalls_and_commands_are_enosys)
{
	ck_assert_int_eq(hc(0, 999, 0, 0, 0), -XEN_ENOSYS);
	ck_assert_int_eq(hc(0, __HYPERVISOR_event_channel_op, 99, GVA(SCRATCH_GPA), 0),
			 -XEN_ENOSYS);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, 42, 0, 0), -XEN_ENOSYS);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_version, 0, 0), (4 << 16) | 17);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_extraversion, 0x1000, 0),
			 -XEN_EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_extraversion, GVA(SCRATCH_GPA), 0),
			 0);
	ck_assert_str_eq((char *)scratch(0, 16), "-xenlite");
}
END_TEST

START_TEST(block_defers_until_an_event_and_send_wakes)
{
	struct evtchn_bind_ipi *ipi = scratch(0, sizeof(*ipi));
	ipi->vcpu = 0;
	ck_assert_int_eq(hc(0, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, GVA(SCRATCH_GPA), 0),
			 0);
	evtchn_port_t port = ipi->port;
	ck_assert_uint_ne(port, 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 12345);
	ck_assert_uint_eq(d->vcpus[0].wait, VCPU_BLOCKED);
	ck_assert_int_eq(T.wakes, 0);
	/* vCPU 1 (say) sends the IPI: vCPU 0 wakes with 0 */
	d->vcpus[1].online = true;
	struct evtchn_send *snd = scratch(64, sizeof(*snd));
	snd->port = port;
	ck_assert_int_eq(hc(1, __HYPERVISOR_event_channel_op, EVTCHNOP_send, GVA(SCRATCH_GPA + 64), 0),
			 0);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert_int_eq(T.last_wake_ret, 0);
	ck_assert_uint_eq(T.last_wake_vcpu, 0);
	ck_assert_uint_eq(d->vcpus[0].wait, VCPU_RUNNING);
	/* still pending: blocking again returns at once */
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
}
END_TEST

START_TEST(poll_validates_ports_and_times_out)
{
	evtchn_port_t *ports = scratch(0, 8);
	struct sched_poll *p = scratch(64, sizeof(*p));

	ports[0] = 0;
	p->ports = GVA(SCRATCH_GPA);
	p->nr_ports = 1;
	p->timeout = 0;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_poll, GVA(SCRATCH_GPA + 64), 0),
			 -XEN_EINVAL);
	ports[0] = 5000;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_poll, GVA(SCRATCH_GPA + 64), 0),
			 -XEN_EINVAL);
	p->nr_ports = 100000;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_poll, GVA(SCRATCH_GPA + 64), 0),
			 -XEN_EINVAL);
	p->nr_ports = 1;
	p->ports = 0x42;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_poll, GVA(SCRATCH_GPA + 64), 0),
			 -XEN_EFAULT);
	/* a deadline already past returns at once */
	ports[0] = 7;
	p->ports = GVA(SCRATCH_GPA);
	p->timeout = 1;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_poll, GVA(SCRATCH_GPA + 64), 0), 0);
	/* a near deadline defers; the timer scan wakes it */
	p->timeout = hv_now_ns() + 2000000;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_poll, GVA(SCRATCH_GPA + 64), 0),
			 12345);
	ck_assert_uint_eq(d->vcpus[0].wait, VCPU_POLLING);
	ck_assert_uint_ne(hv_run_timers(hv), 0);
	struct timespec ts = {0, 3000000};
	nanosleep(&ts, NULL);
	hv_run_timers(hv);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert_uint_eq(d->vcpus[0].wait, VCPU_RUNNING);
}
END_TEST

START_TEST(timer_raises_virq_timer_and_ends_a_block)
{
	struct evtchn_bind_virq *bv = scratch(0, sizeof(*bv));
	bv->virq = VIRQ_TIMER;
	bv->vcpu = 0;
	ck_assert_int_eq(hc(0, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, GVA(SCRATCH_GPA), 0),
			 0);
	evtchn_port_t port = bv->port;
	/* a deadline in the past fires at once */
	ck_assert_int_eq(hc(0, __HYPERVISOR_set_timer_op, 1, 0, 0), 0);
	ck_assert(evtchn_port_pending(d, port));
	struct shared_info *sh = domain_shared_info(d);
	__atomic_and_fetch(&sh->evtchn_pending[port / 64], ~(1ull << (port % 64)), __ATOMIC_SEQ_CST);
	sh->vcpu_info[0].evtchn_upcall_pending = 0;
	/* a future one wakes the blocked vCPU when the scan passes it */
	ck_assert_int_eq(hc(0, __HYPERVISOR_set_timer_op, hv_now_ns() + 1000000, 0, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 12345);
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	ck_assert_uint_eq(hv_run_timers(hv), 0);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert(evtchn_port_pending(d, port));
}
END_TEST

START_TEST(vcpu_op_brings_up_secondaries_with_checked_contexts)
{
	struct xl_vcpu_context *ctx = scratch(0, sizeof(*ctx));

	ctx->entry = 0x1234; /* outside guest memory */
	ctx->stack = GVA(0x300000);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, GVA(SCRATCH_GPA)),
			 -XEN_EINVAL);
	ctx->entry = GVA(0x100000);
	ctx->stack = GVA(0x300008); /* misaligned */
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, GVA(SCRATCH_GPA)),
			 -XEN_EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0), -XEN_EINVAL);
	ctx->stack = GVA(0x300000);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, GVA(SCRATCH_GPA)), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0), 0);
	ck_assert_int_eq(T.vcpu_starts, 1);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 1);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, GVA(SCRATCH_GPA)),
			 -XEN_EEXIST);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 2, 0), -XEN_ENOENT);
	/* only a vCPU may take itself down; it resumes on the next up */
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0), -XEN_EINVAL);
	ck_assert_int_eq(hc(1, __HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0), 12345);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0), 0);
	ck_assert_int_eq(T.wakes, 1);
	ck_assert_uint_eq(T.last_wake_vcpu, 1);
	ck_assert_int_eq(T.vcpu_starts, 1);
}
END_TEST

START_TEST(memory_reservation_balloons_pages_back_to_the_host)
{
	domid_t *dom = scratch(0, sizeof(*dom));
	*dom = DOMID_SELF;
	ck_assert_int_eq(hc(0, __HYPERVISOR_memory_op, XENMEM_current_reservation, GVA(SCRATCH_GPA), 0),
			 1024);
	ck_assert_int_eq(hc(0, __HYPERVISOR_memory_op, XENMEM_maximum_reservation, GVA(SCRATCH_GPA), 0),
			 1024);
	*dom = 7;
	ck_assert_int_eq(hc(0, __HYPERVISOR_memory_op, XENMEM_current_reservation, GVA(SCRATCH_GPA), 0),
			 -XEN_EPERM);

	uint8_t *page = guest_gpa(d, 0x300000, 4096);
	memset(page, 0xab, 4096);
	xen_pfn_t *gfns = scratch(0x100, 16);
	gfns[0] = 0x300;
	gfns[1] = XL_GFN_SHARED_INFO; /* special pages cannot be given away */
	struct xen_memory_reservation *r = scratch(0x200, sizeof(*r));
	r->extent_start = GVA(SCRATCH_GPA + 0x100);
	r->nr_extents = 2;
	r->domid = DOMID_SELF;
	ck_assert_int_eq(hc(0, __HYPERVISOR_memory_op, XENMEM_decrease_reservation,
			    GVA(SCRATCH_GPA + 0x200), 0),
			 1);
	ck_assert_uint_eq(d->tot_pages, 1023);
	ck_assert_uint_eq(page[0], 0);
	ck_assert_uint_eq(page[4095], 0);
	r->nr_extents = 1;
	ck_assert_int_eq(hc(0, __HYPERVISOR_memory_op, XENMEM_populate_physmap,
			    GVA(SCRATCH_GPA + 0x200), 0),
			 1);
	ck_assert_uint_eq(d->tot_pages, 1024);
	/* cannot go beyond maxmem */
	ck_assert_int_eq(hc(0, __HYPERVISOR_memory_op, XENMEM_populate_physmap,
			    GVA(SCRATCH_GPA + 0x200), 0),
			 0);
	r->extent_order = 9;
	ck_assert_int_eq(hc(0, __HYPERVISOR_memory_op, XENMEM_decrease_reservation,
			    GVA(SCRATCH_GPA + 0x200), 0),
			 -XEN_EINVAL);
}
END_TEST

START_TEST(shutdown_hypercall_stops_the_domain)
{
	struct sched_shutdown *s = scratch(0, sizeof(*s));
	s->reason = 9;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, GVA(SCRATCH_GPA), 0),
			 -XEN_EINVAL);
	s->reason = SHUTDOWN_reboot;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, GVA(SCRATCH_GPA), 0), 12345);
	ck_assert_int_eq(T.shutdowns, 1);
	ck_assert_uint_eq(d->state, DOM_SHUTDOWN);
	ck_assert_uint_eq(d->shutdown_reason, SHUTDOWN_reboot);
	/* late calls from a stopping runner get no answer */
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_version, 0, 0), 12345);
}
END_TEST

START_TEST(grant_table_op_checks_counts_and_arrays)
{
	ck_assert_int_eq(hc(0, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table, GVA(SCRATCH_GPA), 2),
			 -XEN_EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_grant_table_op, GNTTABOP_copy, GVA(SCRATCH_GPA), 100000),
			 -XEN_EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_grant_table_op, GNTTABOP_copy, 0x99, 1), -XEN_EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_grant_table_op, GNTTABOP_copy,
			    GVA(d->mem_bytes - sizeof(struct gnttab_copy) + 8), 1),
			 -XEN_EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_grant_table_op, 77, GVA(SCRATCH_GPA), 1), -XEN_ENOSYS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hypercall");
	TCase *tc = tcase_create("hypercall");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, console_write_reaches_the_ring_and_bad_pointers_fault);
	tcase_add_test(tc, unknown_hypercalls_and_commands_are_enosys);
	tcase_add_test(tc, block_defers_until_an_event_and_send_wakes);
	tcase_add_test(tc, poll_validates_ports_and_times_out);
	tcase_add_test(tc, timer_raises_virq_timer_and_ends_a_block);
	tcase_add_test(tc, vcpu_op_brings_up_secondaries_with_checked_contexts);
	tcase_add_test(tc, memory_reservation_balloons_pages_back_to_the_host);
	tcase_add_test(tc, shutdown_hypercall_stops_the_domain);
	tcase_add_test(tc, grant_table_op_checks_counts_and_arrays);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
