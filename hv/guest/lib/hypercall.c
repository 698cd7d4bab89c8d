/* hypercall.c - the hypercall transport (one message each way on the calling
 * vCPU's channel), the typed stubs, and names for error codes.
 *
 * A hypercall is write(XL_HCALL_FD(vcpu), struct xl_hcall) followed by
 * read(XL_HCALL_FD(vcpu), struct xl_hcall_ret). The channel is a
 * SOCK_SEQPACKET socket, so each is exactly one message. hvd may hold the
 * reply back (SCHEDOP_block, SCHEDOP_poll, VCPUOP_down) or never send it
 * (SCHEDOP_shutdown): the read simply waits.
 */
#include "private.h"

int64_t hypercall_transport(int fd, const struct xl_hcall *req)
{
	struct xl_hcall_ret ret;
	long n;

	/* EINTR is retried: a SEQPACKET write that fails sent nothing, and the
	 * reply of a sent request is still to come. */
	do
		n = sys_write(fd, req, sizeof(*req));
	while (n == -LINUX_EINTR);
	if (n != (long)sizeof(*req))
		sys_exit_group(XLG_EXIT_CHANNEL);
	do
		n = sys_read(fd, &ret, sizeof(ret));
	while (n == -LINUX_EINTR);
	if (n != (long)sizeof(ret))
		sys_exit_group(XLG_EXIT_CHANNEL);
	return ret.ret;
}

int64_t hypercall(uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	struct vcpu_local *self = vcpu_self();
	const struct xl_hcall req = {.op = op, .args = {a0, a1, a2, a3, a4}};

	if (self->guard != VCPU_GUARD)
		vcpu_stack_overflow(self);
	int64_t rc = hypercall_transport(self->hcall_fd, &req);
	events_check(self);
	return rc;
}

static uint64_t va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int64_t hypercall_console_io(unsigned cmd, uint64_t count, const void *buf)
{
	return hypercall(__HYPERVISOR_console_io, cmd, count, va(buf), 0, 0);
}

int64_t hypercall_xen_version(unsigned cmd, void *arg)
{
	return hypercall(__HYPERVISOR_xen_version, cmd, va(arg), 0, 0, 0);
}

int64_t hypercall_event_channel_op(unsigned cmd, void *arg)
{
	return hypercall(__HYPERVISOR_event_channel_op, cmd, va(arg), 0, 0, 0);
}

int64_t hypercall_grant_table_op(unsigned cmd, void *arg, unsigned count)
{
	return hypercall(__HYPERVISOR_grant_table_op, cmd, va(arg), count, 0, 0);
}

int64_t hypercall_sched_op(unsigned cmd, void *arg)
{
	return hypercall(__HYPERVISOR_sched_op, cmd, va(arg), 0, 0, 0);
}

int64_t hypercall_set_timer_op(uint64_t deadline_ns)
{
	return hypercall(__HYPERVISOR_set_timer_op, deadline_ns, 0, 0, 0, 0);
}

int64_t hypercall_vcpu_op(unsigned cmd, unsigned vcpu, void *arg)
{
	return hypercall(__HYPERVISOR_vcpu_op, cmd, vcpu, va(arg), 0, 0);
}

int64_t hypercall_memory_op(unsigned cmd, void *arg)
{
	return hypercall(__HYPERVISOR_memory_op, cmd, va(arg), 0, 0, 0);
}

const char *xen_errname(int64_t rc)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
	    {XEN_EPERM, "EPERM"},   {XEN_ENOENT, "ENOENT"},
	    {XEN_ESRCH, "ESRCH"},   {XEN_EINTR, "EINTR"},
	    {XEN_EIO, "EIO"},       {XEN_ENOMEM, "ENOMEM"},
	    {XEN_EACCES, "EACCES"}, {XEN_EFAULT, "EFAULT"},
	    {XEN_EBUSY, "EBUSY"},   {XEN_EEXIST, "EEXIST"},
	    {XEN_EINVAL, "EINVAL"}, {XEN_ENOSPC, "ENOSPC"},
	    {XEN_ENOSYS, "ENOSYS"}, {XEN_ETIMEDOUT, "ETIMEDOUT"},
	};

	if (rc >= 0)
		return "OK";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (-rc == names[i].err)
			return names[i].name;
	}
	return "E?";
}

const char *gntst_name(int status)
{
	static const char *const names[] = {
	    "okay",         "general_error",   "bad_domain",
	    "bad_gntref",   "bad_handle",      "bad_virt_addr",
	    "bad_dev_addr", "no_device_space", "permission_denied",
	    "bad_page",     "bad_copy_arg",    "address_too_big",
	    "eagain",       "no_space",
	};

	if (status > 0 || -status >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown";
	return names[-status];
}
