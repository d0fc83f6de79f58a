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
	/* TODO step 5: Resume every unfinished task once per round, in array order, until all
	 * have finished (CORO_READY, or a negative error: recorded in status, never resumed
	 * again).  Count resumes per task.  Return the rounds it took (0 for n == 0), -ETIME
	 * when tasks remain after max_rounds rounds, -EINVAL for bad arguments (checked before
	 * any task runs).
	 * Checked by: sched::*
	 */
	LAB_UNUSED(tasks, n, max_rounds); return LAB_TODO(5);
}
