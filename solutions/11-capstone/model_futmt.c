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
	/* BEGIN STEP 8: Poll is the whole request and may run on any worker.  I/O kinds: take
	 * the line on the first poll; write the rest of it, then read what is there into
	 * q->reply, with plain write/read on the non-blocking connection; EAGAIN means:
	 * io_bridge_wait for LOOP_WRITE or LOOP_READ and return FUT_PENDING (the bridge wakes
	 * the task, and the next poll tries again).  A complete reply (or CAP_CPU at once):
	 * cap_finish here, on this worker, and end.  0 bytes or an error: end with the error.
	 * Checked by: futmt::*
	 * stub: LAB_UNUSED(self, cx, out); LAB_TODO_ABORT(8);
	 */
	struct futmt_req *q = (struct futmt_req *)self;
	struct cap_job *job = q->job;
	if (cap_has_io(job)) {
		int fd = job->fds[q->i];
		if (q->off < 0) {
			q->len = cap_line(job, q->i, q->line);
			q->off = 0;
		}
		while (q->off < q->len) {
			ssize_t w = write(fd, q->line + q->off, (size_t)(q->len - q->off));
			if (w < 0 && errno == EAGAIN) {
				io_bridge_wait(q->bridge, &q->wait, fd, LOOP_WRITE, cx);
				return FUT_PENDING;
			}
			if (w < 0 && errno != EINTR)
				return futmt_req_end(q, -errno, out);
			q->off += w > 0 ? (int)w : 0;
		}
		for (;;) {
			char buf[CAP_LINE_MAX];
			ssize_t got = read(fd, buf, sizeof buf - q->reply.len);
			if (got < 0 && errno == EAGAIN) {
				io_bridge_wait(q->bridge, &q->wait, fd, LOOP_READ, cx);
				return FUT_PENDING;
			}
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return futmt_req_end(q, -errno, out);
			int rc = cap_reply_add(&q->reply, buf, (size_t)got);
			if (rc < 0)
				return futmt_req_end(q, rc, out);
			if (rc == 1)
				break;
		}
	}
	int rc = cap_finish(job, q->i, cap_has_io(job) ? &q->reply : NULL);
	return futmt_req_end(q, rc, out);
	/* END STEP 8 */
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
	/* BEGIN STEP 8: Start an io_bridge (I/O kinds), create an executor with job->threads
	 * workers, spawn one futmt_req per request (vtable futmt_req_vtable, off = -1, the
	 * bridge), exec_mt_run until all finished, stop the bridge (its thread may still be
	 * finishing a wake into the executor), then destroy the executor, free, and return the
	 * first error.
	 * Checked by: futmt::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(8);
	 */
	struct io_bridge bridge;
	int rc = cap_has_io(job) ? io_bridge_start(&bridge) : 0;
	if (rc < 0)
		return rc;
	exec_mt_t *ex = NULL;
	struct futmt_req *reqs = calloc((size_t)job->n + 1, sizeof *reqs);
	rc = reqs ? exec_mt_create(&ex, job->threads) : -ENOMEM;
	for (int i = 0; rc == 0 && i < job->n; i++) {
		reqs[i] = (struct futmt_req){ .base.vt = &futmt_req_vtable,
					      .job = job,
					      .i = i,
					      .off = -1,
					      .bridge = &bridge };
		rc = exec_mt_spawn(ex, &reqs[i].base, NULL);
	}
	if (ex) {
		int run = exec_mt_run(ex);
		if (rc == 0)
			rc = run;
	}
	/* the bridge first: its thread may still be inside the waker_wake that let the last
	 * task finish, touching the executor; joining it ends that before the executor goes */
	if (cap_has_io(job))
		io_bridge_stop(&bridge);
	if (ex)
		exec_mt_destroy(ex);
	free(reqs);
	return rc < 0 ? rc : atomic_load(&job->error);
	/* END STEP 8 */
}
