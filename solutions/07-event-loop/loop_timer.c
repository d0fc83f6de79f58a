/*
 * loop_timer.c - timers in a binary min-heap.
 *
 * The loop needs two things from its timers, often: "which deadline comes first?" (to know how
 * long it may sleep) and "take out the ones that have passed".  A heap answers the first in
 * O(1) (the root) and inserts and removes in O(log n); a sorted list would insert in O(n), an
 * unsorted one find the minimum in O(n).  Each timer remembers its index in the heap, so
 * stopping one is O(log n) too, not a search.
 *
 * The key is (deadline_ms, seq): seq counts starts, so two timers with the same deadline fire
 * in the order they were started.  A heap is not a stable sort; without seq, equal deadlines
 * would come out in whatever order the sift operations left them.
 */
#include "loop_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "asl/todo.h"

/* a fires before b */
static __attribute__((unused)) bool timer_before(const loop_timer_t *a, const loop_timer_t *b)
{
	return a->deadline_ms < b->deadline_ms ||
	       (a->deadline_ms == b->deadline_ms && a->seq < b->seq);
}

static __attribute__((unused)) void heap_place(loop_t *loop, size_t i, loop_timer_t *t)
{
	loop->heap[i] = t;
	t->heap_index = i;
}

/* Move heap[i] up while it fires before its parent. */
static void heap_sift_up(loop_t *loop, size_t i)
{
	/* BEGIN STEP 3: Restore the heap order upwards from index i (parent of i is (i-1)/2),
	 * keeping every timer's heap_index equal to its position (use heap_place).
	 * Checked by: loop_poll::timer_*, loop_epoll::timer_*
	 * stub: LAB_UNUSED(loop, i); LAB_TODO_ABORT(3);
	 */
	loop_timer_t *t = loop->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_place(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_place(loop, i, t);
	/* END STEP 3 */
}

/* Move heap[i] down while a child fires before it. */
static void heap_sift_down(loop_t *loop, size_t i)
{
	/* BEGIN STEP 3: Restore the heap order downwards from index i (children 2i+1, 2i+2),
	 * keeping every heap_index right.
	 * Checked by: loop_poll::timer_*, loop_epoll::timer_*
	 * stub: LAB_UNUSED(loop, i); LAB_TODO_ABORT(3);
	 */
	loop_timer_t *t = loop->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= loop->heap_len)
			break;
		if (c + 1 < loop->heap_len && timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_place(loop, i, loop->heap[c]);
		i = c;
	}
	heap_place(loop, i, t);
	/* END STEP 3 */
}

/* Take t out of the heap: the last entry fills its place and moves up or down. */
static __attribute__((unused)) void heap_remove(loop_t *loop, loop_timer_t *t)
{
	size_t i = t->heap_index;
	loop_timer_t *last = loop->heap[--loop->heap_len];
	t->heap_index = SIZE_MAX;
	if (last == t)
		return;
	heap_place(loop, i, last);
	heap_sift_up(loop, i);
	heap_sift_down(loop, last->heap_index);
}

void loop_timer_init(loop_t *loop, loop_timer_t *t)
{
	t->loop = loop;
	t->cb = NULL;
	t->deadline_ms = t->repeat_ms = t->seq = 0;
	t->heap_index = SIZE_MAX;
}

bool loop_timer_active(const loop_timer_t *t)
{
	return t->heap_index != SIZE_MAX;
}

int loop_timer_start(loop_timer_t *t, loop_timer_cb cb, uint64_t timeout_ms, uint64_t repeat_ms)
{
	/* BEGIN STEP 3: (Re)start t: deadline loop_now_ms() + timeout_ms (saturating: never
	 * wrap into the past), the next sequence number, then into the heap (grow it as
	 * needed; -ENOMEM leaves t as it was).  A started timer is an active handle once.
	 * Checked by: loop_poll::timer_*, loop_epoll::timer_*, loop_*::run_*
	 * stub: LAB_UNUSED(t, cb, timeout_ms, repeat_ms);
	 * stub: return LAB_TODO(3);
	 */
	loop_t *loop = t->loop;
	if (!cb)
		return -EINVAL;
	if (loop->heap_len == loop->heap_cap && !loop_timer_active(t)) {
		size_t cap = loop->heap_cap ? 2 * loop->heap_cap : 16;
		loop_timer_t **h = realloc(loop->heap, cap * sizeof *h);
		if (!h)
			return -ENOMEM;
		loop->heap = h;
		loop->heap_cap = cap;
	}
	if (loop_timer_active(t))
		heap_remove(loop, t);
	else
		loop->active++;
	t->cb = cb;
	t->repeat_ms = repeat_ms;
	t->deadline_ms = loop->now_ms + timeout_ms < loop->now_ms ? UINT64_MAX
								  : loop->now_ms + timeout_ms;
	t->seq = loop->timer_seq++;
	heap_place(loop, loop->heap_len++, t);
	heap_sift_up(loop, t->heap_index);
	return 0;
	/* END STEP 3 */
}

int loop_timer_stop(loop_timer_t *t)
{
	/* BEGIN STEP 3: Take t out of the heap if it is there (idempotent); no longer active.
	 * Checked by: loop_poll::timer_stop_*, loop_epoll::timer_stop_*
	 * stub: LAB_UNUSED(t); return LAB_TODO(3);
	 */
	if (loop_timer_active(t)) {
		heap_remove(t->loop, t);
		t->loop->active--;
	}
	return 0;
	/* END STEP 3 */
}

void loop_timers_run(loop_t *loop)
{
	/* BEGIN STEP 3: Fire every timer whose deadline is at or before loop->now_ms, earliest
	 * (then first started) first.  Take each out of the heap BEFORE its callback, and
	 * restart a repeating one (now_ms + repeat_ms) before the callback too, so that the
	 * callback may stop or restart it.  Timers started during this pass (sequence number
	 * not below the one this pass began with) wait for the next iteration.
	 * Checked by: loop_poll::timer_*, loop_epoll::timer_*
	 * stub: LAB_UNUSED(loop); LAB_TODO_ABORT(3);
	 */
	uint64_t first_new = loop->timer_seq;
	while (loop->heap_len > 0) {
		loop_timer_t *t = loop->heap[0];
		if (t->deadline_ms > loop->now_ms || t->seq >= first_new)
			break;
		if (t->repeat_ms > 0) {
			loop_timer_start(t, t->cb, t->repeat_ms, t->repeat_ms);
		} else {
			heap_remove(loop, t);
			loop->active--;
		}
		t->cb(t);
	}
	/* END STEP 3 */
}

int loop_timers_timeout(const loop_t *loop)
{
	/* BEGIN STEP 3: Milliseconds from loop->now_ms until the root's deadline: 0 if it has
	 * passed, capped at INT_MAX, -1 if there are no timers.  The cached time is truncated to
	 * whole ms, so waiting the full difference never wakes before the deadline.
	 * Checked by: loop_*::timer_fire_in_deadline_order_never_early, loop_*::run_modes
	 * stub: LAB_UNUSED(loop); return LAB_TODO(3);
	 */
	if (loop->heap_len == 0)
		return -1;
	uint64_t d = loop->heap[0]->deadline_ms;
	if (d <= loop->now_ms)
		return 0;
	return d - loop->now_ms > (uint64_t)INT_MAX ? INT_MAX : (int)(d - loop->now_ms);
	/* END STEP 3 */
}

void loop_timers_fini(loop_t *loop)
{
	free(loop->heap);
	loop->heap = NULL;
	loop->heap_cap = loop->heap_len = 0;
}
