/*
 * loop.c - the loop itself: create, destroy, the cached clock, and the iteration.
 *
 * An iteration does the same five things in the same order every time (libuv's order, without
 * its idle/prepare/check phases):
 *   1. read the clock once, so every callback of this iteration sees the same "now" (read
 *      again after a wait that could sleep: see loop_run);
 *   2. run the timers whose deadline has passed;
 *   3. run the defers queued before this iteration began;
 *   4. run the requests other threads posted;
 *   5. ask the backend what is ready - sleeping if there is nothing else to do, but never past
 *      the nearest timer - and run the callback of every ready descriptor.
 * Everything happens on the one thread that calls loop_run: no callback ever runs at the same
 * time as another, so handles need no locks.  Only the post list is shared (loop_post.c).
 */
#include "loop_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "asl/todo.h"
#include "asl/util.h"

int loop_create(loop_t **out, enum loop_backend_kind backend)
{
	loop_t *loop;
	int rc;

	*out = NULL;
	if (backend != LOOP_BACKEND_EPOLL && backend != LOOP_BACKEND_POLL)
		return -EINVAL;
	loop = calloc(1, sizeof *loop);
	if (!loop)
		return -ENOMEM;
	loop->backend = backend == LOOP_BACKEND_EPOLL ? &loop_backend_epoll : &loop_backend_poll;
	loop->post_fd = -1;
	loop->signal_fd = -1;
	sigemptyset(&loop->signal_mask);
	sigemptyset(&loop->signal_was_blocked);
	loop_update_time(loop);
	rc = loop->backend->init(loop);
	if (rc < 0) {
		free(loop);
		return rc;
	}
	rc = loop_posts_init(loop);
	if (rc < 0) {
		loop_io_fini(loop);
		loop->backend->fini(loop);
		free(loop);
		return rc;
	}
	*out = loop;
	return 0;
}

int loop_destroy(loop_t *loop)
{
	if (!loop)
		return 0;
	if (loop->active > 0 || atomic_load(&loop->posts_pending) > 0)
		return -EBUSY;
	loop_posts_fini(loop);
	loop_signals_fini(loop);
	loop_timers_fini(loop);
	loop_io_fini(loop);
	loop->backend->fini(loop);
	free(loop);
	return 0;
}

uint64_t loop_now_ms(const loop_t *loop)
{
	return loop->now_ms;
}

void loop_update_time(loop_t *loop)
{
	/* CLOCK_MONOTONIC: setting the wall clock must not fire or delay timers.  Truncating to
	 * whole milliseconds makes the cached time at most the true time, never later, so a
	 * deadline that "has passed" by this clock has really passed. */
	loop->now_ms = asl_now_ms();
}

void loop_stop(loop_t *loop)
{
	/* TODO step 4: Ask loop_run to return after this iteration (loop_run clears it).
	 * Checked by: loop_poll::run_stop_from_callback, loop_epoll::run_stop_from_callback
	 */
	LAB_UNUSED(loop); LAB_TODO_ABORT(4);
}

void loop_ref(loop_t *loop)
{
	/* TODO step 4: One more reason for loop_run(DEFAULT) to go on (see loop_alive).
	 * Checked by: loop_poll::run_ref_keeps_loop_alive, loop_epoll::run_ref_keeps_loop_alive
	 */
	LAB_UNUSED(loop); LAB_TODO_ABORT(4);
}

void loop_unref(loop_t *loop)
{
	/* TODO step 4: One reason fewer (never below zero).
	 * Checked by: loop_poll::run_ref_keeps_loop_alive, loop_epoll::run_ref_keeps_loop_alive
	 */
	LAB_UNUSED(loop); LAB_TODO_ABORT(4);
}

const char *loop_backend_name(const loop_t *loop)
{
	return loop->backend->name;
}

/* Is there anything that could still make a callback run? */
static bool loop_alive(const loop_t *loop)
{
	return loop->active > 0 || loop->refs > 0 || atomic_load(&loop->posts_pending) > 0;
}

/* How long step 5 may sleep: not at all if something is already runnable or the caller asked
 * for NOWAIT, else until the nearest timer (-1: until a descriptor is ready). */
static int loop_wait_timeout(const loop_t *loop, enum loop_run_mode mode)
{
	if (mode == LOOP_RUN_NOWAIT || loop->stop || !loop_alive(loop) || loop->defer_head ||
	    atomic_load_explicit(&loop->posts, memory_order_relaxed))
		return 0;
	return loop->heap_len ? loop_timers_timeout(loop) : -1;
}

int loop_run(loop_t *loop, enum loop_run_mode mode)
{
	bool alive = loop_alive(loop);
	int rc = 0;

	if (!alive)
		loop_update_time(loop);
	while (alive && !loop->stop) {
		loop_update_time(loop);
		if (loop->heap_len)
			loop_timers_run(loop);
		if (loop->defer_head)
			loop_defers_run(loop);
		if (atomic_load_explicit(&loop->posts, memory_order_relaxed))
			loop_posts_run(loop);

		int timeout = loop_wait_timeout(loop, mode);
		int n = loop->backend->wait(loop, timeout);
		if (n < 0) {
			rc = n;
			break;
		}
		/* The wait may have slept for a long time (an idle server: for hours).  A timer
		 * that an I/O callback starts must count from the wake-up, not from before the
		 * sleep, or its deadline is already past and it fires at once: so read the clock
		 * again whenever the wait could block (libuv does the same). */
		if (timeout != 0)
			loop_update_time(loop);
		loop_io_dispatch(loop, n);
		if (mode == LOOP_RUN_ONCE && loop->heap_len) {
			/* the wait may have slept until a timer's deadline: run it now, so ONCE
			 * always makes progress */
			loop_update_time(loop);
			loop_timers_run(loop);
		}
		alive = loop_alive(loop);
		if (mode != LOOP_RUN_DEFAULT)
			break;
	}
	loop->stop = false;
	return rc < 0 ? rc : alive;
}
