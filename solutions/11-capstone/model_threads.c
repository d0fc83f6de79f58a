/*
 * model_threads.c - thread per request, on lab 03's workers_run().
 *
 * Every request gets an OS thread of its own, with a small stack, and simply blocks: the
 * kernel overlaps the waits and spreads the computations over the cores.  The price is a
 * thread (a stack, a kernel task, a scheduler entry) per request in flight.  The stack is
 * lab 03's small one (64 KiB): with the default 8 MiB, 1,000 threads reserve 8 GiB of address
 * space, more than the grader's 4 GiB limit per process (`ulimit -v`) allows.  workers_run()
 * starts at most WORKERS_MAX threads per call, so a larger job runs in waves of WORKERS_MAX.
 */
#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "capstone.h"
#include "threads.h"

struct thread_req {
	struct cap_job *job;
	int i;
};

/* The body of one request's thread: its blocking I/O (I/O kinds), then cap_finish.  Returns 0
 * or -errno, which workers_run stores in the task's result. */
__attribute__((unused)) static int thread_req_main(void *arg)
{
	/* BEGIN STEP 2: One request on its own thread, exactly as the sequential model does it
	 * for one i: blocking I/O (I/O kinds), then cap_finish; return 0 or the error.
	 * Checked by: threads::*
	 * stub: LAB_UNUSED(arg); LAB_TODO_ABORT(2);
	 */
	struct thread_req *t = arg;
	struct cap_reply r;
	int rc = 0;
	if (cap_has_io(t->job))
		rc = cap_request_blocking(t->job, t->i, &r);
	if (rc == 0)
		rc = cap_finish(t->job, t->i, cap_has_io(t->job) ? &r : NULL);
	return rc;
	/* END STEP 2 */
}

int model_threads_run(struct cap_job *job)
{
	/* BEGIN STEP 2: One thread per request: fill a struct workers_task per request (fn =
	 * thread_req_main, stack threads_small_stack()) and hand them to workers_run, at most
	 * WORKERS_MAX per call (waves).  Return workers_run's error, else the first task's
	 * non-zero result, else 0.  Free what you allocated on every path.
	 * Checked by: threads::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(2);
	 */
	if (job->n == 0)
		return 0;
	struct workers_task *tasks = calloc((size_t)job->n, sizeof *tasks);
	struct thread_req *reqs = calloc((size_t)job->n, sizeof *reqs);
	int rc = tasks && reqs ? 0 : -ENOMEM;
	for (int i = 0; rc == 0 && i < job->n; i++) {
		reqs[i] = (struct thread_req){ job, i };
		tasks[i] = (struct workers_task){ .fn = thread_req_main,
						  .arg = &reqs[i],
						  .stack_size = threads_small_stack() };
	}
	for (int first = 0; rc == 0 && first < job->n; first += WORKERS_MAX) {
		int wave = job->n - first < WORKERS_MAX ? job->n - first : WORKERS_MAX;
		rc = workers_run(tasks + first, (size_t)wave);
		for (int k = first; rc == 0 && k < first + wave; k++)
			rc = tasks[k].result;
	}
	free(tasks);
	free(reqs);
	return rc;
	/* END STEP 2 */
}
