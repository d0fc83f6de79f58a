/*
 * asl_test.h - what every asynclabs Criterion suite includes.
 *
 * Grading must survive student code.  Three mechanisms live here (asl_test.c):
 *   - ASL_SUITE() gives every suite a timeout (Criterion 2.4.1 adds none otherwise, and its
 *     --timeout only lowers existing ones) and the init/fini hooks below.  A runner whose tests
 *     lack a timeout refuses to start.
 *   - A test that leaves through exit()/_exit() is reported by Criterion 2.4.1 as PASSED.  So
 *     the fini hook - which only runs when the test body returned - appends "suite::test" to
 *     $ASL_FINI_LOG, and the grader accepts a pass only with that proof.  For plain runs an
 *     atexit() guard also turns an early exit into a failure with a message.
 *   - Criterion's --json output does not escape strings, so a report hook writes our own
 *     escaped TSV to $ASL_REPORT for the grader.
 */
#ifndef ASL_TEST_H
#define ASL_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "asl/util.h"

#ifndef ASL_LAB
#define ASL_LAB "?"
#endif

/* Appended to failure messages: which workbook step to reread. */
#define ASL_HINT(step) "\n    -> reread workbook.md, lab " ASL_LAB ", step " #step

void asl_test_init(void);
void asl_test_fini(void);

/* A suite with a per-test timeout (seconds) and the grading hooks. */
#define ASL_SUITE(name, timeout_s)                                                         \
	TestSuite(name, .timeout = (timeout_s), .init = asl_test_init, .fini = asl_test_fini)

/* Number of threads in this process right now (from /proc/self/task); -1 on error. */
int asl_test_threads(void);
/* Number of open file descriptors (from /proc/self/fd); -1 on error. */
int asl_test_fds(void);

/* "-22 (EINVAL)" style rendering of a 0/-errno return, for messages. */
const char *asl_test_rc(int rc);

#endif
