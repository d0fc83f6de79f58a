/*
 * loop_internal.h - what the loop's files share and the student's code may rely on: the loop
 * itself and the four-function backend interface.  Nothing here is public (loop.h is).
 */
#ifndef LOOP_INTERNAL_H
#define LOOP_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>

#include "loop.h"

/* One ready descriptor as the backend reports it (LOOP_* bits). */
struct loop_fired {
	int fd;
	int events;
};

/*
 * The OS backend: four functions, chosen once in loop_create (compare Redis ae_epoll.c /
 * ae_select.c, which are chosen at compile time).  The backend knows descriptors and masks,
 * never watchers or callbacks; its state hangs off loop->backend_state.
 *   init(loop)                      set up the backend; 0 or -errno
 *   fini(loop)                      free everything init and set made
 *   set(loop, fd, old, new)         old == 0: start watching fd for new; new == 0: stop;
 *                                   both non-zero: change.  0 or -errno
 *   wait(loop, timeout_ms)          sleep until something is ready or timeout_ms passes
 *                                   (-1: no limit, 0: just look); store at most
 *                                   loop->fired_cap entries in loop->fired and return how
 *                                   many, or -errno.  An interrupting signal (EINTR) is 0.
 */
struct loop_backend {
	const char *name;
	int (*init)(loop_t *loop);
	void (*fini)(loop_t *loop);
	int (*set)(loop_t *loop, int fd, int old_mask, int new_mask);
	int (*wait)(loop_t *loop, int timeout_ms);
};
extern const struct loop_backend loop_backend_epoll, loop_backend_poll;

struct loop {
	const struct loop_backend *backend;
	void *backend_state;

	uint64_t now_ms; /* the cached time (loop.c) */
	unsigned active; /* started handles that keep loop_run(DEFAULT) going */
	unsigned refs;   /* loop_ref() minus loop_unref() */
	bool stop;       /* loop_stop() was called during this run */

	/* io watchers (loop_io.c): the watcher of each fd, looked up at dispatch time */
	loop_io_t **ios;          /* ios[fd], NULL when fd is not watched */
	int ios_cap;              /* entries in ios and in fired */
	struct loop_fired *fired; /* the batch the backend reported in this iteration */
	uint64_t batch;           /* counts batches: which one is being dispatched */

	/* timers (loop_timer.c): a binary min-heap on (deadline_ms, seq) */
	loop_timer_t **heap;
	size_t heap_len, heap_cap;
	uint64_t timer_seq; /* the next start's sequence number */

	/* defers (loop_defer.c): FIFO lists; `running` is this iteration's batch */
	loop_defer_t *defer_head, *defer_tail, *defer_running;

	/* posts (loop_post.c): a lock-free LIFO pushed by any thread, an eventfd to wake us */
	_Atomic(loop_post_t *) posts;
	atomic_uint posts_pending; /* posted and not yet called: keeps the loop alive */
	int post_fd;
	loop_io_t post_io;

	/* signals (loop_signal.c): one signalfd for all watched signals of this loop */
	loop_signal_t *signals;
	int signal_fd; /* -1 until the first signal watcher */
	loop_io_t signal_io;
	sigset_t signal_mask;        /* the signals watched through signal_fd */
	sigset_t signal_was_blocked; /* those already blocked before their first watcher */
	uint64_t signal_delivery;
};

/* Called by loop.c, one per concept file. */
int loop_io_dispatch(loop_t *loop, int n); /* run the callbacks of fired[0..n) */
int loop_io_start_internal(loop_t *loop, loop_io_t *io, int fd, int events, loop_io_cb cb);
void loop_io_fini(loop_t *loop);
void loop_timers_run(loop_t *loop);
int loop_timers_timeout(const loop_t *loop); /* ms until the nearest deadline, -1: none */
void loop_timers_fini(loop_t *loop);
void loop_defers_run(loop_t *loop);
int loop_posts_init(loop_t *loop);
int loop_posts_run(loop_t *loop); /* how many ran */
void loop_posts_fini(loop_t *loop);
void loop_signals_fini(loop_t *loop);

#endif
