/* Steps 1-2: workers that start and stop (1); a bounded queue: every job runs, backpressure,
 * -EAGAIN (2). */
#include "cb_test.h"

#include <stdlib.h>

ASL_SUITE(pool, 20);

struct counted {
	atomic_int calls;
	atomic_int bad_status;
	pthread_t on;
};

static void job_count(void *arg, int status)
{
	struct counted *c = arg;
	if (status != 0)
		atomic_fetch_add(&c->bad_status, 1);
	c->on = pthread_self();
	atomic_fetch_add(&c->calls, 1);
}

static void shutdown_checked(struct pool *p, int threads_before)
{
	int rc = pool_shutdown(p, POOL_DRAIN);
	cr_assert_eq(rc, 0, "pool_shutdown(POOL_DRAIN) returned %s" ASL_HINT(1), asl_test_rc(rc));
	int after = asl_test_threads_settled(threads_before);
	cr_assert_eq(after, threads_before,
		     "thread leak: %d threads before, %d after shutdown" ASL_HINT(1),
		     threads_before, after);
}

Test(pool, runs_every_job_once_on_pool_threads)
{
	enum { N = 2000, W = 4 };
	int before = asl_test_threads();
	struct counted *c = calloc(N, sizeof *c);
	struct pool *p;
	int rc = pool_create(&p, W, 8);
	cr_assert_eq(rc, 0, "pool_create(4, 8) returned %s" ASL_HINT(1), asl_test_rc(rc));
	int during = asl_test_threads();
	cr_assert_eq(during, before + W,
		     "a pool of %d workers should add %d threads, it added %d" ASL_HINT(1), W, W,
		     during - before);
	for (int i = 0; i < N; i++) {
		rc = pool_submit(p, job_count, &c[i]);
		cr_assert_eq(rc, 0, "pool_submit #%d returned %s" ASL_HINT(2), i, asl_test_rc(rc));
	}
	/* a worker woken for a job that another worker took first finds the queue empty: it
	 * must go back to sleep, not leave the pool */
	during = asl_test_threads();
	cr_assert_eq(during, before + W,
		     "after %d jobs the pool has %d of its %d workers left: a "
		     "worker that wakes to an empty queue "
		     "must wait again (while, not if)" ASL_HINT(1),
		     N, during - before, W);
	shutdown_checked(p, before);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(atomic_load(&c[i].calls), 1,
			     "job %d ran %d times, expected once" ASL_HINT(2), i,
			     atomic_load(&c[i].calls));
		cr_assert_eq(atomic_load(&c[i].bad_status), 0,
			     "job %d got a non-zero status" ASL_HINT(2), i);
		cr_assert(!pthread_equal(c[i].on, pthread_self()),
			  "job %d ran on the submitting thread, not a worker" ASL_HINT(2), i);
	}
	free(c);
}

