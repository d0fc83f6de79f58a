/*
 * pool.h - steps 1-3: a fixed set of worker threads fed by a bounded queue of jobs.
 *
 * Conventions (every header of this lab): functions return 0 (or a count) on success and
 * -errno on failure; none prints.
 */
#ifndef LAB05_POOL_H
#define LAB05_POOL_H

#include <stddef.h>

struct pool;

/* A job.  Called exactly once: with status 0 on a pool thread when it runs, or with status
 * -ECANCELED on the thread calling pool_shutdown(POOL_CANCEL) when it never got to run. */
typedef void (*pool_job_fn)(void *arg, int status);

/* Step 1.  Start `nthreads` (1..1024) workers sharing a queue of at most `queue_cap` (>= 1)
 * jobs.  -EINVAL on bad sizes, -ENOMEM, or the pthread_create error (nothing is leaked). */
int pool_create(struct pool **out, int nthreads, size_t queue_cap);

/* Step 2.  Queue a job, BLOCKING while the queue is full (backpressure: a fast producer is
 * slowed to the speed of the workers instead of growing an unbounded queue).  -ESHUTDOWN once
 * shutdown has begun (also for a submitter that was blocked).  A job that calls pool_submit
 * may deadlock when every worker does so on a full queue: prefer pool_try_submit there. */
int pool_submit(struct pool *p, pool_job_fn fn, void *arg);

/* Step 2.  Queue a job only if there is room: -EAGAIN when full (the caller decides: shed
 * load, retry later), -ESHUTDOWN once shutdown has begun.  Never blocks on a full queue. */
int pool_try_submit(struct pool *p, pool_job_fn fn, void *arg);

/* Jobs waiting in the queue right now (not counting running ones). */
size_t pool_queued(struct pool *p);

enum pool_stop {
	POOL_DRAIN,  /* graceful: every accepted job runs, then the workers exit */
	POOL_CANCEL, /* immediate: jobs not yet started are called with -ECANCELED */
};

/* Steps 1 (POOL_DRAIN) and 3 (POOL_CANCEL).  Stop the pool, join every worker and free it.
 * Returns the number of jobs that were cancelled (always 0 for POOL_DRAIN).  With POOL_CANCEL the
 * pending jobs are cancelled on the calling thread *before* the running ones are waited for.  The
 * caller must ensure that no thread outside the pool calls pool_submit concurrently or afterwards;
 * jobs running on the pool may call it and get -ESHUTDOWN.  Must not be called from a pool
 * thread. */
int pool_shutdown(struct pool *p, enum pool_stop how);

#endif
