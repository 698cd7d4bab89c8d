/* time.c - system time (the host's CLOCK_MONOTONIC, read with the raw
 * clock_gettime call the sandbox allows), the per-vCPU timer and its VIRQ,
 * and sleeping.
 *
 * The library binds VIRQ_TIMER on every vCPU it brings up, as Xen PV kernels
 * do. hvd's timer wakes a vCPU only if it is blocked when the deadline
 * passes; with the VIRQ bound, a deadline that passes just before the vCPU
 * blocks leaves an event pending instead, and the block returns at once.
 */
#include "private.h"

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

uint64_t time_now_ns(void)
{
	struct linux_timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer */
	sys_call3(SYS_clock_gettime, LINUX_CLOCK_MONOTONIC, (long)(uintptr_t)&ts, 0);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void timer_event(evtchn_port_t port, void *data)
{
	struct vcpu_local *v = data;

	__atomic_fetch_add(&v->timer_events, 1, __ATOMIC_SEQ_CST);
}

int time_bind_vcpu(struct vcpu_local *v)
{
	evtchn_port_t port;

	v->timer_port = 0;
	if (!v->info)
		return -XEN_EINVAL; /* no vcpu_info, no upcalls: nothing to bind for */
	int rc = evtchn_bind_virq(VIRQ_TIMER, v->id, &port);
	if (rc < 0)
		return rc;
	rc = evtchn_set_handler(port, timer_event, v);
	if (rc < 0) {
		evtchn_close(port);
		return rc;
	}
	__atomic_store_n(&v->timer_port, port, __ATOMIC_RELEASE);
	return 0;
}

void time_rebind_all(void)
{
	for (unsigned id = 0; id < XL_MAX_VCPUS; id++) {
		struct vcpu_local *v = vcpu_local_of(id);
		if (v && v->timer_port)
			time_bind_vcpu(v);
	}
}

evtchn_port_t time_timer_port(void)
{
	return __atomic_load_n(&vcpu_self()->timer_port, __ATOMIC_ACQUIRE);
}

uint64_t time_timer_events(void)
{
	return __atomic_load_n(&vcpu_self()->timer_events, __ATOMIC_SEQ_CST);
}

int time_set_timer(uint64_t deadline_ns)
{
	return (int)hypercall_set_timer_op(deadline_ns);
}

void time_sleep_until(uint64_t deadline_ns)
{
	struct vcpu_local *self = vcpu_self();

	while (time_now_ns() < deadline_ns) {
		if (!__atomic_load_n(&self->timer_port, __ATOMIC_ACQUIRE)) {
			/* no VIRQ to keep a late deadline: a poll on no port
			 * compares the deadline in hvd, so it cannot be missed */
			sched_poll(NULL, 0, deadline_ns);
			continue;
		}
		time_set_timer(deadline_ns);
		/* Checked after set_timer_op, whose dispatch may already have
		 * consumed the VIRQ; a deadline passing after this check leaves
		 * the VIRQ pending, which ends the block at once. */
		if (time_now_ns() >= deadline_ns)
			break;
		sched_block();
	}
}

void time_sleep_ns(uint64_t ns)
{
	uint64_t now = time_now_ns();

	time_sleep_until(ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
}
