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
	/* BEGIN STEP 3: One request on a pool worker: blocking I/O (I/O kinds), then cap_finish.
	 * A pool job returns nothing: record an I/O error (or a status other than 0) in
	 * job->error, keeping the first one (atomic_compare_exchange_strong from 0).
	 * Checked by: pool::*
	 * stub: LAB_UNUSED(arg, status); LAB_TODO_ABORT(3);
	 */
	struct pool_req *p = arg;
	struct cap_reply r;
	int rc = status;
	if (rc == 0 && cap_has_io(p->job))
		rc = cap_request_blocking(p->job, p->i, &r);
	if (rc == 0)
		rc = cap_finish(p->job, p->i, cap_has_io(p->job) ? &r : NULL);
	if (rc < 0) {
		int none = 0;
		atomic_compare_exchange_strong(&p->job->error, &none, rc);
	}
	/* END STEP 3 */
}

int model_pool_run(struct cap_job *job)
{
	/* BEGIN STEP 3: Create a pool of job->threads workers (a queue that holds every request,
	 * so submitting never blocks), submit one pool_req_job per request, then drain it:
	 * pool_shutdown(POOL_DRAIN) returns once every job ran and every worker is joined.
	 * Return the first error (pool_create's, pool_submit's, or job->error), else 0.
	 * Checked by: pool::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(3);
	 */
	struct pool *pool;
	struct pool_req *reqs = calloc((size_t)job->n + 1, sizeof *reqs);
	if (!reqs)
		return -ENOMEM;
	int rc = pool_create(&pool, job->threads, (size_t)job->n + 1);
	if (rc < 0) {
		free(reqs);
		return rc;
	}
	for (int i = 0; rc == 0 && i < job->n; i++) {
		reqs[i] = (struct pool_req){ job, i };
		rc = pool_submit(pool, pool_req_job, &reqs[i]);
	}
	pool_shutdown(pool, POOL_DRAIN);
	free(reqs);
	return rc < 0 ? rc : atomic_load(&job->error);
	/* END STEP 3 */
}
