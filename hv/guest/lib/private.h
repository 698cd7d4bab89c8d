/* private.h - libxlguest internals shared between its files: raw system
 * calls, the per-vCPU block, the boot-time layout. Guests use xlguest.h. */
#ifndef XLGUEST_PRIVATE_H
#define XLGUEST_PRIVATE_H

#include "xlguest.h"

/* ---- Raw Linux x86-64 system calls: the only ones the sandbox allows ---- */

#define SYS_read 0
#define SYS_write 1
#define SYS_clock_gettime 228
#define SYS_exit_group 231

#define LINUX_EINTR 4
#define LINUX_CLOCK_MONOTONIC 1

static inline long sys_call3(long nr, long a0, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
	                 : "rcx", "r11", "memory");
	return ret;
}

static inline long sys_read(int fd, void *buf, size_t len)
{
	return sys_call3(SYS_read, fd, (long)(uintptr_t)buf, (long)len);
}

static inline long sys_write(int fd, const void *buf, size_t len)
{
	return sys_call3(SYS_write, fd, (long)(uintptr_t)buf, (long)len);
}

_Noreturn static inline void sys_exit_group(int status)
{
	for (;;)
		sys_call3(SYS_exit_group, status, 0, 0);
}

/* ---- Per-vCPU state -------------------------------------------------------
 *
 * Every vCPU runs on a stack of XLG_STACK_SIZE bytes aligned to its size;
 * struct vcpu_local sits at the stack's lowest address, so the running vCPU
 * finds its own block by rounding %rsp down (there is no TLS). The guard word
 * is the block's last member: a stack that grows too far hits it first.
 */
#define VCPU_GUARD 0x64726175476b7453ull /* "StkGuard" */

enum vcpu_state {
	VCPU_NEW = 0, /* never started */
	VCPU_RUNNING, /* online, running its function */
	VCPU_IDLE,    /* its function returned; offline or about to be */
	VCPU_PARKED,  /* offline (or about to be) inside vcpu_down() */
};

struct vcpu_local {
	uint32_t id;
	int hcall_fd;
	struct vcpu_info *info; /* NULL for id >= XEN_LEGACY_MAX_VCPUS */
	void (*fn)(void *);     /* secondary vCPUs: the work vcpu_start gave */
	void *arg;
	uint32_t state;           /* enum vcpu_state, atomic */
	evtchn_port_t timer_port; /* its VIRQ_TIMER, bound by the library; 0: none */
	uint64_t timer_events;    /* VIRQ_TIMER deliveries, atomic */
	uint64_t guard;           /* VCPU_GUARD; keep last */
};

static inline struct vcpu_local *vcpu_self(void)
{
	uintptr_t sp;

	__asm__("mov %%rsp, %0" : "=r"(sp));
	return (struct vcpu_local *)(sp & ~(uintptr_t)(XLG_STACK_SIZE - 1));
}

/* Prepares the block at the base of a stack slot for vCPU id. */
void vcpu_local_init(struct vcpu_local *v, unsigned id);
/* vCPU 0's block, recorded at boot. */
void vcpu_register_boot(struct vcpu_local *v0);
/* The block of vCPU id, or NULL if it was never started. */
struct vcpu_local *vcpu_local_of(unsigned id);
/* Reports an overrun stack and ends the guest; callable with a smashed block. */
_Noreturn void vcpu_stack_overflow(struct vcpu_local *v);
/* Secondary vCPUs start here (from start.S) with their block. */
_Noreturn void vcpu_secondary_main(struct vcpu_local *self);

/* ---- start.S ------------------------------------------------------------ */

/* Switches to the stack ending at top (16-byte aligned) and calls fn(arg). */
_Noreturn void arch_run_on_stack(uintptr_t top, void (*fn)(void *), void *arg);
/* Entry point given to VCPUOP_initialise; rdi = struct vcpu_local *. */
void arch_secondary_entry(void);

/* ---- Boot ------------------------------------------------------------------ */

/* Called by _start on the runner-provided stack with rdi = start_info. */
_Noreturn void boot_entry(struct start_info *si);

/* What boot learnt from start_info and decided about memory. */
struct guest_layout {
	struct start_info *si;
	const struct xl_start_info_ext *ext;
	struct shared_info *shared;
	domid_t domid;
	unsigned nr_vcpus;
	uint64_t nr_pages;
	uint64_t mem_bytes;  /* nr_pages << XL_PAGE_SHIFT */
	uintptr_t low_start; /* virtual: free pages below the image, or 0 */
	uintptr_t low_end;
	uintptr_t heap_start;  /* virtual, page-aligned */
	uintptr_t heap_end;    /* virtual, = vCPU 0's stack base */
	uintptr_t stack0_base; /* virtual */
	char cmdline[MAX_GUEST_CMDLINE];
};
extern struct guest_layout guest;

/* ---- Transport and subsystems, initialised in this order by boot ----- */

/* One request/reply on a vCPU channel; no event dispatch. Exits the guest
 * with XLG_EXIT_CHANNEL if the channel fails. */
int64_t hypercall_transport(int fd, const struct xl_hcall *req);

/* Gives [start, end) to the heap; regions must not overlap. Boot only. */
void heap_add(uintptr_t start, uintptr_t end);
void events_init(void);
int gnttab_init(void);
/* Binds VIRQ_TIMER for v (any vCPU may do it for another) with the library's
 * handler. Without it a deadline passing just before SCHEDOP_block would be
 * missed: hvd's timer only wakes a vCPU that is already blocked. */
int time_bind_vcpu(struct vcpu_local *v);
/* After EVTCHNOP_reset: bind VIRQ_TIMER again on every vCPU that had it. */
void time_rebind_all(void);

/* Runs the handlers of pending events for self unless upcalls are masked. */
void events_dispatch(struct vcpu_local *self);

static inline void events_check(struct vcpu_local *self)
{
	struct vcpu_info *vi = self->info;

	if (vi && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_RELAXED))
		events_dispatch(self);
}

/* ---- Number parsing (stdlib.c) ------------------------------------------ */

/* The common part of strto*: optional blanks and sign, the base prefix, the
 * digits. Returns the magnitude (saturated at UINT64_MAX, *overflow set),
 * *negative for a '-', and *end after the last digit (s when none). */
uint64_t parse_number(const char *s, char **end, int base, bool *negative, bool *overflow);

/* ---- Formatting core (format.c), shared by snprintf and printf ---------- */

struct fmt_sink {
	/* Takes n bytes of output; may keep fewer (the count goes on). */
	void (*put)(struct fmt_sink *sink, const char *p, size_t n);
};

/* Formats into sink; returns the number of bytes produced (INT_MAX at most). */
int format_emit(struct fmt_sink *sink, const char *fmt, va_list ap);

#endif
