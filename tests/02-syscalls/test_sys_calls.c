/* Step 2: sys_calls_write, sys_calls_getpid and sys_calls_exit return what the kernel says and
 * leave errno be. */
#include "asl_test.h"
#include "syscalls.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(sys_calls, 10);

/* Wait for `pid` at most `seconds`; on time-out kill it and return -1.  pidfd + poll: no
 * sleeping loop, and the bound only matters when the code under test is wrong. */
static int wait_bounded(pid_t pid, int seconds)
{
	int status = 0;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int ready = poll(&p, 1, seconds * 1000);
		close(pfd);
		if (ready == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

Test(sys_calls, write_pipe_delivers_bytes)
{
	int p[2];
	char big[3000], back[3000];
	cr_assert_eq(pipe(p), 0);
	ssize_t n = sys_calls_write(p[1], "hello", 5);
	cr_assert_eq(n, 5,
		     "sys_calls_write(pipe, \"hello\", 5) returned %s, expected 5" ASL_HINT(2),
		     asl_test_rc((int)n));
	cr_assert_eq(read(p[0], back, sizeof back), 5);
	cr_assert(!memcmp(back, "hello", 5),
		  "the pipe delivered \"%.5s\", expected \"hello\"" ASL_HINT(2), back);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	n = sys_calls_write(p[1], big, sizeof big);
	cr_assert_eq(n, (ssize_t)sizeof big,
		     "sys_calls_write of 3000 bytes returned %s" ASL_HINT(2), asl_test_rc((int)n));
	cr_assert_eq(read(p[0], back, sizeof back), (ssize_t)sizeof big);
	cr_assert(!memcmp(back, big, sizeof big), "the 3000 bytes arrived changed" ASL_HINT(2));
	n = sys_calls_write(p[1], "", 0);
	cr_assert_eq(n, 0, "sys_calls_write(pipe, \"\", 0) returned %s, expected 0" ASL_HINT(2),
		     asl_test_rc((int)n));
	close(p[0]);
	close(p[1]);
}

/* A non-blocking pipe with room for one page takes only part of a longer write: write(2)
 * then returns the kernel's count, which may be less than asked.  sys_calls_write must pass that
 * count on as is (the caller loops on it); the bytes that reach the reader are the proof. */
Test(sys_calls, write_reports_the_kernels_short_count)
{
	int p[2];
	static char chunk[4096], big[3 * 4096], back[4096];
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	long size = fcntl(p[1], F_GETPIPE_SZ);
	cr_assert(size >= 2 * (long)sizeof chunk);
	/* whole pages, leaving one free: the pipe keeps one page per buffer slot */
	long filled = 0;
	while (filled < size - (long)sizeof chunk) {
		ssize_t w = write(p[1], chunk, sizeof chunk);
		cr_assert_eq(w, (ssize_t)sizeof chunk, "filling the test pipe failed");
		filled += w;
	}
	memset(big, 'x', sizeof big);
	ssize_t n = sys_calls_write(p[1], big, sizeof big);
	long got = 0;
	for (ssize_t r; (r = read(p[0], back, sizeof back)) > 0;)
		got += r;
	close(p[0]);
	close(p[1]);
	long took = got - filled;
	cr_assert(took > 0 && took < (long)sizeof big,
		  "the test's pipe should have taken part "
		  "of the write, it took %ld of %zu bytes",
		  took, sizeof big);
	cr_assert_eq(n, (ssize_t)took,
		     "sys_calls_write of %zu bytes into a pipe with room for %ld "
		     "returned %s, but the kernel wrote %ld bytes: return the kernel's count as "
		     "it is (a short write is not an error and not the full length)" ASL_HINT(2),
		     sizeof big, took, asl_test_rc((int)n), took);
}

Test(sys_calls, write_bad_fd_ebadf)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	ssize_t n = sys_calls_write(-1, "x", 1);
	cr_assert_eq(n, -EBADF,
		     "sys_calls_write(-1, ...) returned %s, expected -9 (EBADF)" ASL_HINT(2),
		     asl_test_rc((int)n));
	n = sys_calls_write(p[0], "x", 1); /* the read end is open, but not for writing */
	cr_assert_eq(n, -EBADF,
		     "sys_calls_write(read end of a pipe, ...) returned %s, expected -9 "
		     "(EBADF)" ASL_HINT(2),
		     asl_test_rc((int)n));
	close(p[0]);
	close(p[1]);
	n = sys_calls_write(p[1], "x", 1);
	cr_assert_eq(n, -EBADF,
		     "sys_calls_write(closed fd, ...) returned %s, expected -9 (EBADF)" ASL_HINT(2),
		     asl_test_rc((int)n));
}

/* The kernel checks user pointers itself and answers -EFAULT; had we touched the memory in
 * user space, the same pointer would have been a SIGSEGV. */
Test(sys_calls, write_bad_pointer_efault)
{
	int p[2];
	long pg = sysconf(_SC_PAGESIZE);
	char *guard = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(guard != MAP_FAILED);
	cr_assert_eq(pipe(p), 0);
	ssize_t n = sys_calls_write(p[1], (const void *)8, 16);
	cr_assert_eq(n, -EFAULT,
		     "sys_calls_write(pipe, (void *)8, 16) returned %s, expected -14 "
		     "(EFAULT)" ASL_HINT(2),
		     asl_test_rc((int)n));
	n = sys_calls_write(p[1], guard, 16);
	cr_assert_eq(n, -EFAULT,
		     "sys_calls_write from a PROT_NONE page returned %s, expected -14 "
		     "(EFAULT)" ASL_HINT(2),
		     asl_test_rc((int)n));
	/* nothing may have reached the pipe */
	cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	char c;
	cr_assert_eq(read(p[0], &c, 1), -1, "a failed sys_calls_write delivered bytes" ASL_HINT(2));
	munmap(guard, (size_t)pg);
	close(p[0]);
	close(p[1]);
}

Test(sys_calls, errno_untouched)
{
	errno = 4242;
	ssize_t n = sys_calls_write(-1, "x", 1);
	int after = errno;
	cr_assert_eq(n, -EBADF,
		     "sys_calls_write(-1, ...) returned %s, expected -9 (EBADF)" ASL_HINT(2),
		     asl_test_rc((int)n));
	cr_assert_eq(after, 4242,
		     "sys_calls_write changed errno from 4242 to %d: return -errno, do "
		     "not set errno" ASL_HINT(2),
		     after);
	pid_t pid = sys_calls_getpid();
	after = errno;
	cr_assert(pid == getpid() && after == 4242,
		  "sys_calls_getpid returned %d (want %d), errno "
		  "%d (want 4242)" ASL_HINT(2),
		  (int)pid, (int)getpid(), after);
	/* the libc wrapper, for contrast: -1 and errno */
	cr_assert(write(-1, "x", 1) == -1 && errno == EBADF);
}

Test(sys_calls, getpid_matches_libc)
{
	pid_t got = sys_calls_getpid();
	cr_assert_eq(got, getpid(), "sys_calls_getpid() returned %s, getpid() says %d" ASL_HINT(2),
		     asl_test_rc(got), (int)getpid());
	/* in a child the answer must change: no caching */
	pid_t child = fork();
	cr_assert(child >= 0);
	if (child == 0)
		_exit(sys_calls_getpid() == getpid() && sys_calls_getpid() != getppid() ? 0 : 1);
	int status = wait_bounded(child, 5);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "in a forked child sys_calls_getpid() != getpid() (child %s)" ASL_HINT(2),
		  asl_test_wait_status(status));
}

