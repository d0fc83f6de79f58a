/* Step 10: retry with exponential backoff and jitter - the schedule is computed, not slept. */
#include "cb_test.h"

#include <stdlib.h>

ASL_SUITE(retry, 20);

Test(retry, backoff_doubles_to_the_cap)
{
	struct retry_policy p = { .max_attempts = 10, .base_ns = 1000, .cap_ns = 50000 };
	static const uint64_t top[] = { 1000, 2000, 4000, 8000, 16000, 32000, 50000, 50000 };
	static const uint64_t low[] = { 500, 1000, 2000, 4000, 8000, 16000, 25000, 25000 };
	for (int k = 1; k <= 8; k++) {
		uint64_t hi = retry_backoff_ns(&p, k, UINT32_MAX), lo = retry_backoff_ns(&p, k, 0);
		cr_assert_eq(hi, top[k - 1],
			     "retry %d, r = max: expected %llu ns, got %llu" ASL_HINT(10), k,
			     (unsigned long long)top[k - 1], (unsigned long long)hi);
		cr_assert_eq(lo, low[k - 1],
			     "retry %d, r = 0: expected %llu ns (half), got %llu" ASL_HINT(10), k,
			     (unsigned long long)low[k - 1], (unsigned long long)lo);
	}
	uint64_t mid = retry_backoff_ns(&p, 3, 0x80000000u); /* e = 4000: 2000 + 2001/2 */
	cr_assert_eq(mid, 3000, "retry 3, r = 2^31: expected 3000 ns, got %llu" ASL_HINT(10),
		     (unsigned long long)mid);
}

Test(retry, backoff_never_overflows)
{
	struct retry_policy p = { .max_attempts = 1000, .base_ns = 3, .cap_ns = UINT64_MAX / 2 };
	for (int k = 1; k < 300; k += 7) {
		uint64_t d = retry_backoff_ns(&p, k, 0xdeadbeef);
		cr_assert(d <= p.cap_ns && d >= 1,
			  "retry %d: delay %llu outside [1, cap]" ASL_HINT(10), k,
			  (unsigned long long)d);
	}
	cr_assert_geq(retry_backoff_ns(&p, 299, 0), p.cap_ns / 2,
		      "a huge retry number must give "
		      "the capped delay, not a wrapped-around small one" ASL_HINT(10));
	/* the jitter stays exact for delays far above 2^32 ns: r * span needs more than 64 bits */
	static const uint32_t rs[] = { UINT32_MAX, 0x80000000u, 0x12345678u, 1 };
	for (int i = 0; i < 4; i++) {
		uint64_t e = p.cap_ns, half = e / 2, span = e - half + 1;
		uint64_t want = half + (uint64_t)(((unsigned __int128)span * rs[i]) >> 32);
		uint64_t d = retry_backoff_ns(&p, 200, rs[i]);
		cr_assert_eq(d, want,
			     "capped at %llu ns, r = %#x: expected %llu ns, got %llu (does "
			     "r * (e - e/2 + 1) overflow 64 bits?)" ASL_HINT(10),
			     (unsigned long long)e, rs[i], (unsigned long long)want,
			     (unsigned long long)d);
	}
}

struct flaky {
	atomic_int attempts;
	int succeed_at; /* 0: never */
	int seen_input[16];
};

static int flaky_work(void *arg, int attempt)
{
	struct flaky *f = arg;
	int n = atomic_fetch_add(&f->attempts, 1);
	if (n < 16)
		f->seen_input[n] = attempt;
	return f->succeed_at && attempt >= f->succeed_at ? 42 : -EIO;
}

struct seq_rand {
	const uint32_t *v;
	int i;
};

static uint32_t next_rand(void *st)
{
	struct seq_rand *s = st;
	return s->v[s->i++];
}

/* Drive a retry on a manual clock: deliver completions, read each armed delay, jump the clock
 * by exactly that much.  Returns the delays seen. */
static int drive(struct async_env *env, struct cb_got *g, uint64_t *delays, int max)
{
	int n = 0;
	while (!atomic_load(g->done)) {
		int rc = cq_wait(env->cq, 5000);
		cr_assert(rc > 0, "no completion within 5 s (%s)" ASL_HINT(10), asl_test_rc(rc));
		uint64_t d;
		if (!atomic_load(g->done) && timers_next(env->timers, &d) == 0) {
			cr_assert(n < max, "more retries than max_attempts allows" ASL_HINT(10));
			delays[n++] = d;
			timers_advance(env->timers, d);
		}
	}
	return n;
}

