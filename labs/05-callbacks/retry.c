/*
 * retry.c - step 10: retry with exponential backoff and jitter.
 *
 * A failed attempt is retried after a delay that doubles each time (so a struggling server
 * gets breathing room instead of a hammering), is capped (so no caller waits forever), and is
 * jittered (so a thousand clients that failed at the same instant do not all come back at
 * the same instant - the "thundering herd").  The attempts are bounded.
 *
 * The delay is a pure function of (policy, retry number, random number), so tests check the
 * schedule exactly without sleeping; the waiting itself is a timer, not a sleeping thread:
 * between attempts the retry holds no thread at all.
 *
 *   cq thread: attempt k done, failed --> timers_start(delay) --> [timer fires, posts]
 *   cq thread: retry_again --> async_run(attempt k + 1) --> ...
 */
#include "retry.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "asl/util.h"

struct retry_op {
	struct retry_policy pol;
	struct async_env env;
	struct timer tm;
	struct cq_item item; /* "time to try again", posted by the timer */
	async_work_fn work;
	void *arg;
	async_cb cb;
	void *ctx;
	int attempt; /* the attempt running or about to run, from 1 */
};

uint64_t retry_backoff_ns(const struct retry_policy *p, int retry, uint32_t r)
{
	/* TODO step 10: e = min(cap, base * 2^(retry-1)) without overflowing (a shift of 63+
	 * or base > cap >> k means "capped"), then equal jitter: e/2 + r*(e - e/2 + 1) / 2^32.
	 * Checked by: retry::backoff_*
	 */
	LAB_UNUSED(p, retry, r); return (uint64_t)LAB_TODO(10);
}

/* The life of a retry (struct retry_op): attempt -> retry_done on the cq thread -> the
 * timer -> retry_again on the cq thread -> the next attempt. */
static void retry_done(void *ctx, int result);

/* The end: free the retry, then hand the final result to the user's callback. */
__attribute__((unused)) static void retry_finish(struct retry_op *r, int result)
{
	/* TODO step 10: Retry with backoff: the end, hand the final result to the user.
	 * Take the callback and context out of r, free r, call the callback.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts, retry::stops_at_ecanceled
	 */
	LAB_UNUSED(r, result); LAB_TODO_ABORT(10);
}

/* Start attempt number r->attempt; 0 or the -errno of async_run. */
__attribute__((unused)) static int retry_attempt(struct retry_op *r)
{
	/* TODO step 10: Retry with backoff: start attempt number r->attempt.
	 * async_run the work with the attempt number as its input and retry_done as the callback.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts
	 */
	LAB_UNUSED(r); return LAB_TODO(10);
}

/* "Time to try again", run by cq_drain on the cq thread: it is the retry's item. */
__attribute__((unused)) static void retry_again(struct cq_item *it)
{
	/* TODO step 10: Retry with backoff: the next attempt, on the cq thread.
	 * Count the next attempt and start it; if it cannot start, finish with that error.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts
	 */
	LAB_UNUSED(it); LAB_TODO_ABORT(10);
}

/* The backoff timer fired (timer thread): move the next attempt to the cq thread. */
__attribute__((unused)) static void retry_timer(struct timer *tm)
{
	/* TODO step 10: Retry with backoff: the timer fired, move on to the cq thread.
	 * Post retry_again on the env's cq: attempts start on the cq thread, like callbacks.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts
	 */
	LAB_UNUSED(tm); LAB_TODO_ABORT(10);
}

/* An attempt finished (cq thread): done, or wait and try again. */
__attribute__((unused)) static void retry_done(void *ctx, int result)
{
	/* TODO step 10: Retry with backoff: an attempt finished, finish or wait and retry.
	 * Success, -ECANCELED or the last attempt: finish.  Otherwise compute the delay
	 * (retry_backoff_ns, with the policy's random source) and start the timer.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts, retry::stops_at_ecanceled
	 */
	LAB_UNUSED(ctx, result); LAB_TODO_ABORT(10);
}

int retry_run(const struct async_env *env, const struct retry_policy *p, async_work_fn work,
	      void *arg, async_cb cb, void *ctx)
{
	/* TODO step 10: Check the policy (max_attempts >= 1, base <= cap, timers present),
	 * copy it, and start attempt 1.  Checked by: retry::*
	 */
	LAB_UNUSED(env, p, work, arg, cb, ctx); return LAB_TODO(10);
}
