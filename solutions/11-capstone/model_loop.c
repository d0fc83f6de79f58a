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
	/* BEGIN STEP 4: The request's state machine, one step per callback.  While the line is
	 * not all written: write the rest (EAGAIN: wait for the next callback; all written:
	 * watch for LOOP_READ instead).  Then: read what is there into q->reply (EAGAIN: wait;
	 * 0 or an error: fail), and once cap_reply_add says the line is complete, stop the
	 * watcher and call q->done(q).  Any error: loop_req_fail.  Readiness is a hint: a
	 * callback must expect EAGAIN.
	 * Checked by: loop::*, offload::*
	 * stub: LAB_UNUSED(io, events); LAB_TODO_ABORT(4);
	 */
	struct loop_req *q = io->data;
	int fd = q->job->fds[q->i];
	(void)events;
	if (q->off < q->len) {
		ssize_t w = write(fd, q->line + q->off, (size_t)(q->len - q->off));
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (w < 0)
			return loop_req_fail(q, -errno);
		q->off += (int)w;
		if (q->off == q->len && loop_io_modify(io, LOOP_READ) < 0)
			loop_req_fail(q, -EIO);
		return;
	}
	char buf[CAP_LINE_MAX];
	ssize_t got = read(fd, buf, sizeof buf - q->reply.len);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got < 0)
		return loop_req_fail(q, -errno);
	int rc = cap_reply_add(&q->reply, buf, (size_t)got);
	if (rc < 0)
		return loop_req_fail(q, rc);
	if (rc == 1) {
		loop_io_stop(io);
		q->done(q);
	}
	/* END STEP 4 */
}

/* CAP_CPU: the loop runs the request (there is nothing to wait for). */
__attribute__((unused)) static void loop_req_work(loop_defer_t *d)
{
	/* BEGIN STEP 4: A CPU-only request has no I/O: it is done as soon as the loop runs it.
	 * Checked by: loop::same_results, loop::where_it_runs, offload::*
	 * stub: LAB_UNUSED(d); LAB_TODO_ABORT(4);
	 */
	struct loop_req *q = d->data;
	q->done(q);
	/* END STEP 4 */
}

int loop_reqs_start(loop_t *loop, struct cap_job *job, struct loop_req *reqs, loop_req_done_fn done,
		    void *ctx)
{
	/* BEGIN STEP 4: Set up every request (job, i, done, ctx, data pointers).  I/O kinds:
	 * take its line (cap_line: the request starts now) and watch its connection for
	 * LOOP_WRITE with loop_req_io.  CAP_CPU: queue loop_req_work as a defer.  On an error,
	 * stop every request started so far and return the error.
	 * Checked by: loop::*, offload::*
	 * stub: LAB_UNUSED(loop, job, reqs, done, ctx); return LAB_TODO(4);
	 */
	int rc = 0, i;
	for (i = 0; rc == 0 && i < job->n; i++) {
		struct loop_req *q = &reqs[i];
		q->job = job;
		q->i = i;
		q->done = done;
		q->ctx = ctx;
		q->io.data = q->work.data = q->post.data = q;
		if (!cap_has_io(job)) {
			rc = loop_defer_start(loop, &q->work, loop_req_work);
		} else {
			q->len = cap_line(job, i, q->line);
			rc = loop_io_start(loop, &q->io, job->fds[i], LOOP_WRITE, loop_req_io);
		}
	}
	if (rc < 0) /* the loop must be empty again before it can be destroyed */
		while (i-- > 0) {
			loop_io_stop(&reqs[i].io);
			loop_defer_stop(&reqs[i].work);
		}
	return rc;
	/* END STEP 4 */
}

/* The loop model's done hook: compute right here, on the loop's thread. */
__attribute__((unused)) static void loop_req_compute(struct loop_req *q)
{
	/* BEGIN STEP 4: The loop model computes in the callback itself (and blocks the loop
	 * meanwhile: that is what the CPU figure measures).
	 * Checked by: loop::*
	 * stub: LAB_UNUSED(q); LAB_TODO_ABORT(4);
	 */
	/* cap_finish records its error */
	cap_finish(q->job, q->i, cap_has_io(q->job) ? &q->reply : NULL);
	/* END STEP 4 */
}

int model_loop_run(struct cap_job *job)
{
	/* BEGIN STEP 4: Create a loop (epoll) and job->n zeroed requests, start them with
	 * loop_req_compute as the done hook, loop_run(LOOP_RUN_DEFAULT) until no watcher is
	 * left, destroy the loop, free, and return the first error (the start's, loop_run's,
	 * or job->error).
	 * Checked by: loop::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(4);
	 */
	loop_t *loop;
	int rc = loop_create(&loop, LOOP_BACKEND_EPOLL);
	if (rc < 0)
		return rc;
	struct loop_req *reqs = calloc((size_t)job->n + 1, sizeof *reqs);
	rc = reqs ? loop_reqs_start(loop, job, reqs, loop_req_compute, NULL) : -ENOMEM;
	if (rc == 0 && (rc = loop_run(loop, LOOP_RUN_DEFAULT)) > 0)
		rc = 0;
	loop_destroy(loop);
	free(reqs);
	return rc < 0 ? rc : atomic_load(&job->error);
	/* END STEP 4 */
}
