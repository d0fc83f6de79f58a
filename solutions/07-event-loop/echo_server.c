/*
 * echo_server.c - steps 6-8: an echo server on the loop: one thread, every connection.
 *
 * Each connection is a small struct and an io watcher; nothing in it waits.  The loop says "fd
 * is readable" and the callback reads what is there, writes back what the socket takes, and
 * returns.  Three invariants carry the whole server:
 *
 *   1. A connection either reads or writes, never both: while some of its echo is still
 *      pending the server does not read from it (backpressure), so one client that sends and
 *      never reads costs at most buf_size bytes of memory, and its socket buffers fill up
 *      until the kernel's flow control stops the client itself.
 *   2. Memory follows data, not connections: every read lands in one scratch buffer shared by
 *      all connections (the loop runs one callback at a time), and only the part the socket
 *      would not take is copied into a buffer of the connection's own, freed once it is sent.
 *      An idle connection is the struct below: tens of bytes, not a buffer and not a stack.
 *   3. A connection is closed in one place, conn_close(), which stops its watcher first, so
 *      the loop never calls back into freed memory.
 */
#include "echo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/todo.h"
#include "list.h"
#include "tcp.h"

struct echo_conn {
	struct echo_server *srv;
	loop_io_t io;
	int fd;
	struct echo_conn *prev, *next;
	char *pending;   /* echo not yet sent: NULL while there is none */
	size_t off, len; /* pending[off, len) is still to be sent */
};

#define relaxed memory_order_relaxed

static __attribute__((unused)) void accept_pause(struct echo_server *s);
static void accept_resume(struct echo_server *s);

/* A graceful stop is over when its last connection is gone: the server holds no handle. */
static void server_finish(struct echo_server *s)
{
	loop_timer_stop(&s->grace);
	free(s->scratch);
	s->scratch = NULL;
}

static void conn_close(struct echo_conn *c, bool reset)
{
	struct echo_server *s = c->srv;
	/* BEGIN STEP 6: Close one connection for good: stop its watcher BEFORE closing the fd
	 * (the loop must never see a descriptor number that may already be reused), unlink it
	 * from s->conns (list_remove, list.h), free its memory, and count it (stats closed,
	 * open, paused, resets).
	 * Checked by: echo::*
	 * stub: LAB_UNUSED(s, c, reset); LAB_TODO(6); return;
	 */
	loop_io_stop(&c->io);
	close(c->fd);
	list_remove(&s->conns, c);
	if (c->pending)
		atomic_fetch_sub_explicit(&s->stats.paused, 1, relaxed);
	atomic_fetch_sub_explicit(&s->stats.open, 1, relaxed);
	atomic_fetch_add_explicit(&s->stats.closed, 1, relaxed);
	if (reset)
		atomic_fetch_add_explicit(&s->stats.resets, 1, relaxed);
	free(c->pending);
	free(c);
	/* END STEP 6 */
	/* a descriptor came free: if accepting was paused at EMFILE, it may work now */
	if (s->listen_fd >= 0 && !loop_io_active(&s->listen_io))
		accept_resume(s);
	if (s->listen_fd < 0 && !s->conns)
		server_finish(s);
}

/* Send pending[off, len).  Returns 0 (all of it went and the connection reads again, or the
 * socket is full and the watcher still waits for LOOP_WRITE) or -errno when the client is gone. */
