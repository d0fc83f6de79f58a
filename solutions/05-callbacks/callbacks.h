/*
 * callbacks.h - lab 05: don't call us, we'll call you.
 *
 * Threads are workers; asynchronous operations are tasks.  This lab separates the two:
 *   - a fixed-size thread pool runs work from a bounded queue (steps 1-2);
 *   - a completion queue delivers each operation's callback on the thread that owns the
 *     queue, never on the pool thread that did the work (step 3);
 *   - a cancellation token completes pending work with -ECANCELED exactly once (step 4);
 *   - combinators build bigger operations from small ones without nesting callbacks:
 *     timeout (step 5), sequence and fan-out (step 6), retry with backoff (step 7).
 * A timer service (timers.c) and the waiter workloads (waiters.c) are provided.
 *
 * Conventions: functions return 0 (or a count) on success and -errno on failure; none prints.
 * An operation-starting function that returns 0 promises exactly one call of its callback, on
 * the completion queue's owner thread; one that returns < 0 never calls it.
 */
#ifndef LAB05_CALLBACKS_H
#define LAB05_CALLBACKS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ thread pool (1-2) */

struct pool;

/* A job.  Called exactly once: with status 0 on a pool thread when it runs, or with status
 * -ECANCELED on the thread calling pool_shutdown(POOL_CANCEL) when it never got to run. */
typedef void (*pool_job_fn)(void *arg, int status);

/* Step 1.  Start `nthreads` (1..1024) workers sharing a queue of at most `queue_cap` (>= 1)
 * jobs.  -EINVAL on bad sizes, -ENOMEM, or the pthread_create error (nothing is leaked). */
int pool_create(struct pool **out, int nthreads, size_t queue_cap);

/* Step 1.  Queue a job, BLOCKING while the queue is full (backpressure: a fast producer is
 * slowed to the speed of the workers instead of growing an unbounded queue).  -ESHUTDOWN once
 * shutdown has begun (also for a submitter that was blocked).  A job that calls pool_submit
 * may deadlock when every worker does so on a full queue: prefer pool_try_submit there. */
int pool_submit(struct pool *p, pool_job_fn fn, void *arg);

/* Step 1.  Queue a job only if there is room: -EAGAIN when full (the caller decides: shed
 * load, retry later), -ESHUTDOWN once shutdown has begun.  Never blocks on a full queue. */
int pool_try_submit(struct pool *p, pool_job_fn fn, void *arg);

/* Jobs waiting in the queue right now (not counting running ones). */
size_t pool_queued(struct pool *p);

enum pool_stop {
	POOL_DRAIN,  /* graceful: every accepted job runs, then the workers exit */
	POOL_CANCEL, /* immediate: jobs not yet started are called with -ECANCELED */
};

/* Steps 1 (POOL_DRAIN) and 2 (POOL_CANCEL).  Stop the pool, join every worker and free it.
 * Returns the number of jobs that were cancelled (always 0 for POOL_DRAIN).  With POOL_CANCEL the
 * pending jobs are cancelled on the calling thread *before* the running ones are waited for.  The
 * caller must ensure that no thread outside the pool calls pool_submit concurrently or afterwards;
 * jobs running on the pool may call it and get -ESHUTDOWN.  Must not be called from a pool
 * thread. */
int pool_shutdown(struct pool *p, enum pool_stop how);

/* ------------------------------------------------------------- completion queue (3) */

/* A completion waiting for delivery; embedded in the operation that owns it. */
struct cq_item {
	struct cq_item *next;
	void (*fn)(struct cq_item *it); /* runs on the owner thread, from cq_drain */
};

struct cq;

/* Step 3.  A completion queue owned by the calling thread: only that thread may drain it.
 * Its eventfd (cq_fd) is readable whenever completions may be waiting. */
int cq_create(struct cq **out);
/* The eventfd to poll for POLLIN (a spurious wake-up is possible: drain may run nothing). */
int cq_fd(const struct cq *q);
/* Step 3.  Any thread: append `it` and wake the owner.  `it` must stay valid until it ran. */
void cq_post(struct cq *q, struct cq_item *it);
/* Step 3.  Owner thread only: run every completion posted so far, in posting order.
 * Returns how many ran, or -EPERM on another thread. */
