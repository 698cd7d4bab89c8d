/* test_hvd.c - hvd end to end: real runners in their sandboxes, real guests,
 * Dom0 through libxenctl. Each test case gets its own hvd under a temporary
 * root, stopped even when a test fails. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct hvd_instance hi;
static xenctl_handle *h;
static char out[65536];

static void start(void)
{
	static const char *const args[] = {"--guest-memory", "1024", NULL};
	ck_assert_msg(hvd_start(&hi, args) == 0, "hvd did not start");
}

/* Without standby runners every domain start spawns its runner. */
static void start_without_pool(void)
{
	static const char *const args[] = {"--guest-memory", "1024", "--runner-pool", "0", NULL};
	ck_assert_msg(hvd_start(&hi, args) == 0, "hvd did not start");
}

static void stop(void)
{
	hvd_stop(&hi);
}

static void open_handle(void)
{
	h = xenctl_open(hi.root);
	ck_assert_msg(h != NULL, "cannot connect to hvd: %s", strerror(errno));
	out[0] = '\0';
}

/* Each test leaves a clean hypervisor behind: no DomU survives it. */
static void close_handle(void)
{
	static struct priv_dominfo list[256];
	int n = xenctl_domain_list(h, 1, list, 256);
	for (int i = 0; i < n; i++)
		xenctl_domain_destroy(h, list[i].domid);
	xenctl_close(h);
	h = NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* Polls until the domain reaches one of the flags, or 5 s pass. */
static uint32_t wait_flags(uint32_t domid, uint32_t want)
{
	struct priv_dominfo info = {0};
	for (int i = 0; i < 500; i++) {
		if (xenctl_domain_getinfo(h, domid, &info) == 0 && (info.flags & want))
			return info.flags;
		sleep_ms(10);
	}
	return info.flags;
}

START_TEST(hello_prints_and_powers_off)
{
	int domid = run_guest(h, "hello", "", 8, 1, 0);
	ck_assert_msg(domid > 0, "run: %s", xenctl_last_error(h));
	ck_assert_int_eq(wait_shutdown(h, (uint32_t)domid, out, sizeof(out), 10000),
			 SHUTDOWN_poweroff);
	char want[64];
	snprintf(want, sizeof(want), "Hello from Xenlite domain %d!", domid);
	ck_assert_msg(strstr(out, want), "console was: %s", out);
	ck_assert_int_eq(xenctl_domain_destroy(h, (uint32_t)domid), 0);
	struct priv_dominfo info;
	for (int i = 0; i < 100 && xenctl_domain_getinfo(h, (uint32_t)domid, &info) == 0; i++)
		sleep_ms(10);
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &info), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

START_TEST(selftest_guest_passes_every_check)
{
	int domid = run_guest(h, "selftest", "", 8, 2, 0);
	ck_assert_msg(domid > 0, "run: %s", xenctl_last_error(h));
	ck_assert_int_eq(wait_shutdown(h, (uint32_t)domid, out, sizeof(out), 20000),
			 SHUTDOWN_poweroff);
	ck_assert_msg(strstr(out, "selftest: ") != NULL, "no summary; console: %s", out);
	ck_assert_msg(strstr(out, "FAIL") == NULL, "console: %s", out);
	ck_assert_msg(strstr(out, " 0 failed") != NULL, "console: %s", out);
}
END_TEST

START_TEST(forbidden_syscall_kills_only_that_guest)
{
	int spin = run_guest(h, "spin", "", 8, 1, 0);
	ck_assert_int_gt(spin, 0);
	int bad = run_guest(h, "forbidden", "", 8, 1, 0);
	ck_assert_msg(bad > 0, "run: %s", xenctl_last_error(h));
	ck_assert_int_eq(wait_shutdown(h, (uint32_t)bad, out, sizeof(out), 10000), SHUTDOWN_crash);
	ck_assert_msg(strstr(out, "about to make a forbidden syscall"), "console: %s", out);
	ck_assert_msg(strstr(out, "still alive") == NULL, "console: %s", out);
	struct priv_dominfo info;
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)spin, &info), 0);
	ck_assert_uint_eq(info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying), 0);
	ck_assert_int_gt(info.runner_pid, 0);
	ck_assert_int_eq(kill(info.runner_pid, 0), 0);
	read_dmesg(h, out, sizeof(out));
	ck_assert_msg(strstr(out, "forbidden system call"), "dmesg: %s", out);
}
END_TEST

