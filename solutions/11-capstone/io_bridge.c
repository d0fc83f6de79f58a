/*
 * io_bridge.c - lab 07's loop as the I/O driver of lab 10's multi-threaded executor.
 */
#include <errno.h>

#include "io_bridge.h"

static void *io_bridge_main(void *arg)
{
	struct io_bridge *b = arg;
	loop_run(b->loop, LOOP_RUN_DEFAULT); /* until the stop post drops the reference */
	return NULL;
}

static void io_bridge_stop_cb(loop_post_t *req)
{
	struct io_bridge *b = req->data;
	loop_unref(b->loop);
}

int io_bridge_start(struct io_bridge *b)
{
	int rc = loop_create(&b->loop, LOOP_BACKEND_EPOLL);
	if (rc < 0)
		return rc;
	loop_ref(b->loop); /* an idle driver keeps running until told to stop */
	if ((rc = -pthread_create(&b->tid, NULL, io_bridge_main, b)) < 0) {
		loop_unref(b->loop);
		loop_destroy(b->loop);
	}
	return rc;
}

int io_bridge_stop(struct io_bridge *b)
{
	b->stop.data = b;
	loop_post(b->loop, &b->stop, io_bridge_stop_cb);
	pthread_join(b->tid, NULL);
	return loop_destroy(b->loop);
}

/* Loop thread: the descriptor is ready.  Stop watching, then wake the task: from here on the
 * task owns w again (it may wait anew as soon as it is polled). */
static void io_bridge_ready_cb(loop_io_t *io, int events)
{
	struct io_bridge_wait *w = io->data;
	(void)events;
	loop_io_stop(io);
	fut_waker_t waker = w->waker;
	w->waker = (fut_waker_t){ 0 };
	atomic_store(&w->armed, false);
	waker_wake(&waker);
}

/* Loop thread: start watching. */
static void io_bridge_watch_cb(loop_post_t *req)
{
	struct io_bridge_wait *w = req->data;
	w->io.data = w;
	if (loop_io_start(w->b->loop, &w->io, w->fd, w->events, io_bridge_ready_cb) < 0)
		io_bridge_ready_cb(&w->io, 0); /* cannot watch: wake at once, the retry reports */
}

int io_bridge_wait(struct io_bridge *b, struct io_bridge_wait *w, int fd, int events,
		   const fut_ctx_t *cx)
{
	if (atomic_exchange(&w->armed, true))
		return 0; /* a wake is already on its way */
	w->b = b;
	w->fd = fd;
	w->events = events;
	w->waker = waker_clone(cx->waker);
	w->post.data = w;
	loop_post(b->loop, &w->post, io_bridge_watch_cb);
	return 0;
}
