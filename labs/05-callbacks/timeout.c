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
	/* TODO step 8: Time out an operation: drop a reference, free on the last.
	 * One atomic decrement of refs (acq_rel); at zero destroy the token and free.
	 * Checked by: timeout::fast_work_delivers_its_result,
	 * timeout::stuck_work_times_out_and_late_result_is_dropped
	 */
	LAB_UNUSED(to); LAB_TODO_ABORT(8);
}

/* The single decision out of PENDING: true for the one caller whose outcome won. */
__attribute__((unused)) static bool to_decide(struct timeout_op *to, int outcome)
{
	/* TODO step 8: Time out an operation: the single decision out of PENDING.
	 * One compare-and-swap on to->state, PENDING -> outcome.
	 * Checked by: timeout::result_racing_timer_fires_exactly_once,
	 * timeout::stuck_work_times_out_and_late_result_is_dropped
	 */
	LAB_UNUSED(to, outcome); LAB_TODO_ABORT(8);
}

/* The inner operation's callback (cq thread, ctx: the struct timeout_op). */
__attribute__((unused)) static void to_on_result(void *ctx, int result)
{
	/* TODO step 8: Time out an operation: the result arrives (cq thread).
	 * If the result wins: disarm the timer (if that worked, its reference is ours to drop) and
	 * deliver the result.  In any case drop the inner operation's reference.
	 * Checked by: timeout::fast_work_delivers_its_result,
	 * timeout::result_racing_timer_fires_exactly_once
	 */
	LAB_UNUSED(ctx, result); LAB_TODO_ABORT(8);
}

/* The -ETIMEDOUT delivery, run by cq_drain on the cq thread: it is the struct's item. */
__attribute__((unused)) static void to_deliver_timeout(struct cq_item *it)
{
	/* TODO step 8: Time out an operation: deliver -ETIMEDOUT on the cq thread.
	 * Hand -ETIMEDOUT to the user, drop the timer's reference (carried by this delivery).
	 * Checked by: timeout::stuck_work_times_out_and_late_result_is_dropped,
	 * timeout::timeout_cancels_queued_work
	 */
	LAB_UNUSED(it); LAB_TODO_ABORT(8);
}

/* The timer fired (timer thread). */
__attribute__((unused)) static void to_on_timer(struct timer *tm)
{
	/* TODO step 8: Time out an operation: the timer fires (timer thread).
	 * If the timeout wins: cancel the inner operation through the token (its -ECANCELED is
	 * dropped) and post to_deliver_timeout; if it lost, drop the timer's reference.
	 * Checked by: timeout::stuck_work_times_out_and_late_result_is_dropped,
	 * timeout::timeout_cancels_queued_work, timeout::result_racing_timer_fires_exactly_once
	 */
	LAB_UNUSED(tm); LAB_TODO_ABORT(8);
}

int timeout_run(const struct async_env *env, async_work_fn work, void *arg, int input,
		uint64_t timeout_ns, async_cb cb, void *ctx)
{
	/* TODO step 8: Set up the struct (state PENDING, two references, a fresh token),
	 * start the inner operation with async_run(..., &to->tok, to_on_result, to), and only
	 * then arm the timer: the inner completion cannot run before we return to the cq
	 * loop, so the timer is armed before anyone can try to disarm it.
	 * Checked by: timeout::*
	 */
	LAB_UNUSED(env, work, arg, input, timeout_ns, cb, ctx); return LAB_TODO(8);
}
