/* test_xenstored.c - xenstored end to end: Debian's xenstore-utils clients
 * and a raw wire client against a real daemon. Each test gets its own
 * xenstored under a fresh temporary root, stopped even when the test fails
 * (unchecked fixture in the runner; PR_SET_PDEATHSIG in the daemon). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xsd_harness.h"

enum {
	XS_DIRECTORY = 1, XS_READ = 2, XS_GET_PERMS = 3, XS_WATCH = 4,
	XS_TRANSACTION_START = 6, XS_TRANSACTION_END = 7, XS_INTRODUCE = 8,
	XS_GET_DOMAIN_PATH = 10, XS_WRITE = 11, XS_RM = 13, XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15, XS_ERROR = 16, XS_IS_DOMAIN_INTRODUCED = 17,
	XS_DIRECTORY_PART = 22, XS_GET_FEATURE = 23,
};

static struct xsd_instance xi;
static char out[65536];

static void start(void)
{
	ck_assert_msg(xsd_start(&xi) == 0, "xenstored did not start");
}

static void stop(void)
{
	xsd_stop(&xi);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* A path and value as a WRITE payload: "path\0value" without terminator. */
static size_t write_payload(char *buf, const char *path, const char *val)
{
	size_t l = strlen(path) + 1;
	memcpy(buf, path, l);
	memcpy(buf + l, val, strlen(val));
	return l + strlen(val);
}

static void raw_write(int fd, uint32_t tx, const char *path, const char *val)
{
	char buf[512];
	struct xsd_msg m;
	ck_assert_int_eq(xsd_call(fd, XS_WRITE, tx, buf, write_payload(buf, path, val), &m), 0);
	ck_assert_uint_eq(m.type, XS_WRITE);
	ck_assert_uint_eq(m.len, 3);
	ck_assert_str_eq(m.body, "OK");
}

START_TEST(clients_write_read_round_trip)
{
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-write /vm/a hello /vm/b 'two words'"), 0);
	ck_assert_int_eq(xsd_run(out, sizeof(out), "xenstore-read /vm/a /vm/b"), 0);
	ck_assert_str_eq(out, "hello\ntwo words\n");
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-write rel value"), 0);
	ck_assert_int_eq(xsd_run(out, sizeof(out), "xenstore-read /local/domain/0/rel"), 0);
	ck_assert_str_eq(out, "value\n");
	ck_assert_int_ne(xsd_run(NULL, 0, "xenstore-read /nope 2>/dev/null"), 0);
}
END_TEST

START_TEST(clients_ls_shows_tree)
{
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-write /t/x 1 /t/y/z 2"), 0);
	ck_assert_int_eq(xsd_run(out, sizeof(out), "xenstore-ls /t"), 0);
	ck_assert_str_eq(out, "x = \"1\"\ny = \"\"\n z = \"2\"\n");
	ck_assert_int_eq(xsd_run(out, sizeof(out), "xenstore-ls /"), 0);
	ck_assert_ptr_nonnull(strstr(out, "tool = \"\"\n xenstored = \"\"\n"));
}
END_TEST

START_TEST(clients_rm_removes_subtree)
{
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-write /r/a/b 1 /r/a/c 2 /r/d 3"), 0);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-rm /r/a"), 0);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-exists /r/a/b"), 1);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-exists /r/a"), 1);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-exists /r/d"), 0);
	/* Absent node with its parent present is fine. */
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-rm /r/a"), 0);
}
END_TEST

START_TEST(clients_exists_exit_code)
{
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-exists /e 2>/dev/null"), 1);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-write /e ''"), 0);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-exists /e"), 0);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-exists /tool/xenstored"), 0);
}
END_TEST

START_TEST(clients_list_children)
{
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-write /l/one 1 /l/two 2 /l/three 3"), 0);
	ck_assert_int_eq(xsd_run(out, sizeof(out), "xenstore-list /l"), 0);
	ck_assert_str_eq(out, "one\ntwo\nthree\n");
}
END_TEST

