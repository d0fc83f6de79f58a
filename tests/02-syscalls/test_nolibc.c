/* Step 3: the program with no libc - its output, its exit status, its usage error, and proof
 * from its ELF headers that no libc or dynamic loader is involved. */
#include "asl_test.h"

#include <elf.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(nolibc, 10);

#define PROG ASL_BUILD_DIR "/nolibc_hello"

struct run {
	int status;     /* wait status */
	char out[1024]; /* stdout */
	char err[1024]; /* stderr */
};

/* Run PROG with argv[1..] = args (NULL-terminated) and environment envp; collect both outputs
 * through pipes (read with poll, so neither pipe can fill up and block the child). */
static void run_prog(struct run *r, char *const args[], char *const envp[])
{
	char *argv[8] = { "nolibc_hello" };
	int out[2], err[2];
	size_t lens[2] = { 0, 0 };
	for (int i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	memset(r, 0, sizeof *r);
	cr_assert(access(PROG, X_OK) == 0, "%s is not built (run make)" ASL_HINT(3), PROG);
	cr_assert(pipe(out) == 0 && pipe(err) == 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execve(PROG, argv, envp);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	struct pollfd p[2] = { { .fd = out[0], .events = POLLIN },
			       { .fd = err[0], .events = POLLIN } };
	char *bufs[2] = { r->out, r->err };
	int open_pipes = 2;
	while (open_pipes > 0) {
		cr_assert(poll(p, 2, 5000) > 0,
			  "nolibc_hello did not finish within 5 s" ASL_HINT(3));
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			ssize_t n = read(p[i].fd, bufs[i] + lens[i], sizeof r->out - 1 - lens[i]);
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_pipes--;
			} else {
				lens[i] += (size_t)n;
			}
		}
	}
	cr_assert_eq(waitpid(pid, &r->status, 0), pid);
}

static char *no_env[] = { NULL };

static void expect_hello(const char *arg, int want_status)
{
	struct run r;
	char *args[] = { (char *)arg, NULL };
	char want[128];
	run_prog(&r, arg ? args : no_env, no_env);
	snprintf(want, sizeof want,
		 "nolibc_hello: hello from _start, no libc here; exit status %s\n",
		 arg ? arg : "0");
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == want_status,
		  "nolibc_hello %s %s, expected exit status %d" ASL_HINT(3), arg ? arg : "",
		  asl_test_wait_status(r.status), want_status);
	cr_assert_str_eq(r.out, want,
			 "nolibc_hello %s wrote \"%s\" to stdout, expected \"%s\"" ASL_HINT(3),
			 arg ? arg : "", r.out, want);
	cr_assert_str_empty(r.err, "nolibc_hello %s wrote \"%s\" to stderr" ASL_HINT(3),
			    arg ? arg : "", r.err);
}

Test(nolibc, prints_and_exits_with_status)
{
	expect_hello("3", 3);
	expect_hello("0", 0);
	expect_hello("255", 255);
	expect_hello("042", 42);
}

Test(nolibc, default_status_is_zero)
{
	expect_hello(NULL, 0);
}

Test(nolibc, bad_argument_is_usage_error)
{
	/* clang-format off */
	static const char *bad[][3] = { { "abc", NULL }, { "256", NULL }, { "-1", NULL },
					{ "", NULL },    { "12x", NULL }, { "99999999999999999999", NULL },
					/* 2^32 + 42 and 2^64 + 42: an int or a 64-bit accumulator
					 * checked only at the end wraps around to 42 */
					{ "4294967338", NULL }, { "18446744073709551658", NULL },
					{ "1", "2" } };
	/* clang-format on */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct run r;
		run_prog(&r, (char *const *)bad[i], no_env);
		cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2,
			  "nolibc_hello '%s'%s%s %s, expected "
			  "exit status 2 (usage error)" ASL_HINT(3),
			  bad[i][0], bad[i][1] ? " " : "", bad[i][1] ? bad[i][1] : "",
			  asl_test_wait_status(r.status));
		cr_assert(strstr(r.err, "usage"),
			  "nolibc_hello '%s': no usage message on stderr "
			  "(got \"%s\")" ASL_HINT(3),
			  bad[i][0], r.err);
		cr_assert_str_empty(r.out,
				    "nolibc_hello '%s' wrote \"%s\" to stdout on a usage "
				    "error" ASL_HINT(3),
				    bad[i][0], r.out);
	}
	struct run r;
	char *help[] = { "-h", NULL };
	run_prog(&r, help, no_env);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 && strstr(r.out, "usage"),
		  "nolibc_hello -h %s with stdout \"%s\", "
		  "expected the usage on stdout and status 0" ASL_HINT(3),
		  asl_test_wait_status(r.status), r.out);
}

/* The state letter of process pid ('S' asleep, 'T' stopped, 'Z' exited), 0 if gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Poll (bounded) until pid is in state `want` or has exited; true if it got there. */
static bool await_state(pid_t pid, char want)
{
	uint64_t t0 = asl_now_ns();
	while (asl_now_ns() - t0 < 5000000000ull) {
		char s = proc_state(pid);
		if (s == want)
			return true;
		if (s == 0 || s == 'Z')
			return false;
		sched_yield();
	}
	return false;
}

