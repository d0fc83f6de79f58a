/*
 * reactor.c - the reactor: kernel readiness and timer expiry turned into wake() calls.
 *
 * This is notes 002's step 4 ("the kernel says: socket is readable; the runtime calls wake()
 * on the waker").  It is thin because lab 07's loop does the hard part: the executor's loop
 * owns the epoll instance and the timer heap; the reactor only keeps, per descriptor, the
 * waker of the future waiting to read and of the one waiting to write, and per sleep the waker
 * of its task.
 *
 * Lab 07's loop is single-threaded.  On the single-threaded executor every future runs on the
 * loop's thread; the multi-threaded executor's reactor (exec_mt_reactor) runs its loop on a
 * thread of its own, so there the reactor's entry points below first hop to that thread
 * (exec_loop_call) and do their work there: the loop, the watchers, the timers and the
 * waker slots are only ever touched by the loop's thread.
 *
 * Readiness is level-triggered (lab 07).  A watcher keeps its interest after waking a waiter,
 * because the waiter will most likely read until EAGAIN and wait again at once: then
 * re-registering costs no system call.  Only a report that finds nobody waiting drops the
 * interest (otherwise a level-triggered readable socket nobody reads would spin the loop).
 */
#include "exec_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"
#include "reactor_internal.h"

/* ---- sleep ---- */

struct sleep_fut {
	fut_t base;
	exec_t *ex;
	uint64_t ms;
	enum { SLEEP_NEW, SLEEP_ARMED, SLEEP_FIRED } state;
	loop_timer_t timer;
	fut_waker_t waker;
};

static __attribute__((unused)) void sleep_fired(loop_timer_t *timer)
{
	struct sleep_fut *f = timer->data;
	f->state = SLEEP_FIRED;
	waker_wake(&f->waker);
}

/* A poll or a drop handed to the loop's thread (exec_loop_call). */
struct hop_poll {
	fut_t *self;
	fut_ctx_t *cx;
	intptr_t *out;
	enum fut_poll r;
};

static enum fut_poll sleep_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out);
static void sleep_drop(fut_t *self);

static void sleep_poll_hop(void *arg)
{
	struct hop_poll *h = arg;
	h->r = sleep_poll(h->self, h->cx, h->out);
}

static void sleep_drop_hop(void *arg)
{
	sleep_drop(arg);
}

static enum fut_poll sleep_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct sleep_fut *f = (struct sleep_fut *)self;
	if (!exec_loop_is_here(f->ex)) {
		struct hop_poll h = { self, cx, out, FUT_PENDING };
		exec_loop_call(f->ex, sleep_poll_hop, &h);
		return h.r;
	}
	/* BEGIN STEP 5: A sleep starts its timer at its FIRST poll (lazy: creating it starts
	 * nothing), counting from now (loop_update_time first: the loop's cached clock may be
	 * old): loop_timer_init + loop_timer_start(f->ms) on the executor's loop, with
	 * sleep_fired as callback and f as the timer's data.  Ready (result 0) once fired;
	 * otherwise keep the current waker in f->waker (waker_register) and return pending.
	 * A timer error is the result.
	 * Checked by: reactor::sleep_*, reactor::drop_*
	 * stub: LAB_UNUSED(f, cx, out); LAB_TODO_ABORT(5);
	 */
	if (f->state == SLEEP_FIRED) {
		*out = 0;
		return FUT_READY;
	}
	if (f->state == SLEEP_NEW) {
		/* the loop's clock is cached per iteration; tasks may have run long since */
		loop_update_time(f->ex->loop);
		loop_timer_init(f->ex->loop, &f->timer);
		f->timer.data = f;
		int rc = loop_timer_start(&f->timer, sleep_fired, f->ms, 0);
		if (rc < 0) {
			*out = rc;
			return FUT_READY;
		}
		f->state = SLEEP_ARMED;
	}
	waker_register(&f->waker, cx);
	return FUT_PENDING;
	/* END STEP 5 */
}

static void sleep_drop(fut_t *self)
{
	struct sleep_fut *f = (struct sleep_fut *)self;
	if (!exec_loop_is_here(f->ex)) {
		exec_loop_call(f->ex, sleep_drop_hop, self);
		return;
	}
	/* BEGIN STEP 5: Cancellation: a sleep dropped before it fired stops its timer (the loop
	 * must never call back into freed memory) and drops its waker; then free it.
	 * Checked by: reactor::drop_*, combine::*
	 * stub: LAB_UNUSED(f); LAB_TODO_ABORT(5);
	 */
	if (f->state == SLEEP_ARMED)
		loop_timer_stop(&f->timer);
	waker_drop(&f->waker);
	free(f);
	/* END STEP 5 */
}

