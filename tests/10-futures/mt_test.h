/*
 * mt_test.h - what lab 10's multi-threaded executor suites share: an executor that must be
 * created, and exec_mt_run under a watchdog that names the likely mistake.
 */
#ifndef MT_TEST_H
#define MT_TEST_H

#include "fut_test.h"

static inline exec_mt_t *ft_mt(int workers, const char *hint)
{
	exec_mt_t *ex = NULL;
	int rc = exec_mt_create(&ex, workers);
	cr_assert(rc == 0 && ex, "exec_mt_create(%d): expected 0, got %s%s", workers,
		  asl_test_rc(rc), hint);
	return ex;
}

static inline int ft_mt_run_main(void *arg)
{
	return exec_mt_run(arg);
}

/* The usual suspects when exec_mt_run never returns. */
#define MT_STUCK                                                                              \
	"Scheduling a task must wake a parked worker (mt_notify after the push, step 12), a " \
	"worker must look at the queues again after announcing that it parks (step 13), and " \
	"no wake may be lost in the task's states (step 2)"

/* exec_mt_run on a thread of its own under a watchdog (seconds; every run here takes
 * milliseconds), so a run that never returns fails naming the likely mistake instead of
 * reaching the suite's timeout.  Then the thread count is back at threads_before (unless
 * that is -1): the workers were joined. */
static inline void ft_mt_run(exec_mt_t *ex, int threads_before, const char *hint)
{
	int rc = -1;
	struct asl_call *c = asl_call_start(ft_mt_run_main, ex);
	if (!asl_call_wait(c, FT_BLOCK_ON_MS, &rc))
		cr_assert_fail("exec_mt_run had not returned after %d ms (it takes milliseconds): "
			       "the workers sleep with work left, or spin.  %s%s",
			       FT_BLOCK_ON_MS, MT_STUCK, hint);
	cr_assert_eq(rc, 0, "exec_mt_run: expected 0, got %s%s", asl_test_rc(rc), hint);
	if (threads_before < 0) /* the caller checks the threads itself */
		return;
	int now = asl_test_threads_settled(threads_before);
	cr_assert_eq(now, threads_before,
		     "exec_mt_run returned with %d threads, %d before: it "
		     "must join its workers%s",
		     now, threads_before, hint);
}

#endif
