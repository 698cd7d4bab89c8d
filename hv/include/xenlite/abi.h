/* abi.h - the Xenlite guest ABI: memory layout, hypercall transport, versions.
 *
 * A PV guest is a static ELF that runs in a sandboxed host process (the
 * runner). Its memory is one shared memory object mapped at XL_GUEST_BASE;
 * guest-physical address (gpa) G is host virtual address XL_GUEST_BASE + G
 * inside the runner, and hvd reaches it only through a bounds-checked
 * accessor. Hypercalls are messages on a per-vCPU SOCK_SEQPACKET channel
 * (fd XL_HCALL_FD(vcpu)): the guest writes struct xl_hcall and reads back
 * struct xl_hcall_ret. Pointer arguments are guest virtual addresses.
 *
 * C99, no dependencies. Bump XENLITE_ABI_VERSION on every material change.
 * IN = guest to hv, OUT = hv to guest.
 */
#ifndef XENLITE_ABI_H
#define XENLITE_ABI_H

#include <stdint.h>

#define XENLITE_ABI_VERSION 1u

#define XL_PAGE_SHIFT 12
#define XL_PAGE_SIZE (1ul << XL_PAGE_SHIFT)

/* Host virtual address at which every PV guest's memory is mapped. */
#define XL_GUEST_BASE 0x100000000ull
/* Largest guest memory the runner can map (64 GiB). */
#define XL_GUEST_MAX_BYTES (64ull << 30)

/* Fixed guest-physical frames written by the domain builder. */
#define XL_GFN_START_INFO 0u
#define XL_GFN_SHARED_INFO 1u
#define XL_GFN_CONSOLE 2u
#define XL_GFN_XENSTORE 3u
#define XL_GFN_GNTTAB 4u
#define XL_NR_GNTTAB_FRAMES 4u /* 4 frames x 512 v1 entries = 2048 refs */
#define XL_GFN_FIRST_FREE 8u
/* Guest ELF images must load at or above this guest-physical address. */
#define XL_GUEST_LOAD_MIN 0x100000ull
/* Smallest guest memory: the special pages, 1 MiB of image room, a stack. */
#define XL_GUEST_MIN_BYTES (4ull << 20)

#define XL_MAX_VCPUS 64u

/* File descriptor of vCPU n's hypercall channel inside the runner. */
#define XL_HCALL_FD_BASE 3
#define XL_HCALL_FD(vcpu) (XL_HCALL_FD_BASE + (int)(vcpu))

/* A hypercall request: op is a __HYPERVISOR_* number, args as in Xen. */
struct xl_hcall {
	uint64_t op;      /* IN */
	uint64_t args[5]; /* IN */
};

/* The reply: 0 or positive on success, -errno (Xen's values) on failure. */
struct xl_hcall_ret {
	int64_t ret; /* OUT */
};

/*
 * Runner <-> hvd messages on vCPU 0's channel before the guest runs, and on
 * secondary vCPU channels to start them. Distinct from hypercall numbers.
 */
#define XL_RUNNER_READY 0x52554e00u  /* runner -> hv: loaded, sandboxed */
#define XL_RUNNER_FAILED 0x52554e01u /* runner -> hv: could not load */
#define XL_RUNNER_GO 0x52554e02u     /* hv -> runner: jump to the entry */

struct xl_runner_ready {
	uint32_t kind;      /* XL_RUNNER_READY */
	uint32_t nr_vcpus;  /* threads created, one per vCPU */
	int32_t tids[XL_MAX_VCPUS]; /* host thread id of each vCPU */
	uint64_t entry;     /* guest entry point (virtual) */
	uint64_t image_end; /* first guest-physical byte after the image */
};

struct xl_runner_failed {
	uint32_t kind; /* XL_RUNNER_FAILED */
	int32_t err;   /* positive errno */
	char msg[240]; /* NUL-terminated reason */
};

/* hv -> runner: start a vCPU at entry with stack and one argument (rdi). */
struct xl_runner_go {
	uint32_t kind; /* XL_RUNNER_GO */
	uint32_t vcpu;
	uint64_t entry;
	uint64_t stack;
	uint64_t arg;
};

#endif
