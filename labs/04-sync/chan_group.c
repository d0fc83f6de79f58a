/*
 * chan_group.c - step 6: global deadlock detection, Go's "all goroutines are asleep".
 *
 * Go's runtime knows every goroutine; when none can run and no timer is pending, nothing
 * will ever wake any of them, and it stops the program.  We do the same for a *group* of
 * channels: threads are counted in (enter) and out (leave), every untimed sleeper links a
 * description of what it waits for (struct chan_waiter) into the group, and whenever a
 * thread is about to sleep, or leaves, the group checks: is every counted thread asleep on a
 * condition that is still false?  Then nobody can ever make any of them true - a deadlock -
 * and instead of hanging forever every one of those calls returns CHAN_DEADLOCK.
 *
 * All channels of a group share the group's mutex, so the check sees one consistent state.
 */
#include "chan_internal.h"

#include "asl/todo.h"

#include <stdlib.h>

struct chan_group {
	pthread_mutex_t mu;
	int entered;                 /* threads counted in */
	struct chan_waiter *waiters; /* untimed sleepers, each with its condition */
	struct chan **chans;         /* the group's channels, to wake everyone */
	size_t nchans, cap;
};

int chan_group_create(struct chan_group **out)
{
	struct chan_group *g;
	if (!out)
		return -EINVAL;
	g = calloc(1, sizeof *g);
	if (!g)
		return -ENOMEM;
	pthread_mutex_init(&g->mu, NULL);
	*out = g;
	return 0;
}

void chan_group_destroy(struct chan_group *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->mu);
	free(g->chans);
	free(g);
}

pthread_mutex_t *chan_group_mutex(struct chan_group *g)
{
	return &g->mu;
}

int chan_group_attach(struct chan_group *g, struct chan *ch)
{
	int rc = 0;
	pthread_mutex_lock(&g->mu);
	if (g->nchans == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 8;
		struct chan **p = realloc(g->chans, cap * sizeof *p);
		if (!p) {
			rc = -ENOMEM;
			goto out;
		}
		g->chans = p;
		g->cap = cap;
	}
	g->chans[g->nchans++] = ch;
out:
	pthread_mutex_unlock(&g->mu);
	return rc;
}

void chan_group_detach(struct chan_group *g, struct chan *ch)
{
	pthread_mutex_lock(&g->mu);
	for (size_t i = 0; i < g->nchans; i++) {
		if (g->chans[i] == ch) {
			g->chans[i] = g->chans[--g->nchans];
			break;
		}
	}
	pthread_mutex_unlock(&g->mu);
}

int chan_group_enter(struct chan_group *g)
{
	if (!g)
		return -EINVAL;
	pthread_mutex_lock(&g->mu);
	g->entered++;
	pthread_mutex_unlock(&g->mu);
	return 0;
}

/* Global deadlock detection: the helpers of chan_group_sleep and chan_group_leave, all
 * called with g->mu held. */

/* Is every entered thread asleep on a condition that is still false?  A sleeper whose
 * condition became true has merely not run yet: it is not stuck. */
__attribute__((unused)) static bool chan_group_all_stuck(struct chan_group *g)
{
	/* TODO step 6: Detect a global deadlock: is every entered thread stuck?
	 * Count the waiters for which chan_waiter_stuck() holds; all stuck means at least one
	 * thread entered and no fewer stuck waiters than entered threads.
	 * Checked by: chan_deadlock::go_example_recv_nobody_sends,
	 * chan_deadlock::two_threads_wait_for_each_other,
	 * chan_deadlock::no_false_alarm_when_progress_is_possible
	 */
	LAB_UNUSED(g); LAB_TODO_ABORT(6);
}

/* Declare the deadlock: mark every stuck sleeper, take it off the list, and wake all. */
__attribute__((unused)) static void chan_group_declare_deadlock(struct chan_group *g)
{
	/* TODO step 6: Detect a global deadlock: declare it and wake every stuck sleeper.
	 * Walk the waiter list: set `deadlocked` on each stuck waiter and unlink it; then wake
	 * every channel of the group (chan_wake_all).
	 * Checked by: chan_deadlock::go_example_recv_nobody_sends,
	 * chan_deadlock::two_threads_wait_for_each_other, chan_deadlock::last_other_thread_leaves
	 */
	LAB_UNUSED(g); LAB_TODO_ABORT(6);
}

/* Take waiter w off the group's list (a sleeper that woke up normally). */
__attribute__((unused)) static void chan_group_unlink(struct chan_group *g, struct chan_waiter *w)
{
	/* TODO step 6: Detect a global deadlock: take a woken waiter off the list.
	 * Find w in the singly linked list and unlink it.
	 * Checked by: chan_deadlock::no_false_alarm_when_progress_is_possible
	 */
	LAB_UNUSED(g, w); LAB_TODO_ABORT(6);
}

int chan_group_sleep(struct chan_group *g, struct chan_waiter *w, pthread_cond_t *cv)
{
	/* TODO step 6: Sleep on cv as waiter w (g->mu is held): put w on the group's list;
	 * if now every entered thread is stuck, declare the deadlock instead of sleeping;
	 * after waking, CHAN_DEADLOCK if w was declared deadlocked, else take w off the list
	 * and return CHAN_OK.  Checked by: chan_deadlock::*
	 */
	LAB_UNUSED(g, w, cv); return LAB_TODO(6);
}

int chan_group_leave(struct chan_group *g)
{
	if (!g)
		return -EINVAL;
	pthread_mutex_lock(&g->mu);
	g->entered--;
	/* TODO step 6: A leaving thread can complete a deadlock too (the last sender exits
	 * while a receiver still waits): check, as a sleeper does.
	 * Checked by: chan_deadlock::last_other_thread_leaves
	 */
	pthread_mutex_unlock(&g->mu);
	return 0;
}
