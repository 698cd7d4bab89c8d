/* boot_bench.c - create -> first console byte of the `hello` guest, through
 * libxenctl against a real hvd. Prints the median over many runs. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/integration/harness.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 200;
	/* pause between domains (untimed), so that hvd's standby runners are
	 * back in place as they would be for creates that are not a storm;
	 * 0 measures back-to-back creates */
	int gap_ms = argc > 2 ? atoi(argv[2]) : 5;
	struct hvd_instance hi;
	static const char *const args[] = {NULL};
	if (runs < 1 || runs > 100000 || hvd_start(&hi, args) < 0) {
		fprintf(stderr, "boot_bench: cannot start hvd\n");
		return 1;
	}
	xenctl_handle *h = xenctl_open(hi.root);
	int fd = h ? xenctl_evtchn_fd(h) : -1;
	if (fd < 0 || xenctl_evtchn_bind_virq(h, VIRQ_CONSOLE) < 0) {
		fprintf(stderr, "boot_bench: %s\n", h ? xenctl_last_error(h) : "no hvd");
		hvd_stop(&hi);
		return 1;
	}
	uint64_t *lat = calloc((size_t)runs, sizeof(*lat));
	uint64_t *create = calloc((size_t)runs, sizeof(*create));
	uint64_t *crt = calloc((size_t)runs, sizeof(*crt));
	uint64_t *lau = calloc((size_t)runs, sizeof(*lau));
	const char *kernel = guest_path("hello");
	for (int i = 0; i < runs; i++) {
		struct xenctl_domain_config cfg = {.memory_kb = 4096, .vcpus = 1, .name = "b"};
		uint32_t domid;
		uint64_t t0 = now_ns();
		int rc = xenctl_domain_create(h, &cfg, &domid);
		uint64_t tc = now_ns();
		if (rc == 0)
			rc = xenctl_domain_launch_pv(h, domid, kernel, "");
		uint64_t tl = now_ns();
		if (rc < 0 || xenctl_domain_unpause(h, domid) < 0) {
			fprintf(stderr, "boot_bench: %s\n", xenctl_last_error(h));
			break;
		}
		uint64_t t1 = now_ns();
		uint64_t off = 0;
		char c[64];
		for (;;) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			poll(&p, 1, 1000);
			int port;
			while ((port = xenctl_evtchn_pending(h)) >= 0)
				xenctl_evtchn_unmask(h, (evtchn_port_t)port);
			if (xenctl_console_read(h, domid, &off, c, sizeof(c)) > 0)
				break;
		}
		lat[i] = now_ns() - t0;
		create[i] = t1 - t0;
		crt[i] = tc - t0;
		lau[i] = tl - tc;
		xenctl_domain_destroy(h, domid);
		struct timespec gap = {gap_ms / 1000, (long)(gap_ms % 1000) * 1000000};
		if (gap_ms > 0)
			nanosleep(&gap, NULL);
	}
	qsort(lat, (size_t)runs, sizeof(*lat), cmp);
	qsort(create, (size_t)runs, sizeof(*create), cmp);
	qsort(crt, (size_t)runs, sizeof(*crt), cmp);
	qsort(lau, (size_t)runs, sizeof(*lau), cmp);
	printf("boot: runs=%d gap_ms=%d create_to_first_console_byte median_us=%.1f p90_us=%.1f min_us=%.1f "
	       "(medians: create %.1f, load+runner ready %.1f, create..unpause %.1f)\n",
	       runs, gap_ms, lat[runs / 2] / 1e3, lat[runs * 9 / 10] / 1e3, lat[0] / 1e3,
	       crt[runs / 2] / 1e3, lau[runs / 2] / 1e3, create[runs / 2] / 1e3);
	free(lat);
	free(create);
	free(crt);
	free(lau);
	xenctl_close(h);
	hvd_stop(&hi);
	return 0;
}
