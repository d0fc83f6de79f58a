/*
 * sys_calls.c - step 2: three system calls with C types, on top of the raw instruction.
 *
 * This is what a libc wrapper does, minus one thing: a libc wrapper turns a result in
 * -4095..-1 into "return -1, errno = -result".  Ours return the kernel's answer as it is, so
 * they are safe anywhere errno is not (a signal handler, a program without libc, a thread
 * library before its thread-local storage exists), and a caller can tell the error from the
 * return value alone.
 */
#include "syscalls.h"

#include <sys/syscall.h>

#include "asl/todo.h"

ssize_t sys_calls_write(int fd, const void *buf, size_t len)
{
	/* BEGIN STEP 2: write(2) through sys_raw3: the kernel's result as is, never errno.
	 * Checked by: sys_calls::write_*, sys_calls::errno_untouched
	 * stub: LAB_UNUSED(fd, buf, len); return LAB_TODO(2);
	 */
	return sys_raw3(SYS_write, fd, (long)buf, (long)len);
	/* END STEP 2 */
}

pid_t sys_calls_getpid(void)
{
	/* BEGIN STEP 2: getpid(2) through sys_raw0.  Checked by: sys_calls::getpid_*
	 * stub: return LAB_TODO(2);
	 */
	return (pid_t)sys_raw0(SYS_getpid);
	/* END STEP 2 */
}

_Noreturn void sys_calls_exit(int status)
{
	/* BEGIN STEP 2: exit_group(2) through sys_raw1 - every thread ends, no atexit handler
	 * runs, no stdio buffer is flushed.  It cannot return; tell the compiler so afterwards
	 * (__builtin_unreachable), or trap if it somehow did.  Checked by: sys_calls::exit_*
	 * stub: LAB_UNUSED(status); LAB_TODO_ABORT(2);
	 */
	/* exit_group, not exit: SYS_exit ends only the calling *thread*, which in a process with
	 * other threads would leave them running - that is how pthread_exit is built. */
	sys_raw1(SYS_exit_group, status);
	/* unreachable: the kernel never returns from exit_group */
	__builtin_trap();
	/* END STEP 2 */
}
