/* main.c - hvd: the hypervisor daemon. Owns the domain table (libhv), the
 * privileged Dom0 socket and every PV runner. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvd.h"

void hvd_timer_init(struct hvd *h);

void hvd_log(struct hvd *h, const char *fmt, ...)
{
	if (!h->log)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(h->log, "%s.%06ldZ hvd: ", when, ts.tv_nsec / 1000);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(h->log, fmt, ap);
	va_end(ap);
	fputc('\n', h->log);
	fflush(h->log);
}

static int mkdirs(const char *path, mode_t mode)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The runner sits next to hvd in the build tree (../runner/pvrun) or in
 * the same directory once installed. */
static void find_pvrun(struct hvd *h)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	const char *cands[] = {"../runner/pvrun", "pvrun", "../libexec/xenlite/pvrun"};
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		char p[PATH_MAX + 64];
		snprintf(p, sizeof(p), "%s/%s", self, cands[i]);
		if (access(p, X_OK) == 0 && realpath(p, h->pvrun))
			return;
	}
}

/* One empty network namespace, made once, that every runner joins: guests
 * see no network, and a runner start does not pay for a new namespace.
 * Needs CAP_SYS_ADMIN; without it runners make their own (and fail if they
 * cannot, which is then reported per domain). */
static int sandbox_netns(void)
{
	int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int empty = -1;

	if (host < 0)
		return -1;
	if (unshare(CLONE_NEWNET) == 0) {
		empty = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (setns(host, CLONE_NEWNET) < 0) {
			/* hvd itself must stay in the host's namespace */
			fprintf(stderr, "hvd: cannot return to the host network namespace: %s\n",
				strerror(errno));
			exit(1);
		}
	}
	close(host);
	return empty;
}

static void on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	runner_reap_children(arg);
}

static void on_term(evutil_socket_t sig, short what, void *arg)
{
	struct hvd *h = arg;
	(void)what;
	hvd_log(h, "signal %d: stopping", (int)sig);
	h->stopping = true;
	event_base_loopbreak(h->base);
}

/*
 * The event loop. After serving a request hvd keeps polling for spin_ns
 * before it sleeps: in request/response exchanges between domains (event
 * channels, block/wake) the next request usually follows within a few
 * microseconds, and catching it without a sleep/wake-up pair halves the
 * round trip. An idle hv sleeps as usual.
 */
static void run_loop(struct hvd *h)
{
	uint64_t last = 0;

	while (!h->stopping) {
		uint64_t seen = h->activity;
		event_base_loop(h->base, EVLOOP_NONBLOCK);
		uint64_t now = hv_now_ns();
		if (h->activity != seen) {
			last = now;
			continue;
		}
		if (now - last < h->spin_ns) {
			__builtin_ia32_pause();
			continue;
		}
		event_base_loop(h->base, EVLOOP_ONCE);
		last = hv_now_ns();
	}
}

/* A decimal option value within [min, max]. */
static int parse_option(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hvd [--root DIR] [--pvrun PATH] [--log FILE] [--verbose]\n"
		   "           [--guest-memory MiB] [--dom0-reserve MiB] [--spin-us N]\n"
		   "           [--runner-pool N]\n"
		   "The privileged socket is DIR/run/xenlite/privcmd (DIR from --root or\n"
		   "XENLITE_ROOT, default /).\n");
}

