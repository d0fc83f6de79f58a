/*
 * blocking.c - blocking or CPU-heavy work in async code: run it on lab 05's thread pool and
 * await its result as a future.
 *
 * A task must never block or compute for long inside poll: every other task on that executor
 * thread waits meanwhile (async gives concurrency, not parallelism).  So the work goes to a
 * pool thread, and the future only waits: the pool thread stores the result and wakes the
 * task - a wake from another thread, which reaches an idle executor through its eventfd.
 *
 * The future and the pool job share a small block with two references: whoever finishes
 * last frees it, so dropping the future early (cancellation) is safe while the job still runs.
 */
#include "fut_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "callbacks.h"

struct blocking_shared {
	pthread_mutex_t lock; /* guards done, result, waker */
	_Atomic int refs;
	bool done;
	intptr_t result;
	fut_waker_t waker;
	blocking_fn fn;
	void *arg;
};

struct blocking_fut {
	fut_t base;
	struct pool *pool;
	struct blocking_shared *sh;
	bool submitted;
};

static void shared_release(struct blocking_shared *sh)
{
	if (atomic_fetch_sub(&sh->refs, 1) == 1) {
		waker_drop(&sh->waker);
		pthread_mutex_destroy(&sh->lock);
		free(sh);
	}
}

/* On a pool thread (status 0), or on the thread that cancelled the pool (-ECANCELED). */
static __attribute__((unused)) void blocking_job(void *arg, int status)
{
	struct blocking_shared *sh = arg;
	/* TODO step 11: Run fn (unless the pool cancelled the job: then the result is
	 * `status`), publish the result under sh->lock (done, result), take the waker out and
	 * wake it after unlocking, and release the job's reference.
	 * Checked by: blocking::*
	 */
	LAB_UNUSED(sh, status); LAB_TODO_ABORT(11);
}

static enum fut_poll blocking_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct blocking_fut *f = (struct blocking_fut *)self;
	struct blocking_shared *sh = f->sh;
	/* TODO step 11: First poll (lazy): submit the job with pool_try_submit - never
	 * pool_submit, which blocks the executor thread while the pool's queue is full:
	 * -EAGAIN -> wake ourselves and return pending (try again on the next round); another
	 * error -> the result.  Then, under sh->lock (the job may finish this very moment):
	 * done -> its result; else keep the current waker in sh->waker and return pending.
	 * Checked by: blocking::*
	 */
	LAB_UNUSED(f, sh, cx, out); LAB_TODO_ABORT(11);
}

static void blocking_drop(fut_t *self)
{
	struct blocking_fut *f = (struct blocking_fut *)self;
	if (!f->submitted)
		atomic_fetch_sub(&f->sh->refs, 1); /* the job's reference was never used */
	shared_release(f->sh);
	free(f);
}

static const struct fut_vtable blocking_vtable = { .poll = blocking_poll, .drop = blocking_drop };

fut_t *blocking_spawn(struct pool *pool, blocking_fn fn, void *arg)
{
	struct blocking_fut *f = calloc(1, sizeof *f);
	struct blocking_shared *sh = calloc(1, sizeof *sh);
	if (!f || !sh) {
		free(f);
		free(sh);
		return NULL;
	}
	pthread_mutex_init(&sh->lock, NULL);
	atomic_init(&sh->refs, 2); /* the future's and the job's */
	sh->fn = fn;
	sh->arg = arg;
	*f = (struct blocking_fut){ { &blocking_vtable }, pool, sh, false };
	return &f->base;
}
