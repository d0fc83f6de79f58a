/*
 * regs_check_aarch64.S - the register checker of regs_check_x86_64.S, for aarch64.
 *
 * uint64_t regs_keep_across(void (*fn)(void *), void *arg, uint64_t seed)
 *   x19..x28 = seed+1..seed+10 and d8..d15 = seed+11..seed+18 (as bit patterns) during the
 *   call; returns a bit mask: bits 0-9 x19-x28, bits 10-17 d8-d15 (0 = all survived).
 */
#if defined(__aarch64__)
	.text
	.globl	regs_keep_across
	.type	regs_keep_across, %function
	.p2align 4
regs_keep_across:
	.cfi_startproc
	stp	x29, x30, [sp, #-176]!
	.cfi_adjust_cfa_offset 176
	.cfi_rel_offset x29, 0
	.cfi_rel_offset x30, 8
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	str	x2, [sp, #160]
	add	x19, x2, #1
	add	x20, x2, #2
	add	x21, x2, #3
	add	x22, x2, #4
	add	x23, x2, #5
	add	x24, x2, #6
	add	x25, x2, #7
	add	x26, x2, #8
	add	x27, x2, #9
	add	x28, x2, #10
.macro FILLD dreg, k
	add	x9, x2, #(\k + 1)
	fmov	\dreg, x9
.endm
	FILLD	d8, 10
	FILLD	d9, 11
	FILLD	d10, 12
	FILLD	d11, 13
	FILLD	d12, 14
	FILLD	d13, 15
	FILLD	d14, 16
	FILLD	d15, 17
	mov	x9, x0
	mov	x0, x1
	blr	x9
	ldr	x2, [sp, #160]
	mov	x0, #0
.macro CHECK reg, k
	add	x9, x2, #(\k + 1)
	cmp	\reg, x9
	cset	x10, ne
	orr	x0, x0, x10, lsl #\k
.endm
.macro CHECKD dreg, k
	fmov	x11, \dreg
	CHECK	x11, \k
.endm
	CHECK	x19, 0
	CHECK	x20, 1
	CHECK	x21, 2
	CHECK	x22, 3
	CHECK	x23, 4
	CHECK	x24, 5
	CHECK	x25, 6
	CHECK	x26, 7
	CHECK	x27, 8
	CHECK	x28, 9
	CHECKD	d8, 10
	CHECKD	d9, 11
	CHECKD	d10, 12
	CHECKD	d11, 13
	CHECKD	d12, 14
	CHECKD	d13, 15
	CHECKD	d14, 16
	CHECKD	d15, 17
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	ldp	x29, x30, [sp], #176
	.cfi_adjust_cfa_offset -176
	ret
	.cfi_endproc
	.size	regs_keep_across, .-regs_keep_across

/* uintptr_t regs_entry_sp(void): sp at entry. */
	.globl	regs_entry_sp
	.type	regs_entry_sp, %function
regs_entry_sp:
	.cfi_startproc
	mov	x0, sp
	ret
	.cfi_endproc
	.size	regs_entry_sp, .-regs_entry_sp
#endif
	.section .note.GNU-stack, "", %progbits
