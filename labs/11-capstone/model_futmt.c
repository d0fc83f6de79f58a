/*
 * model_futmt.c - every request a future on lab 10's multi-threaded (work-stealing) executor.
 *
 * The futures compute inside poll, like the `fut` model, but poll runs on job->threads
 * workers at once: CPU work spreads over the cores with no extra code.  exec_mt has no
 * reactor, so the waiting goes through io_bridge.h, a lab-07 loop on a thread of its own
 * that wakes a task when its connection is ready (tokio's I/O driver, in small).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "asl/todo.h"
#include "capstone.h"
#include "fut.h"
#include "io_bridge.h"

struct futmt_req {
	fut_t base;
	struct cap_job *job;
	int i;
	int len, off; /* -1 until the request started (its line taken) */
	char line[CAP_LINE_MAX];
	struct cap_reply reply;
	struct io_bridge *bridge;
	struct io_bridge_wait wait;
};

/* End the request with rc: record an error, report READY. */
__attribute__((unused)) static enum fut_poll futmt_req_end(struct futmt_req *q, int rc,
							   intptr_t *out)
{
	if (rc < 0) {
		int none = 0;
		atomic_compare_exchange_strong(&q->job->error, &none, rc);
	}
	*out = rc;
	return FUT_READY;
}

/* The request's poll, on any worker: non-blocking write and read tried directly; EAGAIN
 * parks the task on the bridge; the computation runs right here, on this worker. */
__attribute__((unused)) static enum fut_poll futmt_req_poll(fut_t *self, fut_ctx_t *cx,
							    intptr_t *out)
{
	/* TODO step 8: Poll is the whole request and may run on any worker.  I/O kinds: take
	 * the line on the first poll; write the rest of it, then read what is there into
	 * q->reply, with plain write/read on the non-blocking connection; EAGAIN means:
	 * io_bridge_wait for LOOP_WRITE or LOOP_READ and return FUT_PENDING (the bridge wakes
	 * the task, and the next poll tries again).  A complete reply (or CAP_CPU at once):
	 * cap_finish here, on this worker, and end.  0 bytes or an error: end with the error.
	 * Checked by: futmt::*
	 */
	LAB_UNUSED(self, cx, out); LAB_TODO_ABORT(8);
}

static void futmt_req_drop(fut_t *self)
{
	(void)self; /* the memory is the adapter's array */
}

/* used by model_futmt_run, the student's */
__attribute__((unused)) static const struct fut_vtable futmt_req_vtable = {
	.poll = futmt_req_poll, .drop = futmt_req_drop
};

int model_futmt_run(struct cap_job *job)
{
	/* TODO step 8: Start an io_bridge (I/O kinds), create an executor with job->threads
	 * workers, spawn one futmt_req per request (vtable futmt_req_vtable, off = -1, the
	 * bridge), exec_mt_run until all finished, stop the bridge (its thread may still be
	 * finishing a wake into the executor), then destroy the executor, free, and return the
	 * first error.
	 * Checked by: futmt::*
	 */
	LAB_UNUSED(job); return LAB_TODO(8);
}