START_TEST(malformed_kernels_are_refused_with_a_reason)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/garbage.elf", hi.root);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("this is not an ELF file at all, just text\n", f);
	fclose(f);
	struct xenctl_domain_config cfg = {.memory_kb = 8192, .vcpus = 1, .name = "bad"};
	uint32_t domid;
	ck_assert_int_eq(xenctl_domain_create(h, &cfg, &domid), 0);
	ck_assert_int_eq(xenctl_domain_launch_pv(h, domid, path, ""), -1);
	ck_assert_msg(strstr(xenctl_last_error(h), "ELF"), "error: %s", xenctl_last_error(h));
	ck_assert_int_eq(xenctl_domain_destroy(h, domid), 0);
	/* a missing file is the caller's error, before hv is asked */
	ck_assert_int_eq(xenctl_domain_create(h, &cfg, &domid), 0);
	ck_assert_int_eq(xenctl_domain_launch_pv(h, domid, "/nonexistent/kernel", ""), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* a second kernel for the same domain is refused */
	ck_assert_int_eq(xenctl_domain_launch_pv(h, domid, guest_path("hello"), ""), 0);
	ck_assert_int_eq(xenctl_domain_launch_pv(h, domid, guest_path("hello"), ""), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(xenctl_domain_destroy(h, domid), 0);
}
END_TEST

START_TEST(pause_freezes_a_busy_guest_and_unpause_resumes_it)
{
	int domid = run_guest(h, "spin", "", 8, 1, 0);
	ck_assert_int_gt(domid, 0);
	struct priv_dominfo a, b;
	sleep_ms(100);
	ck_assert_int_eq(xenctl_domain_pause(h, (uint32_t)domid), 0);
	ck_assert(wait_flags((uint32_t)domid, XEN_DOMINF_paused) & XEN_DOMINF_paused);
	sleep_ms(50); /* let the stop land */
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &a), 0);
	sleep_ms(300);
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &b), 0);
	/* a paused guest gets no CPU at all (allow scheduler accounting slack) */
	ck_assert_msg(b.cpu_time_ns - a.cpu_time_ns < 20000000ull, "ran %llu ns while paused",
		      (unsigned long long)(b.cpu_time_ns - a.cpu_time_ns));
	ck_assert_int_eq(xenctl_domain_unpause(h, (uint32_t)domid), 0);
	sleep_ms(300);
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &a), 0);
	ck_assert_uint_eq(a.flags & XEN_DOMINF_paused, 0);
	ck_assert_msg(a.cpu_time_ns - b.cpu_time_ns > 50000000ull, "spin did not run: %llu ns",
		      (unsigned long long)(a.cpu_time_ns - b.cpu_time_ns));
}
END_TEST

START_TEST(destroy_leaves_no_runner_behind)
{
	int domid = run_guest(h, "spin", "", 8, 2, 0);
	ck_assert_int_gt(domid, 0);
	struct priv_dominfo info;
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &info), 0);
	pid_t pid = info.runner_pid;
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(xenctl_domain_destroy(h, (uint32_t)domid), 0);
	int gone = 0;
	for (int i = 0; i < 200 && !gone; i++) {
		gone = xenctl_domain_getinfo(h, (uint32_t)domid, &info) < 0 && errno == ESRCH;
		sleep_ms(10);
	}
	ck_assert(gone);
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* the next domain gets a new id */
	int next = run_guest(h, "spin", "", 8, 1, 1);
	ck_assert_int_gt(next, domid);
}
END_TEST

START_TEST(unprivileged_callers_get_eperm)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		xenctl_handle *u = xenctl_open(hi.root);
		if (!u)
			_exit(11);
		struct priv_physinfo pi;
		if (xenctl_physinfo(u, &pi) != -1 || errno != EPERM)
			_exit(12);
		uint32_t domid;
		struct xenctl_domain_config cfg = {.memory_kb = 8192, .vcpus = 1};
		if (xenctl_domain_create(u, &cfg, &domid) != -1 || errno != EPERM)
			_exit(13);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	struct priv_physinfo pi;
	ck_assert_int_eq(xenctl_physinfo(h, &pi), 0);
}
END_TEST

