/*
 * demo_timers.c - timers started in a shuffled order fire in deadline order, ties in the order
 * they were started, and never early; how late they are is printed.
 *
 * Twelve timers with timeouts from {10, 20, 30, 40} ms (three of each, so there are ties) are
 * started in a shuffled order from one cached time.  The loop's heap hands them back sorted by
 * (deadline, start sequence).  A deadline is the loop's cached time at the start (whole
 * milliseconds, taken once per iteration) plus the timeout; lateness is measured from it, on the
 * same monotonic clock.  It is what the OS adds: the wait is in whole milliseconds and the
 * thread must be scheduled again after it wakes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "asl/util.h"
#include "loop.h"

#define USAGE "demo_timers\n  Starts 12 timers in a shuffled order and shows the order they fire in"

enum { N = 12 };

struct demo_timer {
	loop_timer_t t;
	int id, started_as;
	uint64_t timeout_ms;
};

static int fired;
static uint64_t t0_ns;
static double worst_late_ms;

static void fire_cb(loop_timer_t *t)
{
	struct demo_timer *d = t->data;
	double at_ms = (double)(asl_now_ns() - t0_ns) / 1e6;
	/* the deadline is on the loop's clock: its cached time at the start + the timeout */
	double late_ms = (double)asl_now_ns() / 1e6 - (double)t->deadline_ms;
	if (late_ms > worst_late_ms)
		worst_late_ms = late_ms;
	printf("  fired #%-2d  timer %-2d  timeout %2llu ms  started #%-2d  at +%6.2f ms  "
	       "late by %5.2f ms\n",
	       ++fired, d->id, (unsigned long long)d->timeout_ms, d->started_as, at_ms, late_ms);
}

int main(int argc, char **argv)
{
	/* a fixed shuffle of the 12 timers: id i has timeout 10 * (1 + i % 4) ms */
	static const int order[N] = { 7, 2, 11, 0, 5, 9, 3, 10, 1, 6, 8, 4 };
	struct demo_timer d[N];
	loop_t *loop;
	int rc;

	asl_no_arguments(argc, argv, USAGE);
	if ((rc = loop_create(&loop, LOOP_BACKEND_EPOLL)) < 0)
		asl_die(-rc, "loop_create");
	printf(
	    "Starting 12 timers in a shuffled order (timeouts 10/20/30/40 ms, three of each):\n");
	loop_update_time(loop);
	t0_ns = asl_now_ns();
	for (int k = 0; k < N; k++) {
		int i = order[k];
		d[i] = (struct demo_timer){ .id = i,
					    .started_as = k + 1,
					    .timeout_ms = 10u * (uint64_t)(1 + i % 4) };
		loop_timer_init(loop, &d[i].t);
		d[i].t.data = &d[i];
		if ((rc = loop_timer_start(&d[i].t, fire_cb, d[i].timeout_ms, 0)) < 0)
			asl_die(-rc, "loop_timer_start");
		printf("  start #%-2d  timer %-2d  timeout %2llu ms\n", k + 1, i,
		       (unsigned long long)d[i].timeout_ms);
	}
	printf("\nRunning the loop: the heap returns them by (deadline, start order):\n");
	if ((rc = loop_run(loop, LOOP_RUN_DEFAULT)) < 0)
		asl_die(-rc, "loop_run");
	printf(
	    "\nAll %d fired in deadline order; equal deadlines in the order started (look at "
	    "'started #').\nNone before its deadline (the loop's cached time at the start, in whole "
	    "ms,\nplus the timeout); the worst lateness was %.2f ms: the OS wakes the thread "
	    "in whole\nmilliseconds, and it has to be scheduled again after it wakes.\n",
	    fired, worst_late_ms);
	loop_destroy(loop);
	return 0;
}
