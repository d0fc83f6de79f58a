/*
 * async.h - steps 5 and 7: an asynchronous operation = work on the pool + a callback on the cq.
 *
 * An operation-starting function (async_run and the combinators built on it) that returns 0
 * promises exactly one call of its callback, on the completion queue's owner thread; one
 * that returns < 0 never calls it.
 */
#ifndef LAB05_ASYNC_H
#define LAB05_ASYNC_H

#include "cq.h"
#include "pool.h"
#include "timers.h"

/* The work of an operation: runs on a pool thread.  `input` is operation-specific (the
 * previous result in a sequence, the attempt number in a retry).  Returns >= 0 or -errno. */
typedef int (*async_work_fn)(void *arg, int input);
/* The completion callback: runs on the completion queue's owner thread. */
typedef void (*async_cb)(void *ctx, int result);

/* Where operations run (pool), where their callbacks run (cq), and the clock (timers). */
struct async_env {
	struct pool *pool;
	struct cq *cq;
	struct timers *timers;
};

struct cancel_token;

/* Steps 5 and 7 (the token).  Run work(arg, input) on env->pool; deliver cb(ctx, result) on
 * env->cq.  With a token (may be NULL), cancellation completes the operation with -ECANCELED
 * instead, exactly once, whether it wins or loses the race with the work (the work's late
 * result is dropped; work that has not started is skipped).  POOL_CANCEL shutdown also
 * completes it with -ECANCELED.  Blocks while the pool queue is full.  Errors: pool_submit's. */
int async_run(const struct async_env *env, async_work_fn work, void *arg, int input,
	      struct cancel_token *tok, async_cb cb, void *ctx);

#endif
