/*
 * chan_internal.h - what chan.c and chan_group.c tell each other; not part of the lab's API.
 *
 * Deadlock detection needs to know, for every thread asleep in a channel operation, whether
 * it is *stuck* (the condition it waits for is false) or merely has not run yet since a wake
 * up.  Counting sleepers is not enough: a receiver that a sender has just woken is still
 * asleep, and a sender then waiting for the pickup would wrongly conclude that everyone is.
 * So each untimed sleeper links a chan_waiter describing its condition into its group, and
 * the group re-evaluates those conditions (all under the group's one mutex) when it checks.
 */
#ifndef LAB04_CHAN_INTERNAL_H
#define LAB04_CHAN_INTERNAL_H

#include "sync.h"

enum chan_wait_for {
	CHAN_WAIT_VALUE, /* recv: a value, or close */
	CHAN_WAIT_ROOM,  /* send: a free slot, or close */
	CHAN_WAIT_TAKEN, /* unbuffered send: our value taken (taken >= ticket), or close */
};

struct chan_waiter {
	struct chan *ch;
	enum chan_wait_for what;
	uint64_t ticket;          /* CHAN_WAIT_TAKEN: the number of our value */
	bool deadlocked;          /* set by the group when it declares a deadlock */
	struct chan_waiter *next; /* the group's list of untimed sleepers */
};

/* chan.c: true while w's condition is false.  Caller holds the channel's (group's) mutex. */
bool chan_waiter_stuck(const struct chan_waiter *w);
/* chan.c: wake every thread asleep on ch.  Caller holds the mutex. */
void chan_wake_all(struct chan *ch);

/* chan_group.c */
pthread_mutex_t *chan_group_mutex(struct chan_group *g);
int chan_group_attach(struct chan_group *g, struct chan *ch);  /* g->mu NOT held; -ENOMEM */
void chan_group_detach(struct chan_group *g, struct chan *ch); /* g->mu NOT held */
/* Sleep on cv (g->mu held) as the waiter w, or declare a deadlock if this sleep would leave
 * every entered thread stuck.  CHAN_OK: woken, recheck your condition; CHAN_DEADLOCK. */
int chan_group_sleep(struct chan_group *g, struct chan_waiter *w, pthread_cond_t *cv);

#endif
