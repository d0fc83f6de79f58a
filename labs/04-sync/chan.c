/*
 * chan.c - steps 4 and 5: a Go-style channel on a mutex and two condition variables.
 *
 * The state is a ring buffer of `slots` values guarded by one mutex.  A thread that cannot
 * proceed sleeps on a condition variable: receivers on can_recv ("a value arrived, or the
 * channel closed"), senders on can_send ("a slot is free, a value was taken, or closed").
 * A condition variable has no memory and may wake a thread for no reason (a *spurious*
 * wake-up), so every sleep sits in a loop that re-checks its condition under the mutex.
 *
 * Unbuffered (capacity 0) uses one slot plus a receipt: values are numbered as they are
 * deposited (`sent`) and counted as they are taken (`taken`); a sender whose value is number
 * t returns once taken >= t.  The slot stays full until then, so the next sender waits.
 * Invariant: count == sent - taken.
 */
#include "chan_internal.h"

#include "asl/todo.h"

#include <stdlib.h>
#include <time.h>

struct chan {
	pthread_mutex_t own_mu; /* the lock of a channel without a group */
	pthread_mutex_t *mu;    /* guards everything below: &own_mu or the group's mutex */
	pthread_cond_t can_recv;
	pthread_cond_t can_send;
	size_t cap;   /* as created; 0 = unbuffered */
	size_t slots; /* ring size: cap, or 1 when unbuffered */
	void **ring;
	size_t head, count;   /* oldest value at ring[head]; count values in the ring */
	uint64_t sent, taken; /* values deposited / taken so far (the receipt numbers) */
	bool closed;
	struct chan_group *group;
};

int chan_create(struct chan **out, size_t capacity, struct chan_group *group)
{
	pthread_condattr_t attr;
	struct chan *ch;

	if (!out || capacity > ((size_t)1 << 24))
		return -EINVAL;
	ch = calloc(1, sizeof *ch);
	if (!ch)
		return -ENOMEM;
	ch->cap = capacity;
	ch->slots = capacity ? capacity : 1;
	ch->ring = calloc(ch->slots, sizeof *ch->ring);
	if (!ch->ring) {
		free(ch);
		return -ENOMEM;
	}
	pthread_condattr_init(&attr);
	/* TODO step 5: Make the channel's condition variables time their waits on
	 * CLOCK_MONOTONIC (the default, CLOCK_REALTIME, jumps when someone sets the clock).
	 * Checked by: chan_timeout::recv_on_empty_times_out, chan_timeout::send_on_full_times_out,
	 * chan_timeout::value_before_deadline_is_received
	 */
	pthread_cond_init(&ch->can_recv, &attr);
	pthread_cond_init(&ch->can_send, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&ch->own_mu, NULL);
	ch->mu = &ch->own_mu;
	if (group) {
		/* One mutex for the whole group: deadlock detection must see the state of all
		 * its channels at one instant. */
		ch->mu = chan_group_mutex(group);
		ch->group = group;
		if (chan_group_attach(group, ch)) {
			chan_destroy(ch);
			return -ENOMEM;
		}
	}
	*out = ch;
	return 0;
}

void chan_destroy(struct chan *ch)
{
	if (!ch)
		return;
	if (ch->group)
		chan_group_detach(ch->group, ch);
	pthread_cond_destroy(&ch->can_recv);
	pthread_cond_destroy(&ch->can_send);
	pthread_mutex_destroy(&ch->own_mu);
	free(ch->ring);
	free(ch);
}

bool chan_waiter_stuck(const struct chan_waiter *w)
{
	const struct chan *ch = w->ch;
	if (ch->closed)
		return false;
	switch (w->what) {
	case CHAN_WAIT_VALUE: return ch->count == 0;
	case CHAN_WAIT_ROOM: return ch->count == ch->slots;
	case CHAN_WAIT_TAKEN: return ch->taken < w->ticket;
	}
	return true;
}

void chan_wake_all(struct chan *ch)
{
	pthread_cond_broadcast(&ch->can_recv);
	pthread_cond_broadcast(&ch->can_send);
}

/* Step 5: the absolute CLOCK_MONOTONIC time `ms` milliseconds from now.  Deadlines are
 * absolute so that a loop of waits (spurious wake-ups!) cannot stretch the total timeout. */
