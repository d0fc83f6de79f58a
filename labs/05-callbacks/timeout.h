/*
 * timeout.h - step 8: run an operation with a deadline.
 *
 * Like every combinator, timeout_run must be called on env->cq's owner thread (typically
 * from a callback).
 */
#ifndef LAB05_TIMEOUT_H
#define LAB05_TIMEOUT_H

#include <stdint.h>

#include "async.h"

/* Step 8.  Run work with a deadline: exactly one of cb(ctx, result) and cb(ctx, -ETIMEDOUT)
 * happens; the loser of the race is suppressed and the work is cancelled on timeout.
 * Needs env->timers. */
int timeout_run(const struct async_env *env, async_work_fn work, void *arg, int input,
		uint64_t timeout_ns, async_cb cb, void *ctx);

#endif
