/* copybench.c - grant-copy throughput through the hypercall path, for the
 * benchmark: the guest grants itself NR source pages and copies them into
 * NR destination frames, GNTTABOP_copy in batches of NR 4 KiB operations
 * (source by grant ref, so every copy validates and pins a grant as a
 * backend's would).
 *
 * Command line: [batches=N] (default 20000).
 * Output: "copybench: batch=64 size=4096 batches=N GBps=X ns_per_batch=Y"
 */
#include <xlguest.h>

#define NR 64u

int guest_main(const char *cmdline)
{
	uint64_t batches = 20000;

	(void)cmdline;
	int rc = cmdline_get_u64("batches", &batches);
	if ((rc < 0 && rc != -XEN_ENOENT) || batches == 0) {
		printf("copybench: batches= must be a positive number\n");
		return 1;
	}
	uint8_t *src = aligned_alloc(XL_PAGE_SIZE, NR * XL_PAGE_SIZE);
	uint8_t *dst = aligned_alloc(XL_PAGE_SIZE, NR * XL_PAGE_SIZE);
	static struct gnttab_copy ops[NR];
	if (!src || !dst) {
		printf("copybench: no memory\n");
		return 1;
	}
	memset(src, 0xa5, NR * XL_PAGE_SIZE);
	memset(dst, 0, NR * XL_PAGE_SIZE);
	domid_t self = guest_domid();
	for (unsigned i = 0; i < NR; i++) {
		int ref = gnttab_grant_access(self, virt_to_gfn(src + i * XL_PAGE_SIZE), true);
		if (ref < 0) {
			printf("copybench: grant: %s\n", xen_errname(ref));
			return 1;
		}
		ops[i] = (struct gnttab_copy){.len = XL_PAGE_SIZE, .flags = GNTCOPY_source_gref};
		ops[i].source.u.ref = (grant_ref_t)ref;
		ops[i].source.domid = self;
		ops[i].dest.u.gmfn = virt_to_gfn(dst + i * XL_PAGE_SIZE);
		ops[i].dest.domid = DOMID_SELF;
	}
	uint64_t t0 = time_now_ns();
	for (uint64_t b = 0; b < batches; b++) {
		rc = gnttab_copy(ops, NR);
		if (rc < 0 || ops[0].status != GNTST_okay || ops[NR - 1].status != GNTST_okay) {
			printf("copybench: copy failed: %s status %d\n", xen_errname(rc), ops[0].status);
			return 1;
		}
	}
	uint64_t ns = time_now_ns() - t0;
	if (dst[0] != 0xa5 || dst[NR * XL_PAGE_SIZE - 1] != 0xa5) {
		printf("copybench: data did not arrive\n");
		return 1;
	}
	uint64_t bytes = batches * NR * XL_PAGE_SIZE;
	uint64_t mbps = ns ? bytes * 1000 / ns : 0; /* bytes per us = MB/s */
	printf("copybench: batch=%u size=%lu batches=%llu GBps=%llu.%02llu ns_per_batch=%llu\n", NR,
	       XL_PAGE_SIZE, (unsigned long long)batches, (unsigned long long)(mbps / 1000),
	       (unsigned long long)(mbps % 1000 / 10), (unsigned long long)(ns / batches));
	return 0;
}
