/*
 * combine.h - step 9: sequence and fan-out, so callbacks compose instead of nesting.
 *
 * Like every combinator, these must be called on env->cq's owner thread (typically from a
 * callback).
 */
#ifndef LAB05_COMBINE_H
#define LAB05_COMBINE_H

#include "async.h"

/* Step 9.  Run a(arg_a, input), then b(arg_b, a's result), then cb(ctx, b's result).  If a
 * fails (< 0), b is skipped and cb gets a's error. */
int combine_seq(const struct async_env *env, async_work_fn a, void *arg_a, async_work_fn b,
		void *arg_b, int input, async_cb cb, void *ctx);

/* Called once when every branch of a fan-out finished; results[i] belongs to args[i] and is
 * valid only during the call. */
typedef void (*combine_join_cb)(void *ctx, const int *results, int n);

/* Step 9.  Run work(args[i], i) for i in 0..n-1 concurrently; one cb when all finished.
 * n == 0 completes at once.  A branch the pool refuses finishes with its error. */
int combine_fanout(const struct async_env *env, async_work_fn work, void *const *args, int n,
		   combine_join_cb cb, void *ctx);

#endif
