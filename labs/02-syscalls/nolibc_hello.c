/*
 * nolibc_hello.c - step 3: a program with no C library at all.
 *
 * usage: nolibc_hello [STATUS]    writes one line to stdout and exits with STATUS (0..255)
 *
 * Built with -nostdlib -static -ffreestanding (see the Makefile): no libc, no crt1.o, no
 * dynamic loader.  Everything libc normally does before main() is gone, so this file does the
 * little that is needed by hand:
 *
 *   - The kernel starts the program at the symbol `_start`, not at main().  There is no
 *     return address to go back to: returning from _start crashes.  The program must end with
 *     the exit_group system call.
 *   - Arguments are not handed over in registers but laid out on the initial stack:
 *
 *         sp ->  argc
 *                argv[0] ... argv[argc-1]   (pointers to the strings)
 *                NULL
 *                envp[0] ... NULL
 *                auxv pairs (AT_xxx, value) ... AT_NULL
 *
 *     C cannot read the stack pointer, so a few lines of assembly pass it to nl_main().
 *   - No errno, no printf, no strlen: the system calls are made with the same inline asm as
 *     step 1 (a copy: liblab.a is built against libc and cannot be linked here).
 *
 * Only headers that need no library are included: <stddef.h> and <stdbool.h> (freestanding
 * C) and the kernel's own <asm/unistd.h> for the system call numbers.
 */
#include <asm/unistd.h>
#include <stdbool.h>
#include <stddef.h>

/* The entry point.  On entry sp points at argc (and is 16-byte aligned, as both ABIs
 * promise).  Zeroing the frame pointer / link register marks the outermost frame for
 * debuggers.  If nl_main ever returned there would be nothing to return to: trap. */
#if defined(__x86_64__)
__asm__(".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	xor	%rbp, %rbp\n"
	"	mov	%rsp, %rdi\n" /* argument 1 of nl_main: the initial stack pointer */
	"	and	$-16, %rsp\n" /* the C ABI wants a 16-byte aligned stack before a call */
	"	call	nl_main\n"
	"	ud2\n");
#elif defined(__aarch64__)
__asm__(".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	mov	x29, #0\n"
	"	mov	x30, #0\n"
	"	mov	x0, sp\n"
	"	bl	nl_main\n"
	"	brk	#0\n");
#else
#error "lab 02 needs x86-64 or aarch64"
#endif

static long nl_syscall1(long nr, long a1)
{
	/* TODO step 3: The program's own system calls: the step-1 inline asm again (this one
	 * and nl_syscall3 below), since no library can be linked into this program.  This one
	 * ends the program (exit_group).  Checked by: nolibc::*
	 */
	(void)nr; (void)a1; return -38; // -ENOSYS: not implemented yet
}

static long nl_syscall3(long nr, long a1, long a2, long a3)
{
	/* TODO step 3: Three arguments, for write(2).  Checked by: nolibc::*
	 */
	(void)nr; (void)a1; (void)a2; (void)a3; return -38; // -ENOSYS
}

static size_t nl_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* Write all of s to fd.  A write to a pipe may be partial, so loop; give up on an error
 * (there is nobody to report it to). */
static void nl_print(int fd, const char *s)
{
	size_t len = nl_strlen(s);
	while (len > 0) {
		long n = nl_syscall3(__NR_write, fd, (long)s, (long)len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static _Noreturn void nl_exit(int status)
{
	nl_syscall1(__NR_exit_group, status);
	for (;;)
		__builtin_trap(); /* only reached if the exit system call did not happen */
}

/* The exit status from its decimal text: 0..255, or -1 for anything else ("", "x", "256",
 * "-1", "1e3").  An exit status is one byte: the parent sees status & 0xff. */
static int nl_parse_status(const char *s)
{
	/* TODO step 3: Parse a whole decimal number 0..255; -1 for anything else.
	 * Checked by: nolibc::prints_and_exits_with_status, nolibc::bad_argument_is_usage_error,
	 * nolibc::argv_not_confused_with_envp
	 */
	(void)s; return -1;
}

static bool nl_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static const char usage[] = "usage: nolibc_hello [STATUS]   (exit with STATUS 0..255, default 0)\n";

/* Called from _start with the initial stack pointer; never returns. */
__attribute__((used)) _Noreturn void nl_main(long *sp);
_Noreturn void nl_main(long *sp)
{
	long argc;
	char **argv;
	int status = 0;

	/* TODO step 3: Find argc and argv on the initial stack (see the picture at the top).
	 * Then the code below prints the message and exits with the status.
	 * Checked by: nolibc::*
	 */
	(void)sp; argc = 0; argv = NULL;

	if (argc > 2) {
		nl_print(2, "nolibc_hello: too many arguments\n");
		nl_print(2, usage);
		nl_exit(2);
	}
	if (argc == 2 && (nl_streq(argv[1], "-h") || nl_streq(argv[1], "--help"))) {
		nl_print(1, usage);
		nl_exit(0);
	}
	if (argc == 2) {
		status = nl_parse_status(argv[1]);
		if (status < 0) {
			nl_print(2, "nolibc_hello: bad status '");
			nl_print(2, argv[1]);
			nl_print(2, "': want a whole number 0..255\n");
			nl_print(2, usage);
			nl_exit(2);
		}
	}
	nl_print(1, "nolibc_hello: hello from _start, no libc here; exit status ");
	nl_print(1, argc == 2 ? argv[1] : "0");
	nl_print(1, "\n");
	nl_exit(status);
}
