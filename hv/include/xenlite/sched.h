/* sched.h - Xen's sched_op, set_timer_op and vcpu_op subsets. */
#ifndef XENLITE_SCHED_H
#define XENLITE_SCHED_H

#include "xen.h"

#define SCHEDOP_yield 0
#define SCHEDOP_block 1    /* sleep until an event is pending or the timer fires */
#define SCHEDOP_shutdown 2 /* arg: struct sched_shutdown */
#define SCHEDOP_poll 3     /* arg: struct sched_poll */

struct sched_shutdown {
	uint32_t reason; /* IN: SHUTDOWN_* */
};

struct sched_poll {
	uint64_t ports;    /* IN: guest address of evtchn_port_t[nr_ports] */
	uint32_t nr_ports; /* IN */
	uint32_t pad;
	uint64_t timeout;  /* IN: absolute system time in ns, 0 = none */
};

/* System time in Xenlite is the host's CLOCK_MONOTONIC in ns, which guests
 * read with clock_gettime (allowed by the sandbox).
 * set_timer_op(timeout): arg0 = absolute system time at which VIRQ_TIMER
 * fires on this vCPU and a blocked vCPU wakes; 0 cancels. */

/* vcpu_op(cmd, vcpuid, arg) */
#define VCPUOP_initialise 0 /* arg: struct xl_vcpu_context */
#define VCPUOP_up 1
#define VCPUOP_down 2
#define VCPUOP_is_up 3
#define VCPUOP_get_runstate_info 4

/* Xenlite's vCPU start context (Xen uses vcpu_guest_context here). */
struct xl_vcpu_context {
	uint64_t entry; /* IN: guest virtual entry point */
	uint64_t stack; /* IN: guest virtual stack top (16-byte aligned) */
	uint64_t arg;   /* IN: passed in rdi */
};

#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3

struct vcpu_runstate_info {
	int32_t state;
	uint32_t pad;
	uint64_t state_entry_time;
	uint64_t time[4];
};

#endif
