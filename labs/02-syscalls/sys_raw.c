/*
 * sys_raw.c - step 1: the system call instruction itself, with 0 to 6 arguments.
 *
 * The calling convention of the kernel is not the one of C functions:
 *
 *             instruction  number  arguments 1..6                 result  destroyed
 *   x86-64    syscall      rax     rdi  rsi  rdx  r10  r8  r9     rax     rcx r11
 *   aarch64   svc #0       x8      x0   x1   x2   x3   x4  x5     x0      (nothing else)
 *
 * (x86-64 C calls put argument 4 in rcx, but `syscall` itself overwrites rcx with the return
 * address and r11 with the flags - hence r10, and hence the two clobbers.)
 *
 * Each function below tells the compiler exactly this: which registers carry values in, which
 * one carries the result out, and what else the instruction destroys.  The "memory" clobber
 * matters as much as the registers: the kernel may read or write any memory we passed a
 * pointer to (write reads our buffer, read fills it), so the compiler must have stored pending
 * values before the instruction and must reload afterwards.  `volatile` keeps the compiler
 * from deleting or merging calls whose result looks unused (a write we do not check).
 *
 * Two graded tests compile this file into themselves, so the compiler can inline your asm and
 * show whether the clobbers are complete: keep any helper function you add here `static`, or
 * the test runner fails to link (the name would be defined twice).
 *
 * GCC's "local register variables" (register long x __asm__("r10")) are the documented way to
 * place a value in a register that has no constraint letter; they are only guaranteed to hold
 * while used as operands of the asm statement, which is exactly how they are used here.
 *
 * This file includes nothing from libc but the todo stubs of the skeleton, so the same code
 * could run in a program without libc (step 3 writes its own copy for that).
 */
#include "syscalls.h"

#include "asl/todo.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "lab 02 needs x86-64 or aarch64"
#endif

long sys_raw0(long nr)
{
	/* TODO step 1: Make system call `nr` with no arguments using the raw instruction
	 * (x86-64 `syscall`: number in rax, result in rax, rcx and r11 destroyed; aarch64
	 * `svc #0`: number in x8, result in x0), plus the "memory" clobber.  Return the kernel's
	 * result unchanged.  Then do the same for sys_raw1 .. sys_raw6 (arguments in rdi rsi rdx
	 * r10 r8 r9, or x0..x5).
	 * Checked by: sys_raw::zero_args_getpid, sys_raw::errors_are_negative_errno,
	 * sys_raw::clobbers_keep_the_callers_registers
	 */
	LAB_UNUSED(nr); return LAB_TODO(1);
}

long sys_raw1(long nr, long a1)
{
	/* TODO step 1: One argument (x86-64 rdi, aarch64 x0 - which also returns the result).
	 * Checked by: sys_raw::one_and_two_args, sys_raw::errors_are_negative_errno
	 */
	LAB_UNUSED(nr, a1); return LAB_TODO(1);
}

long sys_raw2(long nr, long a1, long a2)
{
	/* TODO step 1: Two arguments (rdi rsi / x0 x1).
	 * Checked by: sys_raw::one_and_two_args
	 */
	LAB_UNUSED(nr, a1, a2); return LAB_TODO(1);
}

long sys_raw3(long nr, long a1, long a2, long a3)
{
	/* TODO step 1: Three arguments (rdi rsi rdx / x0 x1 x2): enough for write(2).
	 * Checked by: sys_raw::three_args_write_read, sys_raw::errors_are_negative_errno,
	 * sys_raw::clobbers_keep_the_callers_registers, sys_raw::memory_clobber_orders_buffers
	 */
	LAB_UNUSED(nr, a1, a2, a3); return LAB_TODO(1);
}

long sys_raw4(long nr, long a1, long a2, long a3, long a4)
{
	/* TODO step 1: Four arguments: the fourth goes in r10 on x86-64, not rcx.
	 * Checked by: sys_raw::four_args_pread_offset
	 */
	LAB_UNUSED(nr, a1, a2, a3, a4); return LAB_TODO(1);
}

long sys_raw5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	/* TODO step 1: Five arguments (... r10 r8 / ... x3 x4).
	 * Checked by: sys_raw::five_args_mremap_fixed
	 */
	LAB_UNUSED(nr, a1, a2, a3, a4, a5); return LAB_TODO(1);
}

long sys_raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	/* TODO step 1: Six arguments, the most any Linux system call takes (r9 / x5).
	 * Checked by: sys_raw::six_args_mmap_offset, sys_raw::clobbers_keep_the_callers_registers
	 */
	LAB_UNUSED(nr, a1, a2, a3, a4, a5, a6); return LAB_TODO(1);
}
