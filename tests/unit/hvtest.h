/* hvtest.h - a libhv host for unit tests: records every effect libhv asks
 * of its host instead of touching processes. */
#ifndef HVTEST_H
#define HVTEST_H

#include <string.h>

#include "hv.h"

struct hvtest {
	int wakes;
	int64_t last_wake_ret;
	uint32_t last_wake_dom, last_wake_vcpu;
	int dom0_events;
	uint64_t last_owner;
	evtchn_port_t last_dom0_port;
	int shutdowns, destroys, pauses, unpauses, vcpu_starts, timer_changes;
};

static struct hvtest T;

static void t_wake(struct hv *hv, struct domain *d, struct vcpu *v, int64_t ret)
{
	(void)hv;
	T.wakes++;
	T.last_wake_ret = ret;
	T.last_wake_dom = d->domid;
	T.last_wake_vcpu = v->id;
}

static void t_dom0_event(struct hv *hv, uint64_t owner, evtchn_port_t port)
{
	(void)hv;
	T.dom0_events++;
	T.last_owner = owner;
	T.last_dom0_port = port;
}

static void t_shutdown(struct hv *hv, struct domain *d)
{
	(void)hv;
	(void)d;
	T.shutdowns++;
}

static void t_destroy(struct hv *hv, struct domain *d)
{
	(void)hv;
	(void)d;
	T.destroys++;
}

static void t_pause(struct hv *hv, struct domain *d, bool pause)
{
	(void)hv;
	(void)d;
	if (pause)
		T.pauses++;
	else
		T.unpauses++;
}

static int t_vcpu_start(struct hv *hv, struct domain *d, struct vcpu *v,
			const struct xl_vcpu_context *ctx)
{
	(void)hv;
	(void)d;
	(void)v;
	(void)ctx;
	T.vcpu_starts++;
	return 0;
}

static void t_timer_changed(struct hv *hv)
{
	(void)hv;
	T.timer_changes++;
}

static const struct hv_ops hvtest_ops = {
	.vcpu_wake = t_wake,
	.dom0_event = t_dom0_event,
	.domain_shutdown = t_shutdown,
	.domain_destroy = t_destroy,
	.domain_pause = t_pause,
	.vcpu_start = t_vcpu_start,
	.timer_changed = t_timer_changed,
};

/* A hypervisor with exactly 1 GiB for guests. */
static inline struct hv *hvtest_create(void)
{
	struct hv_config cfg = {.host_bytes = 1ull << 30};
	memset(&T, 0, sizeof(T));
	return hv_create(&cfg, &hvtest_ops);
}

/* A running 4 MiB PV domain, as hvd has it after the runner said READY. */
static inline struct domain *hvtest_domain(struct hv *hv, uint32_t vcpus)
{
	struct priv_domain_create req = {.memory_kb = 4096, .vcpus = vcpus};
	struct domain *d = NULL;
	char err[160];
	strcpy(req.name, "test");
	if (domain_create(hv, &req, &d, err, sizeof(err)) < 0)
		return NULL;
	if (domain_build_pv(d, "", err, sizeof(err)) < 0)
		return NULL;
	d->state = DOM_ALIVE;
	d->paused = false;
	return d;
}

/* Guest virtual address of guest-physical address gpa. */
#define GVA(gpa) (XL_GUEST_BASE + (uint64_t)(gpa))
/* A scratch area in guest memory tests use for hypercall arguments. */
#define SCRATCH_GPA 0x200000ull

#endif
