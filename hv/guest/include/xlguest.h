/* xlguest.h - libxlguest, the library OS of Xenlite PV guests: the one public header.
 *
 * A guest is a static ELF program that defines guest_main() and links against
 * libxlguest. The library owns the entry point: it checks the start_info page,
 * switches to vCPU 0's stack, sets up the heap, event channels and the grant
 * table, then calls guest_main() on vCPU 0 (docs/guest-abi.md has the whole
 * contract with the runner and hvd).
 *
 * Conventions:
 * - Functions that wrap a hypercall return 0 (or a non-negative value) on
 *   success and a negative Xen errno (-XEN_EINVAL, ...) on failure.
 * - Nothing here is asynchronous. Event handlers run synchronously on the vCPU
 *   an event was bound to, right after one of that vCPU's hypercalls returns
 *   (see "Event channels"). There is no preemption inside a vCPU.
 * - vCPUs are host threads that really run in parallel; everything marked
 *   "any vCPU" is safe to call from several at once.
 * - The only system calls the library makes are read/write on the vCPU's
 *   hypercall channel, clock_gettime and exit_group: a guest that wants to keep
 *   running must not make any other (the sandbox kills it with SIGSYS).
 */
#ifndef XLGUEST_H
#define XLGUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenlite/abi.h>
#include <xenlite/event_channel.h>
#include <xenlite/grant_table.h>
#include <xenlite/memory.h>
#include <xenlite/sched.h>
#include <xenlite/xen.h>

#define XLG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* ---- The guest program -------------------------------------------------- */

/* Defined by every guest; runs on vCPU 0 once the library is up. cmdline is
 * the domain's command line ("" when none). Returning 0 powers the domain off;
 * any other value is printed and the domain shuts down as crashed. */
int guest_main(const char *cmdline);

/* ---- Start of day (boot.c) ---------------------------------------------- */

domid_t guest_domid(void);
unsigned guest_nr_vcpus(void);
/* Pages of memory the domain was started with (start_info.nr_pages). */
uint64_t guest_nr_pages(void);
const struct start_info *guest_start_info(void);
const struct xl_start_info_ext *guest_start_info_ext(void);
struct shared_info *guest_shared_info(void);

/* Guest virtual address <-> guest-physical address and frame number. The
 * image is linked at XL_GUEST_BASE, so the mapping is a constant offset. */
static inline uint64_t virt_to_gpa(const void *p)
{
	return (uint64_t)(uintptr_t)p - XL_GUEST_BASE;
}

static inline xen_pfn_t virt_to_gfn(const void *p)
{
	return virt_to_gpa(p) >> XL_PAGE_SHIFT;
}

static inline void *gpa_to_virt(uint64_t gpa)
{
	return (void *)(uintptr_t)(gpa + XL_GUEST_BASE);
}

static inline void *gfn_to_virt(xen_pfn_t gfn)
{
	return gpa_to_virt((uint64_t)gfn << XL_PAGE_SHIFT);
}

/* ---- Command line (cmdline.c) -------------------------------------------- */
/* The command line is a list of tokens separated by blanks, each "key" or
 * "key=value". Lookups return the first token with that key. */

/* Copies key's value into buf (NUL-terminated). Returns its length, or
 * -XEN_ENOENT if there is no "key=value" token, or -XEN_ENOSPC if the value
 * does not fit in size bytes (buf then holds ""). */
int cmdline_get(const char *key, char *buf, size_t size);
/* Is there a token "key" or "key=..."? */
bool cmdline_has(const char *key);
/* Parses key's value as an unsigned number (decimal, 0x hex or 0 octal).
 * Returns 0, -XEN_ENOENT when absent, -XEN_EINVAL when not a number or too
 * large for 64 bits. */
int cmdline_get_u64(const char *key, uint64_t *val);

/* ---- Hypercalls (hypercall.c) -------------------------------------------- */
/* Raw hypercall from the calling vCPU: sends struct xl_hcall on the vCPU's
 * channel and returns hvd's answer. Pending events are dispatched before it
 * returns. If the channel fails (hvd is gone) the whole guest exits at once
 * with status XLG_EXIT_CHANNEL. Any vCPU. */
