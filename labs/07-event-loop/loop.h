/*
 * loop.h - lab 07: an event loop of your own (a reactor).
 *
 * One thread, one loop: it waits for many things at once (descriptors, timers, other threads,
 * signals) in a single kernel call and runs the callback of whatever is ready.  The names follow
 * libuv; the size follows Redis ae.c.  Labs 08 (fibers), 10 (futures) and 11 (capstone) build on
 * this interface, so it stays small and stable.  See workbook.md, chapter 07.
 *
 * Model:
 *   - A *handle* is long-lived and caller-allocated (usually embedded in the caller's struct;
 *     recover the outer struct with container_of).  The loop never allocates or frees a handle.
 *     io watchers, timers, signal watchers and defers are handles.  Zero-initialise a handle
 *     (`= {0}`, calloc) before its first start; timers are set up by loop_timer_init instead.
 *   - A *request* is one-shot: loop_post_t, handed to the loop by another thread.
 *   - Callbacks always receive the handle they belong to; handle->data is the caller's.
 *   - Everything except loop_post() must be called on the loop's own thread (the thread that
 *     calls loop_run; before the first run, the thread that created the loop).
 *   - Any handle may be stopped, and its memory freed, from inside ANY callback, including one
 *     whose event is already in the current ready batch: after loop_X_stop() returns the loop
 *     never touches that handle again.
 *   - Functions return 0 or -errno; nothing prints.
 */
#ifndef LOOP_H
#define LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct loop loop_t; /* opaque */

enum loop_backend_kind {
	LOOP_BACKEND_EPOLL, /* O(ready) per wait */
	LOOP_BACKEND_POLL,  /* O(watched) per wait: the comparison */
};

enum loop_run_mode {
	LOOP_RUN_DEFAULT, /* until no active handle and no reference remains, or loop_stop() */
	LOOP_RUN_ONCE,    /* one iteration; blocks for events if there is nothing to run */
	LOOP_RUN_NOWAIT,  /* one iteration; never blocks */
};

/* readiness bits for io watchers; LOOP_ERROR/LOOP_HUP are reported, never requested */
enum { LOOP_READ = 1, LOOP_WRITE = 2, LOOP_ERROR = 4, LOOP_HUP = 8 };

/* loop_create: a new loop on the chosen backend.  *out owned by the caller until
 * loop_destroy.  Errors: -EINVAL (unknown backend), -ENOMEM, -EMFILE/-ENFILE. */
int loop_create(loop_t **out, enum loop_backend_kind backend);
/* loop_destroy: frees the loop and closes its own descriptors.  Returns -EBUSY (and frees
 * nothing) while handles are active or posts are pending. */
int loop_destroy(loop_t *loop);
/* loop_run: runs callbacks on the calling thread.  Returns 1 if active handles remain (the
 * loop was stopped, or mode was ONCE/NOWAIT), 0 if none remain, -errno on a backend error.
 * One iteration: update the cached time, run expired timers, run defers queued before this
 * iteration, run posted requests, wait for I/O (0 timeout if anything is runnable, else until
 * the nearest timer), update the cached time again if that wait could sleep, dispatch ready
 * I/O.  In ONCE mode expired timers run again after the wait, so that ONCE with only a timer
 * pending makes progress. */
int loop_run(loop_t *loop, enum loop_run_mode mode);
/* loop_stop: makes loop_run return after the current iteration.  Loop thread only (another
 * thread posts a request whose callback calls it). */
void loop_stop(loop_t *loop);
/* loop_now_ms: monotonic milliseconds, cached at the start of an iteration and again when its
 * wait returns (cheap; timers use it). */
uint64_t loop_now_ms(const loop_t *loop);
/* loop_update_time: refresh the cached time now (after a long callback). */
void loop_update_time(loop_t *loop);
/* loop_ref / loop_unref: an extra reason to keep loop_run(DEFAULT) alive, e.g. while work
 * submitted to another thread will post its result back.  Loop thread only. */
void loop_ref(loop_t *loop);
void loop_unref(loop_t *loop);
/* loop_backend_name: "epoll" or "poll" (for harness output). */
const char *loop_backend_name(const loop_t *loop);

/* ---- io watchers: readiness of one descriptor (level-triggered) ---- */
typedef struct loop_io loop_io_t;
/* events: what is ready now, LOOP_READ|LOOP_WRITE|LOOP_ERROR|LOOP_HUP */
typedef void (*loop_io_cb)(loop_io_t *io, int events);
struct loop_io {
	void *data; /* the caller's */
	/* private: */
	loop_t *loop;
	loop_io_cb cb;
	int fd;
	int events;     /* what is being watched; 0 = stopped */
	bool counted;   /* keeps the loop alive (false only for the loop's own watchers) */
	uint64_t batch; /* the loop's batch number when started (see loop_io.c) */
};
/* Start watching fd (non-blocking, owned by the caller) for events (LOOP_READ|LOOP_WRITE,
 * not 0).  One watcher per fd.  Errors: -EINVAL, -EEXIST (fd already watched), -EBUSY (io
 * already started), -ENOMEM, backend errors (-EBADF, -EPERM for a regular file on epoll).
 * Readiness is a hint: a callback must expect EAGAIN. */
