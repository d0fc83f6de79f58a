/*
 * timers.c - provided: a timer service, the "clock" of timeouts, retries and the kitchen.
 * You do not change this file (nor timers.h): no step of the lab is in it.
 *
 * Armed timers sit in a list sorted by deadline (new timers usually expire last, so the
 * insertion scans from the tail).  Real mode runs one thread that sleeps on a condition
 * variable bound to CLOCK_MONOTONIC until the earliest deadline - a single thread serves any
 * number of timers, which is exactly why "waiting" need not cost a thread.  Manual mode has
 * no thread and a virtual clock that only timers_advance() moves: tests check computed delays
 * without ever sleeping.
 *
 * Lock invariant: `mu` protects the list, `now_ns` (manual) and each timer's `armed`.  A
 * timer is unlinked and disarmed under the lock before its fn runs outside the lock, so
 * timers_stop() has a clear answer: disarmed in time (0) or too late (-EALREADY).
 */
#include "timers.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "asl/util.h"

struct timers {
	pthread_mutex_t mu;
	pthread_cond_t changed; /* the earliest deadline moved, or stop */
	struct timer head;      /* circular list sentinel, sorted by deadline */
	bool manual, stop;
	uint64_t now_ns; /* manual mode's clock */
	pthread_t thread;
};

static uint64_t timers_clock(struct timers *t)
{
	if (t->manual)
		return t->now_ns;
	return asl_now_ns();
}

/* Pop the earliest timer if it is due (lock held), or NULL. */
static struct timer *timers_pop_due(struct timers *t, uint64_t now)
{
	struct timer *tm = t->head.next;
	if (tm == &t->head || tm->deadline_ns > now)
		return NULL;
	tm->prev->next = tm->next;
	tm->next->prev = tm->prev;
	tm->armed = 0;
	return tm;
}

static void *timers_thread(void *arg)
{
	struct timers *t = arg;
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		struct timer *tm = timers_pop_due(t, timers_clock(t));
		if (tm) {
			pthread_mutex_unlock(&t->mu);
			tm->fn(tm); /* may re-arm tm or free it: do not touch it afterwards */
			pthread_mutex_lock(&t->mu);
			continue;
		}
		if (t->head.next == &t->head) {
			pthread_cond_wait(&t->changed, &t->mu);
		} else {
			uint64_t d = t->head.next->deadline_ns;
			struct timespec ts = { .tv_sec = (time_t)(d / 1000000000u),
					       .tv_nsec = (long)(d % 1000000000u) };
			pthread_cond_timedwait(&t->changed, &t->mu, &ts);
		}
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

int timers_create(struct timers **out, bool manual)
{
	struct timers *t = calloc(1, sizeof *t);
	if (!t)
		return -ENOMEM;
	t->head.next = t->head.prev = &t->head;
	t->manual = manual;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->changed, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&t->mu, NULL);
	if (!manual) {
		int rc = pthread_create(&t->thread, NULL, timers_thread, t);
		if (rc) {
			pthread_cond_destroy(&t->changed);
			pthread_mutex_destroy(&t->mu);
			free(t);
			return -rc;
		}
	}
	*out = t;
	return 0;
}

void timers_start(struct timers *t, struct timer *tm, uint64_t delay_ns,
		  void (*fn)(struct timer *tm))
{
	pthread_mutex_lock(&t->mu);
	tm->fn = fn;
	tm->deadline_ns = timers_clock(t) + delay_ns;
	tm->armed = 1;
	struct timer *at = t->head.prev; /* insert after the last timer not later than tm */
	while (at != &t->head && at->deadline_ns > tm->deadline_ns)
		at = at->prev;
	tm->prev = at;
	tm->next = at->next;
	at->next->prev = tm;
	at->next = tm;
	if (t->head.next == tm)
		pthread_cond_signal(&t->changed); /* new earliest deadline: re-arm the sleep */
	pthread_mutex_unlock(&t->mu);
}

int timers_stop(struct timers *t, struct timer *tm)
{
	pthread_mutex_lock(&t->mu);
	int rc = -EALREADY;
	if (tm->armed) {
		tm->prev->next = tm->next;
		tm->next->prev = tm->prev;
		tm->armed = 0;
		rc = 0;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int timers_advance(struct timers *t, uint64_t ns)
{
	if (!t->manual)
		return -EINVAL;
	int fired = 0;
	pthread_mutex_lock(&t->mu);
	uint64_t target = t->now_ns + ns;
	struct timer *tm;
	/* the clock steps to each deadline in turn, so a timer armed by a firing callback
	 * measures its delay from the moment it was armed */
	while (t->head.next != &t->head && t->head.next->deadline_ns <= target) {
		if (t->head.next->deadline_ns > t->now_ns)
			t->now_ns = t->head.next->deadline_ns;
		tm = timers_pop_due(t, t->now_ns);
		pthread_mutex_unlock(&t->mu);
		tm->fn(tm);
		fired++;
		pthread_mutex_lock(&t->mu);
	}
	t->now_ns = target;
	pthread_mutex_unlock(&t->mu);
	return fired;
}

int timers_next(struct timers *t, uint64_t *delay_ns)
{
	pthread_mutex_lock(&t->mu);
	int rc = -ENOENT;
	if (t->head.next != &t->head) {
		uint64_t now = timers_clock(t), d = t->head.next->deadline_ns;
		*delay_ns = d > now ? d - now : 0;
		rc = 0;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int timers_destroy(struct timers *t)
{
	if (!t)
		return 0;
	pthread_mutex_lock(&t->mu);
	bool busy = t->head.next != &t->head;
	if (!busy) {
		t->stop = true;
		pthread_cond_signal(&t->changed);
	}
	pthread_mutex_unlock(&t->mu);
	if (busy)
		return -EBUSY;
	if (!t->manual)
		pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->changed);
	pthread_mutex_destroy(&t->mu);
	free(t);
	return 0;
}
