/*
 * loop_defer.c - defers: "run this on the next iteration" (Node's setImmediate).
 *
 * Two FIFO lists.  loop->defer_head..defer_tail collects what is queued; at the start of its
 * defer phase the loop moves that whole list to loop->defer_running and runs it from the front.
 * A defer queued by a defer callback therefore lands in the collecting list and waits for the
 * next iteration: a callback that keeps re-queueing itself cannot keep the loop from reaching
 * its I/O wait.  Each defer is taken off the running list before its callback, so the callback
 * may stop (or free) any other queued defer, or queue itself again.
 */
#include "loop_internal.h"

#include <errno.h>

#include "asl/todo.h"

int loop_defer_start(loop_t *loop, loop_defer_t *d, loop_defer_cb cb)
{
	/* TODO step 4: Append d to the collecting list; it is an active handle while queued.
	 * -EBUSY if d is already queued, -EINVAL without a callback.
	 * Checked by: loop_poll::defer_*, loop_epoll::defer_*
	 */
	(void)loop; (void)d; (void)cb; return LAB_TODO(4);
}

/* Unlink d from the list at *head; true if it was there. */
static bool defer_unlink(loop_defer_t **head, loop_defer_t **tail, loop_defer_t *d)
{
	loop_defer_t *prev = NULL;
	for (loop_defer_t *p = *head; p; prev = p, p = p->next) {
		if (p != d)
			continue;
		if (prev)
			prev->next = d->next;
		else
			*head = d->next;
		if (tail && *tail == d)
			*tail = prev;
		return true;
	}
	return false;
}

int loop_defer_stop(loop_defer_t *d)
{
	/* TODO step 4: Dequeue d if still queued (idempotent): it may be in the collecting
	 * list or in the batch running now.  No longer active.
	 * Checked by: loop_poll::defer_stop_*, loop_epoll::defer_stop_*
	 */
	(void)d; (void)defer_unlink; return LAB_TODO(4);
}

void loop_defers_run(loop_t *loop)
{
	/* TODO step 4: Run the defers queued before this call, in queueing order: move the
	 * collecting list to loop->defer_running, then pop and call from its front until empty
	 * (a callback may stop a defer still on it).
	 * Checked by: loop_poll::defer_*, loop_epoll::defer_*
	 */
	(void)loop; LAB_TODO_ABORT(4);
}