Test(pool, try_submit_says_eagain_when_full)
{
	enum { W = 2, CAP = 4 };
	int before = asl_test_threads();
	struct latch l;
	latch_init(&l);
	struct counted c[CAP + 1] = { 0 };
	struct pool *p;
	int rc = pool_create(&p, W, CAP);
	cr_assert_eq(rc, 0, "pool_create returned %s" ASL_HINT(1), asl_test_rc(rc));
	for (int i = 0; i < W; i++)
		cr_assert_eq(pool_try_submit(p, job_hold, &l), 0,
			     "try_submit into an empty pool"
			     " failed" ASL_HINT(2));
	latch_await_arrivals(&l, W); /* both workers are now held: the queue is ours */
	for (int i = 0; i < CAP; i++) {
		rc = pool_try_submit(p, job_count, &c[i]);
		cr_assert_eq(
		    rc, 0,
		    "try_submit #%d into a queue of %d with %d queued returned %s" ASL_HINT(2), i,
		    CAP, i, asl_test_rc(rc));
	}
	cr_assert_eq(pool_queued(p), (size_t)CAP, "pool_queued() = %zu, expected %d" ASL_HINT(2),
		     pool_queued(p), CAP);
	struct pool_call call = { .p = p, .fn = job_count, .arg = &c[CAP] };
	rc = pool_watched(pool_try_submit_main, &call, &l, "pool_try_submit on a full queue",
			  "it waited for room; a try-submit never blocks: -EAGAIN at once", 2);
	cr_assert_eq(rc, -EAGAIN,
		     "try_submit into a full queue: expected -11 (EAGAIN), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	latch_open(&l);
	shutdown_checked(p, before);
	for (int i = 0; i < CAP; i++)
		cr_assert_eq(atomic_load(&c[i].calls), 1,
			     "accepted job %d ran %d times" ASL_HINT(2), i,
			     atomic_load(&c[i].calls));
	cr_assert_eq(atomic_load(&c[CAP].calls), 0, "the refused job ran anyway" ASL_HINT(2));
}

struct submitter {
	struct pool *p;
	struct counted *c;
	int rc;
	atomic_int tid;      /* published before the call */
	atomic_int returned; /* set first thing after the call */
	int released_at_return;
};

static atomic_int released; /* set just before the worker's hold is lifted */

static void *submit_thread(void *arg)
{
	struct submitter *s = arg;
	atomic_store(&s->tid, asl_test_gettid());
	s->rc = pool_submit(s->p, job_count, s->c);
	atomic_store(&s->returned, 1);
	s->released_at_return = atomic_load(&released);
	return NULL;
}

/* The only worker is held and the queue is full: a blocking submit must sleep until the
 * worker takes a job off the queue, which cannot happen before the hold is lifted. */
Test(pool, submit_blocks_while_full)
{
	enum { W = 1, CAP = 2 };
	int before = asl_test_threads();
	struct latch l;
	latch_init(&l);
	struct counted c[CAP + 1] = { 0 };
	struct pool *p;
	atomic_store(&released, 0);
	cr_assert_eq(pool_create(&p, W, CAP), 0, "pool_create failed" ASL_HINT(1));
	cr_assert_eq(pool_submit(p, job_hold, &l), 0, "pool_submit failed" ASL_HINT(2));
	latch_await_arrivals(&l, W);
	for (int i = 0; i < CAP; i++)
		cr_assert_eq(pool_submit(p, job_count, &c[i]), 0, "pool_submit failed" ASL_HINT(2));
	struct submitter s = { .p = p, .c = &c[CAP] };
	pthread_t t;
	pthread_create(&t, NULL, submit_thread, &s);
	bool asleep = asl_test_wait_asleep(&s.tid, &s.returned);
	atomic_store(&released, 1);
	latch_open(&l);
	pthread_join(t, NULL);
	cr_assert(asleep && s.released_at_return,
		  "pool_submit on a full queue returned (%s) while the only worker was still held: "
		  "it must block until there is room (backpressure)" ASL_HINT(2),
		  asl_test_rc(s.rc));
	cr_assert_eq(s.rc, 0,
		     "pool_submit on a full queue must wait for room, it returned %s" ASL_HINT(2),
		     asl_test_rc(s.rc));
	shutdown_checked(p, before);
	cr_assert_eq(atomic_load(&c[CAP].calls), 1, "the blocked submission never ran" ASL_HINT(2));
}

/* Step 1 alone: no job at all.  The workers sleep on the empty queue until shutdown wakes
 * and joins them. */
Test(pool, create_starts_workers_and_shutdown_joins_them)
{
	enum { W = 3 };
	int before = asl_test_threads();
	struct pool *p;
	int rc = pool_create(&p, W, 4);
	cr_assert_eq(rc, 0, "pool_create(3, 4) returned %s, expected 0" ASL_HINT(1),
		     asl_test_rc(rc));
	int during = asl_test_threads();
	cr_assert_eq(during, before + W,
		     "a pool of %d workers should add %d threads, it added %d" ASL_HINT(1), W, W,
		     during - before);
	cr_assert_eq(pool_queued(p), 0, "a new pool has %zu queued jobs, expected 0" ASL_HINT(1),
		     pool_queued(p));
	shutdown_checked(p, before);
}

Test(pool, create_rejects_bad_sizes)
{
	struct pool *p = NULL;
	int rc = pool_create(&p, 0, 4);
	cr_assert_eq(rc, -EINVAL,
		     "pool_create(0 threads): expected -22 (EINVAL), got %s" ASL_HINT(1),
		     asl_test_rc(rc));
	rc = pool_create(&p, 2, 0);
	cr_assert_eq(rc, -EINVAL, "pool_create(queue 0): expected -22 (EINVAL), got %s" ASL_HINT(1),
		     asl_test_rc(rc));
}
