/* cb_test.h - helpers shared by the lab 05 suites: a latch, an environment, thread checks. */
#ifndef CB_TEST_H
#define CB_TEST_H

#include "asl_test.h"
#include "callbacks.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

/* A latch: threads wait until it is opened.  Lets a test hold workers busy for exactly as
 * long as it wants, with no sleeps. */
struct latch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int open;
	int arrived; /* threads that reached latch_wait */
};

static inline void latch_init(struct latch *l)
{
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->open = 0;
	l->arrived = 0;
}

static inline void latch_wait(struct latch *l)
{
	pthread_mutex_lock(&l->mu);
	l->arrived++;
	pthread_cond_broadcast(&l->cv);
	while (!l->open)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
}

/* Block until n threads are waiting at the latch. */
static inline void latch_await_arrivals(struct latch *l, int n)
{
	pthread_mutex_lock(&l->mu);
	while (l->arrived < n)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
}

static inline void latch_open(struct latch *l)
{
	pthread_mutex_lock(&l->mu);
	l->open = 1;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* A pool job that holds its worker at the latch. */
static inline void job_hold(void *arg, int status)
{
	if (status == 0)
		latch_wait(arg);
}

/* A pool job that opens the latch when cancelled (so POOL_CANCEL can join the workers
 * it holds: shutdown cancels the queue before it joins). */
static inline void job_open_on_cancel(void *arg, int status)
{
	if (status == -ECANCELED)
		latch_open(arg);
}

/* ---- watchdogs: pool calls that block forever on a student's mistake fail with a message */

struct pool_call {
	struct pool *p;
	enum pool_stop how;
	pool_job_fn fn;
	void *arg;
	int rc;
	pthread_t on; /* the thread that made the call */
};

static inline int pool_shutdown_main(void *arg)
{
	struct pool_call *c = arg;
	c->on = pthread_self();
	c->rc = pool_shutdown(c->p, c->how);
	return 0;
}

static inline int pool_try_submit_main(void *arg)
{
	struct pool_call *c = arg;
	c->rc = pool_try_submit(c->p, c->fn, c->arg);
	return 0;
}

/* Run call on its own thread; if it is still running after ASL_WATCHDOG_MS, open the latch
 * that holds the test's jobs (so the pool can finish), give it a second, and fail with
 * `mistake`. */
static inline int pool_watched(int (*call)(void *), struct pool_call *c, struct latch *l,
			       const char *what, const char *mistake, int step)
{
	struct asl_call *ac = asl_call_start(call, c);
	if (asl_call_wait(ac, ASL_WATCHDOG_MS, NULL))
		return c->rc;
	latch_open(l);
	asl_call_wait(ac, 1000, NULL);
	cr_assert_fail("%s still running after %d s: %s"
		       "\n    -> reread workbook.md, lab 05-callbacks, step %d",
		       what, ASL_WATCHDOG_MS / 1000, mistake, step);
	return c->rc;
}

/* pool_shutdown(POOL_CANCEL) while running jobs wait at l for a queued job's cancellation;
 * *on: the thread that called it (where cancelled jobs must run). */
static inline int shutdown_cancel_watched(struct pool *p, struct latch *l, pthread_t *on)
{
	struct pool_call c = { .p = p, .how = POOL_CANCEL };
	int rc =
	    pool_watched(pool_shutdown_main, &c, l, "pool_shutdown(POOL_CANCEL)",
			 "the running "
			 "jobs wait for a job still in the queue to be cancelled, so the queue "
			 "must be cancelled BEFORE the workers are joined",
			 3);
	*on = c.on;
	return rc;
}

/* The environment of a test: pool, completion queue owned by the test thread, timers. */
struct env_fixture {
	struct async_env env;
	int threads_before;
};

static inline void env_up(struct env_fixture *f, int workers, size_t cap, int step)
{
	f->threads_before = asl_test_threads();
	f->env = (struct async_env){ 0 };
	int rc = pool_create(&f->env.pool, workers, cap);
	cr_assert_eq(rc, 0, "pool_create(%d, %zu) returned %s" ASL_HINT(1), workers, cap,
		     asl_test_rc(rc));
	rc = cq_create(&f->env.cq);
	cr_assert_eq(rc, 0, "cq_create returned %s" ASL_HINT(4), asl_test_rc(rc));
	rc = timers_create(&f->env.timers, false);
	cr_assert_eq(rc, 0, "timers_create returned %s", asl_test_rc(rc));
	(void)step;
}

/* Drain the pool, deliver what is left, free everything, check no thread leaked. */
static inline void env_down(struct env_fixture *f, int step)
{
	int rc = pool_shutdown(f->env.pool, POOL_DRAIN);
	cr_assert_eq(rc, 0, "pool_shutdown(POOL_DRAIN) returned %s" ASL_HINT(1), asl_test_rc(rc));
	while (cq_wait(f->env.cq, 0) > 0)
		;
	rc = timers_destroy(f->env.timers);
	cr_assert_eq(rc, 0, "a timer was left armed (timers_destroy: %s)" ASL_HINT(8),
		     asl_test_rc(rc));
	rc = cq_destroy(f->env.cq);
	cr_assert_eq(rc, 0, "completions were left undelivered (cq_destroy: %s)" ASL_HINT(4),
		     asl_test_rc(rc));
	int after = asl_test_threads_settled(f->threads_before);
	cr_assert_eq(after, f->threads_before,
		     "thread leak: %d threads before the test, %d after" ASL_HINT(1),
		     f->threads_before, after);
	(void)step;
}

/* What a user callback (async_cb) saw: how often it ran, its last result, on which thread.
 * The first call also counts in *done when done is not NULL (what cq_until waits for). */
struct cb_got {
	atomic_int calls;
	int result;
	pthread_t on;
	atomic_int *done;
};

static inline void cb_got_record(void *ctx, int result)
{
	struct cb_got *g = ctx;
	g->result = result;
	g->on = pthread_self();
	if (atomic_fetch_add(&g->calls, 1) == 0 && g->done)
		atomic_fetch_add(g->done, 1);
}

static inline double st_secs_since(uint64_t t0)
{
	return (double)(asl_now_ns() - t0) / 1e9;
}

/* Run completions until *count reaches want (each wait bounded: a missing callback fails
 * the test with a message instead of hanging it). */
static inline void cq_until(struct cq *q, atomic_int *count, int want, int step)
{
	while (atomic_load(count) < want) {
		int rc = cq_wait(q, 5000);
		cr_assert(rc > 0,
			  "waited 5 s for a completion (%d of %d seen), cq_wait returned %s"
			  "\n    -> reread workbook.md, lab 05-callbacks, step %d",
			  atomic_load(count), want, asl_test_rc(rc), step);
	}
}

#endif
