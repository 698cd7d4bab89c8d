/* test_ring.c - byte rings: wrap-around, loss of old bytes, offsets. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"

START_TEST(ring_rejects_non_power_of_two)
{
	struct byte_ring r;
	ck_assert_int_eq(byte_ring_init(&r, 1000), -1);
	ck_assert_int_eq(byte_ring_init(&r, 0), -1);
}
END_TEST

START_TEST(ring_reads_back_in_order_across_the_wrap)
{
	struct byte_ring r;
	char out[64];
	uint64_t start;

	ck_assert_int_eq(byte_ring_init(&r, 16), 0);
	byte_ring_write(&r, "0123456789", 10);
	ck_assert_uint_eq(byte_ring_read(&r, 0, out, sizeof(out), &start), 10);
	ck_assert_uint_eq(start, 0);
	ck_assert(memcmp(out, "0123456789", 10) == 0);
	byte_ring_write(&r, "abcdefghij", 10); /* wraps; loses "0123" */
	size_t n = byte_ring_read(&r, 0, out, sizeof(out), &start);
	ck_assert_uint_eq(start, 4); /* the reader learns what it missed */
	ck_assert_uint_eq(n, 16);
	ck_assert(memcmp(out, "456789abcdefghij", 16) == 0);
	/* reading from the head gives nothing; beyond the head is clamped */
	ck_assert_uint_eq(byte_ring_read(&r, 20, out, sizeof(out), &start), 0);
	ck_assert_uint_eq(byte_ring_read(&r, 99, out, sizeof(out), &start), 0);
	ck_assert_uint_eq(start, 20);
	byte_ring_free(&r);
}
END_TEST

START_TEST(ring_keeps_the_tail_of_an_oversized_write)
{
	struct byte_ring r;
	char out[8];
	uint64_t start;

	ck_assert_int_eq(byte_ring_init(&r, 8), 0);
	byte_ring_write(&r, "ABCDEFGHIJKL", 12);
	ck_assert_uint_eq(byte_ring_read(&r, 0, out, sizeof(out), &start), 8);
	ck_assert_uint_eq(start, 4);
	ck_assert(memcmp(out, "EFGHIJKL", 8) == 0);
	/* a partial read honours max */
	ck_assert_uint_eq(byte_ring_read(&r, 6, out, 3, &start), 3);
	ck_assert(memcmp(out, "GHI", 3) == 0);
	byte_ring_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");
	tcase_add_test(tc, ring_rejects_non_power_of_two);
	tcase_add_test(tc, ring_reads_back_in_order_across_the_wrap);
	tcase_add_test(tc, ring_keeps_the_tail_of_an_oversized_write);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