START_TEST(clients_chmod_then_get_perms)
{
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-write /p/n v"), 0);
	ck_assert_int_eq(xsd_run(NULL, 0, "xenstore-chmod /p/n n3 r5 b6"), 0);
	ck_assert_int_eq(xsd_run(out, sizeof(out), "xenstore-ls -p /p"), 0);
	ck_assert_msg(strstr(out, "(n3,r5,b6)") != NULL, "ls -p said: %s", out);
	int fd = xsd_connect(&xi);
	struct xsd_msg m;
	ck_assert_int_eq(xsd_call(fd, XS_GET_PERMS, 0, "/p/n", 5, &m), 0);
	ck_assert_uint_eq(m.type, XS_GET_PERMS);
	ck_assert_uint_eq(m.len, 9);
	ck_assert_int_eq(memcmp(m.body, "n3\0r5\0b6\0", 9), 0);
	/* New children inherit the parent's list. */
	raw_write(fd, 0, "/p/n/child", "x");
	ck_assert_int_eq(xsd_call(fd, XS_GET_PERMS, 0, "/p/n/child", 11, &m), 0);
	ck_assert_int_eq(memcmp(m.body, "n3\0r5\0b6\0", 9), 0);
	/* A malformed permission string is EINVAL. */
	ck_assert_int_eq(xsd_call(fd, XS_SET_PERMS, 0, "/p/n\0q1", 8, &m), 0);
	ck_assert_uint_eq(m.type, XS_ERROR);
	ck_assert_str_eq(m.body, "EINVAL");
	close(fd);
}
END_TEST

START_TEST(clients_watch_gets_initial_and_write_events)
{
	/* Writes repeat until the watcher has registered and seen one change. */
	int rc = xsd_run(out, sizeof(out),
		"f=%s/watch.out; timeout 20 xenstore-watch -n 2 /wt > $f & w=$!; i=0; "
		"while kill -0 $w 2>/dev/null && [ $i -lt 400 ]; do "
		"xenstore-write /wt/x $i; sleep 0.05; i=$((i+1)); done; wait $w; s=$?; cat $f; exit $s",
		xi.root);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(out, "/wt\n/wt/x\n");
}
END_TEST

START_TEST(raw_split_header_and_payload)
{
	int fd = xsd_connect(&xi);
	raw_write(fd, 0, "/s", "split");
	uint32_t h[4] = {XS_READ, 77, 0, 3};
	ck_assert_int_eq(write(fd, h, 6), 6);
	sleep_ms(30);
	ck_assert_int_eq(write(fd, (char *)h + 6, 10), 10);
	sleep_ms(30);
	ck_assert_int_eq(write(fd, "/s", 1), 1);
	sleep_ms(30);
	ck_assert_int_eq(write(fd, "s", 0) + write(fd, "s\0", 2), 2);
	struct xsd_msg m;
	ck_assert_int_eq(xsd_recv(fd, &m, 5000), 0);
	ck_assert_uint_eq(m.type, XS_READ);
	ck_assert_uint_eq(m.req_id, 77);
	ck_assert_uint_eq(m.len, 5);
	ck_assert_str_eq(m.body, "split");
	close(fd);
}
END_TEST

START_TEST(raw_oversized_payload_closes_only_that_connection)
{
	int good = xsd_connect(&xi);
	int bad = xsd_connect(&xi);
	static char big[5000];
	memset(big, 'a', sizeof(big));
	xsd_send(bad, XS_WRITE, 1, 0, big, sizeof(big));
	struct xsd_msg m;
	ck_assert_int_eq(xsd_recv(bad, &m, 5000), -1); /* EOF, no reply */
	raw_write(good, 0, "/still", "working");
	ck_assert_int_eq(xsd_call(good, XS_READ, 0, "/still", 7, &m), 0);
	ck_assert_str_eq(m.body, "working");
	close(bad);
	close(good);
}
END_TEST

