/*
 * demo_blocking_lock.c - the notes' pitfall: holding a blocking lock across an await.
 *
 * Three tasks on ONE single-threaded executor:
 *   holder:  takes the lock, then awaits a 50 ms sleep while holding it, then unlocks;
 *   waiter:  asks for the same lock;
 *   ticker:  counts how often it gets to run, every 5 ms.
 * Round 1 uses a pthread mutex.  The waiter calls pthread_mutex_lock from inside its poll:
 * the executor thread blocks in the kernel.  The holder can never be polled again to unlock,
 * and the ticker stops: the whole executor is stuck.  (To end the demo the waiter uses a
 * 300 ms pthread_mutex_timedlock; a plain lock would hang forever.)
 * Round 2 uses the async mutex: the waiter returns PENDING, the executor keeps running the
 * ticker, the holder's sleep ends, it unlocks, and the lock is handed to the waiter.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "asl/util.h"
#include "fut.h"

#define USAGE                                                                    \
	"demo_blocking_lock\n  A pthread mutex held across an await stalls the " \
	"executor; the async mutex does not"

static uint64_t t0;
static int ticks;
static bool finished;

static double ms(void)
{
	return (double)(asl_now_ns() - t0) / 1e6;
}

struct demo {
	exec_t *ex;
	bool async;
	pthread_mutex_t pm;
	amutex_t *am;
};

struct holder {
	fut_t base;
	struct demo *d;
	fut_t *child; /* the lock, then the sleep */
	int state;
};

static enum fut_poll holder_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct holder *h = (struct holder *)self;
	intptr_t v;
	if (h->state == 0) {
		if (h->d->async) {
			if (!h->child)
				h->child = amutex_lock(h->d->am);
			if (fut_poll(h->child, cx, &v) == FUT_PENDING)
				return FUT_PENDING;
			fut_drop(h->child);
		} else {
			pthread_mutex_lock(&h->d->pm);
		}
		printf("%7.1f ms  holder: got the lock; awaits a 50 ms sleep while holding it\n",
		       ms());
		h->child = reactor_sleep(h->d->ex, 50);
		h->state = 1;
	}
	if (fut_poll(h->child, cx, &v) == FUT_PENDING)
		return FUT_PENDING;
	fut_drop(h->child);
	h->child = NULL;
	printf("%7.1f ms  holder: polled again after its sleep; unlocks\n", ms());
	if (h->d->async)
		amutex_unlock(h->d->am);
	else
		pthread_mutex_unlock(&h->d->pm);
	*out = 0;
	return FUT_READY;
}

struct waiter {
	fut_t base;
	struct demo *d;
	fut_t *lock;
};

static enum fut_poll waiter_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct waiter *w = (struct waiter *)self;
	intptr_t v;
	if (w->d->async) {
		if (!w->lock) {
			printf("%7.1f ms  waiter: asks for the async mutex\n", ms());
			w->lock = amutex_lock(w->d->am);
		}
		if (fut_poll(w->lock, cx, &v) == FUT_PENDING)
			return FUT_PENDING; /* the thread is free for other tasks */
		printf("%7.1f ms  waiter: got the lock (ticks so far: %d)\n", ms(), ticks);
		amutex_unlock(w->d->am);
	} else {
		printf("%7.1f ms  waiter: pthread_mutex_lock - blocks the executor's thread\n",
		       ms());
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 300 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		int rc = pthread_mutex_timedlock(&w->d->pm, &until);
		printf("%7.1f ms  waiter: %s after 300 ms with the whole executor stuck (ticks so "
		       "far: %d)\n",
		       ms(), rc == ETIMEDOUT ? "gave up" : "got it", ticks);
		if (rc == 0)
			pthread_mutex_unlock(&w->d->pm);
	}
	*out = 0;
	return FUT_READY;
}

struct ticker {
	fut_t base;
	struct demo *d;
	fut_t *sleep;
};

static enum fut_poll ticker_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct ticker *t = (struct ticker *)self;
	intptr_t v;
	while (!finished) {
		if (!t->sleep)
			t->sleep = reactor_sleep(t->d->ex, 5);
		if (fut_poll(t->sleep, cx, &v) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(t->sleep);
		t->sleep = NULL;
		ticks++;
	}
	*out = 0;
	return FUT_READY;
}

static void holder_drop(fut_t *self)
{
	fut_drop(((struct holder *)self)->child);
	free(self);
}

static void waiter_drop(fut_t *self)
{
	fut_drop(((struct waiter *)self)->lock);
	free(self);
}

static void ticker_drop(fut_t *self)
{
	fut_drop(((struct ticker *)self)->sleep);
	free(self);
}

static const struct fut_vtable holder_vt = { holder_poll, holder_drop };
static const struct fut_vtable waiter_vt = { waiter_poll, waiter_drop };
static const struct fut_vtable ticker_vt = { ticker_poll, ticker_drop };

static void round_run(bool async)
{
	struct demo d = { .async = async };
	int rc;
	if ((rc = exec_create(&d.ex)) < 0)
		asl_die(-rc, "exec_create");
	pthread_mutex_init(&d.pm, NULL);
	if ((rc = amutex_create(&d.am)) < 0)
		asl_die(-rc, "amutex_create");
	struct holder *h = calloc(1, sizeof *h);
	struct waiter *w = calloc(1, sizeof *w);
	struct ticker *t = calloc(1, sizeof *t);
	if (!h || !w || !t)
		asl_die(ENOMEM, "calloc");
	h->base.vt = &holder_vt;
	h->d = &d;
	w->base.vt = &waiter_vt;
	w->d = &d;
	t->base.vt = &ticker_vt;
	t->d = &d;
	ticks = 0;
	finished = false;
	t0 = asl_now_ns();
	fut_t *jh, *jw;
	exec_spawn(d.ex, &t->base, NULL);
	exec_spawn(d.ex, &h->base, &jh);
	exec_spawn(d.ex, &w->base, &jw);
	intptr_t v;
	fut_t *both[2] = { jh, jw };
	intptr_t outs[2];
	exec_block_on(d.ex, combine_join_all(both, 2, outs), &v);
	finished = true;
	exec_run(d.ex);
	printf("%7.1f ms  both done; the 5 ms ticker ran %d times\n\n", ms(), ticks);
	exec_destroy(d.ex);
	amutex_destroy(d.am);
	pthread_mutex_destroy(&d.pm);
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, USAGE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("Round 1: a pthread mutex held across an await\n");
	round_run(false);
	printf("Round 2: the async mutex\n");
	round_run(true);
	return 0;
}
