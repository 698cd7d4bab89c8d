/* test_domain.c - the domain table: create validation, memory accounting,
 * ids, states and flags, shutdown/destroy/reap, DOM_EXC to Dom0. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

static struct priv_domain_create req(uint64_t mem_kb, uint32_t vcpus)
{
	struct priv_domain_create r;
	memset(&r, 0, sizeof(r));
	r.memory_kb = mem_kb;
	r.vcpus = vcpus;
	strcpy(r.name, "d");
	return r;
}

START_TEST(dom0_exists_from_the_start)
{
	struct hv *hv = hvtest_create();
	struct domain *d0 = hv_dom0(hv);
	struct priv_dominfo info;

	ck_assert_ptr_nonnull(d0);
	ck_assert_uint_eq(d0->domid, 0);
	ck_assert_str_eq(d0->name, "Domain-0");
	domain_getinfo(d0, &info);
	ck_assert(info.flags & XEN_DOMINF_running);
	ck_assert_int_eq(domain_destroy(d0), -EPERM);
	ck_assert_int_eq(domain_pause(d0), -EINVAL);
	hv_free(hv);
}
END_TEST

START_TEST(create_rejects_bad_parameters_with_a_reason)
{
	struct hv *hv = hvtest_create();
	struct domain *d;
	char err[160];
	struct priv_domain_create r;

	r = req(4096, 0);
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "vcpus"));
	r = req(4096, XL_MAX_VCPUS + 1);
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), -EINVAL);
	r = req(1024, 1);
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "minimum"));
	r = req(8192, 1);
	r.maxmem_kb = 4096;
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "maxmem"));
	r = req(UINT64_MAX / 512, 1); /* would overflow in bytes */
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), -EINVAL);
	r = req(4096, 1);
	r.flags = PRIV_CREATE_HVM;
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), -EOPNOTSUPP);
	r = req(4096, 1);
	memset(r.name, 'x', sizeof(r.name)); /* no terminator */
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), -EINVAL);
	hv_free(hv);
}
END_TEST

START_TEST(memory_is_accounted_and_refused_when_the_host_is_full)
{
	struct hv *hv = hvtest_create(); /* 1 GiB for guests */
	struct domain *a, *b;
	struct priv_physinfo pi;
	char err[160];
	struct priv_domain_create r = req(768 * 1024, 1);

	ck_assert_int_eq(domain_create(hv, &r, &a, err, sizeof(err)), 0);
	hv_physinfo(hv, &pi);
	ck_assert_uint_eq(pi.total_pages, (1ull << 30) >> 12);
	ck_assert_uint_eq(pi.free_pages, (256ull << 20) >> 12);
	r = req(512 * 1024, 1);
	ck_assert_int_eq(domain_create(hv, &r, &b, err, sizeof(err)), -ENOMEM);
	ck_assert_ptr_nonnull(strstr(err, "not enough memory"));
	ck_assert_ptr_nonnull(strstr(err, "256 MiB"));
	/* destroying the first frees its memory for the next */
	ck_assert_int_eq(domain_destroy(a), 0);
	ck_assert_int_eq(domain_create(hv, &r, &b, err, sizeof(err)), 0);
	hv_physinfo(hv, &pi);
	ck_assert_uint_eq(pi.free_pages, (512ull << 20) >> 12);
	hv_free(hv);
}
END_TEST

