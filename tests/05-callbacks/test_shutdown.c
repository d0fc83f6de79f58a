/* Steps 2-3: graceful drain (2) and immediate shutdown (3); no thread outlives the pool. */
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
		cr_assert_eq(pool_submit(p, job_rec, &r[i]), 0, "pool_submit failed" ASL_HINT(2));
	int rc = pool_shutdown(p, POOL_DRAIN); /* jobs are surely still queued now */
	cr_assert_eq(rc, 0, "pool_shutdown(POOL_DRAIN) returned %s, expected 0" ASL_HINT(1),
		     asl_test_rc(rc));
	for (int i = 0; i < N; i++)
		cr_assert(atomic_load(&r[i].calls) == 1 && r[i].status == 0,
			  "after a drain, job %d ran %d times "
			  "with status %d (expected once, 0)" ASL_HINT(1),
			  i, atomic_load(&r[i].calls), r[i].status);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak: %d before, %d after" ASL_HINT(1), before, after);
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
		cr_assert_eq(pool_submit(p, job_hold, &l), 0, "pool_submit failed" ASL_HINT(2));
	latch_await_arrivals(&l, W);
	for (int i = 0; i < Q; i++)
		cr_assert_eq(pool_submit(p, job_rec, &r[i]), 0, "pool_submit failed" ASL_HINT(2));
	/* queued last: when shutdown cancels it, it releases the held workers */
	cr_assert_eq(pool_submit(p, job_open_on_cancel, &l), 0, "pool_submit failed" ASL_HINT(2));
	pthread_t shut_on;
	int rc = shutdown_cancel_watched(p, &l, &shut_on);
	cr_assert_eq(rc, Q + 1,
		     "pool_shutdown(POOL_CANCEL) with %d jobs queued returned %s"
		     " (expected the number cancelled; the queue must be cancelled before the"
		     " running jobs are joined)" ASL_HINT(3),
		     Q + 1, asl_test_rc(rc));
	for (int i = 0; i < Q; i++) {
		cr_assert_eq(atomic_load(&r[i].calls), 1,
			     "pending job %d was called %d times, "
			     "expected exactly once" ASL_HINT(3),
			     i, atomic_load(&r[i].calls));
		cr_assert_eq(r[i].status, -ECANCELED,
			     "pending job %d got status %s, expected "
			     "-125 (ECANCELED)" ASL_HINT(3),
			     i, asl_test_rc(r[i].status));
		cr_assert(pthread_equal(r[i].on, shut_on),
			  "a cancelled job must be called "
			  "on the thread calling pool_shutdown" ASL_HINT(3));
	}
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak: %d before, %d after" ASL_HINT(3), before, after);
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
	cr_assert_eq(pool_submit(p, job_resubmit, &s), 0, "pool_submit failed" ASL_HINT(2));
	latch_await_arrivals(&l, 1);
	cr_assert_eq(pool_submit(p, job_open_on_cancel, &l), 0, "pool_submit failed" ASL_HINT(2));
	pthread_t shut_on;
	int rc = shutdown_cancel_watched(p, &l, &shut_on);
	cr_assert_eq(rc, 1, "pool_shutdown(POOL_CANCEL) returned %s, expected 1" ASL_HINT(3),
		     asl_test_rc(rc));
	cr_assert_eq(s.rc, -ESHUTDOWN,
		     "a job submitting during shutdown: expected -108 "
		     "(ESHUTDOWN), got %s" ASL_HINT(3),
		     asl_test_rc(s.rc));
	cr_assert_eq(asl_test_threads_settled(before), before, "thread leak" ASL_HINT(3));
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
		cr_assert(rc >= 0, "pool_shutdown returned %s" ASL_HINT(3), asl_test_rc(rc));
		cr_assert_eq(atomic_load(&r.calls), 1,
			     "the job was called %d times (drain or "
			     "cancel: exactly once)" ASL_HINT(3),
			     atomic_load(&r.calls));
	}
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak after 50 pools: %d before, %d after" ASL_HINT(3),
		     before, after);
}

/* POOL_CANCEL is immediate: a worker that becomes free while the queue is being cancelled
 * exits; it must not take the queued jobs and run them.  The first queued job, when
 * cancelled, frees the held workers and waits until they are gone: only then does shutdown
 * go on to the rest of the queue, which must still be there to cancel. */
struct opener {
	struct latch *l;
	int want_threads;
	int threads_seen;
};

static void job_open_and_await_exit(void *arg, int status)
{
	struct opener *o = arg;
	if (status != -ECANCELED)
		return;
	latch_open(o->l);
	o->threads_seen = asl_test_threads_settled(o->want_threads);
}

