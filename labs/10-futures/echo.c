/*
 * echo.c - an echo server on futures: one task per connection.
 *
 * Each connection is a hand-written state machine - what an `async fn` that loops over
 * `n = read().await; write_all(n).await` compiles to.  The locals that live across an await
 * (the buffer, how much of it is written) are fields, the await points are states, and the
 * future being awaited is a child field.  Continuation style: each state's code runs when the
 * child it awaits is ready, and says what to await next.
 *
 * Compare lab 07's callback echo: the same system calls in the same order; what changes is who
 * holds the state (a future, not a callback's closure) and who drives it (poll, not the loop).
 */
#include "reactor_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "asl/todo.h"

enum { ECHO_BUF = 4096 };

struct echo_server {
	exec_t *ex;
	reactor_io_t *listen;
	bool stopping;
	uint64_t accepted;
	fut_waker_t acceptor; /* to wake the acceptor when asked to stop */
};

struct echo_conn {
	fut_t base;
	reactor_io_t *io;
	int fd;
	enum { CONN_READ, CONN_WRITE } state;
	fut_t *child;    /* the read or write being awaited */
	size_t len, off; /* bytes in buf, bytes of them written */
	char buf[ECHO_BUF];
};

static enum fut_poll conn_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct echo_conn *c = (struct echo_conn *)self;
	/* TODO step 14: The connection's state machine.  CONN_READ: await reactor_read into
	 * buf; 0 (EOF) or an error ends the connection (result: 0 or the error); n bytes ->
	 * CONN_WRITE with len = n, off = 0.  CONN_WRITE: await reactor_write of buf[off..len)
	 * until off == len (writes may be partial), then back to CONN_READ.  Make each child
	 * when its state starts, drop it when it is ready; a pending child means pending.
	 * Checked by: echo::*
	 */
	LAB_UNUSED(c, cx, out); LAB_TODO_ABORT(14);
}

static void conn_drop(fut_t *self)
{
	struct echo_conn *c = (struct echo_conn *)self;
	fut_drop(c->child); /* first: it may hold a waker in c->io */
	reactor_io_close(c->io);
	close(c->fd);
	free(c);
}

static const struct fut_vtable conn_vtable = { .poll = conn_poll, .drop = conn_drop };

/* A connection task's future for the accepted fd (closed on failure). */
static __attribute__((unused)) fut_t *conn_new(exec_t *ex, int fd)
{
	struct echo_conn *c = malloc(sizeof *c);
	if (!c || reactor_io_open(ex, fd, &c->io) < 0) {
		free(c);
		close(fd);
		return NULL;
	}
	c->base.vt = &conn_vtable;
	c->fd = fd;
	c->state = CONN_READ;
	c->child = NULL;
	c->len = c->off = 0;
	return &c->base;
}

struct acceptor {
	fut_t base;
	echo_server_t *s;
	fut_t *accept; /* the accept being awaited */
};

static enum fut_poll acceptor_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct acceptor *a = (struct acceptor *)self;
	echo_server_t *s = a->s;
	/* TODO step 14: The acceptor: until s->stopping (then ready, result 0), await
	 * reactor_accept on s->listen and spawn a connection task (conn_new) for every
	 * descriptor it yields, counting s->accepted.  An accept error such as EMFILE must not
	 * end the server: ready with -EMFILE would stop accepting for good, so wait for the
	 * next readiness instead (give back the child and yield).  Keep our waker in
	 * s->acceptor so echo_server_stop can wake us.
	 * Checked by: echo::*
	 */
	LAB_UNUSED(s, cx, out); LAB_TODO_ABORT(14);
}

static void acceptor_drop(fut_t *self)
{
	struct acceptor *a = (struct acceptor *)self;
	fut_drop(a->accept);
	waker_drop(&a->s->acceptor);
	free(a);
}

static const struct fut_vtable acceptor_vtable = { .poll = acceptor_poll, .drop = acceptor_drop };

int echo_server_start(exec_t *ex, int lfd, echo_server_t **out)
{
	echo_server_t *s = calloc(1, sizeof *s);
	struct acceptor *a = calloc(1, sizeof *a);
	int rc = -ENOMEM;
	if (!s || !a || (rc = reactor_io_open(ex, lfd, &s->listen)) < 0) {
		free(s);
		free(a);
		return rc;
	}
	s->ex = ex;
	a->base.vt = &acceptor_vtable;
	a->s = s;
	rc = exec_spawn(ex, &a->base, NULL);
	if (rc < 0) {
		reactor_io_close(s->listen);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void echo_server_stop(echo_server_t *s)
{
	s->stopping = true;
	waker_wake_by_ref(&s->acceptor);
}

void echo_server_destroy(echo_server_t *s)
{
	reactor_io_close(s->listen);
	free(s);
}

uint64_t echo_server_accepted(const echo_server_t *s)
{
	return s->accepted;
}
