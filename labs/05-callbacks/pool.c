/*
 * pool.c - steps 1-3: a fixed set of worker threads fed by a bounded queue.
 *
 * Step 1 is the workers' side (start them, take jobs, stop and join them), step 2 the
 * producers' side (the bounded queue and its backpressure), step 3 the immediate shutdown.
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
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
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

/* Take the next job into *job, sleeping while the queue is empty and the pool runs.  false
 * when the worker must exit: at once for POOL_CANCEL, once the queue is empty for POOL_DRAIN. */
__attribute__((unused)) static bool pool_take(struct pool *p, struct pool_job *job)
{
	/* TODO step 1: Worker threads: a worker takes the next job.
	 * Under the lock: wait on not_empty while the queue is empty and the pool is running; take
	 * the oldest job unless the pool is cancelling (those jobs are pool_shutdown's), and signal
	 * not_full for a submitter blocked on a full queue (step 2).
	 * Checked by: pool::create_starts_workers_and_shutdown_joins_them (idle workers must
	 * sleep, not exit); with step 2: pool::runs_every_job_once_on_pool_threads
	 */
	LAB_UNUSED(p, job); LAB_TODO_ABORT(1);
}

/* The thread function of every worker (arg: the pool). */
__attribute__((unused)) static void *pool_worker(void *arg)
{
	/* TODO step 1: Worker threads: the worker loop.
	 * Take jobs and run each outside the lock with status 0, until pool_take says the pool
	 * stops.
	 * Checked by: pool::create_starts_workers_and_shutdown_joins_them
	 */
	LAB_UNUSED(arg); LAB_TODO_ABORT(1);
}

int pool_create(struct pool **out, int nthreads, size_t queue_cap)
{
	/* TODO step 1: Allocate the pool and its ring, initialise the lock and conditions and
	 * start nthreads workers.  On any failure undo everything (stop and join the workers
	 * already started) and return -errno.
	 * Checked by: pool::create_rejects_bad_sizes,
	 * pool::create_starts_workers_and_shutdown_joins_them
	 */
	LAB_UNUSED(out, nthreads, queue_cap); return LAB_TODO(1);
}

/* Queue a job (both submit flavours): block for a free slot, or -EAGAIN when full (try
 * mode); -ESHUTDOWN once the pool is stopping, even for a submitter that was asleep. */
__attribute__((unused)) static int pool_enqueue(struct pool *p, pool_job_fn fn, void *arg,
						bool block)
{
	/* TODO step 2: The bounded queue: queue a job (both submit flavours).
	 * Under the lock: -EINVAL without p or fn; in blocking mode wait on not_full while the ring
	 * is full and the pool runs; then append the job and wake one worker.
	 * Checked by: pool::runs_every_job_once_on_pool_threads,
	 * pool::try_submit_says_eagain_when_full, pool::submit_blocks_while_full,
	 * shutdown::submit_during_shutdown_is_refused, shutdown::shutdown_wakes_a_blocked_submitter
	 */
	LAB_UNUSED(p, fn, arg, block); return LAB_TODO(2);
}

int pool_submit(struct pool *p, pool_job_fn fn, void *arg)
{
	/* TODO step 2: Blocking submit (backpressure).
	 * Checked by: pool::runs_every_job_once_on_pool_threads, pool::submit_blocks_while_full
	 */
	LAB_UNUSED(p, fn, arg); return LAB_TODO(2);
}

int pool_try_submit(struct pool *p, pool_job_fn fn, void *arg)
{
	/* TODO step 2: Non-blocking submit: -EAGAIN when full.  Checked by: pool::try_*
	 */
	LAB_UNUSED(p, fn, arg); return LAB_TODO(2);
}

size_t pool_queued(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	size_t n = p->count;
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* Step 3: with POOL_CANCEL, complete every job still queued with -ECANCELED on the calling
 * thread; returns how many.  POOL_DRAIN leaves the queue to the workers (0). */
static __attribute__((unused)) int pool_cancel_queued(struct pool *p, enum pool_stop how)
{
	/* TODO step 3: For POOL_CANCEL pop each job still queued and call it with -ECANCELED
	 * here, on the caller's thread, outside the lock; return how many.  POOL_DRAIN: 0.
	 * pool_shutdown calls this BEFORE joining (a running job may be waiting for it).
	 * Checked by: shutdown::*
	 */
	LAB_UNUSED(p); return how == POOL_CANCEL ? LAB_TODO(3) : 0;
}

int pool_shutdown(struct pool *p, enum pool_stop how)
{
	/* TODO step 1: Stop the pool.  Set the state and wake everyone (workers and blocked
	 * submitters); have pool_cancel_queued (step 3) complete what is still queued; then
	 * join every worker, free everything and return the number cancelled.
	 * Checked by: pool::create_starts_workers_and_shutdown_joins_them; with step 2:
	 * shutdown::drain_runs_every_accepted_job, shutdown::shutdown_wakes_a_blocked_submitter
	 */
	LAB_UNUSED(p, how); return LAB_TODO(1);
}
