/*
 * asl_test.h - what every asynclabs Criterion suite includes.
 *
 * Grading must survive student code.  Three mechanisms live here (asl_test.c):
 *   - ASL_SUITE() gives every suite a timeout (Criterion 2.4.1 adds none otherwise, and its
 *     --timeout only lowers existing ones) and the init/fini hooks below.  A runner whose tests
 *     lack a timeout refuses to start.
 *   - A test that leaves through exit()/_exit() is reported by Criterion 2.4.1 as PASSED.  So
 *     the runner itself (not the test's worker process) records whether the body returned and
 *     whether the suite's .fini ran to its end, and the grader accepts a pass only with both.
 *     For plain runs an atexit() guard also turns an early exit into a failure with a message.
 *   - The fini hook also fails any test that leaves more threads running than it started
 *     with (a thread leak), or more descriptors open (a descriptor leak), in every lab: it
 *     writes no proof (the runner never sees its cleanup finish) and says why on stderr.
 *   - Criterion's --json output does not escape strings, so a report hook in the runner writes
 *     our own escaped TSV to the pipe the grader passes as descriptor $ASL_REPORT_FD (which
 *     no worker process holds or can reopen: see asl_test.c).
 */
#ifndef ASL_TEST_H
#define ASL_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "asl/util.h"

#ifndef ASL_LAB
#define ASL_LAB "?"
#endif

/* Appended to failure messages: which workbook step to reread. */
#define ASL_HINT(step) "\n    -> reread workbook.md, lab " ASL_LAB ", step " #step

/* Exit status of a test worker whose test leaked a thread (see asl_test_fini). */
#define ASL_EXIT_THREAD_LEAK 96
/* Exit status of a test worker whose test left a file descriptor open (see asl_test_fini). */
#define ASL_EXIT_FD_LEAK 95
/* Exit status of a test worker ended by asl_test_fail_now(). */
#define ASL_EXIT_FAIL_NOW 98

void asl_test_init(void);
void asl_test_fini(void);

/* A suite with a per-test timeout (seconds) and the grading hooks. */
#define ASL_SUITE(name, timeout_s) \
	TestSuite(name, .timeout = (timeout_s), .init = asl_test_init, .fini = asl_test_fini)

/* Fail the test at once with `why` (a complete message, ending with ASL_HINT(step)) where
 * Criterion's own assertions are no longer safe: in a handler for a crash that broke the
 * heap.  Async-signal-safe; ends the test process. */
_Noreturn void asl_test_fail_now(const char *why);

/* Number of threads in this process right now (from /proc/self/task); -1 on error. */
int asl_test_threads(void);
/* The thread count once it has come down to `want`, or after 2 s: for leak checks.
 * pthread_join() returns when the kernel clears the joined thread's tid, early in its exit;
 * its /proc/self/task entry goes a moment later, so a correct program can briefly show one
 * extra thread.  This waits out that bookkeeping; it synchronises nothing of the test's. */
int asl_test_threads_settled(int want);
/* "Is that thread blocked?" without sleeping: the kernel says so.  The scheduler state letter
 * of thread `tid` of this process from /proc/self/task/TID/stat ('S' = asleep, e.g. in a
 * futex wait under pthread_cond_wait), or 0 if the thread is gone. */
char asl_test_thread_state(int tid);
/* Poll (yielding, never sleeping) until the thread whose TID is published in *tid (0 = not
 * yet) is asleep - true - or until *done becomes non-zero, meaning the call we expected to
 * block returned instead - false.  The thread must set *done before anything else after the
 * call.  Gives up (false) after 10 s; the suite timeout is the real guard. */
bool asl_test_wait_asleep(atomic_int *tid, atomic_int *done);
/* This thread's kernel TID. */
int asl_test_gettid(void);