int cq_drain(struct cq *q);
/* Step 3.  Owner thread only: wait up to timeout_ms (-1: forever) until at least one
 * completion ran.  Returns how many ran, -ETIMEDOUT, or -EPERM. */
int cq_wait(struct cq *q, int timeout_ms);
/* Free the queue; -EBUSY (and nothing freed) while completions are undelivered. */
int cq_destroy(struct cq *q);

/* -------------------------------------------------------------- timers (provided) */

struct timer {
	struct timer *next, *prev;
	uint64_t deadline_ns;
	void (*fn)(struct timer *tm); /* runs on the timer thread (or in timers_advance) */
	int armed;
};

struct timers;

/* A timer service.  Real mode (manual == false): one thread fires timers on the monotonic
 * clock.  Manual mode: no thread; time stands still until timers_advance(), which fires the
 * due timers on the calling thread - tests use it to check delays without sleeping. */
int timers_create(struct timers **out, bool manual);
/* Arm `tm` to call fn(tm) after delay_ns.  `tm` must stay valid until it fired or was
 * cancelled. */
void timers_start(struct timers *t, struct timer *tm, uint64_t delay_ns,
		  void (*fn)(struct timer *tm));
/* 0: disarmed before firing (fn will not run); -EALREADY: fired or firing right now. */
int timers_stop(struct timers *t, struct timer *tm);
/* Manual mode: move time forward by ns, firing due timers in deadline order; returns count. */
int timers_advance(struct timers *t, uint64_t ns);
/* Time until the earliest armed timer; -ENOENT when none is armed. */
int timers_next(struct timers *t, uint64_t *delay_ns);
/* Stop the thread and free; -EBUSY (nothing freed) while timers are armed. */
int timers_destroy(struct timers *t);

/* ------------------------------------------------------- async operations (3-4) */

/* The work of an operation: runs on a pool thread.  `input` is operation-specific (the
 * previous result in a sequence, the attempt number in a retry).  Returns >= 0 or -errno. */
typedef int (*async_work_fn)(void *arg, int input);
/* The completion callback: runs on the completion queue's owner thread. */
typedef void (*async_cb)(void *ctx, int result);

/* Where operations run (pool), where their callbacks run (cq), and the clock (timers). */
struct async_env {
	struct pool *pool;
	struct cq *cq;
	struct timers *timers;
};

struct cancel_token;

/* Step 3.  Run work(arg, input) on env->pool; deliver cb(ctx, result) on env->cq.  With a
 * token (may be NULL), cancellation completes the operation with -ECANCELED instead, exactly
 * once, whether it wins or loses the race with the work (the work's late result is dropped;
 * work that has not started is skipped).  POOL_CANCEL shutdown also completes it with
 * -ECANCELED.  Blocks while the pool queue is full.  Errors: pool_submit's. */
int async_run(const struct async_env *env, async_work_fn work, void *arg, int input,
	      struct cancel_token *tok, async_cb cb, void *ctx);

/* ------------------------------------------------------------ cancellation (4) */

/* A registration: fn runs once if the token is cancelled while registered. */
struct cancel_token_reg {
	struct cancel_token_reg *next, *prev;
	/* called with the token's lock held: keep it short */
	void (*fn)(struct cancel_token_reg *r);
};

struct cancel_token {
	pthread_mutex_t mu;
	atomic_bool cancelled;
	struct cancel_token_reg head; /* circular list of registrations */
};

/* Step 4. */
int cancel_token_init(struct cancel_token *t);
/* Step 4.  Any thread, idempotent: mark cancelled and call every registration's fn once. */
void cancel_token_cancel(struct cancel_token *t);
/* Step 4.  A cheap check that cooperative work may poll. */
bool cancel_token_cancelled(struct cancel_token *t);
/* Step 4.  Register r: 0, or -ECANCELED (r not registered) when already cancelled. */
int cancel_token_register(struct cancel_token *t, struct cancel_token_reg *r);
/* Step 4.  Unregister r (no-op if cancel already removed it).  On return r->fn is neither
 * running nor going to run.  Must not be called from inside a registration's fn. */
