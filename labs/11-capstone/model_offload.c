/*
 * model_offload.c - waiting on the loop, computing on a pool: what tokio calls spawn_blocking.
 *
 * The I/O is the loop model's (model_loop.h).  Only the done hook differs: instead of
 * computing on the loop's thread, it hands the computation to a lab-05 pool and keeps the loop
 * alive (loop_ref) until the pool posts the completion back (loop_post, the loop's one
 * thread-safe entry).  The loop stays free to serve the other requests while the pool's
 * threads compute side by side on the cores.
 */
#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "callbacks.h"
#include "model_loop.h"

struct offload {
	loop_t *loop;
	struct pool *pool;
};

/* On the loop's thread: the pool finished request q; the loop may end once all have. */
__attribute__((unused)) static void offload_done_cb(loop_post_t *req)
{
	/* TODO step 6: Back on the loop's thread: this completion no longer keeps the loop
	 * alive (undo the loop_ref of offload_submit).
	 * Checked by: offload::*
	 */
	LAB_UNUSED(req); LAB_TODO_ABORT(6);
}

/* On a pool worker: compute request q, then post the completion back to the loop. */
__attribute__((unused)) static void offload_job(void *arg, int status)
{
	/* TODO step 6: The computation itself (cap_finish), on the worker; then loop_post
	 * offload_done_cb with q->post so the loop learns it is finished.  status is always 0
	 * here (the pool is drained, never cancelled).
	 * Checked by: offload::*
	 */
	LAB_UNUSED(arg, status); LAB_TODO_ABORT(6);
}

/* The offload model's done hook, on the loop's thread: spawn_blocking(compute q). */
__attribute__((unused)) static void offload_submit(struct loop_req *q)
{
	/* TODO step 6: Keep the loop alive (loop_ref) while the pool has q, and submit
	 * offload_job without ever blocking the loop (the queue has room for every request;
	 * use pool_try_submit).  If the pool refuses, undo the ref and fail the request.
	 * Checked by: offload::*
	 */
	LAB_UNUSED(q); LAB_TODO_ABORT(6);
}

int model_offload_run(struct cap_job *job)
{
	/* TODO step 6: A loop, a pool of job->threads workers whose queue holds every request,
	 * and the loop model's requests with offload_submit as the done hook.  loop_run until
	 * nothing is left (every request answered AND posted back), then drain the pool, destroy
	 * the loop, free, and return the first error.
	 * Checked by: offload::*
	 */
	LAB_UNUSED(job); return LAB_TODO(6);
}
