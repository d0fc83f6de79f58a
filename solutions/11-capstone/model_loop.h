/*
 * model_loop.h - the loop model's requests, shared with the offload model.
 *
 * A loop_req does one request's I/O on the loop (write the line, collect the reply) and then
 * calls its `done` hook on the loop's thread.  The loop model's hook computes right there; the
 * offload model's hook hands the computation to a pool.  Same I/O, different place to compute.
 */
#ifndef MODEL_LOOP_H
#define MODEL_LOOP_H

#include "capstone.h"
#include "loop.h"

struct loop_req;
/* Called on the loop's thread once request q's reply is complete (CAP_CPU: once the loop runs
 * the request).  It must eventually cap_finish q, here or elsewhere. */
typedef void (*loop_req_done_fn)(struct loop_req *q);

struct loop_req {
	loop_io_t io;      /* I/O kinds: the request's connection */
	loop_defer_t work; /* CAP_CPU: the request, queued on the loop */
	loop_post_t post;  /* free for the done hook (the offload model posts back with it) */
	struct cap_job *job;
	int i;
	char line[CAP_LINE_MAX];
	int len, off; /* the line, and how much of it is written */
	struct cap_reply reply;
	loop_req_done_fn done;
	void *ctx; /* the done hook's */
};

/* Start requests 0..job->n-1 of job on loop, in reqs (an array of job->n the caller owns,
 * zeroed): I/O kinds watch each connection, CAP_CPU queues a defer each.  Every request calls
 * done(q) when its reply is in.  On an error the requests already started are stopped and the
 * error is returned (0 otherwise).  Loop thread only. */
int loop_reqs_start(loop_t *loop, struct cap_job *job, struct loop_req *reqs, loop_req_done_fn done,
		    void *ctx);

/* Record err as the job's error (the first one wins) and stop q's watcher. */
void loop_req_fail(struct loop_req *q, int err);

#endif
