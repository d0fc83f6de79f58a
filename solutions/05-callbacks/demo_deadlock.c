/*
 * demo_deadlock.c - "don't block on async code": the deadlock, detected, then two fixes.
 *
 * The main thread owns a completion queue: every callback runs here, as on a UI thread.  It
 * starts an operation and then *blocks* until the operation's callback has set a flag.  But
 * the callback can only run when this thread drains its queue, which it never does while it
 * is blocked: the work finished long ago on the pool, its completion sits in the queue, and
 * both sides wait for each other.  We wait with a timeout so the demo can report it.
 *
 * Fix 1: do not block - continue in the callback (continuation-passing) and let the loop run.
 * Fix 2: if you really must wait, wait *by running the queue* (pump completions until done).
 */
#include "callbacks.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>

#include "asl/util.h"

static const char usage[] = "usage: demo_deadlock [-h]\n"
			    "  shows the block-on-async deadlock on a single completion thread";

struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
	int result;
};

static int work_answer(void *arg, int input)
{
	(void)arg;
	return input + 41; /* finishes in microseconds */
}

static void cb_set(void *ctx, int result)
{
	struct waiter *w = ctx;
	pthread_mutex_lock(&w->mu);
	w->result = result;
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* The mistake: a synchronous wait for an asynchronous result, on the completion thread. */
static int block_on(struct waiter *w, int timeout_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	int rc = 0;
	pthread_mutex_lock(&w->mu);
	while (!w->done && rc == 0)
		rc = pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	pthread_mutex_unlock(&w->mu);
	return w->done ? 0 : -rc;
}

static bool cq_readable(struct cq *q)
{
	struct pollfd pfd = { .fd = cq_fd(q), .events = POLLIN };
	return poll(&pfd, 1, 0) == 1;
}

static void w_init(struct waiter *w)
{
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->done = 0;
}

static int fix1_done;
static void cb_continue(void *ctx, int result)
{
	(void)ctx;
	printf("  fix 1: the callback continues the work itself: result %d\n", result);
	fix1_done = 1;
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, usage);
	struct async_env env = { 0 };
	int rc = pool_create(&env.pool, 2, 8);
	if (rc == 0)
		rc = cq_create(&env.cq);
	if (rc < 0)
		asl_die(-rc, "setting up the pool and the completion queue");

	printf("1. The deadlock.  main owns the completion queue; it starts an operation and\n"
	       "   blocks until the callback sets a flag (with a 1 s timeout so we can report).\n");
	struct waiter w;
	w_init(&w);
	if ((rc = async_run(&env, work_answer, NULL, 1, NULL, cb_set, &w)) < 0)
		asl_die(-rc, "async_run");
	rc = block_on(&w, 1000);
	if (rc == -ETIMEDOUT) {
		printf("   DEADLOCK detected: no result after 1 s, although the work took "
		       "microseconds.\n   Its completion is queued (eventfd readable: %s) but only "
		       "this thread\n   may run it, and this thread is blocked waiting for it.\n",
		       cq_readable(env.cq) ? "yes" : "no");
	} else {
		printf("   unexpected: the blocking wait returned %d\n", rc);
		return 1;
	}
	cq_wait(env.cq, 1000); /* deliver the stranded completion so nothing leaks */

	printf("2. Fix 1: don't block - pass the rest of the work as the callback and return\n"
	       "   to the loop.\n");
	if ((rc = async_run(&env, work_answer, NULL, 1, NULL, cb_continue, NULL)) < 0)
		asl_die(-rc, "async_run");
	while (!fix1_done && cq_wait(env.cq, 2000) > 0)
		;
	printf("  fix 1 %s\n", fix1_done ? "ok" : "FAILED");

	printf("3. Fix 2: if a synchronous answer is unavoidable, wait by running the queue\n"
	       "   (a nested loop: other callbacks also run meanwhile - beware re-entrancy).\n");
	w_init(&w);
	if ((rc = async_run(&env, work_answer, NULL, 1, NULL, cb_set, &w)) < 0)
		asl_die(-rc, "async_run");
	while (!w.done && cq_wait(env.cq, 2000) > 0)
		;
	printf("  fix 2 %s: result %d\n", w.done ? "ok" : "FAILED", w.result);

	printf(
	    "The same trap exists wherever completions are posted back to one thread: a UI\n"
	    "thread calling .Result / .wait() on a task whose continuation needs the UI thread.\n");
	pool_shutdown(env.pool, POOL_DRAIN);
	cq_destroy(env.cq);
	return fix1_done && w.done ? 0 : 1;
}
