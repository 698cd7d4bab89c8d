/* test_xenstored_unit.c - xenstored's store, path rules, permission strings,
 * transactions and watch matching, in-process. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "transaction.h"
#include "watch.h"

static struct store st;

static void setup(void)
{
	ck_assert_int_eq(store_init(&st), 0);
}

static void teardown(void)
{
	store_free(&st);
}

static const char *canon(const char *in, unsigned int domid)
{
	static char out[XS_PATH_BUF];
	return path_canonicalize(in, domid, out, sizeof(out)) == 0 ? out : NULL;
}

START_TEST(path_rules_accept_and_reject)
{
	ck_assert_str_eq(canon("/a/b-c_D@9", 0), "/a/b-c_D@9");
	ck_assert_str_eq(canon("/", 0), "/");
	ck_assert_str_eq(canon("data/x", 7), "/local/domain/7/data/x");
	ck_assert_str_eq(canon("@releaseDomain", 0), "@releaseDomain");
	ck_assert_ptr_null(canon("", 0));
	ck_assert_ptr_null(canon("/a//b", 0));
	ck_assert_ptr_null(canon("/a/", 0));
	ck_assert_ptr_null(canon("/a b", 0));
	ck_assert_ptr_null(canon("/a.b", 0));
	ck_assert_ptr_null(canon("@other", 0));
	ck_assert_ptr_null(canon("rel/", 0));
	char *big = malloc(XS_ABS_PATH_MAX + 2);
	big[0] = '/';
	memset(big + 1, 'a', XS_ABS_PATH_MAX);
	big[XS_ABS_PATH_MAX + 1] = '\0';
	ck_assert_ptr_null(canon(big, 0));
	big[XS_ABS_PATH_MAX] = '\0';
	ck_assert_ptr_nonnull(canon(big, 0));
	memset(big, 'a', XS_REL_PATH_MAX + 1);
	big[XS_REL_PATH_MAX + 1] = '\0';
	ck_assert_ptr_null(canon(big, 0));
	free(big);
	ck_assert(path_is_prefix("/a", "/a/b"));
	ck_assert(path_is_prefix("/a", "/a"));
	ck_assert(!path_is_prefix("/a", "/ab"));
	ck_assert(path_is_prefix("/", "/x"));
}
END_TEST

START_TEST(perms_parse_and_format)
{
	static const char list[] = "n0\0r5\0b7\0w65535";
	struct xs_perm *p;
	int n = perms_parse(list, sizeof(list), &p);
	ck_assert_int_eq(n, 4);
	ck_assert_uint_eq(p[0].domid, 0);
	ck_assert_uint_eq(p[0].mode, 0);
	ck_assert_uint_eq(p[1].mode, XS_PERM_READ);
	ck_assert_uint_eq(p[2].mode, XS_PERM_BOTH);
	ck_assert_uint_eq(p[3].mode, XS_PERM_WRITE);
	ck_assert_uint_eq(p[3].domid, 65535);
	char buf[16];
	ck_assert_int_eq(perms_format(&p[1], buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "r5");
	/* Owner has everything; listed domains get their entry; others perms[0]. */
	ck_assert(perms_allow(p, 4, 0, XS_PERM_BOTH));
	ck_assert(perms_allow(p, 4, 5, XS_PERM_READ));
	ck_assert(!perms_allow(p, 4, 5, XS_PERM_WRITE));
	ck_assert(!perms_allow(p, 4, 9, XS_PERM_READ));
	free(p);
	static const char *const bad[] = {"x1", "r", "r-1", "r1a", "r70000", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(perms_parse(bad[i], strlen(bad[i]) + 1, &p), -EINVAL);
	ck_assert_int_eq(perms_parse("r1", 2, &p), -EINVAL); /* unterminated */
}
END_TEST