Test(retry, retries_on_the_computed_schedule_until_success)
{
	int before = asl_test_threads();
	struct async_env env = { 0 };
	cr_assert_eq(pool_create(&env.pool, 2, 4), 0, "pool_create failed" ASL_HINT(1));
	cr_assert_eq(cq_create(&env.cq), 0, "cq_create failed" ASL_HINT(4));
	cr_assert_eq(timers_create(&env.timers, true), 0, "timers_create failed");
	static const uint32_t rnd[] = { 0, UINT32_MAX, 0x80000000u };
	struct seq_rand sr = { rnd, 0 };
	struct retry_policy p = { .max_attempts = 5,
				  .base_ns = 1000000,
				  .cap_ns = 100000000,
				  .rand = next_rand,
				  .rand_state = &sr };
	struct flaky fl = { .succeed_at = 3 };
	atomic_int done = 0;
	struct cb_got g = { .done = &done };
	int rc = retry_run(&env, &p, flaky_work, &fl, cb_got_record, &g);
	cr_assert_eq(rc, 0, "retry_run returned %s" ASL_HINT(10), asl_test_rc(rc));
	uint64_t delays[8];
	int n = drive(&env, &g, delays, 8);
	cr_assert_eq(g.result, 42, "expected the third attempt's 42, got %s" ASL_HINT(10),
		     asl_test_rc(g.result));
	cr_assert_eq(atomic_load(&fl.attempts), 3, "expected 3 attempts, saw %d" ASL_HINT(10),
		     atomic_load(&fl.attempts));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fl.seen_input[i], i + 1,
			     "attempt %d got input %d, expected its "
			     "number %d" ASL_HINT(10),
			     i + 1, fl.seen_input[i], i + 1);
	cr_assert_eq(n, 2, "expected 2 waits between 3 attempts, saw %d" ASL_HINT(10), n);
	cr_assert_eq(delays[0], 500000,
		     "wait 1 (e = 1 ms, r = 0): expected 500000 ns, got %llu" ASL_HINT(10),
		     (unsigned long long)delays[0]);
	cr_assert_eq(delays[1], 2000000,
		     "wait 2 (e = 2 ms, r = max): expected 2000000 ns, got "
		     "%llu" ASL_HINT(10),
		     (unsigned long long)delays[1]);
	cr_assert_eq(atomic_load(&g.calls), 1, "callback ran %d times" ASL_HINT(10),
		     atomic_load(&g.calls));
	cr_assert_eq(pool_shutdown(env.pool, POOL_DRAIN), 0, "pool_shutdown failed" ASL_HINT(1));
	cr_assert_eq(timers_destroy(env.timers), 0, "a timer was left armed" ASL_HINT(10));
	cr_assert_eq(cq_destroy(env.cq), 0, "undelivered completions" ASL_HINT(10));
	cr_assert_eq(asl_test_threads_settled(before), before, "thread leak" ASL_HINT(1));
}

Test(retry, gives_up_after_max_attempts)
{
	int before = asl_test_threads();
	struct async_env env = { 0 };
	cr_assert_eq(pool_create(&env.pool, 1, 4), 0, "pool_create failed" ASL_HINT(1));
	cr_assert_eq(cq_create(&env.cq), 0, "cq_create failed" ASL_HINT(4));
	cr_assert_eq(timers_create(&env.timers, true), 0, "timers_create failed");
	struct retry_policy p = { .max_attempts = 4, .base_ns = 1000, .cap_ns = 5000 };
	struct flaky fl = { .succeed_at = 0 };
	atomic_int done = 0;
	struct cb_got g = { .done = &done };
	cr_assert_eq(retry_run(&env, &p, flaky_work, &fl, cb_got_record, &g), 0,
		     "retry_run failed" ASL_HINT(10));
	uint64_t delays[8];
	int n = drive(&env, &g, delays, 8);
	cr_assert_eq(g.result, -EIO, "expected the last error -5 (EIO), got %s" ASL_HINT(10),
		     asl_test_rc(g.result));
	cr_assert_eq(atomic_load(&fl.attempts), 4,
		     "max_attempts = 4 but the work ran %d times" ASL_HINT(10),
		     atomic_load(&fl.attempts));
	static const uint64_t want[] = { 1000, 2000, 4000 }; /* no rand: no jitter, e itself */
	cr_assert_eq(n, 3, "expected 3 waits, saw %d" ASL_HINT(10), n);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(delays[i], want[i], "wait %d: expected %llu ns, got %llu" ASL_HINT(10),
			     i + 1, (unsigned long long)want[i], (unsigned long long)delays[i]);
	pool_shutdown(env.pool, POOL_DRAIN);
	cr_assert_eq(timers_destroy(env.timers), 0, "a timer was left armed" ASL_HINT(10));
	cr_assert_eq(cq_destroy(env.cq), 0, "undelivered completions" ASL_HINT(10));
	cr_assert_eq(asl_test_threads_settled(before), before, "thread leak" ASL_HINT(1));
}