START_TEST(domains_outlive_the_client_that_made_them)
{
	xenctl_handle *h2 = xenctl_open(hi.root);
	ck_assert_ptr_nonnull(h2);
	int domid = run_guest(h2, "spin", "", 8, 1, 0);
	ck_assert_int_gt(domid, 0);
	ck_assert_int_ge(xenctl_evtchn_bind_virq(h2, VIRQ_DOM_EXC), 0);
	xenctl_close(h2); /* as if the toolstack crashed */
	sleep_ms(100);
	struct priv_dominfo info;
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &info), 0);
	ck_assert_uint_eq(info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying), 0);
	ck_assert_int_eq(kill(info.runner_pid, 0), 0);
	/* the closed client's VIRQ binding went with it: we can bind it now */
	ck_assert_int_ge(xenctl_evtchn_bind_virq(h, VIRQ_DOM_EXC), 0);
}
END_TEST

START_TEST(memory_exhaustion_is_refused_clearly)
{
	struct xenctl_domain_config cfg = {.memory_kb = 2048ull * 1024, .vcpus = 1, .name = "big"};
	uint32_t domid;
	ck_assert_int_eq(xenctl_domain_create(h, &cfg, &domid), -1);
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_msg(strstr(xenctl_last_error(h), "not enough memory"), "error: %s",
		      xenctl_last_error(h));
	/* 1 GiB for guests: three of 300 MiB fit, the fourth does not */
	cfg.memory_kb = 300 * 1024;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(xenctl_domain_create(h, &cfg, &domid), 0);
	ck_assert_int_eq(xenctl_domain_create(h, &cfg, &domid), -1);
	ck_assert_int_eq(errno, ENOMEM);
	struct priv_physinfo pi;
	ck_assert_int_eq(xenctl_physinfo(h, &pi), 0);
	ck_assert_uint_eq(pi.free_pages, (1024ull - 900) * 256);
	/* what is left still runs a guest (here through a freshly spawned runner) */
	int hello = run_guest(h, "hello", "", 8, 1, 0);
	ck_assert_msg(hello > 0, "run: %s", xenctl_last_error(h));
	ck_assert_int_eq(wait_shutdown(h, (uint32_t)hello, out, sizeof(out), 10000),
			 SHUTDOWN_poweroff);
	ck_assert_msg(strstr(out, "Hello from Xenlite"), "console: %s", out);
}
END_TEST

START_TEST(pingpong_round_trips_between_two_domains)
{
	struct xenctl_domain_config cfg = {.memory_kb = 8192, .vcpus = 1, .name = "pong"};
	uint32_t pong, ping;
	char cmd[128];

	ck_assert_int_eq(xenctl_domain_create(h, &cfg, &pong), 0);
	cfg.name = "ping";
	ck_assert_int_eq(xenctl_domain_create(h, &cfg, &ping), 0);
	int port = xenctl_evtchn_alloc_unbound(h, pong, ping);
	ck_assert_msg(port > 0, "alloc_unbound: %s", xenctl_last_error(h));
	snprintf(cmd, sizeof(cmd), "role=pong port=%d count=1000", port);
	ck_assert_int_eq(xenctl_domain_launch_pv(h, pong, guest_path("pingpong"), cmd), 0);
	snprintf(cmd, sizeof(cmd), "role=ping peer=%u port=%d count=1000", pong, port);
	ck_assert_int_eq(xenctl_domain_launch_pv(h, ping, guest_path("pingpong"), cmd), 0);
	ck_assert_int_eq(xenctl_domain_unpause(h, pong), 0);
	ck_assert_int_eq(xenctl_domain_unpause(h, ping), 0);
	ck_assert_int_eq(wait_shutdown(h, ping, out, sizeof(out), 30000), SHUTDOWN_poweroff);
	ck_assert_msg(strstr(out, "pingpong: rounds=1000 "), "ping console: %s", out);
	out[0] = '\0';
	ck_assert_int_eq(wait_shutdown(h, pong, out, sizeof(out), 10000), SHUTDOWN_poweroff);
}
END_TEST