START_TEST(store_initial_tree_write_read_rm)
{
	ck_assert_ptr_nonnull(store_lookup(&st, "/tool/xenstored"));
	ck_assert_ptr_nonnull(store_lookup(&st, "@introduceDomain"));
	ck_assert_int_eq(store_write(&st, "/a/b/c", "hi", 2, 0), 0);
	struct node *n = store_lookup(&st, "/a/b/c");
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->vlen, 2);
	ck_assert_int_eq(memcmp(n->value, "hi", 2), 0);
	ck_assert_uint_eq(store_lookup(&st, "/a/b")->vlen, 0);
	ck_assert_int_eq(store_mkdir(&st, "/a/b", 0), 0);
	ck_assert_int_eq(store_mkdir(&st, "/a/d", 0), 1);
	ck_assert_uint_eq(store_lookup(&st, "/a")->nchildren, 2);
	ck_assert_int_eq(store_rm(&st, "/a/b"), 0);
	ck_assert_ptr_null(store_lookup(&st, "/a/b/c"));
	ck_assert_int_eq(store_rm(&st, "/a/b"), -ENOENT);
	ck_assert_int_eq(store_rm(&st, "/"), -EINVAL);
}
END_TEST

START_TEST(store_new_nodes_inherit_perms)
{
	struct xs_perm p[2] = {{3, 0}, {0, XS_PERM_READ}};
	ck_assert_int_eq(store_mkdir(&st, "/local/domain/3", 0), 1);
	ck_assert_int_eq(store_set_perms(&st, "/local/domain/3", p, 2), 0);
	ck_assert_int_eq(store_write(&st, "/local/domain/3/x/y", "", 0, 0), 0);
	struct node *n = store_lookup(&st, "/local/domain/3/x/y");
	ck_assert_uint_eq(n->nperms, 2);
	ck_assert_uint_eq(n->perms[0].domid, 3);
	ck_assert_int_eq(store_write(&st, "/local/domain/3/z", "", 0, 4), 0);
	ck_assert_uint_eq(store_lookup(&st, "/local/domain/3/z")->perms[0].domid, 4);
}
END_TEST

static int fired;
static void count_change(void *ctx, const char *path, bool removed)
{
	fired++;
}

START_TEST(transaction_reads_own_writes_and_commits)
{
	struct transaction *tx = transaction_start(&st, 1);
	ck_assert_int_eq(transaction_note(tx, "/t"), 0);
	ck_assert_int_eq(store_write(&tx->snap, "/t", "v", 1, 0), 0);
	ck_assert_int_eq(transaction_log(tx, TX_OP_WRITE, "/t", "v", 1, NULL, 0, 0), 0);
	ck_assert_ptr_nonnull(store_lookup(&tx->snap, "/t"));
	ck_assert_ptr_null(store_lookup(&st, "/t"));
	fired = 0;
	ck_assert_int_eq(transaction_commit(tx, &st, count_change, NULL), 0);
	ck_assert_int_eq(fired, 1);
	ck_assert_ptr_nonnull(store_lookup(&st, "/t"));
	transaction_free(tx);
}
END_TEST

START_TEST(transaction_conflict_is_eagain)
{
	store_write(&st, "/c", "0", 1, 0);
	struct transaction *tx = transaction_start(&st, 1);
	ck_assert_int_eq(transaction_note(tx, "/c"), 0); /* read */
	store_write(&tx->snap, "/other", "x", 1, 0);
	transaction_note(tx, "/other");
	transaction_log(tx, TX_OP_WRITE, "/other", "x", 1, NULL, 0, 0);
	ck_assert_int_eq(store_write(&st, "/c", "1", 1, 0), 0); /* someone else */
	ck_assert_int_eq(transaction_commit(tx, &st, NULL, NULL), -EAGAIN);
	ck_assert_ptr_null(store_lookup(&st, "/other"));
	transaction_free(tx);

	/* Unrelated changes do not conflict. */
	tx = transaction_start(&st, 2);
	transaction_note(tx, "/c");
	store_write(&st, "/unrelated", "1", 1, 0);
	ck_assert_int_eq(transaction_commit(tx, &st, NULL, NULL), 0);
	transaction_free(tx);

	/* A node read as absent that appears meanwhile conflicts. */
	tx = transaction_start(&st, 3);
	transaction_note(tx, "/new");
	store_write(&st, "/new", "1", 1, 0);
	ck_assert_int_eq(transaction_commit(tx, &st, NULL, NULL), -EAGAIN);
	transaction_free(tx);
}
END_TEST

