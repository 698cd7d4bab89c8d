/* spin.c - a guest that only burns CPU, for scheduler, pause and cap tests.
 *
 * vCPU 0 spins forever; with "vcpus_spin=1" every secondary vCPU is brought
 * up and spins too. Every SPIN_YIELD_EVERY iterations a spinning vCPU yields,
 * which also gives pending events a chance to be dispatched. The domain never
 * shuts down by itself.
 *
 * Output: "spin: spinning on <n> vCPU(s)", and "spin: vCPU <i>: <error>" for
 * a secondary vCPU that could not be started.
 */
#include <xlguest.h>

#define SPIN_YIELD_EVERY 1000000000ull

_Noreturn static void spin_forever(void *arg)
{
	for (uint64_t n = 0;; n++) {
		/* the empty asm keeps the loop from being optimised away */
		__asm__ volatile("" : "+r"(n));
		if (n % SPIN_YIELD_EVERY == SPIN_YIELD_EVERY - 1)
			sched_yield();
	}
}

static void spin_vcpu(void *arg)
{
	spin_forever(arg);
}

int guest_main(const char *cmdline)
{
	uint64_t all = 0;
	unsigned spinning = 1;

	if (cmdline_get_u64("vcpus_spin", &all) == 0 && all) {
		for (unsigned id = 1; id < guest_nr_vcpus(); id++) {
			int rc = vcpu_start(id, spin_vcpu, NULL);
			if (rc < 0)
				printf("spin: vCPU %u: %s\n", id, xen_errname(rc));
			else
				spinning++;
		}
	}
	printf("spin: spinning on %u vCPU(s)\n", spinning);
	spin_forever(NULL);
}