int main(int argc, char **argv)
{
	static struct hvd hvd;
	struct hvd *h = &hvd;
	struct hv_config cfg = {0};
	const char *root = getenv("XENLITE_ROOT");
	const char *log_path = NULL;
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"pvrun", required_argument, NULL, 'p'},
		{"log", required_argument, NULL, 'l'},
		{"verbose", no_argument, NULL, 'v'},
		{"guest-memory", required_argument, NULL, 'm'},
		{"dom0-reserve", required_argument, NULL, 'd'},
		{"spin-us", required_argument, NULL, 's'},
		{"runner-pool", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	h->listen_fd = -1;
	h->sandbox_uid = 65534;
	h->sandbox_gid = 65534;
	h->spin_ns = 50000;
	h->pool_size = 2;
	while ((c = getopt_long(argc, argv, "r:p:l:vm:d:s:P:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'p':
			if (!realpath(optarg, h->pvrun)) {
				fprintf(stderr, "hvd: --pvrun %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'v':
			h->verbose++;
			break;
		case 'm':
		case 'd': {
			uint64_t mib;
			if (parse_option(optarg, 1, 1ull << 30, &mib) < 0) {
				fprintf(stderr, "hvd: --%s: not a size in MiB: '%s'\n",
					c == 'm' ? "guest-memory" : "dom0-reserve", optarg);
				return 2;
			}
			*(c == 'm' ? &cfg.host_bytes : &cfg.dom0_reserve_bytes) = mib << 20;
			break;
		}
		case 's': {
			uint64_t us;
			if (parse_option(optarg, 0, 10000, &us) < 0) {
				fprintf(stderr, "hvd: --spin-us: not 0..10000: '%s'\n", optarg);
				return 2;
			}
			h->spin_ns = us * 1000;
			break;
		}
		case 'P': {
			uint64_t n;
			if (parse_option(optarg, 0, 8, &n) < 0) {
				fprintf(stderr, "hvd: --runner-pool: not 0..8: '%s'\n", optarg);
				return 2;
			}
			h->pool_size = (int)n;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!root || !*root)
		root = "/";
	if (!realpath(root, h->root)) {
		fprintf(stderr, "hvd: root %s: %s\n", root, strerror(errno));
		return 1;
	}
	const char *r = strcmp(h->root, "/") == 0 ? "" : h->root;
	if (snprintf(h->rundir, sizeof(h->rundir), "%s/run/xenlite", r) >= (int)sizeof(h->rundir) ||
	    snprintf(h->sock_path, sizeof(h->sock_path), "%s/privcmd", h->rundir) >=
		    (int)sizeof(h->sock_path) ||
	    snprintf(h->empty_dir, sizeof(h->empty_dir), "%s/var/lib/xenlite/empty", r) >=
		    (int)sizeof(h->empty_dir)) {
		fprintf(stderr, "hvd: root path too long: %s\n", h->root);
		return 1;
	}
	char logdir[4200], default_log[4300];
	if (snprintf(logdir, sizeof(logdir), "%s/var/log/xen", r) >= (int)sizeof(logdir) ||
	    snprintf(default_log, sizeof(default_log), "%s/hvd.log", logdir) >=
		    (int)sizeof(default_log)) {
		fprintf(stderr, "hvd: root path too long: %s\n", h->root);
		return 1;
	}
	if (mkdirs(h->rundir, 0755) < 0 || mkdirs(logdir, 0755) < 0 ||
	    mkdirs(h->empty_dir, 0555) < 0) {
		fprintf(stderr, "hvd: cannot create directories under %s: %s\n", h->root,
			strerror(errno));
		return 1;
	}
	chmod(h->empty_dir, 0555);
	h->log = fopen(log_path ? log_path : default_log, "ae");
	if (!h->log) {
		fprintf(stderr, "hvd: cannot open the log: %s\n", strerror(errno));
		return 1;
	}
	if (!h->pvrun[0])
		find_pvrun(h);
	if (!h->pvrun[0]) {
		fprintf(stderr, "hvd: cannot find the PV runner (pvrun); pass --pvrun\n");
		return 1;
	}

	/* every domain holds a few descriptors here (memory, vCPU channels):
	 * allow as many as the hard limit permits */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	signal(SIGPIPE, SIG_IGN);
	h->base = event_base_new();
	if (!h->base) {
		fprintf(stderr, "hvd: cannot create the event loop\n");
		return 1;
	}
	hvd_timer_init(h);
	h->netns_fd = sandbox_netns();
	struct hv_ops ops = hvd_hv_ops;
	ops.ctx = h;
	h->hv = hv_create(&cfg, &ops);
	if (!h->hv) {
		fprintf(stderr, "hvd: cannot create the hypervisor state\n");
		return 1;
	}
	sched_init(h);
	h->sigchld = evsignal_new(h->base, SIGCHLD, on_sigchld, h);
	h->sigterm = evsignal_new(h->base, SIGTERM, on_term, h);
	h->sigint = evsignal_new(h->base, SIGINT, on_term, h);
	event_add(h->sigchld, NULL);
	event_add(h->sigterm, NULL);
	event_add(h->sigint, NULL);
	if (pool_init(h) < 0) {
		fprintf(stderr, "hvd: cannot start the runner pool: %s\n", strerror(errno));
		return 1;
	}
	if (privcmd_listen(h) < 0) {
		fprintf(stderr, "hvd: cannot listen on %s: %s\n", h->sock_path, strerror(errno));
		return 1;
	}
	char pidfile[4200];
	if (snprintf(pidfile, sizeof(pidfile), "%s/hvd.pid", h->rundir) >= (int)sizeof(pidfile))
		return 1; /* cannot happen: rundir was checked above */
	FILE *pf = fopen(pidfile, "we");
	if (pf) {
		fprintf(pf, "%d\n", (int)getpid());
		fclose(pf);
	}
	hvd_log(h, "ready: root %s, socket %s, runner %s", h->root, h->sock_path, h->pvrun);

	run_loop(h);

	pool_fini();
	/* Stopping hv stops every domain: no runner outlives it. */
	for (struct domain *d = hv_domain_next(h->hv, 1); d; d = hv_domain_next(h->hv, d->domid + 1))
		if (d->runner_pid > 0)
			kill(d->runner_pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	for (struct domain *d = hv_domain_next(h->hv, 1); d; d = hv_domain_next(h->hv, d->domid + 1)) {
		sched_detach(h, d);
		dom_priv_free(d);
	}
	hv_free(h->hv);
	sched_fini(h);
	while (h->conns) {
		struct conn *cn = h->conns;
		h->conns = cn->next;
		event_free(cn->ev);
		if (cn->stream_ev)
			event_free(cn->stream_ev);
		close(cn->fd);
		if (cn->stream_fd >= 0)
			close(cn->stream_fd);
		free(cn);
	}
	event_free(h->listener);
	close(h->listen_fd);
	unlink(h->sock_path);
	unlink(pidfile);
	event_free(h->timer);
	event_free(h->sigchld);
	event_free(h->sigterm);
	event_free(h->sigint);
	event_base_free(h->base);
	if (h->netns_fd >= 0)
		close(h->netns_fd);
	hvd_log(h, "stopped");
	fclose(h->log);
	return 0;
}
