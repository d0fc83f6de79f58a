/*
 * model_fibers.c - one fiber per request, all on the calling thread (lab 08, on lab 07's loop).
 *
 * The code of a request reads like the blocking version (write the line, read the reply,
 * compute), yet the requests wait together: where a read would block, fiber_read parks the
 * fiber on the loop and the next fiber runs.  Like the loop model, everything runs on one
 * thread: concurrency for waiting, no parallelism for computing.  A waiting request costs its
 * fiber's stack (16 KiB by default) instead of a thread's.
 */
#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "capstone.h"
#include "fiber.h"

struct fiber_req {
	struct cap_job *job;
	int i;
	int rc; /* the request's outcome: 0 or -errno */
};

/* The body of request f->i's fiber: blocking-style I/O through fiber_write/fiber_read (I/O
 * kinds), then cap_finish.  Stores the outcome in f->rc. */
__attribute__((unused)) static void *fiber_req_main(void *arg)
{
	/* TODO step 5: The sequential model's code for one request, in a fiber: cap_line, then
	 * fiber_write the whole line, then fiber_read until cap_reply_add says the reply is
	 * complete (0 bytes or an error: fail), then cap_finish.  CAP_CPU: only cap_finish.
	 * Store 0 or the first error in f->rc.
	 * Checked by: fibers::*
	 */
	LAB_UNUSED(arg); LAB_TODO_ABORT(5);
}

int model_fibers_run(struct cap_job *job)
{
	/* TODO step 5: A scheduler with the default stack size, one fiber per request (not
	 * joined: fiber_sched_run returns once all have finished), run it, destroy it, free,
	 * and return the first error (a spawn's, the run's, or a fiber's rc).
	 * Checked by: fibers::*
	 */
	LAB_UNUSED(job); return LAB_TODO(5);
}
