/*
 * retry.c - step 7: retry with exponential backoff and jitter.
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
#include "callbacks.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "asl/todo.h"

#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

struct async_retry {
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
	/* TODO step 7: e = min(cap, base * 2^(retry-1)) without overflowing (a shift of 63+
	 * or base > cap >> k means "capped"), then equal jitter: e/2 + r*(e - e/2 + 1) / 2^32.
	 * Checked by: retry::backoff_*
	 */
	(void)p; (void)retry; (void)r; return (uint64_t)LAB_TODO(7);
}

/* TODO step 7: retry_attempt starts attempt r->attempt; retry_done (cq thread) decides:
 * success, -ECANCELED or the last attempt -> the user's callback and free; else compute
 * the delay and arm the timer; retry_timer (timer thread) posts retry_again, which runs the
 * next attempt on the cq thread (or reports why it could not start).
 * Checked by: retry::*
 */

int async_retry(const struct async_env *env, const struct retry_policy *p, async_work_fn work,
		void *arg, async_cb cb, void *ctx)
{
	/* TODO step 7: Check the policy (max_attempts >= 1, base <= cap, timers present),
	 * copy it, and start attempt 1.  Checked by: retry::*
	 */
	(void)env; (void)p; (void)work; (void)arg; (void)cb; (void)ctx;
	return LAB_TODO(7);
}