int64_t hypercall(uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);

int64_t hypercall_console_io(unsigned cmd, uint64_t count, const void *buf);
int64_t hypercall_xen_version(unsigned cmd, void *arg);
int64_t hypercall_event_channel_op(unsigned cmd, void *arg);
int64_t hypercall_grant_table_op(unsigned cmd, void *arg, unsigned count);
int64_t hypercall_sched_op(unsigned cmd, void *arg);
int64_t hypercall_set_timer_op(uint64_t deadline_ns);
int64_t hypercall_vcpu_op(unsigned cmd, unsigned vcpu, void *arg);
int64_t hypercall_memory_op(unsigned cmd, void *arg);

/* "EINVAL" for -XEN_EINVAL, "E?" for other negative values, "OK" for values
 * >= 0. For messages. */
const char *xen_errname(int64_t rc);
/* "okay", "bad_gntref", ... for a GNTST_* status. */
const char *gntst_name(int status);

/* Exit statuses used when the domain cannot be shut down through hvd. */
enum xlg_exit {
	XLG_EXIT_CHANNEL = 100,  /* the hypercall channel failed: hvd is gone */
	XLG_EXIT_SHUTDOWN = 101, /* SCHEDOP_shutdown was answered instead of acted on */
	XLG_EXIT_BOOT = 102,     /* start_info unusable and the crash could not be reported */
	XLG_EXIT_STACK = 103,    /* a stack overran and its vCPU could not be told */
};

/* ---- Scheduling and shutdown (sched.c) ----------------------------------- */

int sched_yield(void);
/* Sleeps until an unmasked event is pending for this vCPU or its
 * set_timer_op deadline passes, then runs the handlers of pending events.
 * Events whose handlers already ran do not count: test the condition a
 * handler sets right before calling, with no hypercall in between (its
 * dispatch could run the handler, and the block would then wait for the
 * next event). Must not be called from an event handler. */
int sched_block(void);
/* Sleeps until one of ports is pending (masked or not) or the absolute
 * system time deadline_ns passes (0: no deadline). Returns 0 either way. */
int sched_poll(const evtchn_port_t *ports, unsigned nr_ports, uint64_t deadline_ns);
/* Shuts the domain down with a SHUTDOWN_* reason; never returns. */
_Noreturn void sched_shutdown(unsigned reason);
_Noreturn void poweroff(void);
_Noreturn void reboot(void);
_Noreturn void crash(void);
/* Prints "panic: <message>" and crashes the domain. */
_Noreturn void panic(const char *fmt, ...) XLG_PRINTF(1, 2);

/* ---- Event channels (events.c) ------------------------------------------- */
/*
 * Xen's 2-level event channels. Every port starts masked and stays masked
 * until a handler is registered for it: a port without a handler can still be
 * sent to, tested and polled (sched_poll), but never causes an upcall.
 *
 * Upcalls are synchronous: after each hypercall returns on a vCPU, if that
 * vCPU's evtchn_upcall_pending is set and upcalls are not masked, the library
 * clears it, takes evtchn_pending_sel, and for every pending, unmasked port
 * bound to this vCPU clears the pending bit and calls the port's handler.
 * Handlers run with upcalls masked on their vCPU (so hypercalls they make do
 * not nest another dispatch); they may send, mask, unmask and print, but must
 * not block. vCPUs >= XEN_LEGACY_MAX_VCPUS have no vcpu_info and get no
 * upcalls; they can poll.
 *
 * Ports are bound to vCPU 0 unless bound with a vCPU (virq, ipi) or moved
 * with evtchn_bind_vcpu; the library tracks this to dispatch each port on its
 * own vCPU only, so ports created by other means must follow Xen's rule
 * (notify vCPU 0).
 */
typedef void evtchn_handler_fn(evtchn_port_t port, void *data);