static const struct fut_vtable sleep_vtable = { .poll = sleep_poll, .drop = sleep_drop };

fut_t *reactor_sleep(exec_t *ex, uint64_t ms)
{
	struct sleep_fut *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->base.vt = &sleep_vtable;
	f->ex = ex;
	f->ms = ms;
	return &f->base;
}

/* ---- descriptors ---- */

int reactor_io_open(exec_t *ex, int fd, reactor_io_t **out)
{
	reactor_io_t *r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->ex = ex;
	r->fd = fd;
	r->watch.data = r;
	*out = r;
	return 0;
}

static void reactor_io_close_hop(void *arg)
{
	reactor_io_close(arg);
}

void reactor_io_close(reactor_io_t *r)
{
	if (!exec_loop_is_here(r->ex)) {
		exec_loop_call(r->ex, reactor_io_close_hop, r);
		return;
	}
	loop_io_stop(&r->watch);
	waker_drop(&r->waiter[0]);
	waker_drop(&r->waiter[1]);
	free(r);
}

int reactor_io_fd(const reactor_io_t *r)
{
	return r->fd;
}

static __attribute__((unused)) const int dir_event[2] = { LOOP_READ, LOOP_WRITE };

static __attribute__((unused)) void reactor_io_ready(loop_io_t *watch, int events)
{
	reactor_io_t *r = watch->data;
	/* BEGIN STEP 5: The loop reports `events` on r's descriptor.  For each direction d
	 * (0 read, 1 write) that r is interested in (r->interest & dir_event[d]) and that is
	 * ready (its event, or LOOP_ERROR/LOOP_HUP, which wake both so the waiter sees the
	 * error): wake r->waiter[d] if there is one and keep the interest, else drop the
	 * interest.  Then modify the watcher to the interest left, or stop it if none is.
	 * Checked by: reactor::io_*, reactor::drop_*
	 * stub: LAB_UNUSED(r, events); LAB_TODO_ABORT(5);
	 */
	int keep = r->interest;
	for (int d = 0; d < 2; d++) {
		if (!(r->interest & dir_event[d]) ||
		    !(events & (dir_event[d] | LOOP_ERROR | LOOP_HUP)))
			continue;
		if (r->waiter[d].vt)
			waker_wake(&r->waiter[d]);
		else
			keep &= ~dir_event[d];
	}
	if (keep != r->interest) {
		r->interest = keep;
		if (keep)
			loop_io_modify(&r->watch, keep);
		else
			loop_io_stop(&r->watch);
	}
	/* END STEP 5 */
}

struct hop_wait {
	reactor_io_t *r;
	int dir;
	const fut_ctx_t *cx;
	int rc;
};

static void reactor_io_wait_hop(void *arg)
{
	struct hop_wait *h = arg;
	h->rc = reactor_io_wait(h->r, h->dir, h->cx);
}

int reactor_io_wait(reactor_io_t *r, int dir, const fut_ctx_t *cx)
{
	if (!exec_loop_is_here(r->ex)) {
		struct hop_wait h = { r, dir, cx, 0 };
		exec_loop_call(r->ex, reactor_io_wait_hop, &h);
		return h.rc;
	}
	/* BEGIN STEP 5: A leaf future got EAGAIN in direction dir: keep its waker in
	 * r->waiter[dir] and make sure the watcher asks the loop for dir_event[dir] (start it
	 * with reactor_io_ready, or modify it, only if the interest changes: the common case
	 * costs no system call).  Returns 0 or the loop's error.
	 * Checked by: reactor::io_*, echo::*
	 * stub: LAB_UNUSED(r, dir, cx); return LAB_TODO(5);
	 */
	waker_register(&r->waiter[dir], cx);
	int want = r->interest | dir_event[dir];
	if (want == r->interest)
		return 0;
	int rc = r->interest ? loop_io_modify(&r->watch, want)
			     : loop_io_start(r->ex->loop, &r->watch, r->fd, want, reactor_io_ready);
	if (rc < 0) {
		waker_drop(&r->waiter[dir]);
		return rc;
	}
	r->interest = want;
	return 0;
	/* END STEP 5 */
}

static void reactor_io_unwait_hop(void *arg)
{
	struct hop_wait *h = arg;
	reactor_io_unwait(h->r, h->dir);
}

void reactor_io_unwait(reactor_io_t *r, int dir)
{
	if (!exec_loop_is_here(r->ex)) {
		struct hop_wait h = { r, dir, NULL, 0 };
		exec_loop_call(r->ex, reactor_io_unwait_hop, &h);
		return;
	}
	waker_drop(&r->waiter[dir]);
}
