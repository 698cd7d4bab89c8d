/* test_gnttab.c - v1 grant tables as guests write them: setup/query, copies in
 * both directions with every failure status, hostile entries, Dom0 copies
 * through its buffer, Dom0 mappings with their in-use flags and refcounts,
 * owners, and a dying domain held until its last mapping goes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hvtest.h"

static struct hv *hv;
static struct domain *a, *b, *d0; /* a grants, b (or Dom0) uses the grants */

#define NR_REFS (XL_NR_GNTTAB_FRAMES * 512u)
#define PAGE XL_PAGE_SIZE
#define GFN_A 0x300u /* a frame of a's memory the tests grant */
#define GFN_B 0x310u /* a frame of b's memory */

static void setup(void)
{
	hv = hvtest_create();
	ck_assert_ptr_nonnull(hv);
	a = hvtest_domain(hv, 1);
	b = hvtest_domain(hv, 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	d0 = hv_dom0(hv);
}

static void teardown(void)
{
	hv_free(hv);
}

static struct grant_entry_v1 *entry(struct domain *d, grant_ref_t ref)
{
	struct grant_entry_v1 *e = guest_gpa(
	    d, ((uint64_t)XL_GFN_GNTTAB << XL_PAGE_SHIFT) + (uint64_t)ref * sizeof(*e), sizeof(*e));
	ck_assert_ptr_nonnull(e);
	return e;
}

/* As the granting guest does it: domid and frame, a barrier, then flags. */
static void grant(struct domain *d, grant_ref_t ref, domid_t to, uint32_t frame, uint16_t flags)
{
	struct grant_entry_v1 *e = entry(d, ref);
	e->domid = to;
	e->frame = frame;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&e->flags, flags, __ATOMIC_RELAXED);
}

static uint16_t flags_of(struct domain *d, grant_ref_t ref)
{
	return __atomic_load_n(&entry(d, ref)->flags, __ATOMIC_ACQUIRE);
}

