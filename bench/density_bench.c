/* density_bench.c - N idle PV domains at once: host memory each costs beyond
 * its own guest memory, and how create time changes from the first to the
 * last. An idle domain is a `pingpong` pong waiting on its event channel. */
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

/* MemTotal - MemAvailable and Shmem (guest memory lives in memfds), KiB. */
static void meminfo(uint64_t *used_kb, uint64_t *shmem_kb)
{
	char line[256];
	uint64_t total = 0, avail = 0, shmem = 0, v;
	FILE *f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %lu kB", &v) == 1)
			total = v;
		else if (sscanf(line, "MemAvailable: %lu kB", &v) == 1)
			avail = v;
		else if (sscanf(line, "Shmem: %lu kB", &v) == 1)
			shmem = v;
	}
	if (f)
		fclose(f);
	*used_kb = total - avail;
	*shmem_kb = shmem;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	struct hvd_instance hi;
	static const char *const args[] = {NULL};

	if (n < 10 || n > 4000 || hvd_start(&hi, args) < 0) {
		fprintf(stderr, "density_bench: cannot start hvd (or N outside 10..4000)\n");
		return 1;
	}
	xenctl_handle *h = xenctl_open(hi.root);
	uint64_t *t = calloc((size_t)n, sizeof(*t));
	uint32_t *ids = calloc((size_t)n, sizeof(*ids));
	uint64_t used0, shm0, used1, shm1;
	int made = 0;
	const char *kernel = guest_path("pingpong");

	meminfo(&used0, &shm0);
	for (; h && made < n; made++) {
		struct xenctl_domain_config cfg = {.memory_kb = 4096, .vcpus = 1, .name = "idle"};
		char cmd[96];
		uint64_t t0 = now_ns();
		if (xenctl_domain_create(h, &cfg, &ids[made]) < 0)
			break;
		int port = xenctl_evtchn_alloc_unbound(h, ids[made], 0);
		snprintf(cmd, sizeof(cmd), "role=pong port=%d count=1000000000", port);
		if (port < 0 || xenctl_domain_launch_pv(h, ids[made], kernel, cmd) < 0 ||
		    xenctl_domain_unpause(h, ids[made]) < 0)
			break;
		t[made] = now_ns() - t0;
	}
	if (made < n)
		fprintf(stderr, "density_bench: stopped at %d: %s\n", made,
			h ? xenctl_last_error(h) : "no hvd");
	struct timespec settle = {1, 0};
	nanosleep(&settle, NULL); /* let every guest boot and block */
	meminfo(&used1, &shm1);
	struct priv_dominfo info;
	int blocked = 0;
	for (int i = 0; i < made; i++)
		if (xenctl_domain_getinfo(h, ids[i], &info) == 0 && (info.flags & XEN_DOMINF_blocked))
			blocked++;
	double per_dom = made ? (double)((used1 - used0) - (shm1 - shm0)) / made : 0;
	double guest = made ? (double)(shm1 - shm0) / made : 0;
	int w = made < 20 ? made : 20;
	uint64_t first[20], last[20];
	for (int i = 0; i < w; i++) {
		first[i] = t[i];
		last[i] = t[made - w + i];
	}
	qsort(first, (size_t)w, sizeof(first[0]), cmp);
	qsort(last, (size_t)w, sizeof(last[0]), cmp);
	printf("density: domains=%d blocked=%d host_kib_per_domain_beyond_guest=%.0f "
	       "guest_kib_touched_per_domain=%.0f create_first%d_median_us=%.1f "
	       "create_last%d_median_us=%.1f\n",
	       made, blocked, per_dom, guest, w, w ? first[w / 2] / 1e3 : 0, w,
	       w ? last[w / 2] / 1e3 : 0);
	for (int i = 0; i < made; i++)
		xenctl_domain_destroy(h, ids[i]);
	free(t);
	free(ids);
	xenctl_close(h);
	hvd_stop(&hi);
	return 0;
}
