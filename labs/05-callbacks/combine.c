/*
 * combine.c - step 6: sequence and fan-out, so callbacks compose instead of nesting.
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
#include "callbacks.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "asl/todo.h"

#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

struct async_seq {
	struct async_env env; /* copied: the caller's may be gone when A completes */
	async_work_fn b;
	void *arg_b;
	async_cb cb;
	void *ctx;
};

/* TODO step 6: seq_b_done (B finished: hand its result to the user, free) and
 * seq_a_done (A finished: on failure report it, else start B with A's result; if B cannot
 * start, report that error).  Both run on the cq thread.  Checked by: combine::seq_*
 */

int async_seq(const struct async_env *env, async_work_fn a, void *arg_a, async_work_fn b,
	      void *arg_b, int input, async_cb cb, void *ctx)
{
	/* TODO step 6: Remember b, its argument and the user's callback; start a with
	 * seq_a_done as its callback.  Checked by: combine::seq_*
	 */
	(void)env; (void)a; (void)arg_a; (void)b; (void)arg_b; (void)input; (void)cb;
	(void)ctx; return LAB_TODO(6);
}

struct async_fan;

struct async_branch {
	struct async_fan *fan;
	int index;
};

struct async_fan {
	struct cq_item item; /* the single join delivery */
	struct cq *cq;
	atomic_int left;     /* branches not finished, + 1 while still submitting */
	async_work_fn work;
	void *const *args;
	async_join_cb cb;
	void *ctx;
	int n;
	int *results;        /* results[i]: written by branch i before its fetch-sub */
	struct async_branch *branches;
};

/* TODO step 6: fan_deliver (cq thread: the one join callback, then free everything),
 * fan_arrive (count `k` branches as finished; the caller that brings the counter to zero
 * posts the join) and fan_branch (pool job: run branch i, or record -ECANCELED, then
 * arrive).  Checked by: combine::fanout_*
 */

int async_fanout(const struct async_env *env, async_work_fn work, void *const *args, int n,
		 async_join_cb cb, void *ctx)
{
	/* TODO step 6: Allocate the join (counter n + 1), submit one pool job per branch; if
	 * the pool refuses branch i, record the error for i..n-1 and count them as arrived.
	 * Finally drop the submitter's extra count.  Checked by: combine::fanout_*
	 */
	(void)env; (void)work; (void)args; (void)n; (void)cb; (void)ctx;
	return LAB_TODO(6);
}