static uint8_t *page(struct domain *d, uint64_t gfn)
{
	uint8_t *p = guest_gpa(d, gfn << XL_PAGE_SHIFT, PAGE);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static struct gnttab_copy gref_ptr_copy(void)
{
	struct gnttab_copy op;
	memset(&op, 0, sizeof(op));
	op.status = 12345;
	return op;
}

/* b copies a's grant ref (source) into its own frame GFN_B. */
static struct gnttab_copy copy_from_grant(grant_ref_t ref, uint16_t soff, uint16_t doff,
                                          uint16_t len)
{
	struct gnttab_copy op = gref_ptr_copy();
	op.source.u.ref = ref;
	op.source.domid = (domid_t)a->domid;
	op.source.offset = soff;
	op.dest.u.gmfn = GFN_B;
	op.dest.domid = DOMID_SELF;
	op.dest.offset = doff;
	op.len = len;
	op.flags = GNTCOPY_source_gref;
	return op;
}

/* b copies its own frame GFN_B into a's grant ref (destination). */
static struct gnttab_copy copy_to_grant(grant_ref_t ref, uint16_t soff, uint16_t doff, uint16_t len)
{
	struct gnttab_copy op = gref_ptr_copy();
	op.source.u.gmfn = GFN_B;
	op.source.domid = DOMID_SELF;
	op.source.offset = soff;
	op.dest.u.ref = ref;
	op.dest.domid = (domid_t)a->domid;
	op.dest.offset = doff;
	op.len = len;
	op.flags = GNTCOPY_dest_gref;
	return op;
}

START_TEST(setup_table_reports_the_fixed_frames_and_checks_its_arguments)
{
	xen_pfn_t *frames = guest_gpa(a, SCRATCH_GPA, 8 * sizeof(xen_pfn_t));
	memset(frames, 0xff, 8 * sizeof(xen_pfn_t));
	struct gnttab_setup_table st = {
	    .dom = DOMID_SELF, .nr_frames = XL_NR_GNTTAB_FRAMES, .frame_list = GVA(SCRATCH_GPA)};

	ck_assert_int_eq(gnttab_setup_table(a, &st), 0);
	ck_assert_int_eq(st.status, GNTST_okay);
	for (uint32_t i = 0; i < XL_NR_GNTTAB_FRAMES; i++)
		ck_assert_uint_eq(frames[i], XL_GFN_GNTTAB + i);
	ck_assert_uint_eq(frames[XL_NR_GNTTAB_FRAMES], UINT64_MAX); /* nothing more written */

	st.dom = (domid_t)a->domid;
	st.nr_frames = 1;
	ck_assert_int_eq(gnttab_setup_table(a, &st), 0);
	ck_assert_int_eq(st.status, GNTST_okay);
	st.nr_frames = 0;
	ck_assert_int_eq(gnttab_setup_table(a, &st), 0);
	ck_assert_int_eq(st.status, GNTST_okay);

	st.nr_frames = XL_NR_GNTTAB_FRAMES + 1;
	ck_assert_int_eq(gnttab_setup_table(a, &st), 0);
	ck_assert_int_eq(st.status, GNTST_general_error);
	st.nr_frames = UINT32_MAX;
	ck_assert_int_eq(gnttab_setup_table(a, &st), 0);
	ck_assert_int_eq(st.status, GNTST_general_error);

	st.nr_frames = 2;
	st.frame_list = 0x1000; /* below the guest's base */
	ck_assert_int_eq(gnttab_setup_table(a, &st), -XEN_EFAULT);
	st.frame_list = GVA(a->mem_bytes - 8); /* second element beyond memory */
	ck_assert_int_eq(gnttab_setup_table(a, &st), -XEN_EFAULT);
	st.frame_list = UINT64_MAX - 4; /* wraps */
	ck_assert_int_eq(gnttab_setup_table(a, &st), -XEN_EFAULT);

	st.frame_list = GVA(SCRATCH_GPA);
	st.dom = (domid_t)b->domid;
	ck_assert_int_eq(gnttab_setup_table(a, &st), 0);
	ck_assert_int_eq(st.status, GNTST_permission_denied);
	st.dom = 999;
	ck_assert_int_eq(gnttab_setup_table(a, &st), 0);
	ck_assert_int_eq(st.status, GNTST_bad_domain);
	/* Dom0 may name a DomU (it has no memory to receive the list) */
	st.dom = (domid_t)a->domid;
	st.nr_frames = 0;
	ck_assert_int_eq(gnttab_setup_table(d0, &st), 0);
	ck_assert_int_eq(st.status, GNTST_okay);
	st.nr_frames = 1;
	ck_assert_int_eq(gnttab_setup_table(d0, &st), -XEN_EFAULT);
}
END_TEST

START_TEST(query_size_reports_the_table_size)
{
	struct gnttab_query_size q = {.dom = DOMID_SELF};

	ck_assert_int_eq(gnttab_query_size(a, &q), 0);
	ck_assert_int_eq(q.status, GNTST_okay);
	ck_assert_uint_eq(q.nr_frames, XL_NR_GNTTAB_FRAMES);
	ck_assert_uint_eq(q.max_nr_frames, XL_NR_GNTTAB_FRAMES);
	q.dom = (domid_t)b->domid;
	ck_assert_int_eq(gnttab_query_size(a, &q), 0);
	ck_assert_int_eq(q.status, GNTST_permission_denied);
	q.dom = 4000;
	ck_assert_int_eq(gnttab_query_size(a, &q), 0);
	ck_assert_int_eq(q.status, GNTST_bad_domain);
	q.dom = (domid_t)b->domid;
	ck_assert_int_eq(gnttab_query_size(d0, &q), 0);
	ck_assert_int_eq(q.status, GNTST_okay);
	ck_assert_uint_eq(q.nr_frames, XL_NR_GNTTAB_FRAMES);
	q.dom = DOMID_SELF;
	ck_assert_int_eq(gnttab_query_size(d0, &q), 0);
	ck_assert_uint_eq(q.nr_frames, 0);
}
END_TEST

START_TEST(copy_from_a_grant_reads_the_granted_frame)
{
	fill(page(a, GFN_A), PAGE, 1);
	memset(page(b, GFN_B), 0, PAGE);
	grant(a, 10, (domid_t)b->domid, GFN_A, GTF_permit_access | GTF_readonly);

	struct gnttab_copy op = copy_from_grant(10, 100, 200, 1000);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(page(b, GFN_B) + 200, page(a, GFN_A) + 100, 1000) == 0);
	ck_assert_uint_eq(page(b, GFN_B)[199], 0);
	ck_assert_uint_eq(page(b, GFN_B)[1200], 0);
	/* the entry was in use only during the copy */
	ck_assert_uint_eq(flags_of(a, 10), GTF_permit_access | GTF_readonly);

	/* a whole page, and the last ref of the table */
	grant(a, NR_REFS - 1, (domid_t)b->domid, GFN_A, GTF_permit_access);
	op = copy_from_grant(NR_REFS - 1, 0, 0, PAGE);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(page(b, GFN_B), page(a, GFN_A), PAGE) == 0);
	ck_assert_uint_eq(flags_of(a, NR_REFS - 1), GTF_permit_access);
}
END_TEST

