/*
 * async.c - step 5: an asynchronous operation = work on the pool + a callback on the cq;
 * step 7: cancelling one with a token (cancel.c, step 6).
 *
 * The life of an operation:
 *
 *   caller thread           pool thread                 caller thread, later
 *   async_run() ----job---> async_op_job: work(arg, input)
 *                           claim, post --------cq----> cq_drain: async_op_deliver: cb(ctx, result)
 *
 * Exactly once.  Up to three parties may try to finish an operation: the worker with the
 * work's result, a cancellation token, and pool_shutdown(POOL_CANCEL) (which calls the job
 * with -ECANCELED).  Whoever wins one compare-and-swap on `state` (PENDING -> CLAIMED)
 * writes the result and posts the completion; the losers do nothing.  No lock decides it,
 * so no interleaving can produce zero or two callbacks.
 *
 * Lifetime.  The op is referenced by the pool job and by the completion delivery; the last
 * of the two frees it (`refs`).  The winner removes the token registration before posting,
 * so the token never calls back into a completed op.
 */
#include "async.h"

#include "cancel.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "asl/util.h"

enum { OP_PENDING, OP_CLAIMED };

struct async_op {
	struct cq_item item;         /* the completion, posted by the winner */
	struct cancel_token_reg reg; /* registration with tok, when there is one */
	atomic_int state;
	atomic_int refs;
	int result; /* written by the winner before cq_post, read after */
	async_work_fn work;
	void *arg;
	int input;
	struct cancel_token *tok;
	async_cb cb;
	void *ctx;
	struct cq *cq;
};

/* The exactly-once machinery.  An op holds two references (the pool job and the completion
 * delivery); one compare-and-swap on `state` picks the single party that finishes it. */

/* Drop one reference to op; the last one frees it. */
__attribute__((unused)) static void async_op_put(struct async_op *op)
{
	/* TODO step 5: Run work asynchronously: drop a reference, free on the last.
	 * One atomic decrement of refs (acq_rel: the freeing thread must see every write the others
	 * made to op); free op when it reached zero.
	 * Checked by: async::callbacks_run_on_the_callers_thread,
	 * async::every_callback_exactly_once_under_load
	 */
	LAB_UNUSED(op); LAB_TODO_ABORT(5);
}

/* Try to move op from PENDING to CLAIMED: true for the single caller that wins. */
__attribute__((unused)) static bool async_op_claim(struct async_op *op)
{
	/* TODO step 5: Run work asynchronously: claim the op, exactly one winner.
	 * One compare-and-swap on op->state, PENDING -> CLAIMED.
	 * Checked by: async::every_callback_exactly_once_under_load,
	 * cancel::cancel_racing_completion_fires_exactly_once
	 */
	LAB_UNUSED(op); LAB_TODO_ABORT(5);
}

/* The completion, run by cq_drain on the thread that owns the cq: it is the op's item. */
__attribute__((unused)) static void async_op_deliver(struct cq_item *it)
{
	/* TODO step 5: Run work asynchronously: deliver the completion on the cq thread.
	 * Find the op around `it` (container_of), call the user's callback with the result, drop
	 * the delivery's reference.
	 * Checked by: async::callbacks_run_on_the_callers_thread,
	 * async::every_callback_exactly_once_under_load
	 */
	LAB_UNUSED(it); LAB_TODO_ABORT(5);
}

/* The winner only: store the result and post the completion, which then owns one reference. */
__attribute__((unused)) static void async_op_finish(struct async_op *op, int result)
{
	/* TODO step 5: Run work asynchronously: the winner stores the result and posts it.
	 * Write the result before cq_post publishes the item (async_op_deliver).
	 * Checked by: async::callbacks_run_on_the_callers_thread,
	 * async::every_callback_exactly_once_under_load
	 */
	LAB_UNUSED(op, result); LAB_TODO_ABORT(5);
}

/* The pool job of an op (arg), on a pool thread; status is 0, or -ECANCELED when an immediate
 * pool shutdown completes the job without running it. */
__attribute__((unused)) static void async_op_job(void *arg, int status)
{
	/* TODO step 5: Run work asynchronously: the pool job runs the work, then tries to finish.
	 * Run the work unless the op was already claimed (a cancel won while it was queued: skip
	 * it); then try to claim it: the winner unregisters from the token (which waits out a
	 * cancel in progress) and finishes.  Drop the job's reference.
	 * Checked by: async::callbacks_run_on_the_callers_thread,
	 * async::immediate_shutdown_delivers_ecanceled_once,
	 * async::completion_unregisters_from_the_token,
	 * cancel::cancel_completes_queued_op_without_waiting
	 */
	LAB_UNUSED(arg, status); LAB_TODO_ABORT(5);
}

/* Runs inside cancel_token_cancel, with the token's lock held. */
__attribute__((unused)) static void async_op_on_cancel(struct cancel_token_reg *r)
{
	/* TODO step 7: Cancel an operation: the token's side of the race.  Claim the op and,
	 * if this call won, finish it with -ECANCELED.
	 * Checked by: cancel::cancel_completes_queued_op_without_waiting,
	 * cancel::cancel_racing_completion_fires_exactly_once
	 */
	LAB_UNUSED(r); LAB_TODO_ABORT(7);
}

/* Register op with its token, if it has one, before its job is queued.  0: registered, or no
 * token; 1: the token was already cancelled, so op is finished with -ECANCELED and holds only
 * the delivery's reference (queue no job); -errno: op is untouched (the caller frees it). */
__attribute__((unused)) static int async_op_register(struct async_op *op)
{
	/* TODO step 7: Cancel an operation: register it with its token.
	 * Without a token: 0.  Else register op->reg (fn: async_op_on_cancel).  A token already
	 * cancelled completes the op at once: claim it, leave it only the delivery's reference
	 * and finish it with -ECANCELED (return 1).
	 * Checked by: cancel::cancelled_token_completes_at_once_without_work,
	 * cancel::cancel_completes_queued_op_without_waiting,
	 * cancel::cancel_racing_completion_fires_exactly_once,
	 * async::completion_unregisters_from_the_token
	 */
	return op->tok ? LAB_TODO(7) : 0;
}

int async_run(const struct async_env *env, async_work_fn work, void *arg, int input,
	      struct cancel_token *tok, async_cb cb, void *ctx)
{
	/* TODO step 5: Allocate the op (two references: job and delivery), have
	 * async_op_register (step 7) register it with its token, then pool_submit async_op_job.
	 * If the submit fails, unregister; if a cancel claimed the op meanwhile the callback is
	 * coming, so report success; else free it and fail.
	 * Checked by: async::callbacks_run_on_the_callers_thread,
	 * async::every_callback_exactly_once_under_load,
	 * async::immediate_shutdown_delivers_ecanceled_once,
	 * async::rejects_missing_work_or_callback, cq::deadlock_demo_detects_and_fixes
	 */
	LAB_UNUSED(env, work, arg, input, tok, cb, ctx); return LAB_TODO(5);
}
