/* vcpu.c - per-vCPU blocks, bringing secondary vCPUs up and down, and the
 * secondary vCPUs' main loop.
 *
 * A secondary vCPU's life: vcpu_start gives it a stack from the heap (kept
 * for good), VCPUOP_initialise points it at arch_secondary_entry with its
 * block as argument, VCPUOP_up starts it. It runs fn(arg); when fn returns it
 * marks itself idle and takes itself down. hvd resumes a downed vCPU where it
 * stopped, so the next vcpu_start only hands over new work and says up.
 */
#include "private.h"

static struct vcpu_local *vcpus[XL_MAX_VCPUS];
/* Serialises vcpu_start and vcpu_up, which read and change vcpus[] states.
 * Both may wait (yielding) for the target to go offline with it held, so
 * neither may be called from an event handler. */
static struct spinlock vcpu_lock = SPINLOCK_INIT;

void vcpu_local_init(struct vcpu_local *v, unsigned id)
{
	*v = (struct vcpu_local){
	    .id = id,
	    .hcall_fd = XL_HCALL_FD(id),
	    .info = id < XEN_LEGACY_MAX_VCPUS ? &guest.shared->vcpu_info[id] : NULL,
	    .state = id == 0 ? VCPU_RUNNING : VCPU_NEW,
	    .guard = VCPU_GUARD,
	};
}

void vcpu_register_boot(struct vcpu_local *v0)
{
	vcpus[0] = v0;
}

struct vcpu_local *vcpu_local_of(unsigned id)
{
	return id < XL_MAX_VCPUS ? vcpus[id] : NULL;
}

void vcpu_stack_overflow(struct vcpu_local *v)
{
	struct sched_shutdown sd = {.reason = SHUTDOWN_crash};
	char msg[64];
	int id, len;

	/* v is the overrun stack's block (guard smashed) or, once %rsp has left
	 * that stack, the memory just below it; its contents are not trusted */
	for (id = 0; id < (int)XL_MAX_VCPUS; id++) {
		if (vcpus[id] &&
		    (vcpus[id] == v || (uintptr_t)vcpus[id] == (uintptr_t)v + XLG_STACK_SIZE))
			break;
	}
	if (id == (int)XL_MAX_VCPUS)
		sys_exit_group(XLG_EXIT_STACK);
	len = snprintf(msg, sizeof(msg), "xlguest: vCPU %d overran its stack\n", id);
	struct xl_hcall req = {
	    .op = __HYPERVISOR_console_io,
	    .args = {CONSOLEIO_write, (uint64_t)len, (uint64_t)(uintptr_t)msg},
	};
	hypercall_transport(XL_HCALL_FD(id), &req);
	req = (struct xl_hcall){
	    .op = __HYPERVISOR_sched_op,
	    .args = {SCHEDOP_shutdown, (uint64_t)(uintptr_t)&sd},
	};
	hypercall_transport(XL_HCALL_FD(id), &req);
	sys_exit_group(XLG_EXIT_STACK);
}

unsigned vcpu_id(void)
{
	return vcpu_self()->id;
}

static uint32_t state_of(const struct vcpu_local *v)
{
	return __atomic_load_n(&v->state, __ATOMIC_ACQUIRE);
}

static void set_state(struct vcpu_local *v, enum vcpu_state s)
{
	__atomic_store_n(&v->state, (uint32_t)s, __ATOMIC_RELEASE);
}

int vcpu_is_up(unsigned id)
{
	return (int)hypercall_vcpu_op(VCPUOP_is_up, id, NULL);
}

/* A vCPU that marked itself idle or parked is about to make VCPUOP_down;
 * VCPUOP_up before hvd has taken it down would be lost, so wait for it. */
static int wait_offline(unsigned id)
{
	int rc;

	while ((rc = vcpu_is_up(id)) == 1)
		sched_yield();
	return rc;
}

/* First start: a stack, the block at its base, initialise and up. */
static int vcpu_first_start(unsigned id, void (*fn)(void *), void *arg)
{
	struct vcpu_local *v = aligned_alloc(XLG_STACK_SIZE, XLG_STACK_SIZE);

	if (!v)
		return -XEN_ENOMEM;
	vcpu_local_init(v, id);
	v->fn = fn;
	v->arg = arg;
	struct xl_vcpu_context ctx = {
	    .entry = (uint64_t)(uintptr_t)arch_secondary_entry,
	    .stack = (uint64_t)(uintptr_t)v + XLG_STACK_SIZE,
	    .arg = (uint64_t)(uintptr_t)v,
	};
	int rc = (int)hypercall_vcpu_op(VCPUOP_initialise, id, &ctx);
	if (rc < 0) {
		free(v);
		return rc;
	}
	/* without a timer VIRQ the vCPU still runs; its sleeps then poll */
	time_bind_vcpu(v);
	/* published before up: once running it is found by vcpu_up/overflow */
	vcpus[id] = v;
	set_state(v, VCPU_RUNNING);
	rc = (int)hypercall_vcpu_op(VCPUOP_up, id, NULL);
	if (rc < 0)
		set_state(v, VCPU_NEW); /* initialised, stack kept: retry can up it */
	return rc;
}

int vcpu_start(unsigned id, void (*fn)(void *), void *arg)
{
	int rc;

	if (id == 0 || id >= guest.nr_vcpus || !fn)
		return -XEN_EINVAL;

	spin_lock(&vcpu_lock);
	struct vcpu_local *v = vcpus[id];
	if (!v) {
		rc = vcpu_first_start(id, fn, arg);
	} else if (state_of(v) == VCPU_IDLE || state_of(v) == VCPU_NEW) {
		rc = state_of(v) == VCPU_IDLE ? wait_offline(id) : 0;
		if (rc >= 0) {
			v->fn = fn;
			v->arg = arg;
			set_state(v, VCPU_RUNNING);
			rc = (int)hypercall_vcpu_op(VCPUOP_up, id, NULL);
			if (rc < 0)
				set_state(v, VCPU_IDLE);
		}
	} else {
		rc = -XEN_EBUSY;
	}
	spin_unlock(&vcpu_lock);
	return rc < 0 ? rc : 0;
}

int vcpu_down(void)
{
	struct vcpu_local *self = vcpu_self();

	set_state(self, VCPU_PARKED);
	int rc = (int)hypercall_vcpu_op(VCPUOP_down, self->id, NULL);
	set_state(self, VCPU_RUNNING);
	return rc;
}

int vcpu_up(unsigned id)
{
	int rc;

	if (id >= guest.nr_vcpus)
		return -XEN_EINVAL;
	spin_lock(&vcpu_lock);
	struct vcpu_local *v = vcpus[id];
	if (!v || state_of(v) != VCPU_PARKED) {
		rc = -XEN_EINVAL;
	} else {
		rc = wait_offline(id);
		if (rc >= 0)
			rc = (int)hypercall_vcpu_op(VCPUOP_up, id, NULL);
	}
	spin_unlock(&vcpu_lock);
	return rc < 0 ? rc : 0;
}

void vcpu_secondary_main(struct vcpu_local *self)
{
	/* upcalls start unmasked (the builder clears every mask), as on vCPU 0 */
	if (self->info)
		__atomic_store_n(&self->info->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	for (;;) {
		self->fn(self->arg);
		set_state(self, VCPU_IDLE);
		/* Returns 0 when vcpu_start has handed over new work. Should hvd
		 * refuse, sleep instead of running the old work again. */
		while (hypercall_vcpu_op(VCPUOP_down, self->id, NULL) < 0)
			sched_block();
	}
}