static int conn_flush(struct echo_conn *c)
{
	struct echo_server *s = c->srv;
	/* BEGIN STEP 6: Send what is pending; each send may take only part.  When all of it is
	 * sent, free the buffer and watch for LOOP_READ again (stats paused - 1).  Use
	 * MSG_NOSIGNAL: writing to a reset connection must be an EPIPE error for this one
	 * connection, not a SIGPIPE that kills the whole server.
	 * Checked by: echo::small_buffers_force_partial_io, echo::resets_close_only_that_client
	 * stub: LAB_UNUSED(s, c); return LAB_TODO(6);
	 */
	while (c->off < c->len) {
		ssize_t n = send(c->fd, c->pending + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -errno;
		c->off += (size_t)n;
		atomic_fetch_add_explicit(&s->stats.bytes, (unsigned long)n, relaxed);
	}
	free(c->pending);
	c->pending = NULL;
	c->off = c->len = 0;
	atomic_fetch_sub_explicit(&s->stats.paused, 1, relaxed);
	return loop_io_modify(&c->io, LOOP_READ);
	/* END STEP 6 */
}

/* Read once and echo what came.  Returns 0 to go on, 1 at end of file, -errno on errors. */
static int conn_echo(struct echo_conn *c)
{
	struct echo_server *s = c->srv;
	/* BEGIN STEP 6: One read into the shared s->scratch (at most s->buf_size bytes), then send
	 * as much of it as the socket takes right away.  If some is left, copy it into
	 * c->pending, stop reading and wait for LOOP_WRITE instead (stats paused and pauses + 1):
	 * that is backpressure.  EAGAIN means nothing is there (0: a level-triggered loop calls
	 * again when there is); read 0 means the client closed its side (1).  MSG_NOSIGNAL on
	 * every send.
	 * Checked by: echo::thousand_clients, echo::small_buffers_force_partial_io,
	 *   echo::silent_client_does_not_delay_others, echo::resets_close_only_that_client
	 * stub: LAB_UNUSED(s, c); return LAB_TODO(6);
	 */
	ssize_t n = recv(c->fd, s->scratch, s->buf_size, 0);
	if (n == 0)
		return 1;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	size_t sent = 0;
	while (sent < (size_t)n) {
		ssize_t w = send(c->fd, s->scratch + sent, (size_t)n - sent, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w < 0)
			return -errno;
		sent += (size_t)w;
	}
	atomic_fetch_add_explicit(&s->stats.bytes, sent, relaxed);
	if (sent == (size_t)n)
		return 0;
	c->len = (size_t)n - sent;
	c->pending = malloc(c->len);
	if (!c->pending)
		return -ENOMEM;
	memcpy(c->pending, s->scratch + sent, c->len);
	c->off = 0;
	atomic_fetch_add_explicit(&s->stats.paused, 1, relaxed);
	atomic_fetch_add_explicit(&s->stats.pauses, 1, relaxed);
	return loop_io_modify(&c->io, LOOP_WRITE);
	/* END STEP 6 */
}

static __attribute__((unused)) void conn_cb(loop_io_t *io, int events)
{
	struct echo_conn *c = io->data;
	int rc = 0;
	/* ERROR and HUP may come in either mode: the next read or send says what happened */
	if (c->pending && (events & (LOOP_WRITE | LOOP_ERROR | LOOP_HUP)))
		rc = conn_flush(c);
	else if (!c->pending && (events & (LOOP_READ | LOOP_ERROR | LOOP_HUP)))
		rc = conn_echo(c);
	if (rc == 1)
		conn_close(c, false); /* the client closed, and all its echo was sent */
	else if (rc < 0)
		conn_close(c, rc == -ECONNRESET || rc == -EPIPE);
}

static void accept_cb(loop_io_t *io, int events)
{
	struct echo_server *s = io->data;
	(void)events;
	/* BEGIN STEP 6: Accept the waiting connections (tcp_accept), a bounded number per call
	 * so one busy listener cannot starve established clients; give each an echo_conn on
	 * s->conns (list_push) watched for LOOP_READ by conn_cb (stats accepted, open).
	 * -EAGAIN: none left.  Out of descriptors (-EMFILE, -ENFILE) or memory: count it in
	 * stats accept_errors and call accept_pause() (step 7), which keeps the loop from
	 * spinning on a listening socket that stays readable.
	 * Checked by: echo::*
	 * stub: LAB_UNUSED(s);
	 * stub: LAB_TODO(6);
	 */
	for (int i = 0; i < 64; i++) {
		int fd = tcp_accept(s->listen_fd);
		if (fd == -EAGAIN)
			return;
		if (fd < 0) {
			atomic_fetch_add_explicit(&s->stats.accept_errors, 1, relaxed);
			accept_pause(s);
			return;
		}
		struct echo_conn *c = calloc(1, sizeof *c);
		int rc = c ? loop_io_start(s->loop, &c->io, fd, LOOP_READ, conn_cb) : -ENOMEM;
		if (rc < 0) {
			close(fd);
			free(c);
			atomic_fetch_add_explicit(&s->stats.accept_errors, 1, relaxed);
			accept_pause(s);
			return;
		}
		c->io.data = c;
		c->fd = fd;
		c->srv = s;
		list_push(&s->conns, c);
		atomic_fetch_add_explicit(&s->stats.accepted, 1, relaxed);
		atomic_fetch_add_explicit(&s->stats.open, 1, relaxed);
	}
	/* END STEP 6 */
}

static __attribute__((unused)) void retry_cb(loop_timer_t *t)
{
	accept_resume(t->data);
}

/* Out of descriptors (or memory): stop watching the listening socket for a while. */
static __attribute__((unused)) void accept_pause(struct echo_server *s)
{
	/* BEGIN STEP 7: Pause accepting after EMFILE/ENFILE/ENOMEM.  The listening socket stays
	 * readable while the connection waits in the kernel's queue, so a level-triggered loop
	 * would call accept_cb again at once, fail again, and spin at 100% CPU doing nothing.
	 * Stop the listen watcher and start s->retry for ECHO_ACCEPT_RETRY_MS; conn_close() also
	 * resumes early, since a closed connection frees a descriptor.  Meanwhile the client waits
	 * in the kernel's accept queue, which is where it should wait.  stats accepting = false.
	 * Checked by: echo::emfile_does_not_spin_and_recovers
	 * stub: LAB_UNUSED(s);
	 * stub: LAB_TODO(7);
	 */
	loop_io_stop(&s->listen_io);
	loop_timer_start(&s->retry, retry_cb, ECHO_ACCEPT_RETRY_MS, 0);
	atomic_store_explicit(&s->stats.accepting, false, relaxed);
	/* END STEP 7 */
}

/* Watch the listening socket again (after a pause); a no-op once stopped. */
static void accept_resume(struct echo_server *s)
{
	/* BEGIN STEP 7: Undo accept_pause: stop s->retry and watch s->listen_fd for LOOP_READ
	 * again with accept_cb (stats accepting = true).  If the descriptors are still exhausted
	 * the next accept fails and pauses again: one failed call per retry period, not millions.
	 * Checked by: echo::emfile_does_not_spin_and_recovers
	 * stub: LAB_UNUSED(s); LAB_TODO(7); return;
	 */
	loop_timer_stop(&s->retry);
	if (s->listen_fd < 0 || loop_io_active(&s->listen_io))
		return;
	if (loop_io_start(s->loop, &s->listen_io, s->listen_fd, LOOP_READ, accept_cb) < 0) {
		loop_timer_start(&s->retry, retry_cb, ECHO_ACCEPT_RETRY_MS, 0);
		return;
	}
	s->listen_io.data = s;
	atomic_store_explicit(&s->stats.accepting, true, relaxed);
	/* END STEP 7 */
}

int echo_server_start(struct echo_server *s, loop_t *loop, int listen_fd, size_t buf_size)
{
	if (!s || !loop || listen_fd < 0)
		return -EINVAL;
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->listen_fd = listen_fd;
	s->buf_size = buf_size ? buf_size : ECHO_BUF_SIZE;
	s->scratch = malloc(s->buf_size);
	if (!s->scratch)
		return -ENOMEM;
	loop_timer_init(loop, &s->retry);
	loop_timer_init(loop, &s->grace);
	s->retry.data = s->grace.data = s;
	int rc = loop_io_start(loop, &s->listen_io, listen_fd, LOOP_READ, accept_cb);
	if (rc < 0) {
		free(s->scratch);
		s->scratch = NULL;
		return rc;
	}
	s->listen_io.data = s;
	atomic_store_explicit(&s->stats.accepting, true, relaxed);
	return 0;
}

static __attribute__((unused)) void grace_cb(loop_timer_t *t)
{
	struct echo_server *s = t->data;
	while (s->conns)
		conn_close(s->conns, false);
}

/* Is anything of this connection's in flight: echo not yet sent, or bytes not yet read? */
static __attribute__((unused)) bool conn_busy(struct echo_conn *c)
{
	int unread = 0;
	return c->pending || (ioctl(c->fd, FIONREAD, &unread) == 0 && unread > 0);
}

/* The connections at a stop: close those with nothing in flight now, let the others finish
 * within grace_ms (s->grace closes whatever is left then). */
static __attribute__((unused)) void stop_connections(struct echo_server *s, uint64_t grace_ms)
{
	/* BEGIN STEP 8: Graceful stop.  Close every connection with nothing in flight
	 * (conn_busy) right away; leave the others to finish, and start s->grace so that after
	 * grace_ms they are closed anyway.  With no handle left, loop_run returns by itself.
	 * (Until this step, a stop closes every connection at once, in-flight echo or not.)
	 * Checked by: echo::sigterm_finishes_in_flight_echo
	 * stub: LAB_UNUSED(grace_ms);
	 * stub: (void)LAB_TODO(8);
	 * stub: while (s->conns)
	 * stub: 	conn_close(s->conns, false);
	 */
	for (struct echo_conn *c = s->conns, *next; c; c = next) {
		next = c->next; /* conn_close frees c */
		if (!conn_busy(c))
			conn_close(c, false);
	}
	if (s->conns)
		loop_timer_start(&s->grace, grace_cb, grace_ms, 0);
	/* END STEP 8 */
}

void echo_server_stop(struct echo_server *s, uint64_t grace_ms)
{
	if (s->listen_fd < 0)
		return;
	/* BEGIN STEP 6: Stop accepting for good: stop the listen watcher, the retry timer and
	 * the signal watcher, close the listening socket (new clients are now refused) and set
	 * s->listen_fd = -1; then stop_connections (step 8) deals with the connections.
	 * Checked by: echo::* (the fixture stops every server this way)
	 * stub: LAB_UNUSED(grace_ms); LAB_TODO(6); return;
	 */
	loop_io_stop(&s->listen_io);
	loop_timer_stop(&s->retry);
	if (s->signal_started)
		loop_signal_stop(&s->signal);
	close(s->listen_fd);
	s->listen_fd = -1;
	atomic_store_explicit(&s->stats.accepting, false, relaxed);
	atomic_store_explicit(&s->stats.stopping, true, relaxed);
	stop_connections(s, grace_ms);
	/* END STEP 6 */
	if (!s->conns)
		server_finish(s);
}

static void signal_cb(loop_signal_t *sig, int signo)
{
	struct echo_server *s = sig->data;
	(void)signo;
	echo_server_stop(s, s->grace_ms);
}

int echo_server_stop_on_signal(struct echo_server *s, int signo, uint64_t grace_ms)
{
	if (s->signal_started)
		return -EBUSY;
	s->grace_ms = grace_ms;
	int rc = loop_signal_start(s->loop, &s->signal, signo, signal_cb);
	if (rc < 0)
		return rc;
	s->signal.data = s;
	s->signal_started = true;
	return 0;
}