START_TEST(copy_into_a_writable_grant_writes_the_granted_frame)
{
	fill(page(b, GFN_B), PAGE, 9);
	memset(page(a, GFN_A), 0, PAGE);
	grant(a, 11, (domid_t)b->domid, GFN_A, GTF_permit_access);

	struct gnttab_copy op = copy_to_grant(11, 4000, 0, 96);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(page(a, GFN_A), page(b, GFN_B) + 4000, 96) == 0);
	ck_assert_uint_eq(page(a, GFN_A)[96], 0);
	ck_assert_uint_eq(flags_of(a, 11), GTF_permit_access);

	/* both sides granted: a copies between two of its grants to b */
	grant(a, 12, (domid_t)b->domid, GFN_A + 1, GTF_permit_access);
	op = copy_to_grant(12, 0, 0, 0);
	op.source.u.ref = 11;
	op.source.domid = (domid_t)a->domid;
	op.len = 64;
	op.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(page(a, GFN_A + 1), page(a, GFN_A), 64) == 0);
	ck_assert_uint_eq(flags_of(a, 11), GTF_permit_access);
	ck_assert_uint_eq(flags_of(a, 12), GTF_permit_access);
}
END_TEST

START_TEST(a_readonly_grant_is_no_destination)
{
	memset(page(a, GFN_A), 0x5a, PAGE);
	fill(page(b, GFN_B), PAGE, 3);
	grant(a, 13, (domid_t)b->domid, GFN_A, GTF_permit_access | GTF_readonly);

	struct gnttab_copy op = copy_to_grant(13, 0, 0, 16);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_general_error);
	ck_assert_uint_eq(page(a, GFN_A)[0], 0x5a);
	ck_assert_uint_eq(flags_of(a, 13), GTF_permit_access | GTF_readonly);
}
END_TEST

START_TEST(grants_to_another_domain_or_of_another_type_are_general_errors)
{
	struct domain *c = hvtest_domain(hv, 1);
	ck_assert_ptr_nonnull(c);
	memset(page(b, GFN_B), 0, PAGE);
	fill(page(a, GFN_A), PAGE, 5);

	grant(a, 14, (domid_t)c->domid, GFN_A, GTF_permit_access);
	struct gnttab_copy op = copy_from_grant(14, 0, 0, 8);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_general_error);
	/* c may use it */
	op.dest.u.gmfn = GFN_B;
	gnttab_copy_one(c, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);

	const uint16_t bad_types[] = {GTF_invalid, GTF_accept_transfer, GTF_type_mask,
	                              GTF_invalid | GTF_reading};
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		grant(a, 15, (domid_t)b->domid, GFN_A, bad_types[i]);
		op = copy_from_grant(15, 0, 0, 8);
		gnttab_copy_one(b, &op, NULL, 0);
		ck_assert_int_eq(op.status, GNTST_general_error);
		ck_assert_uint_eq(flags_of(a, 15), bad_types[i]);
	}
	ck_assert_uint_eq(page(b, GFN_B)[0], 0);
}
END_TEST

