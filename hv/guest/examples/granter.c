/* granter.c - shares pages with Dom0 through grants, for the grant-mapping
 * integration test.
 *
 * Grants Dom0 one writable page and one read-only page, both starting with
 * "xenlite grant <domid>", and prints
 *   "granter: rw=<ref> ro=<ref>"
 * Then it watches the writable page until Dom0 writes a line starting with
 * "dom0:" there (at most 10 s), prints "granter: dom0 wrote: <line>", ends
 * both grants (refused while Dom0 still maps them: it reports and retries)
 * and powers off.
 */
#include <xlguest.h>

#define WAIT_NS (10ull * 1000 * 1000 * 1000)

static bool end_grant(int ref)
{
	for (int i = 0; i < 10000; i++) {
		if (gnttab_end_access((grant_ref_t)ref) == 0)
			return true;
		time_sleep_ns(1000 * 1000);
	}
	return false;
}

int guest_main(const char *cmdline)
{
	(void)cmdline;
	char *rw = aligned_alloc(XL_PAGE_SIZE, XL_PAGE_SIZE);
	char *ro = aligned_alloc(XL_PAGE_SIZE, XL_PAGE_SIZE);
	if (!rw || !ro) {
		printf("granter: no memory\n");
		return 1;
	}
	memset(rw, 0, XL_PAGE_SIZE);
	memset(ro, 0, XL_PAGE_SIZE);
	snprintf(rw, 64, "xenlite grant %u rw", (unsigned)guest_domid());
	snprintf(ro, 64, "xenlite grant %u ro", (unsigned)guest_domid());
	int ref_rw = gnttab_grant_access(0, virt_to_gfn(rw), false);
	int ref_ro = gnttab_grant_access(0, virt_to_gfn(ro), true);
	if (ref_rw < 0 || ref_ro < 0) {
		printf("granter: cannot grant: %s %s\n", xen_errname(ref_rw), xen_errname(ref_ro));
		return 1;
	}
	printf("granter: rw=%d ro=%d\n", ref_rw, ref_ro);

	/* Dom0 writes behind the compiler's back: read through volatile */
	const volatile char *mark = rw + 1024;
	uint64_t deadline = time_now_ns() + WAIT_NS;
	while (!(mark[0] == 'd' && mark[1] == 'o' && mark[2] == 'm' && mark[3] == '0' &&
		 mark[4] == ':')) {
		if (time_now_ns() > deadline) {
			printf("granter: Dom0 never wrote\n");
			return 1;
		}
		time_sleep_ns(1000 * 1000);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	rw[1024 + 63] = '\0';
	printf("granter: dom0 wrote: %s\n", rw + 1024);

	/* revoking is refused while Dom0 still maps a page: it unmaps soon */
	if (!end_grant(ref_rw) || !end_grant(ref_ro)) {
		printf("granter: grants never released\n");
		return 1;
	}
	printf("granter: grants ended\n");
	return 0;
}
