/*
 * model_fut.c - every request a future on lab 10's single-threaded executor.
 *
 * The same shape as the loop model (one thread, every request in flight, a struct per
 * request) written as lab 10 writes it: each request is a future whose poll advances a state
 * machine by awaiting leaf futures (reactor_write, reactor_read); the executor polls it when
 * its waker fires.  Computing inside poll blocks the executor, exactly as computing in a
 * callback blocks the loop.
 */
#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "callbacks.h"
#include "model_fut.h"

/* Finish q with rc (recorded as the job's error if it is one). */
__attribute__((unused)) static enum fut_poll fut_req_end(struct fut_req *q, int rc, intptr_t *out)
{
	if (rc < 0) {
		int none = 0;
		atomic_compare_exchange_strong(&q->job->error, &none, rc);
	}
	if (q->io) {
		reactor_io_close(q->io);
		q->io = NULL;
	}
	q->state = FUT_REQ_DONE;
	*out = rc;
	return FUT_READY;
}

/* blocking_spawn's function: the computation, on a pool thread. */
__attribute__((unused)) static intptr_t fut_req_compute(void *arg)
{
	struct fut_req *q = arg;
	return cap_finish(q->job, q->i, cap_has_io(q->job) ? &q->reply : NULL);
}

/* The request's poll: run the state machine as far as it goes without waiting. */
__attribute__((unused)) static enum fut_poll fut_req_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	/* BEGIN STEP 7: The request as a state machine over leaf futures.  First finish the
	 * awaited child, if any: poll it (PENDING: return PENDING, its waker is registered),
	 * drop it, and use its result: bytes written (write the rest), bytes read
	 * (cap_reply_add: complete -> COMPUTE), or the computation's result; an error ends
	 * the request (fut_req_end).  Then act on the state: START takes the line and opens
	 * the connection on this executor's reactor (reactor_io_open(exec_current(), ...)),
	 * WRITE/READ create the next reactor_write/reactor_read child, COMPUTE closes the
	 * connection and either computes right here (q->pool NULL) or awaits
	 * blocking_spawn(q->pool, fut_req_compute, q).  CAP_CPU goes straight to COMPUTE.
	 * Checked by: fut::*, futblk::*
	 * stub: LAB_UNUSED(self, cx, out); LAB_TODO_ABORT(7);
	 */
	struct fut_req *q = (struct fut_req *)self;
	struct cap_job *job = q->job;
	for (;;) {
		if (q->child) {
			intptr_t r;
			if (fut_poll(q->child, cx, &r) == FUT_PENDING)
				return FUT_PENDING;
			fut_drop(q->child);
			q->child = NULL;
			if (r < 0 || (q->state == FUT_REQ_READ && r == 0))
				return fut_req_end(q, r < 0 ? (int)r : -EPROTO, out);
			if (q->state == FUT_REQ_WRITE) {
				q->off += (int)r;
			} else if (q->state == FUT_REQ_READ) {
				int rc = cap_reply_add(&q->reply, q->buf, (size_t)r);
				if (rc < 0)
					return fut_req_end(q, rc, out);
				if (rc == 1)
					q->state = FUT_REQ_COMPUTE;
			} else { /* the pool computed it: r is cap_finish's result */
				return fut_req_end(q, (int)r, out);
			}
		}
		switch (q->state) {
		case FUT_REQ_START: {
			if (!cap_has_io(job)) {
				q->state = FUT_REQ_COMPUTE;
				break;
			}
			q->len = cap_line(job, q->i, q->line);
			int rc = reactor_io_open(exec_current(), job->fds[q->i], &q->io);
			if (rc < 0)
				return fut_req_end(q, rc, out);
			q->state = FUT_REQ_WRITE;
			break;
		}
		case FUT_REQ_WRITE:
			if (q->off == q->len) {
				q->state = FUT_REQ_READ;
				break;
			}
			q->child = reactor_write(q->io, q->line + q->off,
						 (size_t)(q->len - q->off));
			if (!q->child)
				return fut_req_end(q, -ENOMEM, out);
			break;
		case FUT_REQ_READ:
			q->child = reactor_read(q->io, q->buf, sizeof q->buf - q->reply.len);
			if (!q->child)
				return fut_req_end(q, -ENOMEM, out);
			break;
		case FUT_REQ_COMPUTE:
			if (q->io) {
				reactor_io_close(q->io);
				q->io = NULL;
			}
			if (!q->pool)
				return fut_req_end(q, fut_req_compute(q), out);
			q->child = blocking_spawn(q->pool, fut_req_compute, q);
			if (!q->child)
				return fut_req_end(q, -ENOMEM, out);
			break;
		case FUT_REQ_DONE:
			*out = -EALREADY; /* polled after READY: a bug in the executor */
			return FUT_READY;
		}
	}
	/* END STEP 7 */
}