START_TEST(refs_beyond_the_table_are_bad_gntref)
{
	const grant_ref_t bad[] = {NR_REFS, NR_REFS + 1, 1u << 31, UINT32_MAX};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gnttab_copy op = copy_from_grant(bad[i], 0, 0, 8);
		gnttab_copy_one(b, &op, NULL, 0);
		ck_assert_int_eq(op.status, GNTST_bad_gntref);
		op = copy_to_grant(bad[i], 0, 0, 8);
		gnttab_copy_one(b, &op, NULL, 0);
		ck_assert_int_eq(op.status, GNTST_bad_gntref);
	}
	/* Dom0 has no grant table */
	struct gnttab_copy op = copy_from_grant(0, 0, 0, 8);
	op.source.domid = DOMID_SELF;
	gnttab_copy_one(a, &op, NULL, 0); /* a's own ref 0: never granted */
	ck_assert_int_eq(op.status, GNTST_general_error);
	op.source.domid = 0;
	gnttab_copy_one(a, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_gntref);
}
END_TEST

START_TEST(unknown_domains_and_foreign_frames_are_refused)
{
	grant(a, 16, (domid_t)b->domid, GFN_A, GTF_permit_access);
	struct gnttab_copy op = copy_from_grant(16, 0, 0, 8);
	op.source.domid = 999;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_domain);
	op.source.domid = DOMID_INVALID;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_domain);
	op = copy_to_grant(16, 0, 0, 8);
	op.dest.domid = 998;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_domain);

	/* a DomU names frames (not grants) only in its own memory */
	op = copy_from_grant(16, 0, 0, 8);
	op.dest.domid = (domid_t)a->domid;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_permission_denied);
	op.dest.domid = 999; /* checked before the domain is looked up */
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_permission_denied);
	op.dest.domid = 0;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_permission_denied);
	/* its own id works like DOMID_SELF */
	op.dest.domid = (domid_t)b->domid;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert_uint_eq(flags_of(a, 16), GTF_permit_access);
}
END_TEST

START_TEST(copies_may_not_cross_a_page)
{
	grant(a, 17, (domid_t)b->domid, GFN_A, GTF_permit_access);
	struct gnttab_copy op = copy_from_grant(17, 4000, 0, 97);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_copy_arg);
	op = copy_from_grant(17, 0, 4095, 2);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_copy_arg);
	op = copy_to_grant(17, 0, 0xffff, 0xffff);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_copy_arg);
	op = copy_to_grant(17, 0, 0, PAGE + 1);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_copy_arg);
	/* the pin taken for the check is dropped again */
	ck_assert_uint_eq(flags_of(a, 17), GTF_permit_access);
	/* exactly to the end is fine, and so is an empty copy */
	op = copy_from_grant(17, 4000, 4000, 96);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	op = copy_from_grant(17, 4096, 4096, 0);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
}
END_TEST

START_TEST(frames_beyond_memory_are_bad_page_whoever_names_them)
{
	uint64_t pages = a->mem_bytes >> XL_PAGE_SHIFT;

	/* the caller's own frame numbers */
	struct gnttab_copy op = copy_to_grant(18, 0, 0, 8);
	grant(a, 18, (domid_t)b->domid, GFN_A, GTF_permit_access);
	const uint64_t bad[] = {pages, pages + 1, 1ull << 52, UINT64_MAX};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		op.source.u.gmfn = bad[i];
		gnttab_copy_one(b, &op, NULL, 0);
		ck_assert_int_eq(op.status, GNTST_bad_page);
	}
	ck_assert_uint_eq(flags_of(a, 18), GTF_permit_access);
	/* the last frame is fine */
	op.source.u.gmfn = pages - 1;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);

	/* a hostile granter's frame numbers */
	const uint32_t hostile[] = {(uint32_t)pages, 0x80000000u, UINT32_MAX};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		grant(a, 19, (domid_t)b->domid, hostile[i], GTF_permit_access);
		op = copy_from_grant(19, 0, 0, 8);
		gnttab_copy_one(b, &op, NULL, 0);
		ck_assert_int_eq(op.status, GNTST_bad_page);
		ck_assert_uint_eq(flags_of(a, 19), GTF_permit_access);
		op = copy_to_grant(19, 0, 0, 8);
		gnttab_copy_one(b, &op, NULL, 0);
		ck_assert_int_eq(op.status, GNTST_bad_page);
		ck_assert_uint_eq(flags_of(a, 19), GTF_permit_access);
	}
}
END_TEST

