/*
 * regs_check_x86_64.S - a checker for the context switch (used by the tests and stress_fibers;
 * not a step).  C cannot test register preservation: the compiler decides which values live in
 * which registers.  So this function, written in assembly, puts a known value in every
 * callee-saved register, calls fn(arg) - which switches to other fibers that do the same with
 * other values - and reports which registers came back changed.
 *
 * uint64_t regs_keep_across(void (*fn)(void *), void *arg, uint64_t seed)
 *   rbx = seed+1, rbp = seed+2, r12..r15 = seed+3..seed+6 during the call;
 *   returns a bit mask: bit 0 rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15 (0 = all survived).
 */
#if defined(__x86_64__)
	.text
	.globl	regs_keep_across
	.type	regs_keep_across, @function
	.p2align 4
regs_keep_across:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	pushq	%rdx			/* the seed; also makes rsp 16-byte aligned for the call */
	.cfi_adjust_cfa_offset 8
	leaq	1(%rdx), %rbx
	leaq	2(%rdx), %rbp
	leaq	3(%rdx), %r12
	leaq	4(%rdx), %r13
	leaq	5(%rdx), %r14
	leaq	6(%rdx), %r15
	movq	%rdi, %rax
	movq	%rsi, %rdi
	callq	*%rax
	movq	(%rsp), %rdx
	xorl	%eax, %eax
.macro CHECK reg, k
	leaq	(\k + 1)(%rdx), %rcx
	cmpq	%rcx, \reg
	je	1f
	orq	$(1 << \k), %rax
1:
.endm
	CHECK	%rbx, 0
	CHECK	%rbp, 1
	CHECK	%r12, 2
	CHECK	%r13, 3
	CHECK	%r14, 4
	CHECK	%r15, 5
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%r15
	.cfi_adjust_cfa_offset -8
	popq	%r14
	.cfi_adjust_cfa_offset -8
	popq	%r13
	.cfi_adjust_cfa_offset -8
	popq	%r12
	.cfi_adjust_cfa_offset -8
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	regs_keep_across, .-regs_keep_across

/* uintptr_t regs_entry_sp(void): rsp at entry (it points at our return address). */
	.globl	regs_entry_sp
	.type	regs_entry_sp, @function
regs_entry_sp:
	.cfi_startproc
	movq	%rsp, %rax
	ret
	.cfi_endproc
	.size	regs_entry_sp, .-regs_entry_sp
#endif
	.section .note.GNU-stack, "", %progbits
