/*
 * ctx_switch_x86_64.S - step 1: the context switch and the first entry, for x86-64 (System V).
 *
 * What must survive a call, by the System V ABI (and so what a switch saves):
 *   rbx rbp r12 r13 r14 r15   callee-saved general registers
 *   rsp                       the stack pointer: stored in *save_sp, it IS the context
 *   the return address        already on the stack, pushed by the caller's `call`
 *   MXCSR control bits        SSE rounding mode and exception masks (callee-saved by the ABI)
 *   x87 control word          x87 precision and rounding (callee-saved by the ABI)
 * Everything else (rax rcx rdx rsi rdi r8-r11, xmm0-15, the flags, the status bits) is
 * caller-saved: the compiler assumed the call destroyed it.  The frame layout is in ctx.h.
 *
 * The CFI directives tell a debugger where each register was pushed, so that `bt` inside
 * ctx_switch walks up into the fiber that called it; ctx_start marks the outermost frame.
 */
#if defined(__x86_64__)

	.text

	.globl	ctx_switch
	.type	ctx_switch, @function
	.p2align 4
ctx_switch:	/* void ctx_switch(void **save_sp, void *next_sp) */
	.cfi_startproc
	/* BEGIN STEP 1: Save the caller's callee-saved registers and FP control words on its
	 * stack (the layout in ctx.h), store rsp in *save_sp, load next_sp, restore the same
	 * things from there, and resume the other context at its saved return address with a
	 * pop and an indirect jmp (not ret: the workbook says why).  ctx_switch_ret needs the
	 * same save-and-swap: a .macro written here saves typing it twice.  (Optional, once it
	 * works: skip the fldcw when the two control words are equal; bench_switch shows it.)
	 * Checked by: ctx::*, sched::*
	 * stub: jmp ctx_todo_switch
	 */
	/* SAVE_AND_SWAP (used by both variants): push the callee-saved state below the return
	 * address, hand the stack over, pop the other context's state.  rdi = save_sp,
	 * rsi = next_sp. */
.macro SAVE_AND_SWAP
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r14, 0
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r15, 0
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	stmxcsr	(%rsp)			/* the one expensive instruction: see below */
	fnstcw	4(%rsp)
	movzwl	4(%rsp), %edx		/* our x87 control word, for the compare below */
	movq	%rsp, (%rdi)		/* this context is now suspended */
	movq	%rsi, %rsp		/* from here on we are on the other stack */
	ldmxcsr	(%rsp)
	cmpw	4(%rsp), %dx		/* fldcw only when the other context's word differs */
	jne	9f
8:	addq	$8, %rsp
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
.endm
	/* What the FP control state costs, and why it is saved this way: stmxcsr is the slow
	 * instruction of the whole switch (more than half of it on the course's machine), and
	 * it cannot be left out: only reading the register tells what this context set.  The
	 * loads are cheaper.  fldcw runs only when the two contexts' control words differ (the
	 * branch is out of line, so the usual path falls through); each context still gets
	 * its own word back, because a context whose word differs always takes the branch.
	 * The MXCSR is loaded every time: a compare would read back the word stmxcsr has just
	 * stored, and that load waits until the store completes, which costs more than the
	 * ldmxcsr it would skip (the workbook, chapter 08, has the measurements). */
.macro LOAD_X87_CW
9:	fldcw	4(%rsp)
	jmp	8b
.endm
	SAVE_AND_SWAP
	popq	%rcx			/* the other context's return address */
	.cfi_adjust_cfa_offset -8
	jmpq	*%rcx
	.cfi_adjust_cfa_offset 64	/* out of line: back in the middle of SAVE_AND_SWAP */
	LOAD_X87_CW
	/* END STEP 1 */
	.cfi_endproc
	.size	ctx_switch, .-ctx_switch

	.globl	ctx_switch_ret
	.type	ctx_switch_ret, @function
	.p2align 4
ctx_switch_ret:	/* void ctx_switch_ret(void **save_sp, void *next_sp) */
	.cfi_startproc
	/* BEGIN STEP 1: The same switch, ending in ret (the harness compares the two).
	 * Checked by: ctx::ret_variant_switches_too
	 * stub: jmp ctx_todo_switch
	 */
	SAVE_AND_SWAP
	ret
	.cfi_adjust_cfa_offset 56
	LOAD_X87_CW
	/* END STEP 1 */
	.cfi_endproc
	.size	ctx_switch_ret, .-ctx_switch_ret

/* The first "return" into a context made by ctx_init lands here with rbx = fn, r12 = arg and
 * rsp 16-byte aligned (ctx_init arranged all three). */
	.globl	ctx_start
	.type	ctx_start, @function
	.p2align 4
ctx_start:	/* void ctx_start(void) - calls fn(arg) from the fresh frame */
	.cfi_startproc
	.cfi_undefined %rip		/* the outermost frame: a backtrace ends here */
	/* BEGIN STEP 1: Call fn(arg) (ctx_init left them in rbx and r12) with the stack as the
	 * ABI wants it at a call, and a zero frame pointer so that backtraces stop here.  If fn
	 * returns, call ctx_entry_returned: there is nothing to return to.
	 * Checked by: ctx::*
	 * stub: jmp ctx_todo_switch
	 */
	xorl	%ebp, %ebp
	movq	%r12, %rdi
	callq	*%rbx
	callq	ctx_entry_returned
	ud2
	/* END STEP 1 */
	.cfi_endproc
	.size	ctx_start, .-ctx_start

#endif

/* No executable stack: without this note the linker assumes this object needs one. */
	.section .note.GNU-stack, "", %progbits