START_TEST(raw_unknown_type_is_enosys_with_echoed_header)
{
	int fd = xsd_connect(&xi);
	struct xsd_msg m;
	xsd_send(fd, 99, 4242, 0, "x", 2);
	ck_assert_int_eq(xsd_recv(fd, &m, 5000), 0);
	ck_assert_uint_eq(m.type, XS_ERROR);
	ck_assert_uint_eq(m.req_id, 4242);
	ck_assert_uint_eq(m.len, 7);
	ck_assert_int_eq(memcmp(m.body, "ENOSYS\0", 7), 0);
	/* INTRODUCE needs guest rings, not there yet. */
	ck_assert_int_eq(xsd_call(fd, XS_INTRODUCE, 0, "1\0" "5\0" "3", 6, &m), 0);
	ck_assert_str_eq(m.body, "ENOSYS");
	close(fd);
}
END_TEST

START_TEST(raw_error_names_and_acks)
{
	int fd = xsd_connect(&xi);
	struct xsd_msg m;
	ck_assert_int_eq(xsd_call(fd, XS_READ, 0, "/missing", 9, &m), 0);
	ck_assert_uint_eq(m.type, XS_ERROR);
	ck_assert_uint_eq(m.len, 7);
	ck_assert_int_eq(memcmp(m.body, "ENOENT\0", 7), 0);
	ck_assert_int_eq(xsd_call(fd, XS_RM, 0, "/", 2, &m), 0);
	ck_assert_str_eq(m.body, "EINVAL");
	ck_assert_int_eq(xsd_call(fd, XS_READ, 0, "/bad//path", 11, &m), 0);
	ck_assert_str_eq(m.body, "EINVAL");
	ck_assert_int_eq(xsd_call(fd, XS_RM, 0, "/no/such", 9, &m), 0);
	ck_assert_str_eq(m.body, "ENOENT");
	ck_assert_int_eq(xsd_call(fd, XS_TRANSACTION_END, 55, "T", 2, &m), 0);
	ck_assert_str_eq(m.body, "ENOENT");
	ck_assert_uint_eq(m.tx_id, 55);
	ck_assert_int_eq(xsd_call(fd, XS_GET_DOMAIN_PATH, 0, "7", 2, &m), 0);
	ck_assert_str_eq(m.body, "/local/domain/7");
	ck_assert_int_eq(xsd_call(fd, XS_IS_DOMAIN_INTRODUCED, 0, "0", 2, &m), 0);
	ck_assert_str_eq(m.body, "T");
	ck_assert_int_eq(xsd_call(fd, XS_IS_DOMAIN_INTRODUCED, 0, "3", 2, &m), 0);
	ck_assert_str_eq(m.body, "F");
	ck_assert_int_eq(xsd_call(fd, XS_GET_FEATURE, 0, "", 0, &m), 0);
	ck_assert_uint_eq(m.type, XS_GET_FEATURE);
	ck_assert_str_eq(m.body, "0");
	raw_write(fd, 0, "/dp/a", "");
	raw_write(fd, 0, "/dp/bb", "");
	ck_assert_int_eq(xsd_call(fd, XS_DIRECTORY_PART, 0, "/dp\0" "0", 6, &m), 0);
	ck_assert_uint_eq(m.type, XS_DIRECTORY_PART);
	size_t gl = strlen(m.body) + 1;
	ck_assert_uint_eq(m.len, gl + 6);
	ck_assert_int_eq(memcmp(m.body + gl, "a\0bb\0\0", 6), 0);
	ck_assert_int_eq(xsd_call(fd, XS_DIRECTORY, 0, "/dp", 4, &m), 0);
	ck_assert_uint_eq(m.len, 5);
	ck_assert_int_eq(memcmp(m.body, "a\0bb\0", 5), 0);
	close(fd);
}
END_TEST