START_TEST(ids_are_not_reused_while_dying_nor_soon_after)
{
	struct hv *hv = hvtest_create();
	struct domain *a, *b, *c;
	char err[160];
	struct priv_domain_create r = req(4096, 1);

	ck_assert_int_eq(domain_create(hv, &r, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a->domid, 1);
	a->runner_pid = 12345; /* a runner still exiting keeps it dying */
	ck_assert_int_eq(domain_destroy(a), 0);
	ck_assert_ptr_eq(hv_domain(hv, 1), a);
	struct priv_dominfo info;
	domain_getinfo(a, &info);
	ck_assert_uint_eq(info.flags, XEN_DOMINF_dying);
	ck_assert_int_eq(domain_create(hv, &r, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(b->domid, 2);
	domain_runner_exited(a, false, 0); /* now it is reaped */
	ck_assert_ptr_null(hv_domain(hv, 1));
	ck_assert_int_eq(domain_create(hv, &r, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->domid, 3);
	hv_free(hv);
}
END_TEST

START_TEST(states_and_flags_follow_xen)
{
	struct hv *hv = hvtest_create();
	struct domain *d = hvtest_domain(hv, 2);
	struct priv_dominfo info;

	domain_getinfo(d, &info);
	ck_assert_uint_eq(info.flags, XEN_DOMINF_running);
	ck_assert_uint_eq(info.nr_online_vcpus, 1);
	ck_assert_uint_eq(info.max_vcpu_id, 1);
	ck_assert_uint_eq(info.tot_pages, 1024);
	ck_assert_int_eq(domain_pause(d), 0);
	ck_assert_int_eq(T.pauses, 1);
	domain_getinfo(d, &info);
	ck_assert_uint_eq(info.flags, XEN_DOMINF_paused);
	ck_assert_int_eq(domain_pause(d), 0); /* idempotent */
	ck_assert_int_eq(T.pauses, 1);
	ck_assert_int_eq(domain_unpause(d), 0);
	ck_assert_int_eq(T.unpauses, 1);
	d->vcpus[0].wait = VCPU_BLOCKED;
	domain_getinfo(d, &info);
	ck_assert_uint_eq(info.flags, XEN_DOMINF_blocked);
	ck_assert_int_eq(domain_shutdown(d, SHUTDOWN_MAX + 1), -EINVAL);
	ck_assert_int_eq(domain_shutdown(d, SHUTDOWN_crash), 0);
	ck_assert_int_eq(T.shutdowns, 1);
	domain_getinfo(d, &info);
	ck_assert_uint_eq(info.flags, XEN_DOMINF_shutdown | (SHUTDOWN_crash << 16));
	/* the first reason stands */
	ck_assert_int_eq(domain_shutdown(d, SHUTDOWN_poweroff), 0);
	domain_getinfo(d, &info);
	ck_assert_uint_eq((info.flags >> 16) & 0xff, SHUTDOWN_crash);
	hv_free(hv);
}
END_TEST

START_TEST(runner_exit_without_shutdown_is_a_crash)
{
	struct hv *hv = hvtest_create();
	struct domain *d = hvtest_domain(hv, 1);
	struct priv_dominfo info;

	d->runner_pid = 999;
	domain_runner_exited(d, true, 5000);
	domain_getinfo(d, &info);
	ck_assert(info.flags & XEN_DOMINF_shutdown);
	ck_assert_uint_eq((info.flags >> 16) & 0xff, SHUTDOWN_crash);
	ck_assert_uint_eq(info.cpu_time_ns, 5000);
	hv_free(hv);
}
END_TEST

START_TEST(dom_exc_reaches_dom0_on_shutdown_and_destroy)
{
	struct hv *hv = hvtest_create();
	struct domain *d = hvtest_domain(hv, 1);
	struct evtchn_bind_virq bv = {.virq = VIRQ_DOM_EXC};

	ck_assert_int_eq(evtchn_bind_virq(hv_dom0(hv), &bv, 77), 0);
	ck_assert_uint_ne(bv.port, 0);
	domain_shutdown(d, SHUTDOWN_poweroff);
	ck_assert_int_eq(T.dom0_events, 1);
	ck_assert_uint_eq(T.last_owner, 77);
	ck_assert_uint_eq(T.last_dom0_port, bv.port);
	ck_assert_int_eq(evtchn_unmask(hv_dom0(hv), bv.port), 0);
	domain_destroy(d);
	ck_assert_int_ge(T.dom0_events, 2);
	ck_assert_int_eq(T.destroys, 1);
	ck_assert_ptr_null(hv_domain(hv, 1));
	hv_free(hv);
}
END_TEST

START_TEST(build_writes_start_info_and_checks_the_cmdline)
{
	struct hv *hv = hvtest_create();
	struct priv_domain_create r = req(8192, 3);
	struct domain *d;
	char err[160], longcmd[MAX_GUEST_CMDLINE + 8];

	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), 0);
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = '\0';
	ck_assert_int_eq(domain_build_pv(d, longcmd, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(domain_build_pv(d, "role=ping count=3", err, sizeof(err)), 0);
	struct start_info *si = guest_gpa(d, 0, 4096);
	ck_assert_str_eq(si->magic, XEN_START_INFO_MAGIC);
	ck_assert_uint_eq(si->nr_pages, 2048);
	ck_assert_uint_eq(si->shared_info, 4096);
	ck_assert_str_eq((char *)si->cmd_line, "role=ping count=3");
	struct xl_start_info_ext *ext = guest_gpa(d, XL_START_INFO_EXT_OFFSET, sizeof(*ext));
	ck_assert_uint_eq(ext->magic, XL_START_INFO_EXT_MAGIC);
	ck_assert_uint_eq(ext->domid, d->domid);
	ck_assert_uint_eq(ext->nr_vcpus, 3);
	ck_assert_uint_eq(ext->gnttab_gfn, XL_GFN_GNTTAB);
	ck_assert_uint_eq(ext->boot_stack_top, 8192 * 1024);
	hv_free(hv);
}
END_TEST

START_TEST(maxmem_and_target_are_bounded)
{
	struct hv *hv = hvtest_create();
	struct priv_domain_create r = req(4096, 1);
	struct domain *d;
	char err[160];

	r.maxmem_kb = 16384;
	ck_assert_int_eq(domain_create(hv, &r, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d->max_pages, 4096);
	ck_assert_int_eq(domain_settarget(d, 8192), 0);
	ck_assert_uint_eq(d->target_pages, 2048);
	ck_assert_int_eq(domain_settarget(d, 32768), -EINVAL);
	ck_assert_int_eq(domain_setmaxmem(d, 2048, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(domain_setmaxmem(d, 65536, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(domain_setmaxmem(d, 8192, err, sizeof(err)), 0);
	ck_assert_uint_eq(d->max_pages, 2048);
	hv_free(hv);
}
END_TEST

START_TEST(guest_accessors_are_bounds_and_overflow_checked)
{
	struct hv *hv = hvtest_create();
	struct domain *d = hvtest_domain(hv, 1);
	uint64_t size = d->mem_bytes;

	ck_assert_ptr_nonnull(guest_gpa(d, 0, size));
	ck_assert_ptr_nonnull(guest_gpa(d, size - 1, 1));
	ck_assert_ptr_nonnull(guest_gpa(d, size, 0));
	ck_assert_ptr_null(guest_gpa(d, size, 1));
	ck_assert_ptr_null(guest_gpa(d, size - 1, 2));
	ck_assert_ptr_null(guest_gpa(d, 1, UINT64_MAX));
	ck_assert_ptr_null(guest_gpa(d, UINT64_MAX, 2));
	ck_assert_ptr_null(guest_va(d, 0x10, 1));
	ck_assert_ptr_null(guest_va(d, XL_GUEST_BASE - 1, 2));
	ck_assert_ptr_nonnull(guest_va(d, XL_GUEST_BASE, 8));
	char b[8];
	ck_assert_int_eq(guest_copy_from(d, b, XL_GUEST_BASE + size - 4, 8), -XEN_EFAULT);
	ck_assert_int_eq(guest_copy_to(d, UINT64_MAX - 2, b, 8), -XEN_EFAULT);
	hv_free(hv);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("domain");
	TCase *tc = tcase_create("domain");
	tcase_add_test(tc, dom0_exists_from_the_start);
	tcase_add_test(tc, create_rejects_bad_parameters_with_a_reason);
	tcase_add_test(tc, memory_is_accounted_and_refused_when_the_host_is_full);
	tcase_add_test(tc, ids_are_not_reused_while_dying_nor_soon_after);
	tcase_add_test(tc, states_and_flags_follow_xen);
	tcase_add_test(tc, runner_exit_without_shutdown_is_a_crash);
	tcase_add_test(tc, dom_exc_reaches_dom0_on_shutdown_and_destroy);
	tcase_add_test(tc, build_writes_start_info_and_checks_the_cmdline);
	tcase_add_test(tc, maxmem_and_target_are_bounded);
	tcase_add_test(tc, guest_accessors_are_bounds_and_overflow_checked);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
