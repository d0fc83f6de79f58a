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
	/* BEGIN STEP 1: (aarch64) Save x19-x30, d8-d15 and FPCR on the caller's stack (the
	 * layout in ctx.h), store sp in *save_sp, load next_sp, restore the same from there and
	 * continue at the restored x30.
	 * Checked by: ctx::*, sched::*
	 * stub: b ctx_todo_switch
	 */
	/* SAVE_AND_SWAP: the same shape as on x86-64.  x0 = save_sp, x1 = next_sp.  Writing
	 * FPCR is a serialising system-register write on many cores, so it happens only when
	 * the two contexts' values differ: each context still finds its own FPCR, because one
	 * whose value differs always takes the write.  Reading FPCR (mrs) is cheap, and here the
	 * compare needs no memory round trip (x86-64 has to do it differently: see its file). */
.macro SAVE_AND_SWAP
	sub	sp, sp, #176
	.cfi_adjust_cfa_offset 176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	.cfi_rel_offset x29, 80
	.cfi_rel_offset x30, 88
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x9, fpcr
	str	x9, [sp, #160]
	mov	x10, sp
	str	x10, [x0]		/* this context is now suspended */
	mov	sp, x1			/* from here on we are on the other stack */
	ldr	x10, [sp, #160]
	cmp	x9, x10			/* x9: our FPCR, read above */
	b.eq	8f
	msr	fpcr, x10		/* only when the other context's differs (above) */
8:
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	.cfi_adjust_cfa_offset -176
.endm
	SAVE_AND_SWAP
	ret
	/* END STEP 1 */
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
	/* BEGIN STEP 1: (aarch64) Call fn(arg) (ctx_init left them in x19 and x20) with zero
	 * x29/x30 so that backtraces stop here; if fn returns, call ctx_entry_returned.
	 * Checked by: ctx::*
	 * stub: b ctx_todo_switch
	 */
	mov	x29, #0
	mov	x30, #0
	mov	x0, x20
	blr	x19
	bl	ctx_entry_returned
	brk	#0
	/* END STEP 1 */
	.cfi_endproc
	.size	ctx_start, .-ctx_start

#endif

	.section .note.GNU-stack, "", %progbits
