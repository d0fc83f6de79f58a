/*
 * ctx_switch_aarch64.S - step 1 on aarch64: the same switch for the Arm 64-bit ABI (AAPCS64).
 *
 * What must survive a call on aarch64 (and so what a switch saves):
 *   x19 ... x28     callee-saved general registers
 *   x29, x30        the frame pointer and the link register (the return address lives in a
 *                   register here, not on the stack: the switch saves it like the others)
 *   sp              stored in *save_sp: it IS the context
 *   d8 ... d15      the low 64 bits of v8-v15 (only those halves are callee-saved)
 *   FPCR            rounding mode and flush-to-zero: the control register of the FPU
 * The frame layout is in ctx.h.  `make cross-run` runs this file under qemu-user.
 */
#if defined(__aarch64__)

	.text

	.globl	ctx_switch
	.type	ctx_switch, %function
	.p2align 4
ctx_switch:	/* void ctx_switch(void **save_sp, void *next_sp) */
	.cfi_startproc
	/* TODO step 1: (aarch64) Save x19-x30, d8-d15 and FPCR on the caller's stack (the
	 * layout in ctx.h), store sp in *save_sp, load next_sp, restore the same from there and
	 * continue at the restored x30.
	 * Checked by: ctx::*, sched::*
	 */
	b ctx_todo_switch
	.cfi_endproc
	.size	ctx_switch, .-ctx_switch

/* On aarch64 both variants end in `ret x30`: the x86 comparison has no counterpart here. */
	.globl	ctx_switch_ret
	.type	ctx_switch_ret, %function
	.p2align 4
ctx_switch_ret:	/* void ctx_switch_ret(void **save_sp, void *next_sp) */
	.cfi_startproc
	b	ctx_switch
	.cfi_endproc
	.size	ctx_switch_ret, .-ctx_switch_ret

	.globl	ctx_start
	.type	ctx_start, %function
	.p2align 4
ctx_start:	/* void ctx_start(void) - calls fn(arg) from the fresh frame */
	.cfi_startproc
	.cfi_undefined x30		/* the outermost frame: a backtrace ends here */
	/* TODO step 1: (aarch64) Call fn(arg) (ctx_init left them in x19 and x20) with zero
	 * x29/x30 so that backtraces stop here; if fn returns, call ctx_entry_returned.
	 * Checked by: ctx::*
	 */
	b ctx_todo_switch
	.cfi_endproc
	.size	ctx_start, .-ctx_start

#endif

	.section .note.GNU-stack, "", %progbits
