/*
 * sched.c - step 5: many coroutines on one thread, round-robin.
 *
 * The smallest possible scheduler: no queue, no wake-ups, just "resume everyone who is not
 * finished, in turn, until nobody is left".  It shows the two things every executor (lab 10)
 * builds on: a suspended stackless coroutine costs nothing but its struct while it waits,
 * and interleaving is decided by the scheduler's loop, deterministically: one thread, no
 * preemption, so the same tasks and schedules always give the same order.  (What it lacks
 * is efficiency: a PENDING task is resumed every round whether or not anything happened for
 * it.  A waker - lab 10 - tells the executor which ones to resume.)
 */
#include "stackless.h"

#include "asl/todo.h"

long rr_run(struct rr_task *tasks, size_t n, long max_rounds)
{
	/* BEGIN STEP 5: Resume every unfinished task once per round, in array order, until all
	 * have finished (CORO_READY, or a negative error: recorded in status, never resumed
	 * again).  Count resumes per task.  Return the rounds it took (0 for n == 0), -ETIME
	 * when tasks remain after max_rounds rounds, -EINVAL for bad arguments (checked before
	 * any task runs).
	 * Checked by: sched::*
	 * stub: LAB_UNUSED(tasks, n, max_rounds); return LAB_TODO(5);
	 */
	if ((n > 0 && !tasks) || max_rounds < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!tasks[i].resume)
			return -EINVAL;
		tasks[i].status = CORO_PENDING;
		tasks[i].resumes = 0;
	}
	size_t live = n;
	long rounds = 0;
	while (live > 0) {
		if (rounds == max_rounds)
			return -ETIME;
		rounds++;
		for (size_t i = 0; i < n; i++) {
			struct rr_task *t = &tasks[i];
			if (t->status == CORO_READY || t->status < 0)
				continue;
			int rc = t->resume(t->self);
			t->resumes++;
			if (rc == CORO_READY || rc < 0) {
				t->status = rc;
				live--;
			}
		}
	}
	return rounds;
	/* END STEP 5 */
}
