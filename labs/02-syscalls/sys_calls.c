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
	/* TODO step 2: write(2) through sys_raw3: the kernel's result as is, never errno.
	 * Checked by: sys_calls::write_*, sys_calls::errno_untouched
	 */
	LAB_UNUSED(fd, buf, len); return LAB_TODO(2);
}

pid_t sys_calls_getpid(void)
{
	/* TODO step 2: getpid(2) through sys_raw0.  Checked by: sys_calls::getpid_*
	 */
	return LAB_TODO(2);
}

_Noreturn void sys_calls_exit(int status)
{
	/* TODO step 2: exit_group(2) through sys_raw1 - every thread ends, no atexit handler
	 * runs, no stdio buffer is flushed.  It cannot return; tell the compiler so afterwards
	 * (__builtin_unreachable), or trap if it somehow did.  Checked by: sys_calls::exit_*
	 */
	LAB_UNUSED(status); LAB_TODO_ABORT(2);
}
