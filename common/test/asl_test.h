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
 *     with (a thread leak), in every lab.
 *   - Criterion's --json output does not escape strings, so a report hook in the runner writes
 *     our own escaped TSV to the pipe the grader passes as descriptor $ASL_REPORT_FD (which
 *     no worker process holds or can reopen: see asl_test.c).
 */
#ifndef ASL_TEST_H
#define ASL_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
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

void asl_test_init(void);
void asl_test_fini(void);

/* A suite with a per-test timeout (seconds) and the grading hooks. */
#define ASL_SUITE(name, timeout_s)                                                         \
	TestSuite(name, .timeout = (timeout_s), .init = asl_test_init, .fini = asl_test_fini)

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

/* Number of open file descriptors (from /proc/self/fd); -1 on error. */
int asl_test_fds(void);

/* "-22 (EINVAL)" style rendering of a 0/-errno return, for messages. */
const char *asl_test_rc(int rc);

#endif
