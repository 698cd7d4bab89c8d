/* vcpu.h - the guest's vCPUs: one host thread each, started by GO. */
#ifndef PVRUN_VCPU_H
#define PVRUN_VCPU_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* How the vCPUs start; fixed before the first thread is made. */
struct vcpu_boot {
	uint32_t nr_vcpus;
	uint64_t mem_bytes; /* guest memory is [XL_GUEST_BASE, XL_GUEST_BASE + mem_bytes) */
	uint64_t entry;     /* vCPU 0: the ELF entry */
	uint64_t stack;     /* vCPU 0: the boot stack top, guest virtual */
};

/*
 * Make threads for vCPUs 1..nr_vcpus-1 (the caller is vCPU 0); each blocks
 * reading its channel for GO and makes no other system call before it
 * (exit_group aside), so the filter may be loaded at once. Fills the host
 * thread ids in tids[0..nr_vcpus-1]. 0, or a negative errno and a reason.
 */
int vcpus_create(const struct vcpu_boot *boot, int32_t *tids, char *msg, size_t msglen);

/* The system-call filter is in force: vCPUs may enter the guest. */
void vcpus_sandboxed(void);

/* Wait for vCPU id's GO on its channel, check it, and run the guest there;
 * exits the process (enum pvrun_exit) if GO does not come or is malformed. */
noreturn void vcpu_run(uint32_t id);

/* enter.S: switch to the guest's stack with rdi = arg, the other general
 * registers zero (r11 = entry), flags clear, x87/SSE state reset, and
 * jump to entry. */
noreturn void vcpu_enter(uint64_t entry, uint64_t stack, uint64_t arg);

#endif
