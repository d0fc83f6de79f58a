/*
 * task.c - a task: a spawned future, its state word and its join handle.
 *
 * The state word (fut_internal.h) is what makes three promises cheap to keep:
 *   - woken N times before it runs, a task is queued ONCE: only the wake that moves it out
 *     of idle (0 -> SCHEDULED) queues it; the others see SCHEDULED and return;
 *   - a wake that arrives while the poll is still running (from another thread, or from
 *     inside the poll itself) is NEVER lost: it sets NOTIFIED, and the end of the poll sees
 *     it in the same compare-and-swap that would have made the task idle;
 *   - a wake after completion is ignored: COMPLETE is final.
 * A wake from inside the task's own poll (a cooperative yield, the common case in a tight
 * loop) needs no atomic operation at all: the polling thread knows which task it is polling
 * (task_current) and just notes it; the task goes back in the queue still marked RUNNING.
 */
#include "fut_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "asl/todo.h"

_Thread_local task_t *task_current;

static const struct fut_vtable join_vtable;
struct join {
	fut_t base;
	task_t *task;
};

task_t *task_create(struct sched *s, fut_t *f, fut_t **join)
{
	task_t *t = calloc(1, sizeof *t);
	struct join *j = NULL;
	if (!t)
		return NULL;
	if (join) {
		j = malloc(sizeof *j);
		if (!j) {
			free(t);
			return NULL;
		}
		j->base.vt = &join_vtable;
		j->task = t;
		*join = &j->base;
	}
	t->fut = f;
	t->sched = s;
	atomic_init(&t->state, TASK_SCHEDULED);
	atomic_init(&t->refs, join ? 2u : 1u);
	atomic_flag_clear(&t->join_lock);
	return t;
}

void task_release(task_t *t)
{
	/* acq_rel: every holder's uses of the header happen before the last one frees it (a
	 * release on each decrement, an acquire by the last; a fence would do, TSan wants this) */
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
		free(t);
}

void task_wake(task_t *t)
{
	/* TODO step 2: Make a wake-up happen exactly once and never get lost.  If t is the
	 * task being polled on THIS thread (task_current), just set t->self_woken (task_run
	 * re-queues it).  Otherwise, with a compare-and-swap loop on t->state: COMPLETE,
	 * SCHEDULED or NOTIFIED -> nothing to do; RUNNING -> add NOTIFIED; idle (0) -> make it
	 * SCHEDULED and then, outside the loop, hand it to t->sched->schedule.
	 * Checked by: task::*, waker::wake_consumes_wake_by_ref_keeps, exec::wake_*
	 */
	LAB_UNUSED(t); LAB_TODO_ABORT(2);
}

static void join_lock(task_t *t)
{
	while (atomic_flag_test_and_set_explicit(&t->join_lock, memory_order_acquire))
		sched_yield(); /* held for a few instructions only */
}

static void join_unlock(task_t *t)
{
	atomic_flag_clear_explicit(&t->join_lock, memory_order_release);
}

/* The task's future is finished (or cancelled) with result out. */
static void task_complete(task_t *t, intptr_t out)
{
	/* TODO step 3: Finish t with result `out`: mark it COMPLETE (from now on every wake is
	 * ignored), drop its future at once (its timers, sockets and memory are released now,
	 * not when the last waker goes), publish the result to the join handle under
	 * join_lock (t->out, t->done) and wake whoever waits on it, tell the executor
	 * (t->sched->done), and drop the executor's reference.
	 * Checked by: waker::wake_after_completion_is_ignored, task::join_handle_*, exec::*
	 */
	LAB_UNUSED(t, out); LAB_TODO_ABORT(3);
}

void task_cancel(task_t *t)
{
	task_complete(t, -ECANCELED);
}

void task_run(task_t *t)
{
	/* TODO step 2: Poll t once.  A task popped in state SCHEDULED becomes RUNNING (an
	 * atomic exchange: a wake racing with us must see RUNNING, not idle); one that
	 * re-queued itself is still RUNNING.  Poll its future with a context whose waker is
	 * {&task_waker_vtable, t} (borrowed: no reference taken), with task_current = t.
	 * READY -> task_complete.  PENDING -> if it woke itself, clear self_woken and schedule
	 * it again (state stays RUNNING); else compare-and-swap RUNNING -> 0 (idle until
	 * woken); if that fails a wake came during the poll (NOTIFIED): make it SCHEDULED and
	 * schedule it again.
	 * Checked by: task::*, waker::wake_consumes_wake_by_ref_keeps, exec::*
	 */
	LAB_UNUSED(t); LAB_TODO_ABORT(2);
}

/* ---- the join handle: a future for another task's result ---- */

static enum fut_poll join_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	/* TODO step 3: Ready with the task's result once it is done; otherwise leave a clone
	 * of our waker in t->join_waker (waker_register) so task_complete can wake us.  Both
	 * under join_lock: the task may complete on another thread at this very moment.
	 * Checked by: task::join_handle_*, exec::join_*
	 */
	LAB_UNUSED(self, cx, out); LAB_TODO_ABORT(3);
}

static void join_drop(fut_t *self)
{
	task_t *t = ((struct join *)self)->task;
	join_lock(t);
	fut_waker_t w = t->join_waker;
	t->join_waker = (fut_waker_t){ 0 };
	join_unlock(t);
	waker_drop(&w);
	task_release(t);
	free(self);
}

static const struct fut_vtable join_vtable = { .poll = join_poll, .drop = join_drop };

/* ---- two building-block futures ---- */

struct ready_fut {
	fut_t base;
	intptr_t value;
	unsigned yields;
};

static enum fut_poll ready_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct ready_fut *f = (struct ready_fut *)self;
	if (f->yields) {
		f->yields--;
		waker_wake_by_ref(cx->waker); /* "poll me again": a cooperative yield */
		return FUT_PENDING;
	}
	*out = f->value;
	return FUT_READY;
}

static void ready_drop(fut_t *self)
{
	free(self);
}

static const struct fut_vtable ready_vtable = { .poll = ready_poll, .drop = ready_drop };

fut_t *fut_yield(unsigned yields, intptr_t value)
{
	struct ready_fut *f = malloc(sizeof *f);
	if (!f)
		return NULL;
	*f = (struct ready_fut){ { &ready_vtable }, value, yields };
	return &f->base;
}

fut_t *fut_ready(intptr_t value)
{
	return fut_yield(0, value);
}
