/* sched.c - sched_op: yield, block, poll, and the ways a domain ends
 * (poweroff, reboot, crash, panic). */
#include "private.h"

int sched_yield(void)
{
	return (int)hypercall_sched_op(SCHEDOP_yield, NULL);
}

int sched_block(void)
{
	/* hypercall() dispatches whatever woke us before returning */
	return (int)hypercall_sched_op(SCHEDOP_block, NULL);
}

int sched_poll(const evtchn_port_t *ports, unsigned nr_ports, uint64_t deadline_ns)
{
	struct sched_poll op = {
	    .ports = (uint64_t)(uintptr_t)ports,
	    .nr_ports = nr_ports,
	    .timeout = deadline_ns,
	};

	return (int)hypercall_sched_op(SCHEDOP_poll, &op);
}

void sched_shutdown(unsigned reason)
{
	struct vcpu_local *self = vcpu_self();
	struct sched_shutdown op = {.reason = reason};
	const struct xl_hcall req = {
	    .op = __HYPERVISOR_sched_op,
	    .args = {SCHEDOP_shutdown, (uint64_t)(uintptr_t)&op},
	};

	/* hvd stops the runner instead of answering; no dispatch either way */
	hypercall_transport(self->hcall_fd, &req);
	sys_exit_group(XLG_EXIT_SHUTDOWN);
}

void poweroff(void)
{
	sched_shutdown(SHUTDOWN_poweroff);
}

void reboot(void)
{
	sched_shutdown(SHUTDOWN_reboot);
}

void crash(void)
{
	sched_shutdown(SHUTDOWN_crash);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("panic: %s\n", msg);
	crash();
}
