/*
 * model_loop.c - every request at once on one thread: lab 07's event loop, with callbacks.
 *
 * Each request is a small struct and an io watcher: writable -> send the line, readable ->
 * collect the reply, then compute in the callback.  While a request waits it costs its struct,
 * not a thread, so ten thousand wait together.  But the computations all run on the loop's one
 * thread, one after another, and while one runs no other callback can: the loop gives
 * concurrency for waiting and no parallelism for computing.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "asl/todo.h"
#include "model_loop.h"

void loop_req_fail(struct loop_req *q, int err)
{
	int none = 0;
	atomic_compare_exchange_strong(&q->job->error, &none, err);
	loop_io_stop(&q->io);
}

/* The request's connection is ready: write what is left of the line (then wait for the
 * reply), or read what has come of the reply (then stop watching and call q->done). */
__attribute__((unused)) static void loop_req_io(loop_io_t *io, int events)
{
	/* TODO step 4: The request's state machine, one step per callback.  While the line is
	 * not all written: write the rest (EAGAIN: wait for the next callback; all written:
	 * watch for LOOP_READ instead).  Then: read what is there into q->reply (EAGAIN: wait;
	 * 0 or an error: fail), and once cap_reply_add says the line is complete, stop the
	 * watcher and call q->done(q).  Any error: loop_req_fail.  Readiness is a hint: a
	 * callback must expect EAGAIN.
	 * Checked by: loop::*, offload::*
	 */
	LAB_UNUSED(io, events); LAB_TODO_ABORT(4);
}

/* CAP_CPU: the loop runs the request (there is nothing to wait for). */
__attribute__((unused)) static void loop_req_work(loop_defer_t *d)
{
	/* TODO step 4: A CPU-only request has no I/O: it is done as soon as the loop runs it.
	 * Checked by: loop::same_results, loop::where_it_runs, offload::*
	 */
	LAB_UNUSED(d); LAB_TODO_ABORT(4);
}

int loop_reqs_start(loop_t *loop, struct cap_job *job, struct loop_req *reqs, loop_req_done_fn done,
		    void *ctx)
{
	/* TODO step 4: Set up every request (job, i, done, ctx, data pointers).  I/O kinds:
	 * take its line (cap_line: the request starts now) and watch its connection for
	 * LOOP_WRITE with loop_req_io.  CAP_CPU: queue loop_req_work as a defer.  On an error,
	 * stop every request started so far and return the error.
	 * Checked by: loop::*, offload::*
	 */
	LAB_UNUSED(loop, job, reqs, done, ctx); return LAB_TODO(4);
}

/* The loop model's done hook: compute right here, on the loop's thread. */
__attribute__((unused)) static void loop_req_compute(struct loop_req *q)
{
	/* TODO step 4: The loop model computes in the callback itself (and blocks the loop
	 * meanwhile: that is what the CPU figure measures).
	 * Checked by: loop::*
	 */
	LAB_UNUSED(q); LAB_TODO_ABORT(4);
}

int model_loop_run(struct cap_job *job)
{
	/* TODO step 4: Create a loop (epoll) and job->n zeroed requests, start them with
	 * loop_req_compute as the done hook, loop_run(LOOP_RUN_DEFAULT) until no watcher is
	 * left, destroy the loop, free, and return the first error (the start's, loop_run's,
	 * or job->error).
	 * Checked by: loop::*
	 */
	LAB_UNUSED(job); return LAB_TODO(4);
}
