/* Step 5: async_run - work on the pool, callback on the caller's thread, exactly once. */
#include "cb_test.h"

#include <stdlib.h>

ASL_SUITE(async, 30);

static _Thread_local int tag; /* set on the test thread only */

struct op {
	atomic_int calls;
	int result;
	int tagged; /* the callback saw our thread-local tag */
	pthread_t cb_on;
	atomic_int work_calls;
	pthread_t work_on;
	atomic_int *done;
};

static int work_double(void *arg, int input)
{
	struct op *o = arg;
	o->work_on = pthread_self();
	atomic_fetch_add(&o->work_calls, 1);
	return input * 2;
}

static void cb_record(void *ctx, int result)
{
	struct op *o = ctx;
	o->result = result;
	o->tagged = tag;
	o->cb_on = pthread_self();
	if (atomic_fetch_add(&o->calls, 1) == 0)
		atomic_fetch_add(o->done, 1);
}

Test(async, callbacks_run_on_the_callers_thread)
{
	enum { N = 300 };
	struct env_fixture f;
	env_up(&f, 4, 16, 5);
	tag = 42;
	atomic_int done = 0;
	struct op *o = calloc(N, sizeof *o);
	for (int i = 0; i < N; i++) {
		o[i].done = &done;
		int rc = async_run(&f.env, work_double, &o[i], i, NULL, cb_record, &o[i]);
		cr_assert_eq(rc, 0, "async_run #%d returned %s" ASL_HINT(5), i, asl_test_rc(rc));
	}
	cq_until(f.env.cq, &done, N, 5);
	env_down(&f, 5);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(atomic_load(&o[i].calls), 1, "callback %d ran %d times" ASL_HINT(5), i,
			     atomic_load(&o[i].calls));
		cr_assert_eq(o[i].result, 2 * i,
			     "callback %d got %d, expected work's %d" ASL_HINT(5), i, o[i].result,
			     2 * i);
		cr_assert(pthread_equal(o[i].cb_on, pthread_self()) && o[i].tagged == 42,
			  "callback %d ran on another thread: it must run on the thread that "
			  "drains the completion queue" ASL_HINT(5),
			  i);
		cr_assert(!pthread_equal(o[i].work_on, pthread_self()),
			  "work %d ran on the caller's thread instead of the pool" ASL_HINT(5), i);
	}
	free(o);
}

Test(async, every_callback_exactly_once_under_load)
{
	enum { N = 5000 };
	struct env_fixture f;
	env_up(&f, 4, 8, 5);
	atomic_int done = 0;
	struct op *o = calloc(N, sizeof *o);
	for (int i = 0; i < N; i++) {
		o[i].done = &done;
		cr_assert_eq(async_run(&f.env, work_double, &o[i], 1, NULL, cb_record, &o[i]), 0,
			     "async_run failed" ASL_HINT(5));
		if (i % 64 == 0)
			cq_drain(f.env.cq); /* interleave delivery with submission */
	}
	cq_until(f.env.cq, &done, N, 5);
	env_down(&f, 5);
	for (int i = 0; i < N; i++)
		cr_assert(atomic_load(&o[i].calls) == 1 && atomic_load(&o[i].work_calls) == 1,
			  "op %d: callback ran %d times, "
			  "work %d times (expected 1 and 1)" ASL_HINT(5),
			  i, atomic_load(&o[i].calls), atomic_load(&o[i].work_calls));
	free(o);
}

