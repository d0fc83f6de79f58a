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

/* TODO step 2: Validate every task before starting any: NULL fn, or a stack_size that is
 * non-zero but below PTHREAD_STACK_MIN, makes the whole call -EINVAL.
 * Checked by: workers::rejects_bad_arguments
 */

int thr_run(struct thr_task *tasks, size_t n)
{
	/* TODO step 2: Run every task on its own thread at once, then join them all.
	 * If starting task k fails: join the k already running, return that error (-errno).
	 * Never return while a thread you started still runs.  Checked by: workers::*
	 */
	(void)tasks; (void)n; return LAB_TODO(2);
}