static uint32_t tx_start(int fd)
{
	struct xsd_msg m;
	ck_assert_int_eq(xsd_call(fd, XS_TRANSACTION_START, 0, "", 1, &m), 0);
	ck_assert_uint_eq(m.type, XS_TRANSACTION_START);
	ck_assert_uint_eq(m.tx_id, 0);
	uint32_t id = (uint32_t)strtoul(m.body, NULL, 10);
	ck_assert_uint_ne(id, 0);
	return id;
}

START_TEST(raw_transaction_conflict_is_eagain)
{
	int a = xsd_connect(&xi), b = xsd_connect(&xi);
	struct xsd_msg m;
	raw_write(b, 0, "/k", "0");
	uint32_t tx = tx_start(a);
	ck_assert_int_eq(xsd_call(a, XS_READ, tx, "/k", 3, &m), 0);
	ck_assert_uint_eq(m.tx_id, tx);
	ck_assert_str_eq(m.body, "0");
	raw_write(a, tx, "/k", "from-a");
	/* Reads see own writes; others see nothing before commit. */
	ck_assert_int_eq(xsd_call(a, XS_READ, tx, "/k", 3, &m), 0);
	ck_assert_str_eq(m.body, "from-a");
	ck_assert_int_eq(xsd_call(b, XS_READ, 0, "/k", 3, &m), 0);
	ck_assert_str_eq(m.body, "0");
	raw_write(b, 0, "/k", "from-b");
	ck_assert_int_eq(xsd_call(a, XS_TRANSACTION_END, tx, "T", 2, &m), 0);
	ck_assert_uint_eq(m.type, XS_ERROR);
	ck_assert_str_eq(m.body, "EAGAIN");
	ck_assert_int_eq(xsd_call(b, XS_READ, 0, "/k", 3, &m), 0);
	ck_assert_str_eq(m.body, "from-b");

	/* A retry without interference commits. */
	tx = tx_start(a);
	ck_assert_int_eq(xsd_call(a, XS_READ, tx, "/k", 3, &m), 0);
	raw_write(a, tx, "/k", "again");
	ck_assert_int_eq(xsd_call(a, XS_TRANSACTION_END, tx, "T", 2, &m), 0);
	ck_assert_str_eq(m.body, "OK");
	ck_assert_int_eq(xsd_call(b, XS_READ, 0, "/k", 3, &m), 0);
	ck_assert_str_eq(m.body, "again");

	/* Abort discards; nested start is EBUSY. */
	tx = tx_start(a);
	raw_write(a, tx, "/aborted", "x");
	ck_assert_int_eq(xsd_call(a, XS_TRANSACTION_START, tx, "", 1, &m), 0);
	ck_assert_str_eq(m.body, "EBUSY");
	ck_assert_int_eq(xsd_call(a, XS_TRANSACTION_END, tx, "F", 2, &m), 0);
	ck_assert_str_eq(m.body, "OK");
	ck_assert_int_eq(xsd_call(b, XS_READ, 0, "/aborted", 9, &m), 0);
	ck_assert_str_eq(m.body, "ENOENT");
	close(a);
	close(b);
}
END_TEST

