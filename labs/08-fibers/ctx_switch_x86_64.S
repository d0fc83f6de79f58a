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
	/* TODO step 1: Save the caller's callee-saved registers and FP control words on its
	 * stack (the layout in ctx.h), store rsp in *save_sp, load next_sp, restore the same
	 * things from there, and resume the other context at its saved return address with a
	 * pop and an indirect jmp (not ret: the workbook says why).  ctx_switch_ret needs the
	 * same save-and-swap: a .macro written here saves typing it twice.  (Optional, once it
	 * works: skip the fldcw when the two control words are equal; bench_switch shows it.)
	 * Checked by: ctx::*, sched::*
	 */
	jmp ctx_todo_switch
	.cfi_endproc
	.size	ctx_switch, .-ctx_switch

	.globl	ctx_switch_ret
	.type	ctx_switch_ret, @function
	.p2align 4
ctx_switch_ret:	/* void ctx_switch_ret(void **save_sp, void *next_sp) */
	.cfi_startproc
	/* TODO step 1: The same switch, ending in ret (the harness compares the two).
	 * Checked by: ctx::ret_variant_switches_too
	 */
	jmp ctx_todo_switch
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
	/* TODO step 1: Call fn(arg) (ctx_init left them in rbx and r12) with the stack as the
	 * ABI wants it at a call, and a zero frame pointer so that backtraces stop here.  If fn
	 * returns, call ctx_entry_returned: there is nothing to return to.
	 * Checked by: ctx::*
	 */
	jmp ctx_todo_switch
	.cfi_endproc
	.size	ctx_start, .-ctx_start

#endif

/* No executable stack: without this note the linker assumes this object needs one. */
	.section .note.GNU-stack, "", %progbits