static int cancelled_work(void *arg, int attempt)
{
	struct flaky *f = arg;
	atomic_fetch_add(&f->attempts, 1);
	(void)attempt;
	return -ECANCELED;
}

/* -ECANCELED means someone wants the operation stopped: it is final, not a reason to retry. */
Test(retry, stops_at_ecanceled)
{
	int before = asl_test_threads();
	struct async_env env = { 0 };
	cr_assert_eq(pool_create(&env.pool, 1, 4), 0, "pool_create failed" ASL_HINT(1));
	cr_assert_eq(cq_create(&env.cq), 0, "cq_create failed" ASL_HINT(4));
	cr_assert_eq(timers_create(&env.timers, true), 0, "timers_create failed");
	struct retry_policy p = { .max_attempts = 5, .base_ns = 1000, .cap_ns = 5000 };
	struct flaky fl = { 0 };
	atomic_int done = 0;
	struct cb_got g = { .done = &done };
	cr_assert_eq(retry_run(&env, &p, cancelled_work, &fl, cb_got_record, &g), 0,
		     "retry_run failed" ASL_HINT(10));
	uint64_t delays[8];
	int n = drive(&env, &g, delays, 8);
	cr_assert_eq(g.result, -ECANCELED, "expected -125 (ECANCELED), got %s" ASL_HINT(10),
		     asl_test_rc(g.result));
	cr_assert(atomic_load(&fl.attempts) == 1 && n == 0,
		  "the first attempt returned -125 "
		  "(ECANCELED) yet the work ran %d times with %d waits: a cancelled operation is "
		  "not retried" ASL_HINT(10),
		  atomic_load(&fl.attempts), n);
	cr_assert_eq(atomic_load(&g.calls), 1, "callback ran %d times" ASL_HINT(10),
		     atomic_load(&g.calls));
	pool_shutdown(env.pool, POOL_DRAIN);
	cr_assert_eq(timers_destroy(env.timers), 0, "a timer was left armed" ASL_HINT(10));
	cr_assert_eq(cq_destroy(env.cq), 0, "undelivered completions" ASL_HINT(10));
	cr_assert_eq(asl_test_threads_settled(before), before, "thread leak" ASL_HINT(1));
}

Test(retry, rejects_a_bad_policy)
{
	struct async_env env = { 0 };
	cr_assert_eq(cq_create(&env.cq), 0, "cq_create failed" ASL_HINT(4));
	cr_assert_eq(timers_create(&env.timers, true), 0, "timers_create failed");
	struct retry_policy p = { .max_attempts = 0, .base_ns = 1, .cap_ns = 2 };
	atomic_int done = 0;
	struct cb_got g = { .done = &done };
	int rc = retry_run(&env, &p, flaky_work, NULL, cb_got_record, &g);
	cr_assert_eq(rc, -EINVAL, "max_attempts = 0: expected -22 (EINVAL), got %s" ASL_HINT(10),
		     asl_test_rc(rc));
	p = (struct retry_policy){ .max_attempts = 3, .base_ns = 10, .cap_ns = 5 };
	rc = retry_run(&env, &p, flaky_work, NULL, cb_got_record, &g);
	cr_assert_eq(rc, -EINVAL, "base > cap: expected -22 (EINVAL), got %s" ASL_HINT(10),
		     asl_test_rc(rc));
	timers_destroy(env.timers);
	cq_destroy(env.cq);
}
