/* Step 8: timeout - exactly one of result and -ETIMEDOUT, the loser suppressed. */
#include "cb_test.h"

#include <stdlib.h>

ASL_SUITE(timeout, 60);

struct op {
	struct cb_got got; /* what the callback saw (cb_got_record) */
	struct latch *hold;
	atomic_int work_calls;
};

static int work_quick(void *arg, int input)
{
	struct op *o = arg;
	atomic_fetch_add(&o->work_calls, 1);
	if (o->hold)
		latch_wait(o->hold);
	return input;
}

Test(timeout, fast_work_delivers_its_result)
{
	struct env_fixture f;
	env_up(&f, 2, 4, 8);
	atomic_int done = 0;
	struct op o = { .got.done = &done };
	int rc = timeout_run(&f.env, work_quick, &o, 9, 10ull * 1000000000u, cb_got_record, &o.got);
	cr_assert_eq(rc, 0, "timeout_run returned %s" ASL_HINT(8), asl_test_rc(rc));
	cq_until(f.env.cq, &done, 1, 8);
	cr_assert_eq(o.got.result, 9, "expected the work's result 9, got %s" ASL_HINT(8),
		     asl_test_rc(o.got.result));
	cr_assert(pthread_equal(o.got.on, pthread_self()),
		  "callback not on the cq thread" ASL_HINT(8));
	env_down(&f, 8); /* also checks the 10 s timer was disarmed */
	cr_assert_eq(atomic_load(&o.got.calls), 1, "callback ran %d times" ASL_HINT(8),
		     atomic_load(&o.got.calls));
}

Test(timeout, stuck_work_times_out_and_late_result_is_dropped)
{
	struct env_fixture f;
	env_up(&f, 1, 4, 8);
	struct latch l;
	latch_init(&l);
	atomic_int done = 0;
	struct op o = { .got.done = &done, .hold = &l };
	int rc = timeout_run(&f.env, work_quick, &o, 9, 2000000, cb_got_record, &o.got);
	cr_assert_eq(rc, 0, "timeout_run returned %s" ASL_HINT(8), asl_test_rc(rc));
	cq_until(f.env.cq, &done, 1, 8); /* the work is held: only the timer can finish it */
	cr_assert_eq(o.got.result, -ETIMEDOUT, "expected -110 (ETIMEDOUT), got %s" ASL_HINT(8),
		     asl_test_rc(o.got.result));
	/* no latch_await_arrivals here: under load the timer may fire before the worker
	 * took the job, and then the cancelled work rightly never starts */
	latch_open(&l);
	env_down(&f, 8); /* lets the work finish and delivers anything it (wrongly) posts */
	cr_assert_eq(atomic_load(&o.got.calls), 1,
		     "after the timeout the late result was "
		     "delivered too: callback ran %d times" ASL_HINT(8),
		     atomic_load(&o.got.calls));
}

Test(timeout, result_racing_timer_fires_exactly_once)
{
	enum { N = 3000 };
	struct env_fixture f;
	env_up(&f, 2, 8, 8);
	struct op *o = calloc(N, sizeof *o);
	atomic_int done = 0;
	int timed_out = 0;
	for (int i = 0; i < N; i++) {
		o[i].got.done = &done;
		uint64_t ns = (uint64_t)(i % 50) * 1000; /* 0..49 us: both sides win sometimes */
		int rc = timeout_run(&f.env, work_quick, &o[i], 1, ns, cb_got_record, &o[i].got);
		cr_assert_eq(rc, 0, "timeout_run returned %s" ASL_HINT(8), asl_test_rc(rc));
		if (i % 16 == 15)
			cq_until(f.env.cq, &done, i + 1, 8);
	}
	cq_until(f.env.cq, &done, N, 8);
	env_down(&f, 8);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(atomic_load(&o[i].got.calls), 1,
			     "op %d: callback ran %d times, "
			     "expected exactly once" ASL_HINT(8),
			     i, atomic_load(&o[i].got.calls));
		cr_assert(o[i].got.result == 1 || o[i].got.result == -ETIMEDOUT,
			  "op %d: got %s" ASL_HINT(8), i, asl_test_rc(o[i].got.result));
		cr_assert(pthread_equal(o[i].got.on, pthread_self()),
			  "op %d: callback not on the "
			  "cq thread" ASL_HINT(8),
			  i);
		timed_out += o[i].got.result == -ETIMEDOUT;
	}
	(void)timed_out; /* stress_races prints the split */
	free(o);
}

/* On timeout the work is cancelled: work still waiting in the pool queue never runs. */
Test(timeout, timeout_cancels_queued_work)
{
	struct env_fixture f;
	env_up(&f, 1, 4, 8);
	struct latch l;
	latch_init(&l);
	cr_assert_eq(pool_submit(f.env.pool, job_hold, &l), 0, "pool_submit failed" ASL_HINT(2));
	latch_await_arrivals(&l, 1); /* the only worker is busy: the timed work stays queued */
	atomic_int done = 0;
	struct op o = { .got.done = &done };
	int rc = timeout_run(&f.env, work_quick, &o, 9, 2000000, cb_got_record, &o.got);
	cr_assert_eq(rc, 0, "timeout_run returned %s" ASL_HINT(8), asl_test_rc(rc));
	cq_until(f.env.cq, &done, 1, 8);
	cr_assert_eq(o.got.result, -ETIMEDOUT, "expected -110 (ETIMEDOUT), got %s" ASL_HINT(8),
		     asl_test_rc(o.got.result));
	latch_open(&l);
	env_down(&f, 8); /* the worker reaches the queued job now */
	cr_assert_eq(atomic_load(&o.work_calls), 0,
		     "the work still ran after its timeout: a "
		     "timeout must cancel the operation "
		     "(here it had not even started)" ASL_HINT(8));
	cr_assert_eq(atomic_load(&o.got.calls), 1, "callback ran %d times" ASL_HINT(8),
		     atomic_load(&o.got.calls));
}