/* Each returns 0 and the new local port in *port, or a negative Xen errno. */
int evtchn_alloc_unbound(domid_t remote_dom, evtchn_port_t *port);
int evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port, evtchn_port_t *port);
int evtchn_bind_virq(uint32_t virq, unsigned vcpu, evtchn_port_t *port);
int evtchn_bind_ipi(unsigned vcpu, evtchn_port_t *port);
/* Moves port's notifications to vcpu. */
int evtchn_bind_vcpu(evtchn_port_t port, unsigned vcpu);
/* Drops the handler, masks the port and closes it. */
int evtchn_close(evtchn_port_t port);
int evtchn_send(evtchn_port_t port);
int evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *status);
/* EVTCHNOP_reset on this domain: closes every port. All handlers are dropped,
 * every port is masked again, and the library binds its VIRQ_TIMERs anew. */
int evtchn_reset(void);

/* Registers fn(port, data) for port, then unmasks it (EVTCHNOP_unmask, so an
 * event already pending is delivered before this returns). Returns the unmask
 * result, or -XEN_EINVAL for a bad port or a NULL fn. */
int evtchn_set_handler(evtchn_port_t port, evtchn_handler_fn *fn, void *data);
/* Masks port and forgets its handler. A dispatch running on another vCPU may
 * still be inside the old handler when this returns. */
void evtchn_clear_handler(evtchn_port_t port);

/* Local operations on the shared bitmaps (no hypercall), any vCPU. */
void evtchn_mask(evtchn_port_t port);
bool evtchn_is_masked(evtchn_port_t port);
bool evtchn_is_pending(evtchn_port_t port);
/* Clears port's pending bit; returns whether it was set. */
bool evtchn_test_and_clear(evtchn_port_t port);
/* EVTCHNOP_unmask: hvd clears the mask bit and re-raises a pending event. */
int evtchn_unmask(evtchn_port_t port);

/* ---- Grant tables (gnttab.c) --------------------------------------------- */
/* v1 grant entries in this domain's table (refs below
 * GNTTAB_NR_RESERVED_ENTRIES are never handed out). Any vCPU. */

/* Grants domid access to frame gfn. Returns the grant ref, -XEN_ENOSPC when
 * the table is full, -XEN_EINVAL for a frame outside the domain. */
int gnttab_grant_access(domid_t domid, xen_pfn_t gfn, bool readonly);
/* Ends a grant made by gnttab_grant_access and frees the ref. Returns 0, or
 * -XEN_EBUSY while the grantee has the page mapped or is copying (GTF_reading
 * / GTF_writing set; the grant stays in force), -XEN_EINVAL for a ref that is
 * not ours. */
int gnttab_end_access(grant_ref_t ref);
/* GNTTABOP_copy over count ops; each op's status is written back. Returns
 * the hypercall result (0 even when single copies failed). */
int gnttab_copy(struct gnttab_copy *ops, unsigned count);
/* GNTTABOP_query_size: 0, the hypercall's error, or -XEN_EINVAL when the
 * status is not GNTST_okay. */
int gnttab_query_size(domid_t dom, uint32_t *nr_frames, uint32_t *max_nr_frames);
/* Entries in this domain's table, and read access to one (NULL if out of
 * range), e.g. to look at GTF_reading. */
unsigned gnttab_nr_entries(void);
const struct grant_entry_v1 *gnttab_entry(grant_ref_t ref);

/* ---- Time (time.c) ------------------------------------------------------- */
/* System time is the host's CLOCK_MONOTONIC in ns (what set_timer_op and
 * sched_poll deadlines are measured in).
 *
 * The library binds VIRQ_TIMER on every vCPU it brings up (vCPUs below
 * XEN_LEGACY_MAX_VCPUS), and again after evtchn_reset: a deadline that passes
 * just before a vCPU blocks then leaves an event pending and the block ends,
 * where hvd's timer alone would only wake a vCPU already blocked. To wait for
 * the timer: time_set_timer(d), then block while time_timer_events() has not
 * moved and the deadline has not passed (no hypercall between the check and
 * sched_block). */

uint64_t time_now_ns(void);
/* Arms this vCPU's one-shot timer at an absolute system time (0 cancels). */
int time_set_timer(uint64_t deadline_ns);
/* This vCPU's VIRQ_TIMER port (0 if it has none) and how many timer events
 * it has received. */