START_TEST(affinity_weight_and_cap_reach_the_host_scheduler)
{
	int domid = run_guest(h, "spin", "", 8, 1, 0);
	ck_assert_int_gt(domid, 0);
	ck_assert_int_eq(xenctl_vcpu_setaffinity(h, (uint32_t)domid, 0, 1), 0);
	struct priv_vcpuinfo vi;
	sleep_ms(100);
	ck_assert_int_eq(xenctl_vcpu_getinfo(h, (uint32_t)domid, 0, &vi), 0);
	ck_assert_uint_eq(vi.affinity, 1);
	ck_assert_uint_eq(vi.cpu, 0);
	ck_assert_int_eq(xenctl_vcpu_setaffinity(h, (uint32_t)domid, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(xenctl_vcpu_setaffinity(h, (uint32_t)domid, 5, 1), -1);
	ck_assert_int_eq(xenctl_sched_set(h, (uint32_t)domid, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(xenctl_sched_set(h, (uint32_t)domid, 256, 500), -1);
	ck_assert_int_eq(errno, EINVAL);
	int rc = xenctl_sched_set(h, (uint32_t)domid, 512, 20);
	if (rc < 0 && errno == EOPNOTSUPP)
		return; /* no cpu cgroup on this host: said so, nothing more to check */
	ck_assert_msg(rc == 0, "sched_set: %s", xenctl_last_error(h));
	uint32_t w, c;
	ck_assert_int_eq(xenctl_sched_get(h, (uint32_t)domid, &w, &c), 0);
	ck_assert_uint_eq(w, 512);
	ck_assert_uint_eq(c, 20);
	/* a 20% cap holds a busy guest well below one CPU */
	struct priv_dominfo a, b;
	sleep_ms(200);
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &a), 0);
	sleep_ms(1000);
	ck_assert_int_eq(xenctl_domain_getinfo(h, (uint32_t)domid, &b), 0);
	ck_assert_msg(b.cpu_time_ns - a.cpu_time_ns < 450000000ull, "capped guest ran %llu ns in 1 s",
		      (unsigned long long)(b.cpu_time_ns - a.cpu_time_ns));
}
END_TEST

START_TEST(hostile_privcmd_messages_get_errors_and_hvd_lives)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/run/xenlite/privcmd", hi.root);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct priv_reply rep;
	/* too short for a header */
	ck_assert_int_eq(send(fd, "ab", 2, 0), 2);
	ck_assert_int_ge(recv(fd, &rep, sizeof(rep), 0), (ssize_t)sizeof(rep) - 200);
	ck_assert_int_eq(rep.err, EPROTO);
	/* unknown op */
	struct priv_hdr hdr = {.op = 9999, .len = 0, .req_id = 5};
	ck_assert_int_eq(send(fd, &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	ck_assert_int_ge(recv(fd, &rep, sizeof(rep), 0), 16);
	ck_assert_int_eq(rep.err, ENOSYS);
	ck_assert_uint_eq(rep.req_id, 5);
	/* wrong argument size */
	struct {
		struct priv_hdr h;
		uint8_t junk[3];
	} m = {{.op = PRIV_DOMAIN_CREATE, .len = 3, .req_id = 6}, {1, 2, 3}};
	ck_assert_int_eq(send(fd, &m, sizeof(m.h) + 3, 0), (ssize_t)(sizeof(m.h) + 3));
	ck_assert_int_ge(recv(fd, &rep, sizeof(rep), 0), 16);
	ck_assert_int_eq(rep.err, EINVAL);
	ck_assert_msg(strstr(rep.msg, "create"), "msg: %s", rep.msg);
	/* lies about the domain: Dom0, an id beyond the domid space */
	uint8_t msg[sizeof(struct priv_hdr) + sizeof(struct priv_domid)];
	struct priv_hdr dh = {.op = PRIV_DOMAIN_DESTROY, .len = sizeof(struct priv_domid), .req_id = 7};
	struct priv_domid did = {.domid = 0};
	memcpy(msg, &dh, sizeof(dh));
	memcpy(msg + sizeof(dh), &did, sizeof(did));
	ck_assert_int_eq(send(fd, msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	ck_assert_int_ge(recv(fd, &rep, sizeof(rep), 0), 16);
	ck_assert_msg(rep.err == EINVAL && strstr(rep.msg, "Domain-0"), "err %d: %s", rep.err,
		      rep.msg);
	did.domid = 0xffffffff;
	memcpy(msg + sizeof(dh), &did, sizeof(did));
	ck_assert_int_eq(send(fd, msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	ck_assert_int_ge(recv(fd, &rep, sizeof(rep), 0), 16);
	ck_assert_msg(rep.err == ESRCH, "err %d: %s", rep.err, rep.msg);
	close(fd);
	/* hvd still serves everyone else */
	struct priv_physinfo pi;
	ck_assert_int_eq(xenctl_physinfo(h, &pi), 0);
}
END_TEST

START_TEST(dmesg_records_domain_lifecycle)
{
	int domid = run_guest(h, "hello", "", 8, 1, 0);
	ck_assert_int_gt(domid, 0);
	ck_assert_int_eq(wait_shutdown(h, (uint32_t)domid, out, sizeof(out), 10000),
			 SHUTDOWN_poweroff);
	read_dmesg(h, out, sizeof(out));
	char want[64];
	snprintf(want, sizeof(want), "d%d: shut down: poweroff", domid);
	ck_assert_msg(strstr(out, "(XEN) [") && strstr(out, want), "dmesg: %s", out);
	uint64_t off = 0;
	char tmp[8192];
	ck_assert_int_gt(xenctl_dmesg_read(h, &off, tmp, sizeof(tmp), 1), 0);
	off = 0;
	ck_assert_int_eq(xenctl_dmesg_read(h, &off, tmp, sizeof(tmp), 0), 0);
}
END_TEST


/* Reads the console into out until it contains want (or 10 s pass). */
static bool console_until(uint32_t domid, const char *want)
{
	uint64_t off = 0;
	size_t used = 0;
	for (int i = 0; i < 1000; i++) {
		int n = xenctl_console_read(h, domid, &off, out + used, sizeof(out) - 1 - used);
		if (n > 0)
			used += (size_t)n;
		out[used] = '\0';
		if (strstr(out, want))
			return true;
		sleep_ms(10);
	}
	return false;
}

START_TEST(dom0_maps_and_copies_guest_grants)
{
	int domid = run_guest(h, "granter", "", 8, 1, 0);
	ck_assert_msg(domid > 0, "run: %s", xenctl_last_error(h));
	ck_assert_msg(console_until((uint32_t)domid, "granter: rw="), "console: %s", out);
	int rw, ro;
	ck_assert_int_eq(sscanf(strstr(out, "granter: rw="), "granter: rw=%d ro=%d", &rw, &ro), 2);
	char want[64];

	/* a read-only grant cannot be mapped writable, and no ref is granted twice */
	ck_assert_ptr_null(xenctl_gnttab_map(h, (uint32_t)domid, (grant_ref_t)ro, 1));
	ck_assert_ptr_null(xenctl_gnttab_map(h, (uint32_t)domid, 4000, 0));
	ck_assert_ptr_null(xenctl_gnttab_map(h, 999, (grant_ref_t)rw, 0));
	ck_assert_int_eq(errno, ESRCH);
	char *p_ro = xenctl_gnttab_map(h, (uint32_t)domid, (grant_ref_t)ro, 0);
	ck_assert_msg(p_ro != NULL, "map ro: %s", xenctl_last_error(h));
	snprintf(want, sizeof(want), "xenlite grant %d ro", domid);
	ck_assert_str_eq(p_ro, want);

	/* grant copy into a Dom0 buffer reads the same bytes */
	char buf[64] = {0};
	struct gnttab_copy op = {.len = 32, .flags = GNTCOPY_source_gref};
	op.source.u.ref = (grant_ref_t)ro;
	op.source.domid = (domid_t)domid;
	op.dest.domid = DOMID_SELF;
	op.dest.u.gmfn = 0;
	ck_assert_int_eq(xenctl_gnttab_copy(h, &op, 1, buf, sizeof(buf)), 0);
	ck_assert_int_eq(op.status, GNTST_okay);
	ck_assert_str_eq(buf, want);
	/* copying into a read-only grant is refused, as Xen does */
	op.flags = GNTCOPY_dest_gref;
	op.dest.u.ref = (grant_ref_t)ro;
	op.dest.domid = (domid_t)domid;
	op.source.domid = DOMID_SELF;
	op.source.u.gmfn = 0;
	ck_assert_int_eq(xenctl_gnttab_copy(h, &op, 1, buf, sizeof(buf)), 0);
	ck_assert_int_eq(op.status, GNTST_general_error);

	char *p_rw = xenctl_gnttab_map(h, (uint32_t)domid, (grant_ref_t)rw, 1);
	ck_assert_msg(p_rw != NULL, "map rw: %s", xenctl_last_error(h));
	snprintf(want, sizeof(want), "xenlite grant %d rw", domid);
	ck_assert_str_eq(p_rw, want);
	strcpy(p_rw + 1024, "dom0: hello through a grant mapping");
	ck_assert_msg(console_until((uint32_t)domid, "granter: dom0 wrote: dom0: hello"),
		      "console: %s", out);
	/* the guest cannot end its grants while they are mapped */
	sleep_ms(50);
	ck_assert(strstr(out, "grants ended") == NULL);
	ck_assert_int_eq(xenctl_gnttab_unmap(h, p_rw), 0);
	ck_assert_int_eq(xenctl_gnttab_unmap(h, p_ro), 0);
	ck_assert_int_eq(xenctl_gnttab_unmap(h, p_ro), -1);
	ck_assert_int_eq(wait_shutdown(h, (uint32_t)domid, out, sizeof(out), 10000),
			 SHUTDOWN_poweroff);
	ck_assert_msg(strstr(out, "granter: grants ended"), "console: %s", out);
}
END_TEST

START_TEST(guest_grant_copies_move_the_data)
{
	int domid = run_guest(h, "copybench", "batches=50", 16, 1, 0);
	ck_assert_msg(domid > 0, "run: %s", xenctl_last_error(h));
	ck_assert_int_eq(wait_shutdown(h, (uint32_t)domid, out, sizeof(out), 20000),
			 SHUTDOWN_poweroff);
	ck_assert_msg(strstr(out, "copybench: batch=64 size=4096 batches=50 "), "console: %s", out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hvd");
	TCase *tc = tcase_create("hvd");
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_add_checked_fixture(tc, open_handle, close_handle);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, hello_prints_and_powers_off);
	tcase_add_test(tc, selftest_guest_passes_every_check);
	tcase_add_test(tc, forbidden_syscall_kills_only_that_guest);
	tcase_add_test(tc, malformed_kernels_are_refused_with_a_reason);
	tcase_add_test(tc, pause_freezes_a_busy_guest_and_unpause_resumes_it);
	tcase_add_test(tc, destroy_leaves_no_runner_behind);
	tcase_add_test(tc, unprivileged_callers_get_eperm);
	tcase_add_test(tc, domains_outlive_the_client_that_made_them);
	tcase_add_test(tc, pingpong_round_trips_between_two_domains);
	tcase_add_test(tc, affinity_weight_and_cap_reach_the_host_scheduler);
	tcase_add_test(tc, hostile_privcmd_messages_get_errors_and_hvd_lives);
	tcase_add_test(tc, dmesg_records_domain_lifecycle);
	tcase_add_test(tc, dom0_maps_and_copies_guest_grants);
	tcase_add_test(tc, guest_grant_copies_move_the_data);
	suite_add_tcase(s, tc);
	/* memory accounting needs a fresh hvd with nothing else running */
	TCase *mem = tcase_create("memory");
	tcase_add_unchecked_fixture(mem, start_without_pool, stop);
	tcase_add_checked_fixture(mem, open_handle, close_handle);
	tcase_add_test(mem, memory_exhaustion_is_refused_clearly);
	suite_add_tcase(s, mem);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
