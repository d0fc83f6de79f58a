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
	/* BEGIN STEP 5: The sequential model's code for one request, in a fiber: cap_line, then
	 * fiber_write the whole line, then fiber_read until cap_reply_add says the reply is
	 * complete (0 bytes or an error: fail), then cap_finish.  CAP_CPU: only cap_finish.
	 * Store 0 or the first error in f->rc.
	 * Checked by: fibers::*
	 * stub: LAB_UNUSED(arg); LAB_TODO_ABORT(5);
	 */
	struct fiber_req *f = arg;
	struct cap_job *job = f->job;
	struct cap_reply r = { .len = 0 };
	int rc = 0;
	if (cap_has_io(job)) {
		char line[CAP_LINE_MAX];
		int len = cap_line(job, f->i, line), fd = job->fds[f->i];
		ssize_t w = fiber_write(fd, line, (size_t)len);
		rc = w < 0 ? (int)w : 0;
		while (rc == 0) {
			char buf[CAP_LINE_MAX];
			ssize_t got = fiber_read(fd, buf, sizeof buf - r.len);
			rc = got < 0 ? (int)got : cap_reply_add(&r, buf, (size_t)got);
			if (rc == 1) {
				rc = 0;
				break;
			}
		}
	}
	if (rc == 0)
		rc = cap_finish(job, f->i, cap_has_io(job) ? &r : NULL);
	f->rc = rc;
	return NULL;
	/* END STEP 5 */
}

int model_fibers_run(struct cap_job *job)
{
	/* BEGIN STEP 5: A scheduler with the default stack size, one fiber per request (not
	 * joined: fiber_sched_run returns once all have finished), run it, destroy it, free,
	 * and return the first error (a spawn's, the run's, or a fiber's rc).
	 * Checked by: fibers::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(5);
	 */
	fiber_sched_t *s;
	int rc = fiber_sched_create(&s, 0);
	if (rc < 0)
		return rc;
	struct fiber_req *reqs = calloc((size_t)job->n + 1, sizeof *reqs);
	if (!reqs) {
		fiber_sched_destroy(s);
		return -ENOMEM;
	}
	int spawned = 0;
	for (; rc == 0 && spawned < job->n; spawned++) {
		reqs[spawned] = (struct fiber_req){ job, spawned, 0 };
		rc = fiber_spawn(s, NULL, fiber_req_main, &reqs[spawned]);
	}
	int run = fiber_sched_run(s); /* also lets the fibers spawned before an error finish */
	if (rc == 0)
		rc = run;
	for (int i = 0; rc == 0 && i < spawned; i++)
		rc = reqs[i].rc;
	fiber_sched_destroy(s);
	free(reqs);
	return rc;
	/* END STEP 5 */
}