evtchn_port_t time_timer_port(void);
uint64_t time_timer_events(void);
/* Sleeps until deadline_ns, running event handlers as events arrive. Uses
 * (and so replaces) the vCPU's timer. */
void time_sleep_until(uint64_t deadline_ns);
void time_sleep_ns(uint64_t ns);

/* ---- Console (console.c) ------------------------------------------------- */
/* Output goes to the domain's console through console_io. One printf call
 * reaches hvd as one write when it is at most 512 bytes, so lines from
 * different vCPUs do not mix. */

/* Writes all len bytes. Returns len, or a negative Xen errno. */
int console_write(const void *buf, size_t len);
int printf(const char *fmt, ...) XLG_PRINTF(1, 2);
int vprintf(const char *fmt, va_list ap) XLG_PRINTF(1, 0);
/* s and a newline. */
int puts(const char *s);

/* ---- Formatting (format.c) ----------------------------------------------- */
/* C99 conversions d i u x X o c s p %, flags - 0 + space #, width and
 * precision (numbers or *), lengths hh h l ll z j t. No floating point. */
int snprintf(char *buf, size_t size, const char *fmt, ...) XLG_PRINTF(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) XLG_PRINTF(3, 0);

/* ---- Heap (alloc.c) ------------------------------------------------------ */
/* First-fit over the free memory: the pages between the special frames and
 * the image, and those between the image and vCPU 0's stack. Any vCPU.
 * free() of a pointer the heap did not hand out panics. */

void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *p, size_t size);
/* alignment: a power of two (a page for memory to grant). */
void *aligned_alloc(size_t alignment, size_t size);
void free(void *p);

struct heap_stats {
	size_t total;     /* bytes managed */
	size_t free;      /* bytes in free blocks (headers included) */
	size_t largest;   /* largest free block */
	unsigned nr_free; /* free blocks */
	unsigned nr_used; /* live allocations */
};
void heap_stats(struct heap_stats *st);

/* ---- libc subset (string.c, stdlib.c) ------------------------------------- */

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
/* BSD strlcpy: copies at most size-1 bytes, always terminates (size > 0),
 * returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* C semantics, except that there is no errno: out-of-range values saturate
 * (ULONG_MAX, LONG_MIN/LONG_MAX) without a way to tell. */
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
/* Heapsort: O(n log n), no recursion, not stable. */
void qsort(void *base, size_t nmemb, size_t size, int (*cmp)(const void *, const void *));

/* ---- vCPUs (vcpu.c) ------------------------------------------------------ */
/* vCPU 0 runs guest_main. Secondary vCPUs get a stack of XLG_STACK_SIZE
 * from the heap when first started. */

#define XLG_STACK_SIZE (64u << 10)

/* The calling vCPU's id. */
unsigned vcpu_id(void);
/* Runs fn(arg) on vCPU id (1 <= id < guest_nr_vcpus()): VCPUOP_initialise
 * and VCPUOP_up the first time. When fn returns the vCPU takes itself down,
 * and vcpu_start can give it new work. Returns 0, -XEN_EBUSY if it is still
 * running (or parked in vcpu_down), -XEN_ENOMEM without memory for a stack,
 * or the hypercall's error. Any vCPU; start calls are serialised. */
int vcpu_start(unsigned id, void (*fn)(void *arg), void *arg);
/* Takes the calling vCPU offline (VCPUOP_down); returns 0 once another vCPU
 * brings it back with vcpu_up, or a negative Xen errno. */
int vcpu_down(void);
/* Brings back a vCPU parked in vcpu_down. -XEN_EINVAL if id is not parked. */
int vcpu_up(unsigned id);
/* VCPUOP_is_up: 1, 0 or a negative Xen errno. */
int vcpu_is_up(unsigned id);

/* ---- Spinlocks ------------------------------------------------------------ */
/* For data shared between vCPUs. Never hold one across a hypercall that
 * blocks, nor take one in an event handler that the interrupted code on the
 * same vCPU might hold. */

struct spinlock {
	uint32_t locked;
};
#define SPINLOCK_INIT                                                                              \
	{                                                                                          \
		0                                                                                  \
	}

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
	}
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}

#endif
