/*
 * workers.c - step 2: start a set of OS threads, wait for all of them, keep every result.
 *
 * pthread_create() asks the kernel for a new schedulable task (clone()) sharing our address
 * space, after glibc has mmap'ed it a fixed-size stack with a guard page below.  From then on
 * the kernel's scheduler alone decides when and where it runs - preemptively: it can be paused
 * between any two instructions.  pthread_join() is the only way to know it finished, to get
 * what it returned, and to give its stack and kernel task back.  A thread that is never joined
 * (nor detached) is leaked.
 *
 * The hard part is the error path: if thread k cannot be created (no memory for its stack,
 * a limit on threads), threads 0..k-1 are already running.  Returning without joining them
 * would leak them - and they would keep using `tasks` after we returned.
 */
#include "threads.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

#include "asl/todo.h"

/* Is the whole batch runnable?  1 if so, 0 if any task would make workers_run fail -EINVAL. */
__attribute__((unused)) static int tasks_valid(const struct workers_task *tasks, size_t n)
{
	/* TODO step 2: Run tasks on threads: validate every task before starting any.
	 * No tasks, more than WORKERS_MAX, a NULL fn, or a stack_size that is non-zero but below
	 * PTHREAD_STACK_MIN make the whole call invalid.
	 * Checked by: workers::rejects_bad_arguments
	 */
	LAB_UNUSED(tasks, n); LAB_TODO_ABORT(2);
}

/* The pthread start routine of every task: p is the struct workers_task, owned by the caller of
 * workers_run, who keeps it alive until the join. */
__attribute__((unused)) static void *task_main(void *p)
{
	/* TODO step 2: Run tasks on threads: the start routine keeps the task's int result.
	 * pthread start routines return void *: store the task's int result in the task itself.
	 * Checked by: workers::results_propagate, workers::tasks_run_at_the_same_time
	 */
	LAB_UNUSED(p); LAB_TODO_ABORT(2);
}

/* Start one thread for task t with its requested stack size; 0 or -errno. */
__attribute__((unused)) static int task_start(pthread_t *id, struct workers_task *t)
{
	/* TODO step 2: Run tasks on threads: start one thread with its requested stack size.
	 * An attribute object with the stack size (when one was asked for), then pthread_create
	 * with task_main.  pthread functions return the error number itself, not -1/errno.
	 * Checked by: workers::results_propagate, workers::creation_error_joins_the_started
	 */
	LAB_UNUSED(id, t); return LAB_TODO(2);
}

int workers_run(struct workers_task *tasks, size_t n)
{
	/* TODO step 2: Run every task on its own thread at once, then join them all.
	 * If starting task k fails: join the k already running, return that error (-errno).
	 * Never return while a thread you started still runs.  Checked by: workers::*
	 */
	LAB_UNUSED(tasks, n); return LAB_TODO(2);
}
