/*
 * async.c - step 3: an asynchronous operation = work on the pool + a callback on the cq.
 *
 * The life of an operation:
 *
 *   caller thread           pool thread                 caller thread, later
 *   async_run() ----job---> op_job: work(arg, input)
 *                           claim, post --------cq----> cq_drain: op_deliver: cb(ctx, result)
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
#include "callbacks.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "asl/todo.h"

enum { OP_PENDING, OP_CLAIMED };

struct async_op {
	struct cq_item item;   /* the completion, posted by the winner */
	struct cancel_reg reg; /* registration with tok, when there is one */
	atomic_int state;
	atomic_int refs;
	int result;            /* written by the winner before cq_post, read after */
	async_work_fn work;
	void *arg;
	int input;
	struct cancel_token *tok;
	async_cb cb;
	void *ctx;
	struct cq *cq;
};

#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

/* TODO step 3: The exactly-once machinery: op_put (drop a reference, free on the last),
 * op_claim (one compare-and-swap from PENDING to
 * CLAIMED; true for the single winner), op_finish (the winner stores the result and posts
 * the completion), op_deliver (on the cq thread: call cb, drop a reference) and op_job (the
 * pool job: run the work unless already claimed or cancelled, then try to finish).
 * Checked by: async::*, cancel::*
 */

/* Runs inside cancel_token_cancel, with the token's lock held. */
static void op_on_cancel(struct cancel_reg *r)
{
	/* TODO step 4: The token's side of the race: claim the op and, if this call won,
	 * finish it with -ECANCELED.  Checked by: cancel::*
	 */
	(void)r; LAB_TODO_ABORT(4);
}

int async_run(const struct async_env *env, async_work_fn work, void *arg, int input,
	      struct cancel_token *tok, async_cb cb, void *ctx)
{
	/* TODO step 3: Allocate the op (two references: job and delivery), register it with
	 * tok if there is one (already cancelled: finish with -ECANCELED at once, no job),
	 * then pool_submit op_job.  If the submit fails, unregister; if a cancel claimed the
	 * op meanwhile the callback is coming, so report success; else free it and fail.
	 * Checked by: async::*, cancel::*
	 */
	(void)env; (void)work; (void)arg; (void)input; (void)tok; (void)cb; (void)ctx;
	(void)op_on_cancel; return LAB_TODO(3);
}