/* A write to a full pipe sleeps; a signal (here a stop and continue) ends it early with the
 * count written so far: a *short write*.  The program's status argument may carry any number
 * of leading zeros, so "000...07" (100,001 bytes, more than the pipe holds) is echoed in one
 * write that is cut short: only a print that loops on the count delivers every byte. */
Test(nolibc, long_output_survives_short_writes)
{
	enum { ZEROS = 100000 };
	static const char head[] = "nolibc_hello: hello from _start, no libc here; exit status ";
	char *arg = malloc(ZEROS + 2);
	size_t want = sizeof head - 1 + ZEROS + 2, got = 0;
	char *out = malloc(want + 4096);
	int p[2], status;
	cr_assert(arg && out);
	memset(arg, '0', ZEROS);
	arg[ZEROS] = '7';
	arg[ZEROS + 1] = '\0';
	cr_assert(access(PROG, X_OK) == 0, "%s is not built (run make)" ASL_HINT(3), PROG);
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "nolibc_hello", arg, NULL };
		dup2(p[1], 1);
		close(p[0]);
		execve(PROG, argv, no_env);
		_exit(127);
	}
	close(p[1]);
	/* the pipe fills up and the program sleeps in write(); stop and continue it there */
	if (await_state(pid, 'S')) {
		kill(pid, SIGSTOP);
		await_state(pid, 'T');
		kill(pid, SIGCONT);
	}
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	for (ssize_t n = 1; n > 0; got += (size_t)n) {
		n = 0;
		if (poll(&pf, 1, 5000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(p[0], out + got, want + 4096 - got);
		n = n < 0 ? 0 : n;
	}
	close(p[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 7,
		  "nolibc_hello 000...07 (%d "
		  "zeros) %s, expected exit status 7" ASL_HINT(3),
		  ZEROS, asl_test_wait_status(status));
	cr_assert(got == want && out[got - 2] == '7' && out[got - 1] == '\n',
		  "nolibc_hello "
		  "000...07 (%d zeros) wrote %zu bytes to stdout, expected %zu: its write of the "
		  "long argument was cut short by a signal, and the rest was never written (loop "
		  "until every byte is out: write returns how many it took)" ASL_HINT(3),
		  ZEROS, got, want);
	free(arg);
	free(out);
}

/* argv and envp sit next to each other on the initial stack: with 200 environment strings,
 * reading past argv's NULL would find them. */
Test(nolibc, argv_not_confused_with_envp)
{
	static char vars[200][32];
	char *envp[201];
	for (int i = 0; i < 200; i++) {
		snprintf(vars[i], sizeof vars[i], "V%d=%d", i, i);
		envp[i] = vars[i];
	}
	envp[200] = NULL;
	struct run r;
	char *args[] = { "17", NULL };
	run_prog(&r, args, envp);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 17,
		  "nolibc_hello 17 with 200 environment "
		  "variables %s, expected exit status 17" ASL_HINT(3),
		  asl_test_wait_status(r.status));
}

/* The ELF program headers say how the kernel starts a program: PT_INTERP names a dynamic
 * loader (ld-linux) to run first, PT_DYNAMIC lists shared libraries to load.  A program with
 * no libc has neither, and is small: a static glibc alone is several hundred KiB. */
Test(nolibc, is_static_without_libc)
{
	expect_hello("9", 9); /* first: it must work */

	FILE *f = fopen(PROG, "rb");
	cr_assert_not_null(f);
	Elf64_Ehdr eh;
	cr_assert_eq(fread(&eh, sizeof eh, 1, f), 1u);
	cr_assert(!memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64,
		  "%s is not a 64-bit ELF file", PROG);
	cr_assert_eq(eh.e_type, ET_EXEC,
		     "nolibc_hello has ELF type %d, expected ET_EXEC (2): a "
		     "static, non-PIE executable" ASL_HINT(3),
		     eh.e_type);
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		cr_assert_eq(fseek(f, (long)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize), SEEK_SET),
			     0);
		cr_assert_eq(fread(&ph, sizeof ph, 1, f), 1u);
		cr_assert_neq(ph.p_type, PT_INTERP,
			      "nolibc_hello has a PT_INTERP header: it asks "
			      "for a dynamic loader" ASL_HINT(3));
		cr_assert_neq(ph.p_type, PT_DYNAMIC,
			      "nolibc_hello has a PT_DYNAMIC header: it "
			      "links shared libraries" ASL_HINT(3));
	}
	fclose(f);
	struct stat st;
	cr_assert_eq(stat(PROG, &st), 0);
	cr_assert(st.st_size < 100 * 1024,
		  "nolibc_hello is %lld bytes: too big for a program "
		  "without libc" ASL_HINT(3),
		  (long long)st.st_size);
}
