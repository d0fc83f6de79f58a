/*
 * timers.h - provided: a timer service.  You do not change this file (nor timers.c).
 *
 * The clock of timeouts (step 8), retries (step 10) and the kitchen in waiters.c: one thread
 * fires any number of timers, so waiting costs no thread per waiter.
 */
#ifndef LAB05_TIMERS_H
#define LAB05_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

struct timer {
	struct timer *next, *prev;
	uint64_t deadline_ns;
	void (*fn)(struct timer *tm); /* runs on the timer thread (or in timers_advance) */
	int armed;
};

struct timers;

/* A timer service.  Real mode (manual == false): one thread fires timers on the monotonic
 * clock.  Manual mode: no thread; time stands still until timers_advance(), which fires the
 * due timers on the calling thread - tests use it to check delays without sleeping. */
int timers_create(struct timers **out, bool manual);
/* Arm `tm` to call fn(tm) after delay_ns.  `tm` must stay valid until it fired or was
 * cancelled. */
void timers_start(struct timers *t, struct timer *tm, uint64_t delay_ns,
		  void (*fn)(struct timer *tm));
/* 0: disarmed before firing (fn will not run); -EALREADY: fired or firing right now. */
int timers_stop(struct timers *t, struct timer *tm);
/* Manual mode: move time forward by ns, firing due timers in deadline order; returns count. */
int timers_advance(struct timers *t, uint64_t ns);
/* Time until the earliest armed timer; -ENOENT when none is armed. */
int timers_next(struct timers *t, uint64_t *delay_ns);
/* Stop the thread and free; -EBUSY (nothing freed) while timers are armed. */
int timers_destroy(struct timers *t);

#endif