/* Watchdogs: a call that may block forever on a student's mistake runs on its own thread, and
 * the test waits for it with a deadline far shorter than the suite's timeout, so the failure
 * names the likely mistake instead of reading TIMEOUT.
 *	struct asl_call *c = asl_call_start(fn, arg);
 *	int rc;
 *	if (!asl_call_wait(c, ASL_WATCHDOG_MS, &rc))
 *		cr_assert_fail("... still blocked after %d ms: <the likely mistake>" ASL_HINT(n));
 * asl_call_wait returns true with fn's result in *rc (the thread joined, c freed), or false
 * if fn is still running: the thread is then abandoned (asl_test_abandon) and c stays
 * allocated, since the thread may still write to it. */
#define ASL_WATCHDOG_MS 5000
struct asl_call;
struct asl_call *asl_call_start(int (*fn)(void *arg), void *arg);
bool asl_call_wait(struct asl_call *c, long ms, int *rc);
/* The test is about to fail while threads of student code are still blocked (a watchdog
 * fired): the fini hook must not turn that into a "thread leaked" or "descriptor leaked"
 * verdict that hides the test's own message. */
void asl_test_abandon(void);
/* Wait (without spinning) until *flag >= want or ms milliseconds have passed; true if it got
 * there.  For a thread that sets a flag when a call returns. */
bool asl_test_wait_flag(atomic_int *flag, int want, long ms);

/* Number of open file descriptors (from /proc/self/fd); -1 on error. */
int asl_test_fds(void);

/* A pipe for a test (asserts it was made): both ends blocking. */
void asl_test_pipe(int p[2]);
/* The same with a non-blocking read end, set with fcntl directly (not through student code). */
void asl_test_pipe_nonblocking_read(int p[2]);

/* Run a shell command (a demo: ASL_BUILD_DIR "/demo_x") with stderr joined to stdout and keep
 * what it printed in out (at most cap - 1 bytes, NUL-terminated).  Returns its wait status
 * (WIFEXITED ...), or -1 if it could not be started (out is then ""). */
int asl_test_capture(const char *cmd, char *out, size_t cap);

/* Make signo interrupt blocking calls: an empty handler installed without SA_RESTART, so a
 * thread blocked in read/write/epoll_wait returns -1 with EINTR when signo reaches it.  The
 * previous disposition goes to *old (put it back with sigaction(signo, old, NULL)). */
void asl_test_interrupting_signal(int signo, struct sigaction *old);

/* The byte at offset i of the test data pattern (seed picks one of several streams): no short
 * period, so a chunk written twice, dropped or moved shows as a mismatch at its offset. */
static inline unsigned char asl_test_pattern(size_t i, unsigned seed)
{
	return (unsigned char)(i * 131u + (i >> 9) + seed * 7u);
}

/* A listening TCP socket on 127.0.0.1 at a port the kernel picks (non-blocking, close-on-exec;
 * asserts it worked); *addr receives its address for the clients to connect to. */
int asl_test_listen_loopback(struct sockaddr_in *addr, int backlog);

/* A child's wait status in words, for messages: "exited with status 3", "killed by signal 6
 * (Aborted)".  Per-thread ring like asl_test_rc: up to ASL_TEST_RC_SLOTS per message. */
const char *asl_test_wait_status(int status);

/* An HTTP/1.1 client's response reader over a blocking socket (the server tests of labs 07 and
 * 09): bytes received past one response stay in buf for the next (pipelining). */
struct asl_http_reader {
	int fd;
	size_t len;
	char buf[65536];
};

/* Read one response: its status (0 if the connection ended or the head was not HTTP/1.1), its
 * body NUL-terminated in body (at most cap - 1 bytes kept), and in *closes whether it says
 * "Connection: close".  The body's length is its Content-Length (none: empty). */
int asl_http_read_response(struct asl_http_reader *rd, char *body, size_t cap, bool *closes);

/* "-22 (EINVAL)" style rendering of a 0/-errno return, for messages.  The result lives in a
 * per-thread ring of ASL_TEST_RC_SLOTS buffers, so up to that many calls may appear in one
 * message (each call reuses the oldest slot). */
#define ASL_TEST_RC_SLOTS 8
const char *asl_test_rc(int rc);

#endif
