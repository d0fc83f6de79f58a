/*
 * model_pool.c - a fixed pool of job->threads workers (lab 05) runs the requests.
 *
 * The threads are bounded, so the memory is; but a worker that waits is a worker that does
 * nothing else, so at most `threads` requests are ever in flight: n requests that each wait
 * L ms take about n / threads x L.  That is the pool's trade, and the I/O figure shows it.
 */
#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "callbacks.h"
#include "capstone.h"

struct pool_req {
	struct cap_job *job;
	int i;
};

/* A pool job: one request with blocking calls on a worker thread.  Errors are recorded in
 * job->error by cap_finish, or here for an I/O error (the pool has no way to return one). */
__attribute__((unused)) static void pool_req_job(void *arg, int status)
{
	/* TODO step 3: One request on a pool worker: blocking I/O (I/O kinds), then cap_finish.
	 * A pool job returns nothing: record an I/O error (or a status other than 0) in
	 * job->error, keeping the first one (atomic_compare_exchange_strong from 0).
	 * Checked by: pool::*
	 */
	LAB_UNUSED(arg, status); LAB_TODO_ABORT(3);
}

int model_pool_run(struct cap_job *job)
{
	/* TODO step 3: Create a pool of job->threads workers (a queue that holds every request,
	 * so submitting never blocks), submit one pool_req_job per request, then drain it:
	 * pool_shutdown(POOL_DRAIN) returns once every job ran and every worker is joined.
	 * Return the first error (pool_create's, pool_submit's, or job->error), else 0.
	 * Checked by: pool::*
	 */
	LAB_UNUSED(job); return LAB_TODO(3);
}
