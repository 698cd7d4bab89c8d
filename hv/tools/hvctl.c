/* hvctl.c - a small Dom0 tool over libxenctl for running and inspecting PV
 * domains directly on hv (the demo and the tests use it; `xl` is the full
 * toolstack). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenctl.h>

static const char *const reasons[] = {"poweroff", "reboot",   "suspend",
				      "crash",    "watchdog", "soft_reset"};

static int die(xenctl_handle *h, const char *what)
{
	fprintf(stderr, "hvctl: %s: %s\n", what,
		h && xenctl_last_error(h)[0] ? xenctl_last_error(h) : strerror(errno));
	return 1;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v > 0xffffffffu)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void state_str(const struct priv_dominfo *i, char out[7])
{
	uint32_t f = i->flags;
	snprintf(out, 7, "%c%c%c%c%c%c", f & XEN_DOMINF_running ? 'r' : '-',
		 f & XEN_DOMINF_blocked ? 'b' : '-', f & XEN_DOMINF_paused ? 'p' : '-',
		 f & XEN_DOMINF_shutdown ? 's' : '-',
		 f & XEN_DOMINF_shutdown
			 ? "-rscwS"[(f >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask]
			 : '-',
		 f & XEN_DOMINF_dying ? 'd' : '-');
}

static int cmd_list(xenctl_handle *h)
{
	static struct priv_dominfo info[4096];
	int n = xenctl_domain_list(h, 0, info, 4096);
	if (n < 0)
		return die(h, "list");
	printf("%-40s %5s %5s %5s     %-6s  %8s\n", "Name", "ID", "Mem", "VCPUs", "State",
	       "Time(s)");
	for (int i = 0; i < n; i++) {
		char st[7];
		state_str(&info[i], st);
		printf("%-40s %5u %5llu %5u     %s  %8.1f\n", info[i].name, info[i].domid,
		       (unsigned long long)(info[i].tot_pages * 4 / 1024), info[i].nr_online_vcpus,
		       st, (double)info[i].cpu_time_ns / 1e9);
	}
	return 0;
}

/* Prints new console bytes of domid from *off. */
static int drain_console(xenctl_handle *h, uint32_t domid, uint64_t *off)
{
	char buf[16384];
	for (;;) {
		int n = xenctl_console_read(h, domid, off, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}

/* Follows a domain's console until it shuts down (or vanishes). Returns the
 * shutdown reason, or -1. */
static int follow(xenctl_handle *h, uint32_t domid, int quiet)
{
	uint64_t off = 0;
	int con = xenctl_evtchn_bind_virq(h, VIRQ_CONSOLE);
	int exc = xenctl_evtchn_bind_virq(h, VIRQ_DOM_EXC);
	if (con < 0 || exc < 0)
		return die(h, "bind VIRQs"), -1;
	struct pollfd pfd = {.fd = xenctl_evtchn_fd(h), .events = POLLIN};
	for (;;) {
		struct priv_dominfo info;
		if (!quiet && drain_console(h, domid, &off) < 0)
			return -1;
		if (xenctl_domain_getinfo(h, domid, &info) < 0)
			return -1;
		if (info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)) {
			if (!quiet)
				drain_console(h, domid, &off);
			return info.flags & XEN_DOMINF_shutdown
				       ? (int)((info.flags >> XEN_DOMINF_shutdownshift) & 0xff)
				       : -1;
		}
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -1;
		int port;
		while ((port = xenctl_evtchn_pending(h)) >= 0)
			xenctl_evtchn_unmask(h, (evtchn_port_t)port);
	}
}

static volatile sig_atomic_t interrupted;
static void on_sigint(int s)
{
	(void)s;
	interrupted = 1;
}

static int cmd_run(xenctl_handle *h, int argc, char **argv)
{
	struct xenctl_domain_config cfg = {.memory_kb = 32 * 1024, .vcpus = 1};
	const char *cmdline = "", *name = NULL;
	int paused = 0, detach = 0, keep = 0, quiet = 0;
	static const struct option opts[] = {
		{"memory", required_argument, NULL, 'm'}, {"maxmem", required_argument, NULL, 'M'},
		{"vcpus", required_argument, NULL, 'c'},  {"cmdline", required_argument, NULL, 'C'},
		{"name", required_argument, NULL, 'n'},   {"paused", no_argument, NULL, 'p'},
		{"detach", no_argument, NULL, 'd'},       {"keep", no_argument, NULL, 'k'},
		{"quiet", no_argument, NULL, 'q'},        {NULL, 0, NULL, 0},
	};
	int c;
	uint32_t v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:M:c:C:n:pdkq", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
		case 'M':
			if (parse_u32(optarg, &v) < 0 || v == 0) {
				fprintf(stderr, "hvctl: bad memory size (MiB): '%s'\n", optarg);
				return 2;
			}
			*(c == 'm' ? &cfg.memory_kb : &cfg.maxmem_kb) = (uint64_t)v * 1024;
			break;
		case 'c':
			if (parse_u32(optarg, &cfg.vcpus) < 0) {
				fprintf(stderr, "hvctl: bad vcpu count: '%s'\n", optarg);
				return 2;
			}
			break;
		case 'C':
			cmdline = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			paused = 1;
			break;
		case 'd':
			detach = 1;
			break;
		case 'k':
			keep = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: hvctl run [options] KERNEL\n");
		return 2;
	}
	const char *kernel = argv[optind];
	cfg.name = name ? name : kernel;
	if (name == NULL) {
		const char *s = strrchr(kernel, '/');
		cfg.name = s ? s + 1 : kernel;
	}
	uint32_t domid;
	if (xenctl_domain_create(h, &cfg, &domid) < 0)
		return die(h, "create");
	if (xenctl_domain_launch_pv(h, domid, kernel, cmdline) < 0) {
		int rc = die(h, "load kernel");
		xenctl_domain_destroy(h, domid);
		return rc;
	}
	if (!paused && xenctl_domain_unpause(h, domid) < 0)
		return die(h, "unpause");
	if (detach || paused) {
		printf("%u\n", domid);
		return 0;
	}
	signal(SIGINT, on_sigint);
	int reason = follow(h, domid, quiet);
	if (reason < 0)
		return die(h, "console");
	fprintf(stderr, "hvctl: domain %u shut down: %s\n", domid,
		reason <= 5 ? reasons[reason] : "unknown");
	if (!keep)
		xenctl_domain_destroy(h, domid);
	return reason == 0 ? 0 : 3;
}

