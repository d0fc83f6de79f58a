/*
 * retry.h - step 10: retry with exponential backoff and jitter.
 *
 * Like every combinator, retry_run must be called on env->cq's owner thread (typically from
 * a callback).
 */
#ifndef LAB05_RETRY_H
#define LAB05_RETRY_H

#include <stdint.h>

#include "async.h"

/* Retry policy: attempt k+1 starts retry_backoff_ns(p, k, r) after attempt k failed. */
struct retry_policy {
	int max_attempts;              /* >= 1: the first try counts */
	uint64_t base_ns;              /* delay before the first retry, before jitter */
	uint64_t cap_ns;               /* no delay exceeds this */
	uint32_t (*rand)(void *state); /* jitter source; NULL: no jitter */
	void *rand_state;
};

/* Step 10.  The delay before retry number `retry` (1 = after the first failure):
 * e = min(cap, base * 2^(retry-1)), then "equal jitter": e/2 + r * (e - e/2 + 1) / 2^32,
 * which lies in [e/2, e].  Pure: no clock, no sleeping. */
uint64_t retry_backoff_ns(const struct retry_policy *p, int retry, uint32_t r);

/* Step 10.  Run work(arg, attempt) (attempt = 1, 2, ...) until it returns >= 0, returns
 * -ECANCELED, or max_attempts were made; cb gets the last result.  Waits between attempts
 * on env->timers (jitter from p->rand, r = UINT32_MAX when p->rand is NULL).  -EINVAL on a
 * bad policy.  The policy is copied. */
int retry_run(const struct async_env *env, const struct retry_policy *p, async_work_fn work,
	      void *arg, async_cb cb, void *ctx);

#endif
