/* pingpong.c - event channel round trips between two domains (a benchmark).
 *
 * Command line:
 *   role=pong port=P [count=N]
 *       P is an unbound port of this domain, allocated by Dom0 for the ping
 *       domain. Answers every event on P with a send on P; after N events
 *       (forever without count) powers off.
 *   role=ping peer=D port=P [count=N]
 *       Binds to (D, P), then N times (default 1000): send, block until the
 *       reply's event arrives, and time the round trip with the monotonic
 *       clock. Prints the statistics and powers off.
 *
 * Output (ping): "pingpong: rounds=N median_ns=X p99_ns=Y min_ns=Z"
 * Output (pong): "pingpong: pong done events=N" when it stops by itself.
 * Errors: "pingpong: <what went wrong>", and the domain crashes.
 */
#include <xlguest.h>

#define DEFAULT_ROUNDS 1000u

/* Events counted by the handler; read by the main loop on the same vCPU. */
static volatile uint64_t events;

static void on_event(evtchn_port_t port, void *data)
{
	events++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int run_pong(evtchn_port_t port, uint64_t count)
{
	uint64_t answered = 0;
	int rc = evtchn_set_handler(port, on_event, NULL);

	if (rc < 0) {
		printf("pingpong: cannot listen on port %u: %s\n", port, xen_errname(rc));
		return 1;
	}
	while (!count || answered < count) {
		while (events == answered)
			sched_block();
		/* one answer per event; the ping side has one in flight at a time */
		while (answered < events && (!count || answered < count)) {
			answered++;
			rc = evtchn_send(port);
			if (rc < 0) {
				printf("pingpong: send on port %u: %s\n", port, xen_errname(rc));
				return 1;
			}
		}
	}
	printf("pingpong: pong done events=%llu\n", (unsigned long long)answered);
	return 0;
}

static int run_ping(domid_t peer, evtchn_port_t remote_port, uint64_t rounds)
{
	evtchn_port_t port;
	int rc = evtchn_bind_interdomain(peer, remote_port, &port);

	if (rc < 0) {
		printf("pingpong: cannot bind to domain %u port %u: %s\n", peer, remote_port,
		       xen_errname(rc));
		return 1;
	}
	uint64_t *ns = calloc(rounds, sizeof(*ns));
	if (!ns) {
		printf("pingpong: no memory for %llu samples\n", (unsigned long long)rounds);
		return 1;
	}
	/* a fresh interdomain binding starts pending: that is not a reply */
	evtchn_test_and_clear(port);
	rc = evtchn_set_handler(port, on_event, NULL);
	if (rc < 0) {
		printf("pingpong: cannot listen on port %u: %s\n", port, xen_errname(rc));
		return 1;
	}

	for (uint64_t i = 0; i < rounds; i++) {
		uint64_t seen = events;
		uint64_t t0 = time_now_ns();
		rc = evtchn_send(port);
		if (rc < 0) {
			printf("pingpong: send on port %u: %s\n", port, xen_errname(rc));
			return 1;
		}
		while (events == seen)
			sched_block();
		ns[i] = time_now_ns() - t0;
	}

	qsort(ns, rounds, sizeof(*ns), cmp_u64);
	/* lower median; p99 by nearest rank: the ceil(0.99 n)-th smallest */
	uint64_t median = ns[(rounds - 1) / 2];
	uint64_t p99 = ns[(rounds * 99 + 99) / 100 - 1];
	printf("pingpong: rounds=%llu median_ns=%llu p99_ns=%llu min_ns=%llu\n",
	       (unsigned long long)rounds, (unsigned long long)median, (unsigned long long)p99,
	       (unsigned long long)ns[0]);
	free(ns);
	return 0;
}

/* A required numeric key; prints why it is missing or bad. */
static bool get_number(const char *key, uint64_t max, uint64_t *val)
{
	int rc = cmdline_get_u64(key, val);

	if (rc == -XEN_ENOENT)
		printf("pingpong: missing %s=<number>\n", key);
	else if (rc < 0 || *val > max)
		printf("pingpong: bad value for %s\n", key);
	return rc == 0 && *val <= max;
}

int guest_main(const char *cmdline)
{
	char role[8];
	uint64_t port, peer, count = 0;

	if (cmdline_get("role", role, sizeof(role)) < 0 ||
	    (strcmp(role, "ping") && strcmp(role, "pong"))) {
		printf("pingpong: usage: role=ping peer=D port=P [count=N] | role=pong port=P "
		       "[count=N]\n");
		return 1;
	}
	if (!get_number("port", EVTCHN_2L_NR_CHANNELS - 1, &port))
		return 1;
	if (cmdline_has("count") && !get_number("count", UINT32_MAX, &count))
		return 1;

	if (!strcmp(role, "pong"))
		return run_pong((evtchn_port_t)port, count);
	if (!get_number("peer", DOMID_FIRST_RESERVED - 1, &peer))
		return 1;
	if (!count)
		count = DEFAULT_ROUNDS;
	return run_ping((domid_t)peer, (evtchn_port_t)port, count);
}
