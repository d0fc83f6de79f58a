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

/* BEGIN STEP 3: The exactly-once machinery: op_put (drop a reference, free on the last),
 * op_claim (one compare-and-swap from PENDING to
 * CLAIMED; true for the single winner), op_finish (the winner stores the result and posts
 * the completion), op_deliver (on the cq thread: call cb, drop a reference) and op_job (the
 * pool job: run the work unless already claimed or cancelled, then try to finish).
 * Checked by: async::*, cancel::*
 */
static void op_put(struct async_op *op)
{
	if (atomic_fetch_sub_explicit(&op->refs, 1, memory_order_acq_rel) == 1)
		free(op);
}

static bool op_claim(struct async_op *op)
{
	int expected = OP_PENDING;
	return atomic_compare_exchange_strong_explicit(&op->state, &expected, OP_CLAIMED,
						       memory_order_acq_rel, memory_order_acquire);
}

static void op_deliver(struct cq_item *it)
{
	struct async_op *op = container_of(it, struct async_op, item);
	op->cb(op->ctx, op->result);
	op_put(op);
}

/* The winner only.  The delivery then owns one reference. */
static void op_finish(struct async_op *op, int result)
{
	op->result = result;
	op->item.fn = op_deliver;
	cq_post(op->cq, &op->item);
}

static void op_job(void *arg, int status)
{
	struct async_op *op = arg;
	int result = status; /* -ECANCELED from an immediate pool shutdown */
	if (status == 0) {
		/* a cancelled op may still be queued: skip its work, the result is out */
		if (atomic_load_explicit(&op->state, memory_order_acquire) != OP_PENDING) {
			op_put(op);
			return;
		}
		result = op->work(op->arg, op->input);
	}
	if (op_claim(op)) {
		if (op->tok)
			cancel_unregister(op->tok, &op->reg); /* waits out a cancel in progress */
		op_finish(op, result);
	}
	op_put(op);
}
/* END STEP 3 */

/* Runs inside cancel_token_cancel, with the token's lock held. */
static void op_on_cancel(struct cancel_reg *r)
{
	/* BEGIN STEP 4: The token's side of the race: claim the op and, if this call won,
	 * finish it with -ECANCELED.  Checked by: cancel::*
	 * stub: (void)r; LAB_TODO_ABORT(4);
	 */
	struct async_op *op = container_of(r, struct async_op, reg);
	if (op_claim(op))
		op_finish(op, -ECANCELED);
	/* END STEP 4 */
}

int async_run(const struct async_env *env, async_work_fn work, void *arg, int input,
	      struct cancel_token *tok, async_cb cb, void *ctx)
{
	/* BEGIN STEP 3: Allocate the op (two references: job and delivery), register it with
	 * tok if there is one (already cancelled: finish with -ECANCELED at once, no job),
	 * then pool_submit op_job.  If the submit fails, unregister; if a cancel claimed the
	 * op meanwhile the callback is coming, so report success; else free it and fail.
	 * Checked by: async::*, cancel::*
	 * stub: (void)env; (void)work; (void)arg; (void)input; (void)tok; (void)cb; (void)ctx;
	 * stub: (void)op_on_cancel; return LAB_TODO(3);
	 */
	if (!env || !env->pool || !env->cq || !work || !cb)
		return -EINVAL;
	struct async_op *op = calloc(1, sizeof *op);
	if (!op)
		return -ENOMEM;
	atomic_init(&op->state, OP_PENDING);
	atomic_init(&op->refs, 2);
	op->work = work;
	op->arg = arg;
	op->input = input;
	op->tok = tok;
	op->cb = cb;
	op->ctx = ctx;
	op->cq = env->cq;
	if (tok) {
		op->reg.fn = op_on_cancel;
		int rc = cancel_register(tok, &op->reg);
		if (rc == -ECANCELED) {
			op_claim(op);
			atomic_store(&op->refs, 1); /* no job: only the delivery */
			op_finish(op, -ECANCELED);
			return 0;
		}
		if (rc < 0) {
			free(op);
			return rc;
		}
	}
	int rc = pool_submit(env->pool, op_job, op);
	if (rc < 0) {
		if (tok)
			cancel_unregister(tok, &op->reg);
		if (!op_claim(op)) {
			op_put(op); /* a cancel won and posted: drop the job's reference */
			return 0;
		}
		free(op);
		return rc;
	}
	return 0;
	/* END STEP 3 */
}