/* The executor drops a finished (or cancelled) task's future: the memory is the adapter's. */
static void fut_req_drop(fut_t *self)
{
	struct fut_req *q = (struct fut_req *)self;
	fut_drop(q->child);
	q->child = NULL;
	if (q->io)
		reactor_io_close(q->io);
	q->io = NULL;
}

static const struct fut_vtable fut_req_vtable = { .poll = fut_req_poll, .drop = fut_req_drop };

void fut_req_init(struct fut_req *q, struct cap_job *job, int i, struct pool *pool)
{
	*q = (struct fut_req){ .base.vt = &fut_req_vtable, .job = job, .i = i, .pool = pool };
}

int fut_reqs_run(struct cap_job *job, struct pool *pool)
{
	/* BEGIN STEP 7: A new executor, one fut_req per request spawned on it (detached: no
	 * join handle), exec_run until every task finished, drain the pool if there is one
	 * (its threads may still be finishing the wake that ended the last task), destroy the
	 * executor, free, and return the first error (a spawn's, the run's, or job->error).
	 * Checked by: fut::*, futblk::*
	 * stub: LAB_UNUSED(job, pool); return LAB_TODO(7);
	 */
	exec_t *ex;
	int rc = exec_create(&ex);
	if (rc < 0) {
		if (pool)
			pool_shutdown(pool, POOL_DRAIN);
		return rc;
	}
	struct fut_req *reqs = calloc((size_t)job->n + 1, sizeof *reqs);
	rc = reqs ? 0 : -ENOMEM;
	for (int i = 0; rc == 0 && i < job->n; i++) {
		fut_req_init(&reqs[i], job, i, pool);
		rc = exec_spawn(ex, &reqs[i].base, NULL);
	}
	int run = exec_run(ex); /* lets the tasks spawned before an error finish */
	if (rc == 0)
		rc = run;
	if (pool)
		pool_shutdown(pool, POOL_DRAIN);
	exec_destroy(ex);
	free(reqs);
	return rc < 0 ? rc : atomic_load(&job->error);
	/* END STEP 7 */
}

int model_fut_run(struct cap_job *job)
{
	/* BEGIN STEP 7: The single-threaded executor, computing inside poll.
	 * Checked by: fut::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(7);
	 */
	return fut_reqs_run(job, NULL);
	/* END STEP 7 */
}

int model_futblk_run(struct cap_job *job)
{
	/* BEGIN STEP 9: spawn_blocking: the same futures, but each computation awaits
	 * blocking_spawn on a lab-05 pool of job->threads workers (a queue with room for every
	 * request); fut_reqs_run drains and frees it.  Return the first error.
	 * Checked by: futblk::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(9);
	 */
	struct pool *pool;
	int rc = pool_create(&pool, job->threads, (size_t)job->n + 1);
	if (rc < 0)
		return rc;
	return fut_reqs_run(job, pool);
	/* END STEP 9 */
}