static int chan_deadline(long ms, struct timespec *ts)
{
	/* TODO step 5: Fill *ts with the CLOCK_MONOTONIC time ms milliseconds from now
	 * (normalised: 0 <= tv_nsec < 1e9); negative ms is -EINVAL.
	 * Checked by: chan_timeout::*
	 */
	LAB_UNUSED(ms, ts); return LAB_TODO(5);
}

/* Sleep once on cv (ch->mu held).  Returns CHAN_OK when woken - which proves nothing, the
 * caller re-checks - CHAN_TIMEOUT once the deadline (NULL: none) passed, or CHAN_DEADLOCK. */
__attribute__((unused)) static int chan_wait(struct chan *ch, pthread_cond_t *cv,
					     enum chan_wait_for what, uint64_t ticket,
					     const struct timespec *deadline)
{
	if (deadline) {
		/* TODO step 5: Sleep on cv until woken or until the absolute deadline passes
		 * (then CHAN_TIMEOUT).  A timed sleeper is never counted as stuck (step 6).
		 * Checked by: chan_timeout::recv_on_empty_times_out,
		 * chan_timeout::unbuffered_send_without_receiver_times_out_and_withdraws,
		 * chan_timeout::value_before_deadline_is_received,
		 * chan_deadlock::timed_wait_is_not_a_deadlock
		 */
		return LAB_TODO(5);
	}
	if (ch->group) {
		struct chan_waiter w = { .ch = ch, .what = what, .ticket = ticket };
		return chan_group_sleep(ch->group, &w, cv);
	}
	pthread_cond_wait(cv, ch->mu);
	return CHAN_OK;
}

static int chan_send_until(struct chan *ch, void *value, const struct timespec *deadline)
{
	int rc = CHAN_OK;

	if (!ch)
		return -EINVAL;
	pthread_mutex_lock(ch->mu);
	/* TODO step 4: Send: wait (chan_wait, in a loop) while the ring is full and the channel
	 * open; deposit the value and wake the receivers; unbuffered, then also wait until a
	 * receiver has taken it.  On close (or a timeout/deadlock from chan_wait) before the
	 * value was taken, take it back out of the ring and return that status.
	 * Checked by: chan_basic::*, chan_unbuffered::*, chan_close::*
	 */
	pthread_mutex_unlock(ch->mu); LAB_UNUSED(rc, value, deadline); return LAB_TODO(4);
}

static int chan_recv_until(struct chan *ch, void **value, const struct timespec *deadline)
{
	int rc = CHAN_OK;

	if (!ch || !value)
		return -EINVAL;
	pthread_mutex_lock(ch->mu);
	/* TODO step 4: Receive: wait while the ring is empty and the channel open; then take
	 * the oldest value (FIFO), count it as taken and wake the senders - or, closed and
	 * empty, return CHAN_CLOSED.
	 * Checked by: chan_basic::*, chan_unbuffered::receiver_first_then_sender,
	 * chan_unbuffered::woken_receivers_that_find_nothing_wait_again,
	 * chan_close::wakes_all_blocked_receivers, chan_close::buffered_values_drain_before_closed
	 */
	pthread_mutex_unlock(ch->mu); LAB_UNUSED(rc, deadline); *value = NULL;
	return LAB_TODO(4);
}

int chan_close(struct chan *ch)
{
	int rc = CHAN_OK;

	if (!ch)
		return -EINVAL;
	/* TODO step 4: Close: mark the channel closed (closing twice returns CHAN_CLOSED) and
	 * wake every sleeping sender and receiver so that they see it.  Checked by: chan_close::*
	 */
	LAB_UNUSED(rc); return LAB_TODO(4);
}

int chan_send(struct chan *ch, void *value)
{
	return chan_send_until(ch, value, NULL);
}

int chan_recv(struct chan *ch, void **value)
{
	return chan_recv_until(ch, value, NULL);
}

int chan_send_timeout(struct chan *ch, void *value, long timeout_ms)
{
	struct timespec deadline;
	int rc = chan_deadline(timeout_ms, &deadline);
	return rc ? rc : chan_send_until(ch, value, &deadline);
}

int chan_recv_timeout(struct chan *ch, void **value, long timeout_ms)
{
	struct timespec deadline;
	int rc = chan_deadline(timeout_ms, &deadline);
	return rc ? rc : chan_recv_until(ch, value, &deadline);
}
