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
	/* BEGIN STEP 10: e = min(cap, base * 2^(retry-1)) without overflowing (a shift of 63+
	 * or base > cap >> k means "capped"), then equal jitter: e/2 + r*(e - e/2 + 1) / 2^32.
	 * Checked by: retry::backoff_*
	 * stub: LAB_UNUSED(p, retry, r); return (uint64_t)LAB_TODO(10);
	 */
	if (retry < 1)
		retry = 1;
	unsigned k = (unsigned)(retry - 1);
	uint64_t e = p->cap_ns;
	if (k < 63 && p->base_ns <= (p->cap_ns >> k))
		e = p->base_ns << k;
	uint64_t half = e / 2, span = e - half + 1;
	/* r / 2^32 is a fraction in [0, 1); the product fits: span <= 2^64 / 2^32 is not
	 * guaranteed, so split it to stay exact for any cap */
	uint64_t jit = (span >> 32) * r + (((span & 0xffffffffu) * r) >> 32);
	return half + jit;
	/* END STEP 10 */
}

/* The life of a retry (struct retry_op): attempt -> retry_done on the cq thread -> the
 * timer -> retry_again on the cq thread -> the next attempt. */
static void retry_done(void *ctx, int result);

/* The end: free the retry, then hand the final result to the user's callback. */
__attribute__((unused)) static void retry_finish(struct retry_op *r, int result)
{
	/* BEGIN STEP 10: Retry with backoff: the end, hand the final result to the user.
	 * Take the callback and context out of r, free r, call the callback.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts, retry::stops_at_ecanceled
	 * stub: LAB_UNUSED(r, result); LAB_TODO_ABORT(10);
	 */
	async_cb cb = r->cb;
	void *ctx = r->ctx;
	free(r);
	cb(ctx, result);
	/* END STEP 10 */
}

/* Start attempt number r->attempt; 0 or the -errno of async_run. */
__attribute__((unused)) static int retry_attempt(struct retry_op *r)
{
	/* BEGIN STEP 10: Retry with backoff: start attempt number r->attempt.
	 * async_run the work with the attempt number as its input and retry_done as the callback.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts
	 * stub: LAB_UNUSED(r); return LAB_TODO(10);
	 */
	return async_run(&r->env, r->work, r->arg, r->attempt, NULL, retry_done, r);
	/* END STEP 10 */
}

/* "Time to try again", run by cq_drain on the cq thread: it is the retry's item. */
__attribute__((unused)) static void retry_again(struct cq_item *it)
{
	/* BEGIN STEP 10: Retry with backoff: the next attempt, on the cq thread.
	 * Count the next attempt and start it; if it cannot start, finish with that error.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts
	 * stub: LAB_UNUSED(it); LAB_TODO_ABORT(10);
	 */
	struct retry_op *r = container_of(it, struct retry_op, item);
	r->attempt++;
	int rc = retry_attempt(r);
	if (rc < 0)
		retry_finish(r, rc);
	/* END STEP 10 */
}

/* The backoff timer fired (timer thread): move the next attempt to the cq thread. */
__attribute__((unused)) static void retry_timer(struct timer *tm)
{
	/* BEGIN STEP 10: Retry with backoff: the timer fired, move on to the cq thread.
	 * Post retry_again on the env's cq: attempts start on the cq thread, like callbacks.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts
	 * stub: LAB_UNUSED(tm); LAB_TODO_ABORT(10);
	 */
	struct retry_op *r = container_of(tm, struct retry_op, tm);
	/* attempts start on the cq thread, like callbacks */
	r->item.fn = retry_again;
	cq_post(r->env.cq, &r->item);
	/* END STEP 10 */
}

/* An attempt finished (cq thread): done, or wait and try again. */
__attribute__((unused)) static void retry_done(void *ctx, int result)
{
	/* BEGIN STEP 10: Retry with backoff: an attempt finished, finish or wait and retry.
	 * Success, -ECANCELED or the last attempt: finish.  Otherwise compute the delay
	 * (retry_backoff_ns, with the policy's random source) and start the timer.
	 * Checked by: retry::retries_on_the_computed_schedule_until_success,
	 * retry::gives_up_after_max_attempts, retry::stops_at_ecanceled
	 * stub: LAB_UNUSED(ctx, result); LAB_TODO_ABORT(10);
	 */
	struct retry_op *r = ctx;
	if (result >= 0 || result == -ECANCELED || r->attempt >= r->pol.max_attempts) {
		retry_finish(r, result);
		return;
	}
	uint32_t rnd = r->pol.rand ? r->pol.rand(r->pol.rand_state) : UINT32_MAX;
	timers_start(r->env.timers, &r->tm, retry_backoff_ns(&r->pol, r->attempt, rnd),
		     retry_timer);
	/* END STEP 10 */
}

int retry_run(const struct async_env *env, const struct retry_policy *p, async_work_fn work,
	      void *arg, async_cb cb, void *ctx)
{
	/* BEGIN STEP 10: Check the policy (max_attempts >= 1, base <= cap, timers present),
	 * copy it, and start attempt 1.  Checked by: retry::*
	 * stub: LAB_UNUSED(env, p, work, arg, cb, ctx); return LAB_TODO(10);
	 */
	if (!env || !env->timers || !p || !work || !cb || p->max_attempts < 1 ||
	    p->base_ns > p->cap_ns)
		return -EINVAL;
	struct retry_op *r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->pol = *p;
	r->env = *env;
	r->work = work;
	r->arg = arg;
	r->cb = cb;
	r->ctx = ctx;
	r->attempt = 1;
	int rc = retry_attempt(r);
	if (rc < 0)
		free(r);
	return rc;
	/* END STEP 10 */
}
