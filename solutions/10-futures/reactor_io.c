/*
 * reactor_io.c - the leaf futures: where a poll finally makes a system call.
 *
 * Notes 002, step 3: "somewhere in the body a syscall is made".  Each leaf future simply TRIES
 * the call: on a non-blocking descriptor it either succeeds (ready) or says EAGAIN, and only
 * then does the future hand its waker to the reactor and return FUT_PENDING.  Readiness is a
 * hint, never a promise: after a wake-up the call is tried again and may say EAGAIN again
 * (a spurious wake-up), which is fine.
 */
#include "reactor_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/todo.h"

struct io_fut {
	fut_t base;
	reactor_io_t *io;
	void *buf;
	size_t len;
	int dir;      /* REACTOR_READ / REACTOR_WRITE: which waiter slot it may hold */
	bool waiting; /* its waker is in io->waiter[dir] */
};

/* One try of the operation of f: >= 0 a result, -errno an error (-EAGAIN: not yet). */
typedef intptr_t (*io_try_fn)(struct io_fut *f);

static intptr_t try_read(struct io_fut *f)
{
	ssize_t n = read(f->io->fd, f->buf, f->len);
	return n >= 0 ? n : -errno;
}

static intptr_t try_write(struct io_fut *f)
{
	/* MSG_NOSIGNAL: a peer that hung up gives EPIPE, not a SIGPIPE that kills us */
	ssize_t n = send(f->io->fd, f->buf, f->len, MSG_NOSIGNAL);
	if (n < 0 && errno == ENOTSOCK)
		n = write(f->io->fd, f->buf, f->len);
	return n >= 0 ? n : -errno;
}

static intptr_t try_accept(struct io_fut *f)
{
	int fd = accept4(f->io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

static enum fut_poll io_poll(struct io_fut *f, fut_ctx_t *cx, intptr_t *out, io_try_fn op)
{
	/* BEGIN STEP 6: The shape of every leaf future: try op(f); retry at once on -EINTR;
	 * -EAGAIN (or -EWOULDBLOCK) -> reactor_io_wait(f->io, f->dir, cx) and pending (note
	 * f->waiting), or ready with its error if it fails; anything else is the result.
	 * Checked by: reactor::io_*, echo::*
	 * stub: LAB_UNUSED(f, cx, out, op); LAB_TODO_ABORT(6);
	 */
	for (;;) {
		intptr_t r = op(f);
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN || r == -EWOULDBLOCK) {
			int rc = reactor_io_wait(f->io, f->dir, cx);
			if (rc == 0) {
				f->waiting = true;
				return FUT_PENDING;
			}
			r = rc;
		}
		*out = r;
		return FUT_READY;
	}
	/* END STEP 6 */
}

static enum fut_poll read_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	return io_poll((struct io_fut *)self, cx, out, try_read);
}

static enum fut_poll write_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	return io_poll((struct io_fut *)self, cx, out, try_write);
}

static enum fut_poll accept_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	return io_poll((struct io_fut *)self, cx, out, try_accept);
}

static void io_drop(fut_t *self)
{
	struct io_fut *f = (struct io_fut *)self;
	/* BEGIN STEP 6: Cancellation: a future dropped while its waker sits in the reactor
	 * takes it out (reactor_io_unwait), so no stale wake-up and no reference is left
	 * behind; then free it.
	 * Checked by: reactor::drop_*, combine::*
	 * stub: LAB_UNUSED(f); LAB_TODO_ABORT(6);
	 */
	if (f->waiting)
		reactor_io_unwait(f->io, f->dir);
	free(f);
	/* END STEP 6 */
}

static const struct fut_vtable read_vtable = { .poll = read_poll, .drop = io_drop };
static const struct fut_vtable write_vtable = { .poll = write_poll, .drop = io_drop };
static const struct fut_vtable accept_vtable = { .poll = accept_poll, .drop = io_drop };

static fut_t *io_fut_new(const struct fut_vtable *vt, reactor_io_t *io, void *buf, size_t len,
			 int dir)
{
	struct io_fut *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	*f = (struct io_fut){ .base = { vt }, .io = io, .buf = buf, .len = len, .dir = dir };
	return &f->base;
}

fut_t *reactor_read(reactor_io_t *io, void *buf, size_t len)
{
	return io_fut_new(&read_vtable, io, buf, len, REACTOR_READ);
}

fut_t *reactor_write(reactor_io_t *io, const void *buf, size_t len)
{
	return io_fut_new(&write_vtable, io, (void *)buf, len, REACTOR_WRITE);
}

fut_t *reactor_accept(reactor_io_t *io)
{
	return io_fut_new(&accept_vtable, io, NULL, 0, REACTOR_READ);
}

/* ---- connect: owns its socket until it hands it over ---- */

struct connect_fut {
	fut_t base;
	exec_t *ex;
	struct sockaddr_storage addr;
	socklen_t len;
	int fd;           /* -1 until the first poll */
	reactor_io_t *io; /* while the connection is in progress */
};

static enum fut_poll connect_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct connect_fut *f = (struct connect_fut *)self;
	/* BEGIN STEP 6: First poll: a non-blocking socket of the address's family and
	 * connect(); done at once -> ready with the fd; EINPROGRESS -> register it
	 * (reactor_io_open) and wait until writable.  Later polls: SO_ERROR says how it went
	 * (still EINPROGRESS/EALREADY: wait again).  Ready: the connected fd (the caller owns
	 * it; close the registration, not the fd) or -errno (close the fd).
	 * Checked by: reactor::io_connect_*, echo::*
	 * stub: LAB_UNUSED(f, cx, out); LAB_TODO_ABORT(6);
	 */
	int err = 0;
	if (f->fd < 0) {
		f->fd = socket(f->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (f->fd < 0) {
			*out = -errno;
			return FUT_READY;
		}
		if (connect(f->fd, (struct sockaddr *)&f->addr, f->len) < 0)
			err = errno;
		if (err == EINPROGRESS) {
			err = reactor_io_open(f->ex, f->fd, &f->io);
			err = err < 0 ? -err : EINPROGRESS;
		}
	} else {
		socklen_t sl = sizeof err;
		if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
	}
	if (err == EINPROGRESS || err == EALREADY) {
		int rc = reactor_io_wait(f->io, REACTOR_WRITE, cx);
		if (rc == 0)
			return FUT_PENDING;
		err = -rc;
	}
	if (f->io) {
		reactor_io_close(f->io);
		f->io = NULL;
	}
	if (err) {
		close(f->fd);
		*out = -err;
	} else {
		*out = f->fd;
	}
	f->fd = -1;
	return FUT_READY;
	/* END STEP 6 */
}

static void connect_drop(fut_t *self)
{
	struct connect_fut *f = (struct connect_fut *)self;
	if (f->io)
		reactor_io_close(f->io);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

static const struct fut_vtable connect_vtable = { .poll = connect_poll, .drop = connect_drop };

fut_t *reactor_connect(exec_t *ex, const struct sockaddr *addr, socklen_t len)
{
	if (len > sizeof(struct sockaddr_storage)) {
		errno = EINVAL;
		return NULL;
	}
	struct connect_fut *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->base.vt = &connect_vtable;
	f->ex = ex;
	memcpy(&f->addr, addr, len);
	f->len = len;
	f->fd = -1;
	return &f->base;
}