START_TEST(a_copy_within_one_domain_may_overlap)
{
	uint8_t *p = page(b, GFN_B);
	uint8_t want[PAGE];
	fill(p, PAGE, 11);
	memcpy(want, p, PAGE);
	memmove(want + 1, want, 2000);

	struct gnttab_copy op = gref_ptr_copy();
	op.source.u.gmfn = GFN_B;
	op.source.domid = DOMID_SELF;
	op.dest.u.gmfn = GFN_B;
	op.dest.domid = DOMID_SELF;
	op.dest.offset = 1;
	op.len = 2000;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(p, want, PAGE) == 0);
}
END_TEST

START_TEST(dom0_copies_between_its_buffer_and_guest_grants)
{
	uint8_t buf[3 * PAGE];
	fill(page(a, GFN_A), PAGE, 21);
	memset(buf, 0, sizeof(buf));
	grant(a, 20, 0, GFN_A, GTF_permit_access);

	/* grant -> buffer at offset 5000 (+ 10) */
	struct gnttab_copy op = gref_ptr_copy();
	op.source.u.ref = 20;
	op.source.domid = (domid_t)a->domid;
	op.source.offset = 50;
	op.dest.u.gmfn = 5000;
	op.dest.domid = DOMID_SELF;
	op.dest.offset = 10;
	op.len = 3000;
	op.flags = GNTCOPY_source_gref;
	gnttab_copy_one(d0, &op, buf, sizeof(buf));
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(buf + 5010, page(a, GFN_A) + 50, 3000) == 0);
	ck_assert_uint_eq(buf[5009], 0);
	ck_assert_uint_eq(flags_of(a, 20), GTF_permit_access);

	/* buffer -> grant */
	fill(buf, PAGE, 99);
	op = gref_ptr_copy();
	op.source.u.gmfn = 0;
	op.source.domid = DOMID_SELF;
	op.dest.u.ref = 20;
	op.dest.domid = (domid_t)a->domid;
	op.len = PAGE;
	op.flags = GNTCOPY_dest_gref;
	gnttab_copy_one(d0, &op, buf, sizeof(buf));
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(page(a, GFN_A), buf, PAGE) == 0);

	/* the buffer is bounds-checked */
	op.source.u.gmfn = sizeof(buf) - 100;
	gnttab_copy_one(d0, &op, buf, sizeof(buf));
	ck_assert_int_eq(op.status, GNTST_bad_page);
	op.source.u.gmfn = sizeof(buf) + 1;
	op.len = 0;
	gnttab_copy_one(d0, &op, buf, sizeof(buf));
	ck_assert_int_eq(op.status, GNTST_bad_page);
	op.source.u.gmfn = UINT64_MAX;
	gnttab_copy_one(d0, &op, buf, sizeof(buf));
	ck_assert_int_eq(op.status, GNTST_bad_page);
	op.source.u.gmfn = 0;
	op.len = 8;
	gnttab_copy_one(d0, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_page);
	ck_assert_uint_eq(flags_of(a, 20), GTF_permit_access);

	/* grants to someone else are not Dom0's */
	grant(a, 21, (domid_t)b->domid, GFN_A, GTF_permit_access);
	op.dest.u.ref = 21;
	op.len = 8;
	gnttab_copy_one(d0, &op, buf, sizeof(buf));
	ck_assert_int_eq(op.status, GNTST_general_error);

	/* Dom0 is privileged: it may name any DomU frame directly */
	op = gref_ptr_copy();
	op.source.u.gmfn = GFN_A;
	op.source.domid = (domid_t)a->domid;
	op.dest.u.gmfn = GFN_B;
	op.dest.domid = (domid_t)b->domid;
	op.len = 128;
	gnttab_copy_one(d0, &op, buf, sizeof(buf));
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert(memcmp(page(b, GFN_B), page(a, GFN_A), 128) == 0);
}
END_TEST

