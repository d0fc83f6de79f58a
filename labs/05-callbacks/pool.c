/*
 * pool.c - steps 1 and 2: a fixed set of worker threads fed by a bounded queue.
 *
 * The pool decouples *work* (jobs) from *workers* (threads): a thousand jobs need not mean a
 * thousand threads.  The queue is a ring buffer of `cap` slots protected by one mutex; two
 * condition variables say "a job is waiting" (workers sleep on it) and "a slot is free"
 * (blocked submitters sleep on it).  Bounding the queue is what gives backpressure: when the
 * workers fall behind, pool_submit makes the producer wait instead of letting memory grow.
 *
 * Lock invariant: `mu` protects ring[], head, count and state.  Jobs always run *outside*
 * the lock, so a slow job never stops others from being queued or taken.
 */
#include "callbacks.h"

#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"

struct pool_job {
	pool_job_fn fn;
	void *arg;
};

enum pool_state { POOL_RUNNING, POOL_DRAINING, POOL_CANCELLING };

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t not_empty; /* count > 0 or state != RUNNING */
	pthread_cond_t not_full;  /* count < cap or state != RUNNING */
	struct pool_job *ring;
	size_t cap, head, count;
	enum pool_state state;
	pthread_t *threads;
	int nthreads;
};

/* TODO step 1: The worker loop: take the next job (sleeping while the queue is empty), run
 * it outside the lock with status 0, and exit when the pool stops: at once for POOL_CANCEL,
 * only once the queue is empty for POOL_DRAIN.  Checked by: pool::*
 */

int pool_create(struct pool **out, int nthreads, size_t queue_cap)
{
	/* TODO step 1: Allocate the pool and its ring, initialise the lock and conditions and
	 * start nthreads workers.  On any failure undo everything (stop and join the workers
	 * already started) and return -errno.  Checked by: pool::*
	 */
	(void)out; (void)nthreads; (void)queue_cap; return LAB_TODO(1);
}

/* TODO step 1: Queue a job under the lock: wait for a free slot (blocking mode) or report
 * -EAGAIN (try mode); -ESHUTDOWN once the pool is stopping, even for a submitter that was
 * asleep.  Wake one worker.  Checked by: pool::*
 */

int pool_submit(struct pool *p, pool_job_fn fn, void *arg)
{
	/* TODO step 1: Blocking submit (backpressure).  Checked by: pool::*
	 */
	(void)p; (void)fn; (void)arg; return LAB_TODO(1);
}

int pool_try_submit(struct pool *p, pool_job_fn fn, void *arg)
{
	/* TODO step 1: Non-blocking submit: -EAGAIN when full.  Checked by: pool::try_*
	 */
	(void)p; (void)fn; (void)arg; return LAB_TODO(1);
}

size_t pool_queued(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	size_t n = p->count;
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* Step 2: with POOL_CANCEL, complete every job still queued with -ECANCELED on the calling
 * thread; returns how many.  POOL_DRAIN leaves the queue to the workers (0). */
static int pool_cancel_queued(struct pool *p, enum pool_stop how)
{
	/* TODO step 2: For POOL_CANCEL pop each job still queued and call it with -ECANCELED
	 * here, on the caller's thread, outside the lock; return how many.  POOL_DRAIN: 0.
	 * pool_shutdown calls this BEFORE joining (a running job may be waiting for it).
	 * Checked by: shutdown::*
	 */
	(void)p; return how == POOL_CANCEL ? LAB_TODO(2) : 0;
}

int pool_shutdown(struct pool *p, enum pool_stop how)
{
	/* TODO step 1: Stop the pool.  Set the state and wake everyone (workers and blocked
	 * submitters); have pool_cancel_queued (step 2) complete what is still queued; then
	 * join every worker, free everything and return the number cancelled.
	 * Checked by: pool::*, shutdown::drain_*, shutdown::shutdown_wakes_a_blocked_submitter
	 */
	(void)p; (void)how; (void)pool_cancel_queued; return LAB_TODO(1);
}
