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
	/* TODO step 7: The request as a state machine over leaf futures.  First finish the
	 * awaited child, if any: poll it (PENDING: return PENDING, its waker is registered),
	 * drop it, and use its result: bytes written (write the rest), bytes read
	 * (cap_reply_add: complete -> COMPUTE), or the computation's result; an error ends
	 * the request (fut_req_end).  Then act on the state: START takes the line and opens
	 * the connection on this executor's reactor (reactor_io_open(exec_current(), ...)),
	 * WRITE/READ create the next reactor_write/reactor_read child, COMPUTE closes the
	 * connection and either computes right here (q->pool NULL) or awaits
	 * blocking_spawn(q->pool, fut_req_compute, q).  CAP_CPU goes straight to COMPUTE.
	 * Checked by: fut::*, futblk::*
	 */
	LAB_UNUSED(self, cx, out); LAB_TODO_ABORT(7);
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
	/* TODO step 7: A new executor, one fut_req per request spawned on it (detached: no
	 * join handle), exec_run until every task finished, drain the pool if there is one
	 * (its threads may still be finishing the wake that ended the last task), destroy the
	 * executor, free, and return the first error (a spawn's, the run's, or job->error).
	 * Checked by: fut::*, futblk::*
	 */
	LAB_UNUSED(job, pool); return LAB_TODO(7);
}

int model_fut_run(struct cap_job *job)
{
	/* TODO step 7: The single-threaded executor, computing inside poll.
	 * Checked by: fut::*
	 */
	LAB_UNUSED(job); return LAB_TODO(7);
}

int model_futblk_run(struct cap_job *job)
{
	/* TODO step 9: spawn_blocking: the same futures, but each computation awaits
	 * blocking_spawn on a lab-05 pool of job->threads workers (a queue with room for every
	 * request); fut_reqs_run drains and frees it.  Return the first error.
	 * Checked by: futblk::*
	 */
	LAB_UNUSED(job); return LAB_TODO(9);
}