void cancel_token_unregister(struct cancel_token *t, struct cancel_token_reg *r);
/* -EBUSY while registrations remain. */
int cancel_token_destroy(struct cancel_token *t);

/* ------------------------------------------------------------- combinators (5-7) */
/* All combinators must be called on env->cq's owner thread (typically from a callback). */

/* Step 5.  Run work with a deadline: exactly one of cb(ctx, result) and cb(ctx, -ETIMEDOUT)
 * happens; the loser of the race is suppressed and the work is cancelled on timeout.
 * Needs env->timers. */
int timeout_run(const struct async_env *env, async_work_fn work, void *arg, int input,
		  uint64_t timeout_ns, async_cb cb, void *ctx);

/* Step 6.  Run a(arg_a, input), then b(arg_b, a's result), then cb(ctx, b's result).  If a
 * fails (< 0), b is skipped and cb gets a's error. */
int combine_seq(const struct async_env *env, async_work_fn a, void *arg_a, async_work_fn b,
	      void *arg_b, int input, async_cb cb, void *ctx);

/* Called once when every branch of a fan-out finished; results[i] belongs to args[i] and is
 * valid only during the call. */
typedef void (*combine_join_cb)(void *ctx, const int *results, int n);

/* Step 6.  Run work(args[i], i) for i in 0..n-1 concurrently; one cb when all finished.
 * n == 0 completes at once.  A branch the pool refuses finishes with its error. */
int combine_fanout(const struct async_env *env, async_work_fn work, void *const *args, int n,
		 combine_join_cb cb, void *ctx);

/* Retry policy: attempt k+1 starts retry_backoff_ns(p, k, r) after attempt k failed. */
struct retry_policy {
	int max_attempts;               /* >= 1: the first try counts */
	uint64_t base_ns;               /* delay before the first retry, before jitter */
	uint64_t cap_ns;                /* no delay exceeds this */
	uint32_t (*rand)(void *state);  /* jitter source; NULL: no jitter */
	void *rand_state;
};

/* Step 7.  The delay before retry number `retry` (1 = after the first failure):
 * e = min(cap, base * 2^(retry-1)), then "equal jitter": e/2 + r * (e - e/2 + 1) / 2^32,
 * which lies in [e/2, e].  Pure: no clock, no sleeping. */
uint64_t retry_backoff_ns(const struct retry_policy *p, int retry, uint32_t r);

/* Step 7.  Run work(arg, attempt) (attempt = 1, 2, ...) until it returns >= 0, returns
 * -ECANCELED, or max_attempts were made; cb gets the last result.  Waits between attempts
 * on env->timers (jitter from p->rand, r = UINT32_MAX when p->rand is NULL).  -EINVAL on a
 * bad policy.  The policy is copied. */
int retry_run(const struct async_env *env, const struct retry_policy *p, async_work_fn work,
		void *arg, async_cb cb, void *ctx);

/* --------------------------------------------------- the waiter workloads (provided) */

struct waiters_result {
	double total_ms;  /* first request submitted -> last completion seen */
	int peak_threads; /* most threads seen in /proc/self/task during the run */
};

/* n requests that each wait ms milliseconds (simulated I/O: a sleep) ... */
/* ... one thread per request (the waiter who stands at the table); */
int waiters_thread_per_request(int n, int ms, struct waiters_result *r);
/* ... on a pool of `workers` threads, each request holding its worker while it waits; */
int waiters_pool(int n, int ms, int workers, struct waiters_result *r);
/* ... on a pool of `workers` that only take the order: a timer (the kitchen) completes it
 * after ms and the completion is delivered on the calling thread's completion queue. */
int waiters_kitchen(int n, int ms, int workers, struct waiters_result *r);
/* Threads in this process now (entries of /proc/self/task), -errno on error. */
int waiters_count_threads(void);

#endif