Test(shutdown, cancel_is_immediate_for_freed_workers)
{
	enum { W = 2, Q = 8 };
	int before = asl_test_threads();
	struct latch l;
	latch_init(&l);
	struct rec r[Q] = { 0 };
	/* + 1: pool_shutdown runs on the watchdog's thread (shutdown_cancel_watched) */
	struct opener o = { .l = &l, .want_threads = before + 1 };
	struct pool *p;
	cr_assert_eq(pool_create(&p, W, Q + 1), 0, "pool_create failed" ASL_HINT(1));
	for (int i = 0; i < W; i++)
		cr_assert_eq(pool_submit(p, job_hold, &l), 0, "pool_submit failed" ASL_HINT(2));
	latch_await_arrivals(&l, W);
	cr_assert_eq(pool_submit(p, job_open_and_await_exit, &o), 0,
		     "pool_submit failed" ASL_HINT(2));
	for (int i = 0; i < Q; i++)
		cr_assert_eq(pool_submit(p, job_rec, &r[i]), 0, "pool_submit failed" ASL_HINT(2));
	pthread_t shut_on;
	int rc = shutdown_cancel_watched(p, &l, &shut_on);
	int ran = 0;
	for (int i = 0; i < Q; i++)
		ran += r[i].status == 0 && atomic_load(&r[i].calls) > 0;
	cr_assert_eq(ran, 0,
		     "%d of %d queued jobs ran (status 0) on workers freed during "
		     "pool_shutdown(POOL_CANCEL): once cancelling, a worker must exit instead of "
		     "taking more jobs" ASL_HINT(3),
		     ran, Q);
	cr_assert_eq(rc, Q + 1,
		     "pool_shutdown(POOL_CANCEL) returned %s, expected %d cancelled" ASL_HINT(3),
		     asl_test_rc(rc), Q + 1);
	for (int i = 0; i < Q; i++)
		cr_assert(
		    atomic_load(&r[i].calls) == 1 && r[i].status == -ECANCELED &&
			pthread_equal(r[i].on, shut_on),
		    "queued job %d: called %d times with %s; expected once, -125 (ECANCELED), "
		    "on the shutdown thread" ASL_HINT(3),
		    i, atomic_load(&r[i].calls), asl_test_rc(r[i].status));
	cr_assert_eq(o.threads_seen, o.want_threads,
		     "the freed workers did not exit (%d threads, "
		     "%d expected)" ASL_HINT(3),
		     o.threads_seen, o.want_threads);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak: %d before, %d after" ASL_HINT(3), before, after);
}

/* A job blocked in pool_submit on a full queue when shutdown begins must be woken and told
 * -ESHUTDOWN: the only worker is that job, so nobody else will ever make room. */
struct blocked_sub {
	struct latch *l;
	struct pool *p;
	struct rec *r;
	int rc;
	atomic_int tid;
	atomic_int returned;
};

static void job_submit_blocking(void *arg, int status)
{
	struct blocked_sub *b = arg;
	if (status != 0)
		return;
	latch_wait(b->l);
	atomic_store(&b->tid, asl_test_gettid());
	b->rc = pool_submit(b->p, job_rec, b->r);
	atomic_store(&b->returned, 1);
}

struct shut {
	struct pool *p;
	int rc;
};

static void *drain_thread(void *arg)
{
	struct shut *s = arg;
	s->rc = pool_shutdown(s->p, POOL_DRAIN);
	return NULL;
}

Test(shutdown, shutdown_wakes_a_blocked_submitter)
{
	int before = asl_test_threads();
	struct latch l;
	latch_init(&l);
	struct rec queued = { 0 }, refused = { 0 };
	struct pool *p;
	cr_assert_eq(pool_create(&p, 1, 1), 0, "pool_create failed" ASL_HINT(1));
	struct blocked_sub b = { .l = &l, .p = p, .r = &refused, .rc = 1 };
	cr_assert_eq(pool_submit(p, job_submit_blocking, &b), 0, "pool_submit failed" ASL_HINT(2));
	latch_await_arrivals(&l, 1);
	cr_assert_eq(pool_submit(p, job_rec, &queued), 0, "pool_submit failed" ASL_HINT(2));
	latch_open(&l); /* the job now submits into the full queue */
	bool asleep = asl_test_wait_asleep(&b.tid, &b.returned);
	cr_assert(asleep,
		  "pool_submit onto a full queue returned %s instead of blocking" ASL_HINT(2),
		  asl_test_rc(b.rc));
	struct shut s = { .p = p, .rc = 1 };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, drain_thread, &s), 0);
	/* did-not-hang bound: the wake-up takes microseconds */
	uint64_t deadline = asl_now_ns() + 10ull * 1000000000u;
	while (!atomic_load(&b.returned) && asl_now_ns() < deadline)
		sched_yield();
	cr_assert(atomic_load(&b.returned),
		  "pool_shutdown began but a job blocked in pool_submit "
		  "on the full queue was still asleep 10 s later: shutdown must wake blocked "
		  "submitters, and they must give up once the pool stops" ASL_HINT(2));
	pthread_join(t, NULL);
	cr_assert_eq(b.rc, -ESHUTDOWN,
		     "a submitter blocked when shutdown began: expected -108 "
		     "(ESHUTDOWN), got %s" ASL_HINT(2),
		     asl_test_rc(b.rc));
	cr_assert_eq(s.rc, 0, "pool_shutdown(POOL_DRAIN) returned %s" ASL_HINT(1),
		     asl_test_rc(s.rc));
	cr_assert(atomic_load(&queued.calls) == 1 && queued.status == 0,
		  "the job accepted "
		  "before the drain ran %d times with status %d (expected once, 0)" ASL_HINT(1),
		  atomic_load(&queued.calls), queued.status);
	cr_assert_eq(atomic_load(&refused.calls), 0,
		     "the refused submission ran anyway" ASL_HINT(1));
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "thread leak: %d before, %d after" ASL_HINT(1), before, after);
}