static int cmd_console(xenctl_handle *h, uint32_t domid)
{
	int reason = follow(h, domid, 0);
	return reason < 0 ? die(h, "console") : 0;
}

static int cmd_dmesg(xenctl_handle *h, int clear)
{
	uint64_t off = 0;
	char buf[16384];
	int n;
	while ((n = xenctl_dmesg_read(h, &off, buf, sizeof(buf), clear)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return n < 0 ? die(h, "dmesg") : 0;
}

static int cmd_info(xenctl_handle *h)
{
	struct priv_physinfo pi;
	struct priv_version ver;
	if (xenctl_physinfo(h, &pi) < 0 || xenctl_version(h, &ver) < 0)
		return die(h, "info");
	printf("%-23s: %s\n", "host", pi.host);
	printf("%-23s: %s\n", "release", pi.release);
	printf("%-23s: %s\n", "machine", pi.machine);
	printf("%-23s: %u\n", "nr_cpus", pi.nr_cpus);
	printf("%-23s: %u\n", "cpu_mhz", pi.cpu_khz / 1000);
	printf("%-23s: %llu\n", "total_memory", (unsigned long long)(pi.total_pages * 4 / 1024));
	printf("%-23s: %llu\n", "free_memory", (unsigned long long)(pi.free_pages * 4 / 1024));
	printf("%-23s: %u\n", "nr_domains", pi.nr_domains);
	printf("%-23s: %u.%u%s\n", "xen_version", ver.major, ver.minor, ver.extra);
	printf("%-23s: %s\n", "xen_caps", ver.caps);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvctl [--root DIR] COMMAND [ARGS]\n"
		"  run [--memory MiB] [--maxmem MiB] [--vcpus N] [--cmdline S] [--name N]\n"
		"      [--paused|--detach] [--keep] [--quiet] KERNEL\n"
		"                  create a PV domain, show its console until it shuts down\n"
		"  list            list domains\n"
		"  console DOMID   follow a domain's console until it shuts down\n"
		"  pause|unpause|destroy DOMID\n"
		"  shutdown DOMID REASON   (poweroff, reboot, crash ...)\n"
		"  dmesg [-c]      print (and clear) the hypervisor log\n"
		"  info            host and hypervisor information\n");
}

int main(int argc, char **argv)
{
	const char *root = NULL;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "--root") == 0) {
		root = argv[2];
		i = 3;
	}
	if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	xenctl_handle *h = xenctl_open(root);
	if (!h) {
		fprintf(stderr, "hvctl: cannot reach hv (is hvd running?): %s\n", strerror(errno));
		return 1;
	}
	const char *cmd = argv[i];
	int rest = argc - i;
	uint32_t domid = 0;
	int rc = 2;
	if (rest >= 2 && strcmp(cmd, "run") != 0 && parse_u32(argv[i + 1], &domid) < 0) {
		fprintf(stderr, "hvctl: bad domain id '%s'\n", argv[i + 1]);
		goto out;
	}
	if (strcmp(cmd, "run") == 0)
		rc = cmd_run(h, rest, argv + i);
	else if (strcmp(cmd, "list") == 0 && rest == 1)
		rc = cmd_list(h);
	else if (strcmp(cmd, "info") == 0 && rest == 1)
		rc = cmd_info(h);
	else if (strcmp(cmd, "dmesg") == 0 && rest <= 2)
		rc = cmd_dmesg(h, rest == 2 && strcmp(argv[i + 1], "-c") == 0);
	else if (strcmp(cmd, "console") == 0 && rest == 2)
		rc = cmd_console(h, domid);
	else if (strcmp(cmd, "pause") == 0 && rest == 2)
		rc = xenctl_domain_pause(h, domid) < 0 ? die(h, "pause") : 0;
	else if (strcmp(cmd, "unpause") == 0 && rest == 2)
		rc = xenctl_domain_unpause(h, domid) < 0 ? die(h, "unpause") : 0;
	else if (strcmp(cmd, "destroy") == 0 && rest == 2)
		rc = xenctl_domain_destroy(h, domid) < 0 ? die(h, "destroy") : 0;
	else if (strcmp(cmd, "shutdown") == 0 && rest == 3) {
		uint32_t r;
		for (r = 0; r <= 5 && strcmp(reasons[r], argv[i + 2]) != 0; r++)
			;
		if (r > 5)
			fprintf(stderr, "hvctl: unknown shutdown reason '%s'\n", argv[i + 2]);
		else
			rc = xenctl_domain_shutdown(h, domid, r) < 0 ? die(h, "shutdown") : 0;
	} else
		usage(stderr);
out:
	xenctl_close(h);
	return rc;
}
