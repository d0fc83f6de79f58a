/*
 * chan.c - step 6: channels between the fibers of one scheduler.
 *
 * The same contract as lab 04's channels between threads, and about a third of the code: no
 * mutex, no condition variable, no lost wake-up to reason about.  All fibers of a scheduler
 * run on one thread and a fiber only loses the CPU where it calls sched_park (or yields), so
 * everything between two such calls is atomic with respect to every other fiber.  "Check the
 * buffer, then park" cannot be interleaved with a sender; it is simply true.
 *
 * A value goes straight from sender to receiver whenever the other side is already waiting
 * (fiber.xfer carries it, fiber.xfer_rc says how the wait ended).  Invariants: receivers wait
 * only while the buffer is empty; senders wait only while it is full (capacity 0: always
 * full); so at most one of the two queues is non-empty.
 */
#include "fiber_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"

struct fiber_chan {
	size_t cap, count, head; /* ring buffer of cap values, count of them from head */
	void **buf;
	bool closed;
	struct fiber_queue senders, receivers;
};

int fiber_chan_create(fiber_chan_t **out, size_t capacity)
{
	struct fiber_chan *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->cap = capacity;
	if (capacity && !(c->buf = calloc(capacity, sizeof *c->buf))) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

int fiber_chan_destroy(fiber_chan_t *c)
{
	if (c->senders.head || c->receivers.head)
		return -EBUSY;
	free(c->buf);
	free(c);
	return 0;
}

int fiber_chan_send(fiber_chan_t *c, void *value)
{
	/* TODO step 6: Deliver value: to a waiting receiver directly (wake it), else into the
	 * buffer if there is room, else wait in c->senders with the value until a receiver takes
	 * it (0) or the channel is closed (-EPIPE).  -EPIPE at once if already closed.
	 * Checked by: chan::*
	 */
	LAB_UNUSED(c, value); return LAB_TODO(6);
}

int fiber_chan_recv(fiber_chan_t *c, void **value)
{
	/* TODO step 6: Take the oldest value: from the buffer (then move the first waiting
	 * sender's value into the freed slot and wake it), or straight from a waiting sender
	 * (unbuffered), else -EPIPE if closed, else wait in c->receivers.
	 * Checked by: chan::*
	 */
	LAB_UNUSED(c, value); return LAB_TODO(6);
}

int fiber_chan_close(fiber_chan_t *c)
{
	/* TODO step 6: Close once (-EALREADY after): every waiting sender and receiver wakes
	 * with -EPIPE (receivers wait only while the buffer is empty, so none misses a value).
	 * Checked by: chan::*
	 */
	LAB_UNUSED(c); return LAB_TODO(6);
}
