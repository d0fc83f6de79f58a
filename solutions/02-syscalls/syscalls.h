/*
 * syscalls.h - lab 02: talking to the kernel.
 *
 * A system call is a request from user space to the kernel, made by one special instruction
 * (x86-64 `syscall`, aarch64 `svc #0`).  The kernel answers in a register: a value >= 0 on
 * success, or a negative errno value (-4095..-1) on failure.  The functions below give you that
 * answer *unchanged*: they never touch `errno` and never print.  libc's wrappers are the layer
 * above that turns -EBADF into "return -1 and set errno = EBADF"; this lab is the layer below.
 *
 * The numbers (SYS_write, SYS_getpid, ...) come from <sys/syscall.h> and differ per
 * architecture.  See workbook.md, chapter 02.
 */
#ifndef LAB02_SYSCALLS_H
#define LAB02_SYSCALLS_H

#include <stddef.h>
#include <sys/types.h>

/* Step 1.  Make system call `nr` with 0..6 arguments, through the raw instruction in inline
 * assembly.  Returns exactly what the kernel left in the result register (x86-64 rax,
 * aarch64 x0): >= 0 on success, -errno on failure.  Arguments are passed as `long`; pointers
 * and ints are converted by the caller.  Async-signal-safe, any thread. */
long sys_raw0(long nr);
long sys_raw1(long nr, long a1);
long sys_raw2(long nr, long a1, long a2);
long sys_raw3(long nr, long a1, long a2, long a3);
long sys_raw4(long nr, long a1, long a2, long a3, long a4);
long sys_raw5(long nr, long a1, long a2, long a3, long a4, long a5);
long sys_raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* Step 2.  write(2) through sys_raw: the number of bytes written (possibly fewer than `len`),
 * or -EBADF, -EFAULT (buf not readable by the kernel), -EPIPE, ...  errno is left alone. */
ssize_t sys_calls_write(int fd, const void *buf, size_t len);

/* Step 2.  getpid(2) through sys_raw: the caller's process id (cannot fail). */
pid_t sys_calls_getpid(void);

/* Step 2.  exit_group(2) through sys_raw: ends every thread of the process *now*, with
 * `status & 0xff` as its exit status.  Unlike exit(3) it runs no atexit() handlers and flushes
 * no stdio buffers - the kernel knows nothing about either. */
_Noreturn void sys_calls_exit(int status);

#endif
