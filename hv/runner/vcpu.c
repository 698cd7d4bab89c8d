/* vcpu.c - vCPU threads: made before the filter closes, each waits on its
 * channel for GO, checks it and jumps into the guest. */
#include "vcpu.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pvrun.h"

/*
 * vCPU threads are bare clone(2) threads, unknown to libc: created in one
 * system call each on a stack from .bss (no mmap, no guard mapping, no
 * thread-start handshake), with the host thread id returned at once. They
 * share the main thread's TLS, so until they leave for the guest they call
 * no libc function: only the raw read and exit_group below.
 */
#define VCPU_CLONE_FLAGS                                                                           \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
/* Runner code on a vCPU thread runs only until GO: 16 KiB is plenty. */
#define VCPU_STACK_BYTES (16u << 10)

static uint8_t vcpu_stacks[XL_MAX_VCPUS][VCPU_STACK_BYTES] __attribute__((aligned(64)));

/* Written before the first thread starts, read-only afterwards. */
static struct vcpu_boot boot;
/* Set once the filter is in force; no vCPU enters the guest before. */
static atomic_bool sandboxed;

static long raw_read(int fd, void *buf, size_t len)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "0"((long)SYS_read), "D"((long)fd), "S"(buf), "d"(len)
	                 : "rcx", "r11", "memory");
	return ret;
}

static noreturn void raw_exit_group(int status)
{
	for (;;)
		__asm__ volatile("syscall"
		                 :
		                 : "a"((long)SYS_exit_group), "D"((long)status)
		                 : "rcx", "r11", "memory");
}

static bool in_guest(uint64_t va, uint64_t len)
{
	return va >= XL_GUEST_BASE && len <= boot.mem_bytes &&
	       va - XL_GUEST_BASE <= boot.mem_bytes - len;
}

/* 0 and the start state, or the exit status for a malformed GO. */
static int go_check(uint32_t id, const struct xl_runner_go *go, long n, uint64_t *entry,
                    uint64_t *stack, uint64_t *arg)
{
	if (n != (long)sizeof(*go))
		return PVRUN_EXIT_GO_SIZE;
	if (go->kind != XL_RUNNER_GO)
		return PVRUN_EXIT_GO_KIND;
	if (go->vcpu != id)
		return PVRUN_EXIT_GO_VCPU;
	if (id == 0) {
		/* vCPU 0 boots as the ELF says; hvd echoes READY's entry */
		if (go->entry != boot.entry)
			return PVRUN_EXIT_GO_ENTRY;
		*entry = boot.entry;
		*stack = boot.stack;
		*arg = XL_GUEST_BASE; /* start_info, guest virtual */
		return 0;
	}
	if (!in_guest(go->entry, 1))
		return PVRUN_EXIT_GO_ENTRY;
	/* a stack top may be the end of guest memory itself */
	if (go->stack <= XL_GUEST_BASE || !in_guest(go->stack - 1, 1))
		return PVRUN_EXIT_GO_STACK;
	*entry = go->entry;
	*stack = go->stack;
	*arg = go->arg;
	return 0;
}

noreturn void vcpu_run(uint32_t id)
{
	/* one byte more than GO, so a longer message shows as one */
	union {
		struct xl_runner_go go;
		char bytes[sizeof(struct xl_runner_go) + 1];
	} buf;
	uint64_t entry, stack, arg;
	long n;

	do
		n = raw_read(XL_HCALL_FD(id), &buf, sizeof(buf));
	while (n == -EINTR);
	if (n <= 0)
		raw_exit_group(PVRUN_EXIT_NO_GO);
	int bad = go_check(id, &buf.go, n, &entry, &stack, &arg);
	if (bad)
		raw_exit_group(bad);
	/* hvd sends GO only after READY; this guards against one that does
	 * not (a futex would be a system call the filter forbids) */
	while (!atomic_load_explicit(&sandboxed, memory_order_acquire))
		__builtin_ia32_pause();
	vcpu_enter(entry, stack, arg);
}

static int vcpu_thread(void *id)
{
	vcpu_run((uint32_t)(uintptr_t)id);
}

void vcpus_sandboxed(void)
{
	atomic_store_explicit(&sandboxed, true, memory_order_release);
}

int vcpus_create(const struct vcpu_boot *b, int32_t *tids, char *msg, size_t msglen)
{
	boot = *b;
	tids[0] = (int32_t)gettid();
	for (uint32_t v = 1; v < boot.nr_vcpus; v++) {
		int tid = clone(vcpu_thread, vcpu_stacks[v] + VCPU_STACK_BYTES, VCPU_CLONE_FLAGS,
		                (void *)(uintptr_t)v);
		if (tid < 0) {
			int e = errno;
			/* threads already made die with the process */
			snprintf(msg, msglen, "vCPU: cannot make the thread of vCPU %u: %s", v,
			         strerror(e));
			return -e;
		}
		tids[v] = tid;
	}
	return 0;
}
