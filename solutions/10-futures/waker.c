/*
 * waker.c - the waker: how a future that returned FUT_PENDING gets polled again.
 *
 * A waker is two words, a vtable and a data pointer, like Rust's RawWaker: the future that
 * stores one knows nothing about tasks or executors (notes 002, "why wakers": the interface is
 * standard, each runtime supplies its own implementation, and the future never sees the task).
 * The task waker's data is the task header; each clone is one counted reference to it, so a
 * waker kept by a timer, a socket or another thread keeps the header alive - never the future,
 * which is dropped as soon as the task completes.  The generic helpers (waker_clone,
 * waker_wake, ...) are inline in fut.h; this file holds the two implementations.
 */
#include "fut_internal.h"

#include <stdlib.h>

#include "asl/todo.h"

/* ---- the noop waker: no data, nothing to count ---- */

static fut_waker_t noop_clone(const void *data);
static void noop_nothing(void *data)
{
	(void)data;
}
static void noop_nothing_ref(const void *data)
{
	(void)data;
}
static const struct fut_waker_vtable noop_vtable = {
	.clone = noop_clone,
	.wake = noop_nothing,
	.wake_by_ref = noop_nothing_ref,
	.drop = noop_nothing,
};
static fut_waker_t noop_clone(const void *data)
{
	return (fut_waker_t){ &noop_vtable, data };
}

fut_waker_t waker_noop(void)
{
	return (fut_waker_t){ &noop_vtable, NULL };
}

/* ---- the task waker ---- */

static fut_waker_t task_waker_clone(const void *data)
{
	/* BEGIN STEP 1: Clone a task waker: one more counted reference to the task header
	 * (t->refs), returned as a waker with the same vtable and data.  Any thread may clone,
	 * so the count is atomic; relaxed is enough, because the caller already holds a
	 * reference and so cannot race with the header being freed.
	 * Checked by: waker::clone_*, waker::clones_*, waker::wake_*
	 * stub: LAB_UNUSED(data); LAB_TODO_ABORT(1);
	 */
	task_t *t = (task_t *)data;
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return (fut_waker_t){ &task_waker_vtable, t };
	/* END STEP 1 */
}

static void task_waker_drop(void *data)
{
	/* BEGIN STEP 1: Drop a task waker: release its reference (task_release frees the
	 * header with the last one).
	 * Checked by: waker::clone_*, waker::clones_*, waker::wake_*
	 * stub: LAB_UNUSED(data); LAB_TODO_ABORT(1);
	 */
	task_release(data);
	/* END STEP 1 */
}

static void task_waker_wake_by_ref(const void *data)
{
	/* BEGIN STEP 1: Wake the task and keep the reference: task_wake does the scheduling.
	 * Checked by: waker::clone_*, waker::clones_*, waker::wake_*
	 * stub: LAB_UNUSED(data); LAB_TODO_ABORT(1);
	 */
	task_wake((task_t *)data);
	/* END STEP 1 */
}

static void task_waker_wake(void *data)
{
	/* BEGIN STEP 1: Wake the task, then drop this reference (a waker used up by waking:
	 * what a timer or a socket does with the clone it stored).  Order matters: waking
	 * after the release could touch a freed header.
	 * Checked by: waker::clone_*, waker::clones_*, waker::wake_*
	 * stub: LAB_UNUSED(data); LAB_TODO_ABORT(1);
	 */
	task_wake(data);
	task_release(data);
	/* END STEP 1 */
}

const struct fut_waker_vtable task_waker_vtable = {
	.clone = task_waker_clone,
	.wake = task_waker_wake,
	.wake_by_ref = task_waker_wake_by_ref,
	.drop = task_waker_drop,
};
