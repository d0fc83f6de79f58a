/*
 * io_bridge.h - an I/O driver thread for lab 10's multi-threaded executor (given).
 *
 * exec_mt has no reactor: its workers never sleep in epoll.  Tokio's answer is an I/O driver
 * that wakes tasks when their descriptors are ready; this is a small one: a lab-07 loop on a
 * thread of its own.  A future that gets EAGAIN calls io_bridge_wait, which clones the task's
 * waker and asks the loop (loop_post, the loop's thread-safe entry) to watch the descriptor;
 * when it is ready the loop stops watching and wakes the task, which tries its call again on
 * whichever worker polls it.
 */
#ifndef IO_BRIDGE_H
#define IO_BRIDGE_H

#include <pthread.h>
#include <stdatomic.h>

#include "fut.h"
#include "loop.h"

struct io_bridge {
	loop_t *loop;
	pthread_t tid;
	loop_post_t stop;
};

/* One pending wait; embedded in the future that waits (one wait at a time per future). */
struct io_bridge_wait {
	loop_io_t io;
	loop_post_t post;
	fut_waker_t waker;
	int fd, events;
	atomic_bool armed; /* registered and not fired yet */
	struct io_bridge *b;
};

/* Start the loop and its thread.  Errors: loop_create's, pthread_create's. */
int io_bridge_start(struct io_bridge *b);
/* Stop the thread and free the loop; every wait must have fired.  Not from the loop thread. */
int io_bridge_stop(struct io_bridge *b);
/* Any thread, from a poll: wake cx's task once fd is ready for events (LOOP_READ or
 * LOOP_WRITE).  While w is armed a second call does nothing (the first wake is still coming).
 * Returns 0; the caller then returns FUT_PENDING. */
int io_bridge_wait(struct io_bridge *b, struct io_bridge_wait *w, int fd, int events,
		   const fut_ctx_t *cx);

#endif
