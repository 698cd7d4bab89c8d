/* gntcopy_bench.c - throughput of gnttab_copy_one: one domain copies 4 KiB
 * pages of its own memory into another domain's grants, in batches of 64 as
 * a backend's GNTTABOP_copy would. Prints the median of 5 runs in GB/s
 * (10^9 bytes per second); asserts nothing about time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"

#define BATCH 64u
#define SIZE 4096u
#define RUNS 5
#define BATCHES_PER_RUN 4096u /* 1 GiB per run */
#define FIRST_REF GNTTAB_NR_RESERVED_ENTRIES
#define SRC_GFN 0x200u /* the copier's pages */
#define DST_GFN 0x300u /* the granter's pages */

static struct domain *make_domain(struct hv *hv, const char *name)
{
	struct priv_domain_create req;
	struct domain *d = NULL;
	char err[160];

	memset(&req, 0, sizeof(req));
	req.memory_kb = 8192;
	req.vcpus = 1;
	snprintf(req.name, sizeof(req.name), "%s", name);
	if (domain_create(hv, &req, &d, err, sizeof(err)) < 0 ||
	    domain_build_pv(d, "", err, sizeof(err)) < 0) {
		fprintf(stderr, "gntcopy_bench: cannot create a domain: %s\n", err);
		return NULL;
	}
	return d;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int main(void)
{
	struct hv_config cfg = {.host_bytes = 1ull << 30, .dom0_reserve_bytes = 1ull << 20};
	struct hv *hv = hv_create(&cfg, NULL);
	if (!hv) {
		fprintf(stderr, "gntcopy_bench: cannot create the hypervisor state\n");
		return 1;
	}
	struct domain *granter = make_domain(hv, "granter");
	struct domain *copier = make_domain(hv, "copier");
	if (!granter || !copier) {
		hv_free(hv);
		return 1;
	}

	/* the granter grants BATCH writable pages to the copier */
	struct grant_entry_v1 *table = guest_gpa(granter, (uint64_t)XL_GFN_GNTTAB << XL_PAGE_SHIFT,
	                                         (uint64_t)(FIRST_REF + BATCH) * sizeof(*table));
	for (uint32_t i = 0; i < BATCH; i++) {
		struct grant_entry_v1 *e = &table[FIRST_REF + i];
		e->domid = (domid_t)copier->domid;
		e->frame = DST_GFN + i;
		__atomic_store_n(&e->flags, (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
		memset(guest_gpa(copier, (uint64_t)(SRC_GFN + i) << XL_PAGE_SHIFT, SIZE), (int)i,
		       SIZE);
	}

	struct gnttab_copy ops[BATCH];
	double gbps[RUNS];
	for (int run = -1; run < RUNS; run++) { /* run -1 warms up */
		uint64_t t0 = hv_now_ns();
		for (uint32_t n = 0; n < BATCHES_PER_RUN; n++) {
			memset(ops, 0, sizeof(ops));
			for (uint32_t i = 0; i < BATCH; i++) {
				ops[i].source.u.gmfn = SRC_GFN + i;
				ops[i].source.domid = DOMID_SELF;
				ops[i].dest.u.ref = FIRST_REF + i;
				ops[i].dest.domid = (domid_t)granter->domid;
				ops[i].len = SIZE;
				ops[i].flags = GNTCOPY_dest_gref;
				gnttab_copy_one(copier, &ops[i], NULL, 0);
				if (ops[i].status != GNTST_okay) {
					fprintf(stderr, "gntcopy_bench: copy failed: GNTST %d\n",
					        ops[i].status);
					hv_free(hv);
					return 1;
				}
			}
		}
		uint64_t ns = hv_now_ns() - t0;
		if (run >= 0)
			gbps[run] = (double)BATCHES_PER_RUN * BATCH * SIZE / (double)(ns ? ns : 1);
	}
	qsort(gbps, RUNS, sizeof(gbps[0]), cmp_double);
	printf("gntcopy: batch=%u size=%u median_GBps=%.2f\n", BATCH, SIZE, gbps[RUNS / 2]);
	hv_free(hv);
	return 0;
}
