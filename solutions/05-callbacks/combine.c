/*
 * combine.c - step 9: sequence and fan-out, so callbacks compose instead of nesting.
 *
 * Sequence is continuation-passing made reusable: the callback of A is "start B with A's
 * result", written once here instead of nested by hand at every call site.
 *
 * Fan-out starts n branches at once and completes once, when the last branch finishes.  The
 * join counter is decremented by the pool threads themselves (an atomic fetch-sub); only the
 * branch that brings it to zero posts the completion, so the cq sees one delivery, not n.
 * The counter starts at n + 1: the extra count belongs to the submitting loop and is dropped
 * after the last submit, so an early branch cannot finish the join while later branches are
 * still being submitted.
 */
#include "combine.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "asl/util.h"

struct combine_seq {
	struct async_env env; /* copied: the caller's may be gone when A completes */
	async_work_fn b;
	void *arg_b;
	async_cb cb;
	void *ctx;
};

/* The two callbacks of a sequence (ctx: the struct combine_seq), both on the cq thread. */

/* B finished (or never started): hand its result to the user, free the sequence. */
__attribute__((unused)) static void seq_b_done(void *ctx, int result)
{
	/* BEGIN STEP 9: Combine operations: B finished, hand its result to the user.
	 * Take the user's callback and context out of the sequence, free it, then call the callback
	 * (which may start another sequence).
	 * Checked by: combine::seq_feeds_a_result_into_b, combine::seq_skips_b_when_a_fails
	 * stub: LAB_UNUSED(ctx, result); LAB_TODO_ABORT(9);
	 */
	struct combine_seq *s = ctx;
	async_cb cb = s->cb;
	void *uctx = s->ctx;
	free(s);
	cb(uctx, result);
	/* END STEP 9 */
}

/* A finished: on failure report it, else start B with A's result as its input. */
__attribute__((unused)) static void seq_a_done(void *ctx, int result)
{
	/* BEGIN STEP 9: Combine operations: A finished, start B with its result.
	 * Start B through async_run with seq_b_done; if A failed or B cannot start, B's callback
	 * will not come: finish with that error here.
	 * Checked by: combine::seq_feeds_a_result_into_b, combine::seq_skips_b_when_a_fails
	 * stub: LAB_UNUSED(ctx, result); LAB_TODO_ABORT(9);
	 */
	struct combine_seq *s = ctx;
	if (result >= 0)
		result = async_run(&s->env, s->b, s->arg_b, result, NULL, seq_b_done, s);
	if (result < 0) /* A failed, or B could not start: B's callback will not come */
		seq_b_done(s, result);
	/* END STEP 9 */
}

int combine_seq(const struct async_env *env, async_work_fn a, void *arg_a, async_work_fn b,
		void *arg_b, int input, async_cb cb, void *ctx)
{
	/* BEGIN STEP 9: Remember b, its argument and the user's callback; start a with
	 * seq_a_done as its callback.  Checked by: combine::seq_*
	 * stub: LAB_UNUSED(env, a, arg_a, b, arg_b, input, cb, ctx); return LAB_TODO(9);
	 */
	if (!env || !a || !b || !cb)
		return -EINVAL;
	struct combine_seq *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->env = *env;
	s->b = b;
	s->arg_b = arg_b;
	s->cb = cb;
	s->ctx = ctx;
	int rc = async_run(env, a, arg_a, input, NULL, seq_a_done, s);
	if (rc < 0)
		free(s);
	return rc;
	/* END STEP 9 */
}

struct combine_fan;

struct combine_branch {
	struct combine_fan *fan;
	int index;
};

struct combine_fan {
	struct cq_item item; /* the single join delivery */
	struct cq *cq;
	atomic_int left; /* branches not finished, + 1 while still submitting */
	async_work_fn work;
	void *const *args;
	combine_join_cb cb;
	void *ctx;
	int n;
	int *results; /* results[i]: written by branch i before its fetch-sub */
	struct combine_branch *branches;
};

/* The join of a fan-out: one counter of branches still to arrive, one delivery. */