START_TEST(map_pins_the_entry_until_the_last_unmap)
{
	uint64_t off = 0;
	int fd = -1;
	grant(a, 30, 0, GFN_A, GTF_permit_access);

	int h1 = gnttab_map(hv, a->domid, 30, true, 7, &off, &fd);
	ck_assert_int_ge(h1, 0);
	ck_assert_uint_eq(off, (uint64_t)GFN_A << XL_PAGE_SHIFT);
	ck_assert_int_eq(fd, a->memfd);
	ck_assert_int_eq(a->grant_maps, 1);
	ck_assert_uint_eq(flags_of(a, 30), GTF_permit_access | GTF_reading);

	int h2 = gnttab_map(hv, a->domid, 30, false, 7, &off, &fd);
	ck_assert_int_ge(h2, 0);
	ck_assert_int_ne(h1, h2);
	ck_assert_int_eq(a->grant_maps, 2);
	ck_assert_uint_eq(flags_of(a, 30), GTF_permit_access | GTF_reading | GTF_writing);

	/* a copy through the same grant leaves the mappings' flags alone */
	fill(page(b, GFN_B), 64, 1);
	grant(a, 31, (domid_t)b->domid, GFN_A, GTF_permit_access);
	struct gnttab_copy op = copy_to_grant(31, 0, 0, 64);
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert_uint_eq(flags_of(a, 30), GTF_permit_access | GTF_reading | GTF_writing);

	/* unmap needs the right owner and a live handle */
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h2, 8), GNTST_bad_handle);
	ck_assert_int_eq(gnttab_unmap(hv, 100000, 7), GNTST_bad_handle);
	ck_assert_int_eq(gnttab_unmap(hv, UINT32_MAX, 7), GNTST_bad_handle);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h2, 7), GNTST_okay);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h2, 7), GNTST_bad_handle);
	ck_assert_uint_eq(flags_of(a, 30), GTF_permit_access | GTF_reading);
	ck_assert_int_eq(a->grant_maps, 1);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h1, 7), GNTST_okay);
	ck_assert_uint_eq(flags_of(a, 30), GTF_permit_access);
	ck_assert_int_eq(a->grant_maps, 0);
}
END_TEST

START_TEST(map_validates_the_grant_and_leaves_no_pin_on_failure)
{
	uint64_t off = 0;
	int fd = -1;

	grant(a, 32, 0, GFN_A, GTF_permit_access | GTF_readonly);
	ck_assert_int_eq(gnttab_map(hv, a->domid, 32, false, 1, &off, &fd),
	                 GNTST_general_error);
	ck_assert_uint_eq(flags_of(a, 32), GTF_permit_access | GTF_readonly);
	int h = gnttab_map(hv, a->domid, 32, true, 1, &off, &fd);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h, 1), GNTST_okay);

	grant(a, 33, (domid_t)b->domid, GFN_A, GTF_permit_access);
	ck_assert_int_eq(gnttab_map(hv, a->domid, 33, true, 1, &off, &fd), GNTST_general_error);
	grant(a, 33, 0, GFN_A, GTF_accept_transfer);
	ck_assert_int_eq(gnttab_map(hv, a->domid, 33, true, 1, &off, &fd), GNTST_general_error);
	ck_assert_int_eq(gnttab_map(hv, a->domid, NR_REFS, true, 1, &off, &fd), GNTST_bad_gntref);
	ck_assert_int_eq(gnttab_map(hv, a->domid, UINT32_MAX, true, 1, &off, &fd),
	                 GNTST_bad_gntref);
	ck_assert_int_eq(gnttab_map(hv, 999, 33, true, 1, &off, &fd), GNTST_bad_domain);
	ck_assert_int_eq(gnttab_map(hv, 0, 33, true, 1, &off, &fd), GNTST_bad_domain);
	ck_assert_int_eq(gnttab_map(hv, DOMID_SELF, 33, true, 1, &off, &fd), GNTST_bad_domain);
	ck_assert_int_eq(gnttab_map(hv, UINT32_MAX, 33, true, 1, &off, &fd), GNTST_bad_domain);

	grant(a, 34, 0, UINT32_MAX, GTF_permit_access);
	ck_assert_int_eq(gnttab_map(hv, a->domid, 34, false, 1, &off, &fd), GNTST_bad_page);
	ck_assert_uint_eq(flags_of(a, 34), GTF_permit_access);
	ck_assert_int_eq(a->grant_maps, 0);
}
END_TEST

