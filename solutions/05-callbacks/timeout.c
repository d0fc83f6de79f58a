/*
 * timeout.c - step 8: exactly one of "result" and "timed out".
 *
 * Two events race: the operation's completion (delivered on the cq thread) and the timer
 * (firing on the timer thread).  A three-state atomic decides, once:
 *
 *     PENDING --result wins--> DONE       the timer is disarmed (or, if it is firing right
 *        |                                now, its CAS fails and it does nothing)
 *        +----timer wins-----> TIMED_OUT  the work is cancelled through a private token and
 *                                         -ETIMEDOUT is posted; the late result (or the
 *                                         -ECANCELED the cancel produces) is dropped
 *
 * Lifetime: two references - the inner operation's completion and the timer.  Each side
 * drops its own when it is finished with the struct; the timer's reference travels with the
 * -ETIMEDOUT delivery when the timer wins, or is dropped by whoever disarms or loses.
 */
#include "timeout.h"

#include "cancel.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "asl/util.h"

enum { TO_PENDING, TO_DONE, TO_TIMED_OUT };

struct timeout_op {
	struct cq_item item; /* the -ETIMEDOUT delivery */
	struct timer tm;
	struct cancel_token tok; /* cancels the inner operation on timeout */
	atomic_int state;
	atomic_int refs;
	struct timers *timers;
	struct cq *cq;
	async_cb cb;
	void *ctx;
};

/* The race: to_on_result (cq thread) and to_on_timer (timer thread) contend through
 * to_decide; to_put drops the references. */

/* Drop one reference; the last one destroys the token and frees the struct. */
__attribute__((unused)) static void to_put(struct timeout_op *to)
{
	/* BEGIN STEP 8: Time out an operation: drop a reference, free on the last.
	 * One atomic decrement of refs (acq_rel); at zero destroy the token and free.
	 * Checked by: timeout::fast_work_delivers_its_result,
	 * timeout::stuck_work_times_out_and_late_result_is_dropped
	 * stub: LAB_UNUSED(to); LAB_TODO_ABORT(8);
	 */
	if (atomic_fetch_sub_explicit(&to->refs, 1, memory_order_acq_rel) == 1) {
		cancel_token_destroy(&to->tok);
		free(to);
	}
	/* END STEP 8 */
}

/* The single decision out of PENDING: true for the one caller whose outcome won. */
__attribute__((unused)) static bool to_decide(struct timeout_op *to, int outcome)
{
	/* BEGIN STEP 8: Time out an operation: the single decision out of PENDING.
	 * One compare-and-swap on to->state, PENDING -> outcome.
	 * Checked by: timeout::result_racing_timer_fires_exactly_once,
	 * timeout::stuck_work_times_out_and_late_result_is_dropped
	 * stub: LAB_UNUSED(to, outcome); LAB_TODO_ABORT(8);
	 */
	int expected = TO_PENDING;
	return atomic_compare_exchange_strong_explicit(&to->state, &expected, outcome,
						       memory_order_acq_rel, memory_order_acquire);
	/* END STEP 8 */
}

/* The inner operation's callback (cq thread, ctx: the struct timeout_op). */
__attribute__((unused)) static void to_on_result(void *ctx, int result)
{
	/* BEGIN STEP 8: Time out an operation: the result arrives (cq thread).
	 * If the result wins: disarm the timer (if that worked, its reference is ours to drop) and
	 * deliver the result.  In any case drop the inner operation's reference.
	 * Checked by: timeout::fast_work_delivers_its_result,
	 * timeout::result_racing_timer_fires_exactly_once
	 * stub: LAB_UNUSED(ctx, result); LAB_TODO_ABORT(8);
	 */
	struct timeout_op *to = ctx;
	if (to_decide(to, TO_DONE)) {
		if (timers_stop(to->timers, &to->tm) == 0)
			to_put(to); /* disarmed: the timer's reference is ours to drop */
		to->cb(to->ctx, result);
	}
	/* the inner operation's reference */
	to_put(to);
	/* END STEP 8 */
}

/* The -ETIMEDOUT delivery, run by cq_drain on the cq thread: it is the struct's item. */
__attribute__((unused)) static void to_deliver_timeout(struct cq_item *it)
{
	/* BEGIN STEP 8: Time out an operation: deliver -ETIMEDOUT on the cq thread.
	 * Hand -ETIMEDOUT to the user, drop the timer's reference (carried by this delivery).
	 * Checked by: timeout::stuck_work_times_out_and_late_result_is_dropped,
	 * timeout::timeout_cancels_queued_work
	 * stub: LAB_UNUSED(it); LAB_TODO_ABORT(8);
	 */
	struct timeout_op *to = container_of(it, struct timeout_op, item);
	to->cb(to->ctx, -ETIMEDOUT);
	/* the timer's reference, carried by this delivery */
	to_put(to);
	/* END STEP 8 */
}

/* The timer fired (timer thread). */
__attribute__((unused)) static void to_on_timer(struct timer *tm)
{
	/* BEGIN STEP 8: Time out an operation: the timer fires (timer thread).
	 * If the timeout wins: cancel the inner operation through the token (its -ECANCELED is
	 * dropped) and post to_deliver_timeout; if it lost, drop the timer's reference.
	 * Checked by: timeout::stuck_work_times_out_and_late_result_is_dropped,
	 * timeout::timeout_cancels_queued_work, timeout::result_racing_timer_fires_exactly_once
	 * stub: LAB_UNUSED(tm); LAB_TODO_ABORT(8);
	 */
	struct timeout_op *to = container_of(tm, struct timeout_op, tm);
	if (!to_decide(to, TO_TIMED_OUT)) {
		to_put(to); /* the result won while we were firing */
		return;
	}
	cancel_token_cancel(&to->tok); /* the inner op completes with -ECANCELED: dropped */
	to->item.fn = to_deliver_timeout;
	cq_post(to->cq, &to->item);
	/* END STEP 8 */
}

int timeout_run(const struct async_env *env, async_work_fn work, void *arg, int input,
		uint64_t timeout_ns, async_cb cb, void *ctx)
{
	/* BEGIN STEP 8: Set up the struct (state PENDING, two references, a fresh token),
	 * start the inner operation with async_run(..., &to->tok, to_on_result, to), and only
	 * then arm the timer: the inner completion cannot run before we return to the cq
	 * loop, so the timer is armed before anyone can try to disarm it.
	 * Checked by: timeout::*
	 * stub: LAB_UNUSED(env, work, arg, input, timeout_ns, cb, ctx); return LAB_TODO(8);
	 */
	if (!env || !env->timers || !work || !cb)
		return -EINVAL;
	struct timeout_op *to = calloc(1, sizeof *to);
	if (!to)
		return -ENOMEM;
	int rc = cancel_token_init(&to->tok);
	if (rc < 0) {
		free(to);
		return rc;
	}
	atomic_init(&to->state, TO_PENDING);
	atomic_init(&to->refs, 2);
	to->timers = env->timers;
	to->cq = env->cq;
	to->cb = cb;
	to->ctx = ctx;
	rc = async_run(env, work, arg, input, &to->tok, to_on_result, to);
	if (rc < 0) {
		cancel_token_destroy(&to->tok);
		free(to);
		return rc;
	}
	timers_start(env->timers, &to->tm, timeout_ns, to_on_timer);
	return 0;
	/* END STEP 8 */
}
