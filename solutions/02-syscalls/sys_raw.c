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
	/* BEGIN STEP 1: Make system call `nr` with no arguments using the raw instruction
	 * (x86-64 `syscall`: number in rax, result in rax, rcx and r11 destroyed; aarch64
	 * `svc #0`: number in x8, result in x0), plus the "memory" clobber.  Return the kernel's
	 * result unchanged.  Then do the same for sys_raw1 .. sys_raw6 (arguments in rdi rsi rdx
	 * r10 r8 r9, or x0..x5).
	 * Checked by: sys_raw::zero_args_getpid, sys_raw::errors_are_negative_errno,
	 * sys_raw::clobbers_keep_the_callers_registers
	 * stub: LAB_UNUSED(nr); return LAB_TODO(1);
	 */
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0");
	__asm__ volatile("svc #0" : "=r"(x0) : "r"(x8) : "memory");
	ret = x0;
#endif
	return ret;
	/* END STEP 1 */
}

long sys_raw1(long nr, long a1)
{
	/* BEGIN STEP 1: One argument (x86-64 rdi, aarch64 x0 - which also returns the result).
	 * Checked by: sys_raw::one_and_two_args, sys_raw::errors_are_negative_errno
	 * stub: LAB_UNUSED(nr, a1); return LAB_TODO(1);
	 */
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1) : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	/* "+r": x0 goes in as argument 1 and comes back as the result */
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8) : "memory");
	ret = x0;
#endif
	return ret;
	/* END STEP 1 */
}

long sys_raw2(long nr, long a1, long a2)
{
	/* BEGIN STEP 1: Two arguments (rdi rsi / x0 x1).
	 * Checked by: sys_raw::one_and_two_args
	 * stub: LAB_UNUSED(nr, a1, a2); return LAB_TODO(1);
	 */
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2)
			 : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
	ret = x0;
#endif
	return ret;
	/* END STEP 1 */
}

long sys_raw3(long nr, long a1, long a2, long a3)
{
	/* BEGIN STEP 1: Three arguments (rdi rsi rdx / x0 x1 x2): enough for write(2).
	 * Checked by: sys_raw::three_args_write_read, sys_raw::errors_are_negative_errno,
	 * sys_raw::clobbers_keep_the_callers_registers, sys_raw::memory_clobber_orders_buffers
	 * stub: LAB_UNUSED(nr, a1, a2, a3); return LAB_TODO(1);
	 */
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	ret = x0;
#endif
	return ret;
	/* END STEP 1 */
}

long sys_raw4(long nr, long a1, long a2, long a3, long a4)
{
	/* BEGIN STEP 1: Four arguments: the fourth goes in r10 on x86-64, not rcx.
	 * Checked by: sys_raw::four_args_pread_offset
	 * stub: LAB_UNUSED(nr, a1, a2, a3, a4); return LAB_TODO(1);
	 */
	long ret;
#if defined(__x86_64__)
	/* r10 has no constraint letter: a local register variable pins a4 there */
	register long r10 __asm__("r10") = a4;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			 : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	ret = x0;
#endif
	return ret;
	/* END STEP 1 */
}

long sys_raw5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	/* BEGIN STEP 1: Five arguments (... r10 r8 / ... x3 x4).
	 * Checked by: sys_raw::five_args_mremap_fixed
	 * stub: LAB_UNUSED(nr, a1, a2, a3, a4, a5); return LAB_TODO(1);
	 */
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4)
			 : "memory");
	ret = x0;
#endif
	return ret;
	/* END STEP 1 */
}

long sys_raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	/* BEGIN STEP 1: Six arguments, the most any Linux system call takes (r9 / x5).
	 * Checked by: sys_raw::six_args_mmap_offset, sys_raw::clobbers_keep_the_callers_registers
	 * stub: LAB_UNUSED(nr, a1, a2, a3, a4, a5, a6); return LAB_TODO(1);
	 */
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	register long x5 __asm__("x5") = a6;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	ret = x0;
#endif
	return ret;
	/* END STEP 1 */
}