START_TEST(a_pinned_grant_keeps_its_frame_against_a_hostile_granter)
{
	uint64_t off1 = 0, off2 = 0;
	int fd = -1;

	grant(a, 35, 0, GFN_A, GTF_permit_access);
	int h1 = gnttab_map(hv, a->domid, 35, true, 1, &off1, &fd);
	ck_assert_int_ge(h1, 0);
	/* the granter rewrites the in-use entry to point far away */
	entry(a, 35)->frame = UINT32_MAX;
	int h2 = gnttab_map(hv, a->domid, 35, true, 1, &off2, &fd);
	ck_assert_int_ge(h2, 0);
	ck_assert_uint_eq(off2, off1);
	/* or revokes it: no new pin, the old ones still end cleanly */
	__atomic_store_n(&entry(a, 35)->flags, GTF_invalid | GTF_reading, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(gnttab_map(hv, a->domid, 35, true, 1, &off2, &fd),
	                 GNTST_general_error);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h1, 1), GNTST_okay);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h2, 1), GNTST_okay);
	ck_assert_uint_eq(flags_of(a, 35), GTF_invalid);
	ck_assert_int_eq(a->grant_maps, 0);
}
END_TEST

START_TEST(unmap_owner_drops_only_that_owners_mappings)
{
	uint64_t off;
	int fd;
	grant(a, 40, 0, GFN_A, GTF_permit_access);
	grant(a, 41, 0, GFN_A + 1, GTF_permit_access);
	grant(b, 40, 0, GFN_B, GTF_permit_access);

	int h1 = gnttab_map(hv, a->domid, 40, false, 100, &off, &fd);
	int h2 = gnttab_map(hv, a->domid, 40, true, 200, &off, &fd);
	int h3 = gnttab_map(hv, a->domid, 41, false, 100, &off, &fd);
	int h4 = gnttab_map(hv, b->domid, 40, false, 100, &off, &fd);
	ck_assert(h1 >= 0 && h2 >= 0 && h3 >= 0 && h4 >= 0);

	gnttab_unmap_owner(hv, 100);
	ck_assert_int_eq(a->grant_maps, 1);
	ck_assert_int_eq(b->grant_maps, 0);
	ck_assert_uint_eq(flags_of(a, 40), GTF_permit_access | GTF_reading);
	ck_assert_uint_eq(flags_of(a, 41), GTF_permit_access);
	ck_assert_uint_eq(flags_of(b, 40), GTF_permit_access);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h1, 100), GNTST_bad_handle);
	gnttab_unmap_owner(hv, 300); /* nothing */
	ck_assert_int_eq(a->grant_maps, 1);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h2, 200), GNTST_okay);
	ck_assert_uint_eq(flags_of(a, 40), GTF_permit_access);
}
END_TEST

START_TEST(a_dying_domain_is_reaped_only_after_its_last_unmap)
{
	uint64_t off;
	int fd;
	uint32_t id = a->domid;
	grant(a, 42, 0, GFN_A, GTF_permit_access);
	grant(a, 43, 0, GFN_A, GTF_permit_access);
	grant(a, 44, (domid_t)b->domid, GFN_A, GTF_permit_access);
	int h1 = gnttab_map(hv, id, 42, false, 1, &off, &fd);
	int h2 = gnttab_map(hv, id, 43, false, 1, &off, &fd);
	ck_assert(h1 >= 0 && h2 >= 0);

	ck_assert_int_eq(domain_destroy(a), 0);
	ck_assert_ptr_eq(hv_domain(hv, id), a);
	ck_assert_uint_eq(a->state, DOM_DYING);
	/* its id is not handed out while it is dying */
	struct domain *c = hvtest_domain(hv, 1);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ne(c->domid, id);
	/* nothing new may reach it */
	ck_assert_int_eq(gnttab_map(hv, id, 42, false, 1, &off, &fd), GNTST_bad_domain);
	struct gnttab_copy op = copy_from_grant(44, 0, 0, 8);
	op.source.domid = (domid_t)id;
	gnttab_copy_one(b, &op, NULL, 0);
	ck_assert_int_eq(op.status, GNTST_bad_domain);
	struct gnttab_query_size q = {.dom = (domid_t)id};
	gnttab_query_size(d0, &q);
	ck_assert_int_eq(q.status, GNTST_bad_domain);

	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h1, 1), GNTST_okay);
	ck_assert_ptr_eq(hv_domain(hv, id), a);
	ck_assert_uint_eq(flags_of(a, 42), GTF_permit_access);
	ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)h2, 1), GNTST_okay);
	ck_assert_ptr_null(hv_domain(hv, id));
}
END_TEST