Test(async, immediate_shutdown_delivers_ecanceled_once)
{
	enum { Q = 6 };
	int before = asl_test_threads();
	struct async_env env = { 0 };
	struct latch l;
	latch_init(&l);
	cr_assert_eq(pool_create(&env.pool, 1, Q + 2), 0, "pool_create failed" ASL_HINT(1));
	cr_assert_eq(cq_create(&env.cq), 0, "cq_create failed" ASL_HINT(5));
	cr_assert_eq(pool_submit(env.pool, job_hold, &l), 0, "pool_submit failed" ASL_HINT(2));
	latch_await_arrivals(&l, 1);
	atomic_int done = 0;
	struct op o[Q] = { 0 };
	for (int i = 0; i < Q; i++) {
		o[i].done = &done;
		cr_assert_eq(async_run(&env, work_double, &o[i], 1, NULL, cb_record, &o[i]), 0,
			     "async_run failed" ASL_HINT(5));
	}
	pool_submit(env.pool, job_open_on_cancel, &l);
	int rc = pool_shutdown(env.pool, POOL_CANCEL);
	cr_assert_eq(rc, Q + 1, "pool_shutdown(POOL_CANCEL) returned %s" ASL_HINT(3),
		     asl_test_rc(rc));
	cq_until(env.cq, &done, Q, 5);
	cq_wait(env.cq, 0);
	for (int i = 0; i < Q; i++) {
		cr_assert_eq(atomic_load(&o[i].calls), 1,
			     "op %d's callback ran %d times" ASL_HINT(5), i,
			     atomic_load(&o[i].calls));
		cr_assert_eq(o[i].result, -ECANCELED,
			     "op %d: expected -125 (ECANCELED), got %s" ASL_HINT(5), i,
			     asl_test_rc(o[i].result));
		cr_assert_eq(atomic_load(&o[i].work_calls), 0,
			     "cancelled op %d ran its work" ASL_HINT(5), i);
	}
	cr_assert_eq(cq_destroy(env.cq), 0, "undelivered completions" ASL_HINT(5));
	cr_assert_eq(asl_test_threads_settled(before), before, "thread leak" ASL_HINT(3));
}

Test(async, rejects_missing_work_or_callback)
{
	struct env_fixture f;
	env_up(&f, 1, 4, 5);
	int rc = async_run(&f.env, NULL, NULL, 0, NULL, cb_record, NULL);
	cr_assert_eq(rc, -EINVAL,
		     "async_run(work = NULL): expected -22 (EINVAL), got %s" ASL_HINT(5),
		     asl_test_rc(rc));
	rc = async_run(&f.env, work_double, NULL, 0, NULL, NULL, NULL);
	cr_assert_eq(rc, -EINVAL, "async_run(cb = NULL): expected -22 (EINVAL), got %s" ASL_HINT(5),
		     asl_test_rc(rc));
	env_down(&f, 5);
}

/* An op that completes normally must leave no registration behind on its token: the token
 * outlives the op, and a later cancel would call into freed memory. */
Test(async, completion_unregisters_from_the_token)
{
	enum { N = 50 };
	struct env_fixture f;
	env_up(&f, 2, 8, 7);
	struct cancel_token t;
	int rc = cancel_token_init(&t);
	cr_assert_eq(rc, 0, "cancel_token_init returned %s" ASL_HINT(6), asl_test_rc(rc));
	atomic_int done = 0;
	struct op o[N] = { 0 };
	for (int i = 0; i < N; i++) {
		o[i].done = &done;
		rc = async_run(&f.env, work_double, &o[i], i, &t, cb_record, &o[i]);
		cr_assert_eq(rc, 0, "async_run with a token returned %s" ASL_HINT(7),
			     asl_test_rc(rc));
	}
	cq_until(f.env.cq, &done, N, 7);
	for (int i = 0; i < N; i++)
		cr_assert(atomic_load(&o[i].calls) == 1 && o[i].result == 2 * i,
			  "op %d: %d "
			  "callback(s), result %d (expected one, %d)" ASL_HINT(5),
			  i, atomic_load(&o[i].calls), o[i].result, 2 * i);
	/* every callback ran, so every op has finished with the token */
	rc = cancel_token_destroy(&t);
	cr_assert_eq(rc, 0,
		     "%d ops completed but their token still holds registrations "
		     "(cancel_token_destroy: %s): the winner must unregister before it posts the "
		     "completion" ASL_HINT(5),
		     N, asl_test_rc(rc));
	env_down(&f, 7);
}
