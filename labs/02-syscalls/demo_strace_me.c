/*
 * demo_strace_me.c - four ways to print one line, and they all end in the same system call.
 *
 * usage: demo_strace_me           then: strace -e trace=write ./build/demo_strace_me
 *
 * printf(3) formats into a buffer in your process and later calls write(2); write(2) is libc's
 * thin wrapper; syscall(2) is libc's generic "any number, any arguments" wrapper; sys_raw3 is
 * the instruction itself (step 1).  Under strace all four show up as the same
 * `write(1, "...", N) = N` line: the kernel cannot tell which layer made the call.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "asl/util.h"
#include "syscalls.h"

static const char usage[] = "demo_strace_me   (run it under: strace -e trace=write)";

int main(int argc, char **argv)
{
	char line[64];
	asl_no_options(argc, argv, usage);
	if (argc > 1)
		asl_usage_error(usage, "no arguments expected");

	printf("1. printf(3):  hello, kernel\n");
	/* Without this, printf's line would sit in stdio's buffer whenever stdout is a pipe or
	 * a file (fully buffered) and come out *after* the other three, at exit. */
	fflush(stdout);

	snprintf(line, sizeof line, "2. write(2):   hello, kernel\n");
	if (write(STDOUT_FILENO, line, strlen(line)) < 0)
		asl_die(errno, "write");

	snprintf(line, sizeof line, "3. syscall(2): hello, kernel\n");
	if (syscall(SYS_write, STDOUT_FILENO, line, strlen(line)) < 0)
		asl_die(errno, "syscall(SYS_write)");

	snprintf(line, sizeof line, "4. sys_raw3:   hello, kernel\n");
	long rc = sys_raw3(SYS_write, STDOUT_FILENO, (long)line, (long)strlen(line));
	if (rc < 0) /* the raw call reports -errno itself: errno was never set */
		asl_die((int)-rc, "sys_raw3(SYS_write)");

	printf("\nFour layers, one system call: SYS_write is number %d on this machine.\n"
	       "See for yourself:  strace -e trace=write %s\n"
	       "(each numbered line appears there as write(1, \"...\", 29) = 29)\n",
	       SYS_write, argv[0]);
	return 0;
}