/* A transaction that removes a subtree and rebuilds it must be able to
 * commit (no spurious EAGAIN from nodes it deleted itself). */
START_TEST(transaction_rm_then_recreate_commits)
{
	store_write(&st, "/d/a/b", "old", 3, 0);
	struct transaction *tx = transaction_start(&st, 1);
	transaction_note(tx, "/d/a");
	transaction_note(tx, "/d");
	ck_assert_int_eq(store_rm(&tx->snap, "/d/a"), 0);
	transaction_log(tx, TX_OP_RM, "/d/a", NULL, 0, NULL, 0, 0);
	transaction_note(tx, "/d/a/b");
	ck_assert_int_eq(store_write(&tx->snap, "/d/a/b", "new", 3, 0), 0);
	transaction_log(tx, TX_OP_WRITE, "/d/a/b", "new", 3, NULL, 0, 0);
	ck_assert_int_eq(transaction_commit(tx, &st, NULL, NULL), 0);
	ck_assert_int_eq(memcmp(store_lookup(&st, "/d/a/b")->value, "new", 3), 0);
	transaction_free(tx);
}
END_TEST

START_TEST(transaction_abort_discards)
{
	struct transaction *tx = transaction_start(&st, 1);
	store_write(&tx->snap, "/gone", "x", 1, 0);
	transaction_log(tx, TX_OP_WRITE, "/gone", "x", 1, NULL, 0, 0);
	transaction_free(tx);
	ck_assert_ptr_null(store_lookup(&st, "/gone"));
}
END_TEST

START_TEST(watch_matching_rules)
{
	struct watch_list l = {0};
	ck_assert_int_eq(watch_add(&l, "/a/b", "t", false), 0);
	ck_assert_int_eq(watch_add(&l, "/a/b", "t", false), -EEXIST);
	ck_assert_int_eq(watch_add(&l, "/a/b", "u", false), 0);
	const char *e;
	struct watch *w = l.head;
	ck_assert(watch_match(w, "/a/b", false, &e));
	ck_assert_str_eq(e, "/a/b");
	ck_assert(watch_match(w, "/a/b/c", false, &e));
	ck_assert_str_eq(e, "/a/b/c");
	ck_assert(!watch_match(w, "/a", false, &e));
	ck_assert(!watch_match(w, "/a/bc", false, &e));
	ck_assert(watch_match(w, "/a", true, &e)); /* ancestor removed */
	ck_assert_str_eq(e, "/a/b");
	ck_assert(!watch_match(w, "@releaseDomain", false, &e));
	ck_assert_int_eq(watch_remove(&l, "/a/b", "t"), 0);
	ck_assert_int_eq(watch_remove(&l, "/a/b", "t"), -ENOENT);
	ck_assert_int_eq(watch_add(&l, "/local/domain/0/x", "r", true), 0);
	char buf[64];
	for (w = l.head; w && !w->relative; w = w->next)
		;
	ck_assert_str_eq(watch_event_path(w, "/local/domain/0/x/y", 0, buf, sizeof(buf)), "x/y");
	ck_assert_int_eq(watch_add(&l, "@releaseDomain", "s", false), 0);
	for (w = l.head; w->path[0] != '@'; w = w->next)
		;
	ck_assert(watch_match(w, "@releaseDomain", false, &e));
	ck_assert(!watch_match(w, "/x", false, &e));
	watch_clear(&l);
	ck_assert_uint_eq(l.count, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xenstored-unit");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, path_rules_accept_and_reject);
	tcase_add_test(tc, perms_parse_and_format);
	tcase_add_test(tc, store_initial_tree_write_read_rm);
	tcase_add_test(tc, store_new_nodes_inherit_perms);
	tcase_add_test(tc, transaction_reads_own_writes_and_commits);
	tcase_add_test(tc, transaction_conflict_is_eagain);
	tcase_add_test(tc, transaction_rm_then_recreate_commits);
	tcase_add_test(tc, transaction_abort_discards);
	tcase_add_test(tc, watch_matching_rules);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