START_TEST(raw_watch_ok_then_events)
{
	int w = xsd_connect(&xi), c = xsd_connect(&xi);
	struct xsd_msg m;
	xsd_send(w, XS_WATCH, 9, 0, "/wp\0tok", 8);
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_uint_eq(m.type, XS_WATCH);
	ck_assert_str_eq(m.body, "OK");
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_uint_eq(m.type, XS_WATCH_EVENT);
	ck_assert_uint_eq(m.req_id, 0);
	ck_assert_uint_eq(m.len, 8);
	ck_assert_int_eq(memcmp(m.body, "/wp\0tok\0", 8), 0);
	xsd_send(w, XS_WATCH, 10, 0, "/wp\0tok", 8);
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_str_eq(m.body, "EEXIST");
	raw_write(c, 0, "/wp/deep/x", "1");
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_uint_eq(m.type, XS_WATCH_EVENT);
	ck_assert_str_eq(m.body, "/wp/deep/x");
	/* Events inside a transaction wait for the commit. */
	uint32_t tx = tx_start(c);
	raw_write(c, tx, "/wp/t", "1");
	ck_assert_int_eq(xsd_recv(w, &m, 200), -1);
	ck_assert_int_eq(xsd_call(c, XS_TRANSACTION_END, tx, "T", 2, &m), 0);
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_str_eq(m.body, "/wp/t");
	/* Removing an ancestor fires the watch with its own path. */
	xsd_send(w, XS_WATCH, 11, 0, "/wp/deep/x\0t2", 14);
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_int_eq(xsd_call(c, XS_RM, 0, "/wp/deep", 9, &m), 0);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
		const char *tok = m.body + strlen(m.body) + 1;
		if (strcmp(tok, "t2") == 0 && strcmp(m.body, "/wp/deep/x") == 0)
			seen |= 1;
		if (strcmp(tok, "tok") == 0 && strcmp(m.body, "/wp/deep") == 0)
			seen |= 2;
	}
	ck_assert_int_eq(seen, 3);
	close(w);
	close(c);
}
END_TEST

START_TEST(raw_relative_watch_gets_relative_paths)
{
	int w = xsd_connect(&xi), c = xsd_connect(&xi);
	struct xsd_msg m;
	ck_assert_int_eq(xsd_call(w, XS_WATCH, 0, "rel\0t", 6, &m), 0);
	ck_assert_str_eq(m.body, "OK");
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_str_eq(m.body, "rel");
	raw_write(c, 0, "/local/domain/0/rel/x", "1");
	ck_assert_int_eq(xsd_recv(w, &m, 5000), 0);
	ck_assert_uint_eq(m.type, XS_WATCH_EVENT);
	ck_assert_str_eq(m.body, "rel/x");
	close(w);
	close(c);
}
END_TEST

/* A watcher that never reads is dropped once its queue passes the cap;
 * the writer is unaffected. */
START_TEST(raw_client_not_reading_is_disconnected)
{
	int w = xsd_connect(&xi), c = xsd_connect(&xi);
	static char req[4096];
	size_t l = (size_t)snprintf(req, sizeof(req), "/flood") + 1;
	memset(req + l, 't', 4000);
	req[l + 4000] = '\0';
	struct xsd_msg m;
	ck_assert_int_eq(xsd_call(w, XS_WATCH, 0, req, l + 4001, &m), 0);
	ck_assert_str_eq(m.body, "OK");
	/* ~4 KiB per event: 4 MiB of queue plus socket buffers. */
	for (int i = 0; i < 2500; i++)
		raw_write(c, 0, "/flood", "x");
	int eof = 0;
	for (int i = 0; i < 5000 && !eof; i++)
		eof = xsd_recv(w, &m, 2000) < 0;
	ck_assert_msg(eof, "watcher was never disconnected");
	raw_write(c, 0, "/flood", "still fine");
	close(w);
	close(c);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("xenstored");
	add(s, "write_read", clients_write_read_round_trip);
	add(s, "ls", clients_ls_shows_tree);
	add(s, "rm", clients_rm_removes_subtree);
	add(s, "exists", clients_exists_exit_code);
	add(s, "list", clients_list_children);
	add(s, "chmod", clients_chmod_then_get_perms);
	add(s, "watch", clients_watch_gets_initial_and_write_events);
	add(s, "split", raw_split_header_and_payload);
	add(s, "oversized", raw_oversized_payload_closes_only_that_connection);
	add(s, "enosys", raw_unknown_type_is_enosys_with_echoed_header);
	add(s, "errors", raw_error_names_and_acks);
	add(s, "transaction", raw_transaction_conflict_is_eagain);
	add(s, "watch_raw", raw_watch_ok_then_events);
	add(s, "watch_relative", raw_relative_watch_gets_relative_paths);
	add(s, "slow_reader", raw_client_not_reading_is_disconnected);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
