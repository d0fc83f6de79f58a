/* Step 2: graceful drain and immediate shutdown; no thread outlives the pool. */
#include "cb_test.h"

#include <stdlib.h>

ASL_SUITE(shutdown, 20);

struct rec {
	atomic_int calls;
	int status;
	pthread_t on;
};

static void job_rec(void *arg, int status)
{
	struct rec *r = arg;
	r->status = status;
	r->on = pthread_self();
	atomic_fetch_add(&r->calls, 1);
}

Test(shutdown, drain_runs_every_accepted_job)
{
	enum { N = 5000 };
	int before = asl_test_threads();
	struct rec *r = calloc(N, sizeof *r);
	struct pool *p;
	cr_assert_eq(pool_create(&p, 2, 16), 0, "pool_create failed" ASL_HINT(1));
	for (int i = 0; i < N; i++)
		cr_assert_eq(pool_submit(p, job_rec, &r[i]), 0, "pool_submit failed" ASL_HINT(1));
	int rc = pool_shutdown(p, POOL_DRAIN); /* jobs are surely still queued now */
	cr_assert_eq(rc, 0, "pool_shutdown(POOL_DRAIN) returned %s, expected 0" ASL_HINT(2),
		     asl_test_rc(rc));
	for (int i = 0; i < N; i++)
		cr_assert(atomic_load(&r[i].calls) == 1 && r[i].status == 0,
			  "after a drain, job %d ran %d times with status %d (expected once, 0)"
			  ASL_HINT(2), i, atomic_load(&r[i].calls), r[i].status);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak: %d before, %d after" ASL_HINT(2), before, after);
	free(r);
}

Test(shutdown, cancel_completes_pending_with_ecanceled_once)
{
	enum { W = 2, Q = 8 };
	int before = asl_test_threads();
	struct latch l;
	latch_init(&l);
	struct rec r[Q] = { 0 };
	struct pool *p;
	cr_assert_eq(pool_create(&p, W, Q + 1), 0, "pool_create failed" ASL_HINT(1));
	for (int i = 0; i < W; i++)
		cr_assert_eq(pool_submit(p, job_hold, &l), 0, "pool_submit failed" ASL_HINT(1));
	latch_await_arrivals(&l, W);
	for (int i = 0; i < Q; i++)
		cr_assert_eq(pool_submit(p, job_rec, &r[i]), 0, "pool_submit failed" ASL_HINT(1));
	/* queued last: when shutdown cancels it, it releases the held workers */
	cr_assert_eq(pool_submit(p, job_open_on_cancel, &l), 0, "pool_submit failed" ASL_HINT(1));
	int rc = pool_shutdown(p, POOL_CANCEL);
	cr_assert_eq(rc, Q + 1, "pool_shutdown(POOL_CANCEL) with %d jobs queued returned %s"
		     " (expected the number cancelled; the queue must be cancelled before the"
		     " running jobs are joined)" ASL_HINT(2), Q + 1, asl_test_rc(rc));
	for (int i = 0; i < Q; i++) {
		cr_assert_eq(atomic_load(&r[i].calls), 1, "pending job %d was called %d times, "
			     "expected exactly once" ASL_HINT(2), i, atomic_load(&r[i].calls));
		cr_assert_eq(r[i].status, -ECANCELED, "pending job %d got status %s, expected "
			     "-125 (ECANCELED)" ASL_HINT(2), i, asl_test_rc(r[i].status));
		cr_assert(pthread_equal(r[i].on, pthread_self()), "a cancelled job must be called "
			  "on the thread calling pool_shutdown" ASL_HINT(2));
	}
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak: %d before, %d after" ASL_HINT(2), before, after);
}

struct resubmit {
	struct latch *l;
	struct pool *p;
	int rc;
};

static void job_resubmit(void *arg, int status)
{
	struct resubmit *s = arg;
	if (status != 0)
		return;
	latch_wait(s->l);
	s->rc = pool_try_submit(s->p, job_hold, s->l);
}

Test(shutdown, submit_during_shutdown_is_refused)
{
	int before = asl_test_threads();
	struct latch l;
	latch_init(&l);
	struct pool *p;
	cr_assert_eq(pool_create(&p, 1, 4), 0, "pool_create failed" ASL_HINT(1));
	struct resubmit s = { .l = &l, .p = p, .rc = 1 };
	cr_assert_eq(pool_submit(p, job_resubmit, &s), 0, "pool_submit failed" ASL_HINT(1));
	latch_await_arrivals(&l, 1);
	cr_assert_eq(pool_submit(p, job_open_on_cancel, &l), 0, "pool_submit failed" ASL_HINT(1));
	int rc = pool_shutdown(p, POOL_CANCEL);
	cr_assert_eq(rc, 1, "pool_shutdown(POOL_CANCEL) returned %s, expected 1" ASL_HINT(2),
		     asl_test_rc(rc));
	cr_assert_eq(s.rc, -ESHUTDOWN, "a job submitting during shutdown: expected -108 "
		     "(ESHUTDOWN), got %s" ASL_HINT(2), asl_test_rc(s.rc));
	cr_assert_eq(asl_test_threads_settled(before), before, "thread leak" ASL_HINT(2));
}

Test(shutdown, no_thread_leak_over_many_pools)
{
	int before = asl_test_threads();
	for (int i = 0; i < 50; i++) {
		struct pool *p;
		struct rec r = { 0 };
		cr_assert_eq(pool_create(&p, 1 + i % 8, 4), 0, "pool_create failed" ASL_HINT(1));
		pool_submit(p, job_rec, &r);
		int rc = pool_shutdown(p, i % 2 ? POOL_CANCEL : POOL_DRAIN);
		cr_assert(rc >= 0, "pool_shutdown returned %s" ASL_HINT(2), asl_test_rc(rc));
		cr_assert_eq(atomic_load(&r.calls), 1, "the job was called %d times (drain or "
			     "cancel: exactly once)" ASL_HINT(2), atomic_load(&r.calls));
	}
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak after 50 pools: %d before, %d after" ASL_HINT(2),
		     before, after);
}
