/*
 * fut_test.h - what lab 10's suites share.
 *
 * - ft_exec()/ft_pool(): an executor / a lab-05 pool, after checking that the student's
 *   EARLIER lab works (lab 10 runs on their lab 07 loop and lab 05 pool): if not, the test
 *   fails with a message naming that lab, not a confusing lab-10 error.
 * - The probe: a future the test controls.  Its state (struct probe) belongs to the test and
 *   outlives the future, so the test can see how often it was polled and whether it was
 *   dropped.  probe_set_ready + probe_wake complete it from any thread.
 * - A recording scheduler (struct rec_sched) for the task tests that drive task_run by hand.
 */
#ifndef FUT_TEST_H
#define FUT_TEST_H

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "asl_test.h"
#include "callbacks.h"
#include "exec_internal.h"
#include "fut.h"
#include "fut_internal.h"
#include "loop.h"
#include "reactor_internal.h"

static inline void ft_need_lab07(void)
{
	loop_t *l = NULL;
	int rc = loop_create(&l, LOOP_BACKEND_EPOLL);
	cr_assert(rc == 0 && l,
		  "lab 10's reactor is YOUR event loop from lab 07 "
		  "(../07-event-loop): loop_create(EPOLL) returned %s - finish lab 07 first "
		  "(make -C ../07-event-loop test)",
		  asl_test_rc(rc));
	loop_destroy(l);
}

static inline exec_t *ft_exec(const char *hint)
{
	ft_need_lab07();
	exec_t *ex = NULL;
	int rc = exec_create(&ex);
	cr_assert(rc == 0 && ex, "exec_create: expected 0 and an executor, got %s%s",
		  asl_test_rc(rc), hint);
	return ex;
}

static inline struct pool *ft_pool(int threads, const char *hint)
{
	struct pool *p = NULL;
	int rc = pool_create(&p, threads, 64);
	cr_assert(rc == 0 && p,
		  "lab 10's spawn_blocking runs on YOUR thread pool from lab 05 "
		  "(../05-callbacks): pool_create(%d, 64) returned %s - finish lab 05 first "
		  "(make -C ../05-callbacks test)%s",
		  threads, asl_test_rc(rc), hint);
	return p;
}

/* exec_block_on on a thread of its own, under a watchdog: a lost wake-up leaves it asleep in
 * the reactor forever, and the test should fail naming the likely mistake (`mistake`), not
 * reach the suite's timeout.  The deadline is generous (seconds, every call here takes
 * milliseconds) and is no speed check. */
#define FT_BLOCK_ON_MS (2 * ASL_WATCHDOG_MS)

struct ft_block_on_call {
	exec_t *ex;
	fut_t *f;
	intptr_t out;
};

static inline int ft_block_on_main(void *arg)
{
	struct ft_block_on_call *b = arg;
	return exec_block_on(b->ex, b->f, &b->out);
}

static inline intptr_t ft_block_on_why(exec_t *ex, fut_t *f, const char *what, const char *mistake,
				       const char *hint)
{
	cr_assert(f, "%s: the constructor returned NULL (errno %d)%s", what, errno, hint);
	/* on the heap: a thread abandoned by the watchdog may still write to it */
	struct ft_block_on_call *b = malloc(sizeof *b);
	cr_assert_not_null(b);
	*b = (struct ft_block_on_call){ ex, f, -12345 };
	int rc = -1;
	struct asl_call *c = asl_call_start(ft_block_on_main, b);
	if (!asl_call_wait(c, FT_BLOCK_ON_MS, &rc))
		cr_assert_fail("exec_block_on(%s) had not returned after %d ms (it takes "
			       "milliseconds): the executor waits for a wake that never comes, "
			       "or spins.  %s%s",
			       what, FT_BLOCK_ON_MS, mistake, hint);
	intptr_t out = b->out;
	free(b);
	cr_assert_eq(rc, 0,
		     "exec_block_on(%s): expected 0, got %s (the executor's run loop is "
		     "step 4)%s",
		     what, asl_test_rc(rc), hint);
	return out;
}

/* The usual suspects when a block_on never returns. */
#define FT_LOST_WAKE                                                                         \
	"A wake-up was lost: a wake during a poll must leave the task NOTIFIED and requeue " \
	"it (step 2), a finished task must wake its join handle's waker (step 3), a wake "   \
	"from another thread must post to the loop when no post is outstanding (step 4), "   \
	"or the future itself never registered the task's waker before returning PENDING"

static inline intptr_t ft_block_on(exec_t *ex, fut_t *f, const char *what, const char *hint)
{
	return ft_block_on_why(ex, f, what, FT_LOST_WAKE, hint);
}

static inline void ft_spawn(exec_t *ex, fut_t *f, fut_t **join, const char *hint)
{
	cr_assert(f, "a future constructor returned NULL (errno %d)%s", errno, hint);
	int rc = exec_spawn(ex, f, join);
	cr_assert_eq(rc, 0, "exec_spawn: expected 0, got %s (exec_spawn is step 4)%s",
		     asl_test_rc(rc), hint);
}

static inline int ft_run_main(void *arg)
{
	return exec_run(arg);
}