/* The one join callback, run by cq_drain on the cq thread: it is the fan's item. */
__attribute__((unused)) static void fan_deliver(struct cq_item *it)
{
	/* BEGIN STEP 9: Combine operations: the one join callback of a fan-out.
	 * Call the user's join callback with every result, then free the results, the branches and
	 * the fan itself.
	 * Checked by: combine::fanout_joins_once_with_every_result,
	 * combine::fanout_stress_and_empty
	 * stub: LAB_UNUSED(it); LAB_TODO_ABORT(9);
	 */
	struct combine_fan *f = container_of(it, struct combine_fan, item);
	f->cb(f->ctx, f->results, f->n);
	free(f->results);
	free(f->branches);
	free(f);
	/* END STEP 9 */
}

/* Count k branches as finished; the caller that brings the counter to zero posts the join. */
__attribute__((unused)) static void fan_arrive(struct combine_fan *f, int k)
{
	/* BEGIN STEP 9: Combine operations: count finished branches, the last posts the join.
	 * One atomic fetch-sub of k on f->left (acq_rel: every branch's results[] write is visible
	 * to the last arriver); the caller that reaches zero posts fan_deliver.
	 * Checked by: combine::fanout_joins_once_with_every_result,
	 * combine::fanout_stress_and_empty
	 * stub: LAB_UNUSED(f, k); LAB_TODO_ABORT(9);
	 */
	/* acq_rel: our results[] writes are released to whoever reaches zero, and the
	 * last arriver acquires everyone else's before posting */
	if (atomic_fetch_sub_explicit(&f->left, k, memory_order_acq_rel) == k) {
		f->item.fn = fan_deliver;
		cq_post(f->cq, &f->item);
	}
	/* END STEP 9 */
}

/* The pool job of branch arg (a struct combine_branch); status as for every pool job. */
__attribute__((unused)) static void fan_branch(void *arg, int status)
{
	/* BEGIN STEP 9: Combine operations: one fan-out branch, as a pool job.
	 * Run the work for this branch's index (or record the -ECANCELED status instead) into
	 * results[index], then arrive.
	 * Checked by: combine::fanout_joins_once_with_every_result,
	 * combine::fanout_stress_and_empty
	 * stub: LAB_UNUSED(arg, status); LAB_TODO_ABORT(9);
	 */
	struct combine_branch *br = arg;
	struct combine_fan *f = br->fan;
	f->results[br->index] = status < 0 ? status : f->work(f->args[br->index], br->index);
	fan_arrive(f, 1);
	/* END STEP 9 */
}

int combine_fanout(const struct async_env *env, async_work_fn work, void *const *args, int n,
		   combine_join_cb cb, void *ctx)
{
	/* BEGIN STEP 9: Allocate the join (counter n + 1), submit one pool job per branch; if
	 * the pool refuses branch i, record the error for i..n-1 and count them as arrived.
	 * Finally drop the submitter's extra count.  Checked by: combine::fanout_*
	 * stub: LAB_UNUSED(env, work, args, n, cb, ctx); return LAB_TODO(9);
	 */
	if (!env || !work || !cb || n < 0 || (n > 0 && !args))
		return -EINVAL;
	struct combine_fan *f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->results = calloc((size_t)n + 1, sizeof *f->results);
	f->branches = calloc((size_t)n + 1, sizeof *f->branches);
	if (!f->results || !f->branches) {
		free(f->results);
		free(f->branches);
		free(f);
		return -ENOMEM;
	}
	f->cq = env->cq;
	f->work = work;
	f->args = args;
	f->cb = cb;
	f->ctx = ctx;
	f->n = n;
	atomic_init(&f->left, n + 1);
	for (int i = 0; i < n; i++) {
		f->branches[i] = (struct combine_branch){ f, i };
		int rc = pool_submit(env->pool, fan_branch, &f->branches[i]);
		if (rc < 0) {
			for (int j = i; j < n; j++)
				f->results[j] = rc;
			fan_arrive(f, n - i);
			break;
		}
	}
	fan_arrive(f, 1); /* the submitter's count */
	return 0;
	/* END STEP 9 */
}
