/* enter.S - the jump from a runner thread into guest code. */

/* noreturn void vcpu_enter(uint64_t entry (rdi), uint64_t stack (rsi), uint64_t arg (rdx))
 *
 * The guest starts as a SysV process entry does: rsp = stack exactly (no
 * return address pushed), rdi = arg. Every other general register is zero
 * but r11, which holds entry (the guest's own address). The runner's stack
 * is never used again. */
	.text
	.globl	vcpu_enter
	.type	vcpu_enter, @function
vcpu_enter:
	mov	%rdi, %r11
	mov	%rdx, %rdi
	fninit
	pushq	$0x1f80			/* MXCSR default: all exceptions masked */
	ldmxcsr	(%rsp)
	movq	$0x2, (%rsp)		/* RFLAGS: only the reserved bit; DF clear */
	popfq
	mov	%rsi, %rsp
	xor	%eax, %eax
	xor	%ebx, %ebx
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%ebp, %ebp
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
	pxor	%xmm0, %xmm0
	pxor	%xmm1, %xmm1
	pxor	%xmm2, %xmm2
	pxor	%xmm3, %xmm3
	pxor	%xmm4, %xmm4
	pxor	%xmm5, %xmm5
	pxor	%xmm6, %xmm6
	pxor	%xmm7, %xmm7
	pxor	%xmm8, %xmm8
	pxor	%xmm9, %xmm9
	pxor	%xmm10, %xmm10
	pxor	%xmm11, %xmm11
	pxor	%xmm12, %xmm12
	pxor	%xmm13, %xmm13
	pxor	%xmm14, %xmm14
	pxor	%xmm15, %xmm15
	jmp	*%r11
	.size	vcpu_enter, . - vcpu_enter

	.section .note.GNU-stack, "", @progbits