START_TEST(the_mapping_table_grows_and_reuses_handles)
{
	enum { N = 1500 };
	static int handles[N];
	uint64_t off;
	int fd;

	for (uint32_t r = 0; r < N; r++) {
		grant(a, r, 0, GFN_A + r % 64, GTF_permit_access);
		handles[r] = gnttab_map(hv, a->domid, r, r % 2 == 0, 5, &off, &fd);
		ck_assert_int_ge(handles[r], 0);
		ck_assert_uint_eq(off, (uint64_t)(GFN_A + r % 64) << XL_PAGE_SHIFT);
	}
	/* a second mapping of every other ref, across the grown table */
	for (uint32_t r = 0; r < N; r += 2) {
		int h = gnttab_map(hv, a->domid, r, false, 6, &off, &fd);
		ck_assert_int_ge(h, 0);
	}
	ck_assert_int_eq(a->grant_maps, N + N / 2);
	for (uint32_t r = 0; r < N; r++) {
		uint16_t want = GTF_permit_access | GTF_reading | (r % 2 ? GTF_writing : 0);
		if (r % 2 == 0)
			want |= GTF_writing; /* owner 6 mapped it writable */
		ck_assert_uint_eq(flags_of(a, r), want);
	}
	gnttab_unmap_owner(hv, 6);
	for (uint32_t r = 0; r < N; r++)
		ck_assert_uint_eq(flags_of(a, r),
		                  GTF_permit_access | GTF_reading | (r % 2 ? GTF_writing : 0));
	for (uint32_t r = 0; r < N; r++)
		ck_assert_int_eq(gnttab_unmap(hv, (uint32_t)handles[r], 5), GNTST_okay);
	for (uint32_t r = 0; r < N; r++)
		ck_assert_uint_eq(flags_of(a, r), GTF_permit_access);
	ck_assert_int_eq(a->grant_maps, 0);
	/* freed handles are used again */
	int h = gnttab_map(hv, a->domid, 0, true, 5, &off, &fd);
	ck_assert_int_ge(h, 0);
	ck_assert_int_lt(h, 2 * N);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gnttab");
	TCase *tc = tcase_create("gnttab");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, setup_table_reports_the_fixed_frames_and_checks_its_arguments);
	tcase_add_test(tc, query_size_reports_the_table_size);
	tcase_add_test(tc, copy_from_a_grant_reads_the_granted_frame);
	tcase_add_test(tc, copy_into_a_writable_grant_writes_the_granted_frame);
	tcase_add_test(tc, a_readonly_grant_is_no_destination);
	tcase_add_test(tc, grants_to_another_domain_or_of_another_type_are_general_errors);
	tcase_add_test(tc, refs_beyond_the_table_are_bad_gntref);
	tcase_add_test(tc, unknown_domains_and_foreign_frames_are_refused);
	tcase_add_test(tc, copies_may_not_cross_a_page);
	tcase_add_test(tc, frames_beyond_memory_are_bad_page_whoever_names_them);
	tcase_add_test(tc, a_copy_within_one_domain_may_overlap);
	tcase_add_test(tc, dom0_copies_between_its_buffer_and_guest_grants);
	tcase_add_test(tc, map_pins_the_entry_until_the_last_unmap);
	tcase_add_test(tc, map_validates_the_grant_and_leaves_no_pin_on_failure);
	tcase_add_test(tc, a_pinned_grant_keeps_its_frame_against_a_hostile_granter);
	tcase_add_test(tc, unmap_owner_drops_only_that_owners_mappings);
	tcase_add_test(tc, a_dying_domain_is_reaped_only_after_its_last_unmap);
	tcase_add_test(tc, the_mapping_table_grows_and_reuses_handles);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