int loop_io_start(loop_t *loop, loop_io_t *io, int fd, int events, loop_io_cb cb);
/* Change what a started watcher waits for (not 0: stop it instead).  -EINVAL if not started. */
int loop_io_modify(loop_io_t *io, int events);
/* Stop watching (idempotent: stopping a stopped watcher returns 0).  Does not close fd.  Call
 * it BEFORE close(fd). After it returns the loop never touches io again. */
int loop_io_stop(loop_io_t *io);
bool loop_io_active(const loop_io_t *io);

/* ---- timers: a min-heap keyed by (deadline, start order) ---- */
typedef struct loop_timer loop_timer_t;
typedef void (*loop_timer_cb)(loop_timer_t *t);
struct loop_timer {
	void *data;
	/* private: */
	loop_t *loop;
	loop_timer_cb cb;
	uint64_t deadline_ms, repeat_ms, seq;
	size_t heap_index; /* SIZE_MAX when not in the heap */
};
/* Set t up (stopped) for this loop; call once before the first start.  data is kept. */
void loop_timer_init(loop_t *loop, loop_timer_t *t);
/* Fire cb once after timeout_ms (never early: not before loop_now_ms() + timeout_ms at start),
 * then every repeat_ms if repeat_ms > 0 (each repeat counted from the loop time it fired at).
 * Starting a started timer restarts it.  Timers with the same deadline fire in the order they
 * were started.  A timer started from a timer callback does not fire before the next
 * iteration, even with timeout 0.  Errors: -EINVAL (no cb), -ENOMEM. */
int loop_timer_start(loop_timer_t *t, loop_timer_cb cb, uint64_t timeout_ms, uint64_t repeat_ms);
/* Stop (idempotent).  Safe inside its own callback (a repeating timer then does not repeat). */
int loop_timer_stop(loop_timer_t *t);
bool loop_timer_active(const loop_timer_t *t);

/* ---- defers: run once on the NEXT iteration (setImmediate); a defer queued from a defer
 * callback runs on the iteration after, so defers cannot starve I/O ---- */
typedef struct loop_defer loop_defer_t;
typedef void (*loop_defer_cb)(loop_defer_t *d);
struct loop_defer {
	void *data;
	/* private: */
	loop_t *loop;
	loop_defer_cb cb;
	loop_defer_t *next;
	bool queued;
};
/* Queue d (a queued defer is not queued twice: returns -EBUSY). Runs in queueing order.
 * A queued defer is an active handle.  The callback may queue d again. */
int loop_defer_start(loop_t *loop, loop_defer_t *d, loop_defer_cb cb);
int loop_defer_stop(loop_defer_t *d); /* dequeue if still queued; idempotent */

/* ---- posts: the one THREAD-SAFE entry point (an eventfd wakes a blocked loop) ---- */
typedef struct loop_post loop_post_t;
typedef void (*loop_post_cb)(loop_post_t *req);
struct loop_post {
	void *data;
	/* private: */
	loop_post_cb cb;
	loop_post_t *next;
};
/* From any thread: run cb(req) on the loop's thread soon.  req is owned by the loop from this
 * call until cb starts (then it is the caller's again; cb may free it).  Posts from one thread
 * run in the order posted.  A pending post keeps loop_run(DEFAULT) alive.  Never fails once
 * the loop exists (returns 0); no wake-up is ever lost.  Do not post to a destroyed loop. */
int loop_post(loop_t *loop, loop_post_t *req, loop_post_cb cb);

/* ---- signals as events (signalfd): SIGINT, SIGTERM, ... delivered as callbacks ---- */
typedef struct loop_signal loop_signal_t;
typedef void (*loop_signal_cb)(loop_signal_t *s, int signo);
struct loop_signal {
	void *data;
	/* private: */
	loop_t *loop;
	loop_signal_cb cb;
	int signo; /* 0 = stopped */
	loop_signal_t *next;
	uint64_t delivery; /* the last delivery this watcher was called for (loop_signal.c) */
};
/* Deliver signo as an event to cb, on the loop's thread; several watchers of one signal are
 * all called.  Blocks signo in the CALLING thread (threads created afterwards inherit the
 * mask; a thread created earlier that does not block signo may still take it the default
 * way: start signal watchers before creating threads).  The previous mask of signo is restored
 * when the last watcher of that signal on this loop stops.  Signal watchers are active handles.
 * Errors: -EINVAL (bad signo, SIGKILL/SIGSTOP), -EBUSY (s started), -ENOMEM, -EMFILE. */
int loop_signal_start(loop_t *loop, loop_signal_t *s, int signo, loop_signal_cb cb);
int loop_signal_stop(loop_signal_t *s); /* idempotent */

#endif
