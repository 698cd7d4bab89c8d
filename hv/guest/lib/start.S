/* start.S - entry points: vCPU 0's _start, secondary vCPUs' entry, and the
 * switch onto a library-owned stack.
 *
 * The runner enters _start with rdi = guest virtual address of start_info and
 * rsp = XL_GUEST_BASE + boot_stack_top; a vCPU brought up with VCPUOP_up enters
 * at the xl_vcpu_context entry with rdi = arg and rsp = stack. Neither pushes a
 * return address, so both are treated as a fresh process entry: align the
 * stack, clear the frame pointer (ends backtraces), call into C, never return.
 */

	.text

	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	boot_entry		/* (struct start_info *) in rdi */
	ud2
	.size	_start, . - _start

	.globl	arch_secondary_entry
	.type	arch_secondary_entry, @function
arch_secondary_entry:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	vcpu_secondary_main	/* (struct vcpu_local *) in rdi */
	ud2
	.size	arch_secondary_entry, . - arch_secondary_entry

/* void arch_run_on_stack(uintptr_t top, void (*fn)(void *), void *arg) */
	.globl	arch_run_on_stack
	.type	arch_run_on_stack, @function
arch_run_on_stack:
	movq	%rdi, %rsp
	andq	$-16, %rsp
	xorl	%ebp, %ebp
	movq	%rdx, %rdi
	call	*%rsi
	ud2
	.size	arch_run_on_stack, . - arch_run_on_stack

	.section .note.GNU-stack, "", @progbits