/* exec_run under the same watchdog as ft_block_on. */
static inline void ft_run(exec_t *ex, const char *hint)
{
	int rc = -1;
	struct asl_call *c = asl_call_start(ft_run_main, ex);
	if (!asl_call_wait(c, FT_BLOCK_ON_MS, &rc))
		cr_assert_fail("exec_run had not returned after %d ms (it takes milliseconds): "
			       "the executor waits for a wake that never comes, or spins.  %s%s",
			       FT_BLOCK_ON_MS, FT_LOST_WAKE, hint);
	cr_assert_eq(rc, 0, "exec_run: expected 0, got %s (the executor's run loop is step 4)%s",
		     asl_test_rc(rc), hint);
	cr_assert_eq(exec_tasks(ex), 0, "exec_run returned with %zu tasks unfinished%s",
		     exec_tasks(ex), hint);
}

/* Does the executor's loop hold any active handle (a timer, a watcher)? */
static inline bool ft_loop_busy(exec_t *ex)
{
	return loop_run(ex->loop, LOOP_RUN_NOWAIT) == 1;
}

/* Poll f once by hand with a noop waker. */
static inline enum fut_poll ft_poll_once(fut_t *f, intptr_t *out)
{
	fut_waker_t w = waker_noop();
	fut_ctx_t cx = { &w };
	return fut_poll(f, &cx, out);
}

/* ---- the probe ---- */

struct probe {
	pthread_mutex_t lock;
	atomic_int polls, drops;
	atomic_bool ready;
	intptr_t value;
	fut_waker_t waker;                               /* the last waker it was polled with */
	void (*on_poll)(struct probe *p, fut_ctx_t *cx); /* optional hook, before the check */
	void *arg;
};

struct probe_fut {
	fut_t base;
	struct probe *p;
};

static enum fut_poll probe_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct probe *p = ((struct probe_fut *)self)->p;
	atomic_fetch_add(&p->polls, 1);
	if (p->on_poll)
		p->on_poll(p, cx);
	pthread_mutex_lock(&p->lock);
	bool ready = atomic_load(&p->ready);
	if (ready)
		*out = p->value;
	else
		waker_register(&p->waker, cx);
	pthread_mutex_unlock(&p->lock);
	return ready ? FUT_READY : FUT_PENDING;
}

static void probe_drop(fut_t *self)
{
	struct probe *p = ((struct probe_fut *)self)->p;
	pthread_mutex_lock(&p->lock);
	fut_waker_t w = p->waker;
	p->waker = (fut_waker_t){ 0 };
	pthread_mutex_unlock(&p->lock);
	waker_drop(&w);
	atomic_fetch_add(&p->drops, 1);
	free(self);
}

static const struct fut_vtable probe_vtable
    __attribute__((unused)) = { .poll = probe_poll, .drop = probe_drop };

static inline void probe_init(struct probe *p)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
}

static inline fut_t *probe_new(struct probe *p)
{
	struct probe_fut *f = malloc(sizeof *f);
	cr_assert(f);
	f->base.vt = &probe_vtable;
	f->p = p;
	return &f->base;
}

/* Wake whatever task last polled p (any thread). */
static inline void probe_wake(struct probe *p)
{
	pthread_mutex_lock(&p->lock);
	fut_waker_t w = waker_clone(&p->waker);
	pthread_mutex_unlock(&p->lock);
	waker_wake(&w);
}

static inline void probe_complete(struct probe *p, intptr_t value)
{
	pthread_mutex_lock(&p->lock);
	p->value = value;
	atomic_store(&p->ready, true);
	pthread_mutex_unlock(&p->lock);
	probe_wake(p);
}

/* ---- a scheduler that records instead of queueing (for driving task_run by hand) ---- */

struct rec_sched {
	struct sched base;
	atomic_int scheduled, done;
	atomic_int queued;        /* a one-task "run queue": 1 while the task is in it */
	atomic_int double_queued; /* schedule() called while the task was still queued */
	task_t *_Atomic last;
};

static void rec_schedule(struct sched *s, task_t *t)
{
	struct rec_sched *r = (struct rec_sched *)s;
	atomic_store(&r->last, t);
	if (atomic_exchange(&r->queued, 1))
		atomic_fetch_add(&r->double_queued, 1);
	atomic_fetch_add(&r->scheduled, 1);
}

static void rec_done(struct sched *s, task_t *t)
{
	(void)t;
	atomic_fetch_add(&((struct rec_sched *)s)->done, 1);
}

static inline void rec_init(struct rec_sched *r)
{
	memset(r, 0, sizeof *r);
	r->base.schedule = rec_schedule;
	r->base.done = rec_done;
}

static inline unsigned task_state(task_t *t)
{
	return atomic_load(&t->state);
}

static inline unsigned task_refs(task_t *t)
{
	return atomic_load(&t->refs);
}

/* A task that yields `yields` times (waking itself), then adds n to ft_sum and returns n:
 * many of them check that every task runs exactly once. */
static atomic_long ft_sum;

struct ft_adder {
	fut_t base;
	int n, yields;
};

static inline enum fut_poll ft_adder_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct ft_adder *a = (struct ft_adder *)self;
	if (a->yields-- > 0) {
		waker_wake_by_ref(cx->waker);
		return FUT_PENDING;
	}
	atomic_fetch_add(&ft_sum, a->n);
	*out = a->n;
	return FUT_READY;
}

static inline void ft_free_self(fut_t *self)
{
	free(self);
}

static const struct fut_vtable ft_adder_vtable = { .poll = ft_adder_poll, .drop = ft_free_self };

static inline fut_t *ft_adder(int n, int yields)
{
	struct ft_adder *a = malloc(sizeof *a);
	cr_assert_not_null(a);
	*a = (struct ft_adder){ { &ft_adder_vtable }, n, yields };
	return &a->base;
}

#endif