static int marker_fd = -1;
static void marker_at_exit(void)
{
	if (write(marker_fd, "atexit ran", 10) < 0)
		_exit(99);
}

Test(sys_calls, exit_status_skips_atexit)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		close(p[0]);
		marker_fd = p[1];
		atexit(marker_at_exit);
		FILE *f = fdopen(dup(p[1]), "w");
		if (f)
			fputs("unflushed stdio", f); /* stays in the FILE's buffer */
		sys_calls_exit(42);
	}
	close(p[1]);
	int status = wait_bounded(child, 5);
	char buf[64] = { 0 };
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 42,
		  "a child calling sys_calls_exit(42) %s, expected exit status 42" ASL_HINT(2),
		  asl_test_wait_status(status));
	cr_assert_eq(n, 0,
		     "after sys_calls_exit the pipe received \"%s\": exit_group runs no atexit "
		     "handler and flushes no stdio buffer (did you call exit(3)?)" ASL_HINT(2),
		     buf);
}

static void *block_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

Test(sys_calls, exit_ends_every_thread)
{
	pid_t child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, block_forever, NULL))
			_exit(98);
		sys_calls_exit(7); /* the other thread must die too */
	}
	int status = wait_bounded(child, 5);
	cr_assert(status != -1, "a process whose main thread called sys_calls_exit(7) was still "
				"alive after 5 s: SYS_exit ends one "
				"thread, SYS_exit_group the process" ASL_HINT(2));
	cr_assert(
	    WIFEXITED(status) && WEXITSTATUS(status) == 7,
	    "a two-thread child calling sys_calls_exit(7) %s, expected exit status 7" ASL_HINT(2),
	    asl_test_wait_status(status));
}
