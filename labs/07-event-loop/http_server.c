/*
 * http_server.c - steps 11-12: HTTP/1.1 on the loop: keep-alive, pipelining, timeouts.
 *
 * A connection owns an input buffer (bytes received, not yet answered) and an output buffer
 * (responses not yet sent).  Whenever bytes arrive, every complete request at the front of the
 * input is answered, in order, by appending its response to the output: that alone makes
 * pipelined requests come back in the order they were sent.  Then as much output as the
 * socket takes is sent; the watcher waits for LOOP_WRITE only while some is left.
 *
 * Two limits keep one client from holding the server:
 *   - backpressure: no more requests are parsed while HTTP_OUT_HIGH bytes of responses wait,
 *     and no more bytes are read while the input buffer is full;
 *   - a deadline, not an idle timer: each complete request must arrive within timeout_ms of
 *     the previous one (or of connecting).  Receiving a byte does not restart it, so a
 *     slowloris client that trickles one header byte every second is closed like an idle one.
 *
 * A graceful stop (SIGTERM) keeps the same machinery: the server stops accepting, and each
 * connection answers what it has already received, then takes the usual lingering close.
 */
#include "http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/todo.h"
#include "list.h"
#include "tcp.h"

#define HTTP_OUT_HIGH 65536 /* stop parsing while this much output waits */
#define HTTP_RETRY_MS 100   /* accepting pauses this long after EMFILE */
#define relaxed memory_order_relaxed

struct http_conn {
	struct http_server *srv;
	loop_io_t io;
	int fd;
	loop_timer_t deadline;
	struct http_conn *prev, *next;
	struct http_parser parser;
	char *in; /* in[0, in_len): received, not yet answered */
	size_t in_len, in_cap;
	char *out; /* out[out_off, out_len): responses not yet sent */
	size_t out_off, out_len, out_cap;
	bool last;     /* the last response is queued: no more requests */
	bool draining; /* our side is shut: discard input until the client closes */
	int watching;  /* the events c->io waits for */
};

static void accept_cb(loop_io_t *io, int events);

static void conn_close(struct http_conn *c)
{
	struct http_server *s = c->srv;
	loop_timer_stop(&c->deadline);
	loop_io_stop(&c->io);
	close(c->fd);
	list_remove(&s->conns, c);
	free(c->in);
	free(c->out);
	free(c);
	atomic_fetch_sub_explicit(&s->stats.open, 1, relaxed);
	atomic_fetch_add_explicit(&s->stats.closed, 1, relaxed);
	if (s->listen_fd < 0 && !s->conns)
		loop_timer_stop(&s->grace); /* a graceful stop is over: no handle is left */
	/* a descriptor came free: resume accepting if EMFILE had paused it */
	if (s->listen_fd >= 0 && !loop_io_active(&s->listen_io)) {
		loop_timer_stop(&s->retry);
		if (loop_io_start(s->loop, &s->listen_io, s->listen_fd, LOOP_READ, accept_cb) == 0)
			s->listen_io.data = s;
	}
}

/* Append to the output buffer, growing it.  0 or -ENOMEM. */
static int out_append(struct http_conn *c, const char *data, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 1024;
		while (cap < c->out_len + len)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

/* Queue the response to one request (the lab's whole "application"). */
static __attribute__((unused)) int respond(struct http_conn *c, const struct http_request *req)
{
	char head[256], body[160];
	int blen = snprintf(body, sizeof body, "%.*s %.*s\n", (int)req->method_len, req->method,
			    req->target_len > 100 ? 100 : (int)req->target_len, req->target);
	if (req->body_len)
		blen += snprintf(body + blen, sizeof body - (size_t)blen, "body: %zu bytes\n",
				 req->body_len);
	bool head_only = req->method_len == 4 && memcmp(req->method, "HEAD", 4) == 0;
	int hlen = snprintf(head, sizeof head,
			    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
			    "%s\r\n",
			    blen, req->keep_alive ? "" : "Connection: close\r\n");
	int rc = out_append(c, head, (size_t)hlen);
	return rc ? rc : head_only ? 0 : out_append(c, body, (size_t)blen);
}

static __attribute__((unused)) int respond_error(struct http_conn *c, int status)
{
	const char *reason = status == 413   ? "Content Too Large"
			     : status == 501 ? "Not Implemented"
					     : "Bad Request";
	char buf[256];
	int n = snprintf(buf, sizeof buf,
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s\n",
			 status, reason, strlen(reason) + 1, reason);
	atomic_fetch_add_explicit(&c->srv->stats.errors, 1, relaxed);
	return out_append(c, buf, (size_t)n);
}

static __attribute__((unused)) void deadline_cb(loop_timer_t *t)
{
	struct http_conn *c = t->data;
	atomic_fetch_add_explicit(&c->srv->stats.timeouts, 1, relaxed);
	conn_close(c);
}

/* (Re)start the connection's deadline for its next complete request. */
static int conn_deadline_restart(struct http_conn *c)
{
	/* TODO step 12: Give the client c->srv->timeout_ms from now to deliver its next complete
	 * request: (re)start c->deadline (deadline_cb closes the connection and counts a timeout).
	 * Called on connecting and after each complete request, never for a partial one:
	 * restarting on every byte would let a slowloris client keep a connection forever.
	 * Checked by: http::idle_connection_is_closed, http::slowloris_is_closed
	 */
	LAB_UNUSED(c); return LAB_TODO(12);
}

/* Answer every complete request at the front of the input, in order. 0 or -errno. */
static int conn_process(struct http_conn *c)
{
	/* TODO step 11: While output is below HTTP_OUT_HIGH and no last response is queued,
	 * feed the input to the parser: a complete request is answered (respond), counted
	 * (stats requests), consumed, and restarts the deadline (step 12); if it was not
	 * keep-alive it was the last.  A negative answer queues respond_error(-rc) as the last
	 * response.  Move the unanswered rest of the input to the front of c->in.
	 * Checked by: http::keep_alive_serves_many, http::pipelined_answers_in_order,
	 *   http::malformed_gets_400_and_close, http::oversized_gets_413
	 */
	LAB_UNUSED(c); return LAB_TODO(11);
}

/* During a graceful stop, after conn_process: once every request received so far is answered,
 * the connection takes no more (c->last). */
static void conn_stop_if_answered(struct http_conn *c)
{
	/* TODO step 13: A graceful stop answers what the client has already sent, and no more.
	 * If conn_process stopped for want of a complete request (not for backpressure: the
	 * output is below HTTP_OUT_HIGH) and the socket holds no unread byte (ioctl FIONREAD),
	 * every request received has been answered: set c->last, and the usual lingering close
	 * follows the last response.  Unread bytes mean more to read first (the watcher keeps
	 * LOOP_READ); a request cut short by the stop is dropped.
	 * Checked by: http::sigterm_finishes_in_flight_responses
	 */
	LAB_UNUSED(c); LAB_TODO_ABORT(13);
}

/* Send what the socket takes. 0 or -errno. */
static int conn_flush(struct http_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

/* Read what is there into the input (or discard it while draining). 0, 1 at EOF, -errno. */
static int conn_read(struct http_conn *c)
{
	char sink[4096];
	if (c->draining) {
		ssize_t n = recv(c->fd, sink, sizeof sink, 0);
		return n == 0 ? 1 : n > 0 || errno == EAGAIN || errno == EINTR ? 0 : -errno;
	}
	if (c->in_len == c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap * 2 : 2048;
		char *p = realloc(c->in, cap);
		if (!p)
			return -ENOMEM;
		c->in = p;
		c->in_cap = cap;
	}
	ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
	if (n == 0)
		return 1;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	c->in_len += (size_t)n;
	return 0;
}

static __attribute__((unused)) void conn_cb(loop_io_t *io, int events)
{
	struct http_conn *c = io->data;
	size_t in_max = c->parser.max_head + c->parser.max_body;
	int rc = 0;
	bool reading = !c->last && c->in_len < in_max;

	if ((reading || c->draining) && (events & (LOOP_READ | LOOP_ERROR | LOOP_HUP)))
		rc = conn_read(c);
	if (rc == 1 && (c->draining || c->out_off == c->out_len)) {
		conn_close(c); /* the client closed and nothing is owed to it */
		return;
	}
	if (rc == 1)
		c->last = true; /* end of input: send what is queued, then close */
	if (rc >= 0 && !c->draining)
		rc = conn_process(c);
	if (rc >= 0 && c->srv->stopping && !c->last)
		conn_stop_if_answered(c);
	if (rc >= 0)
		rc = conn_flush(c);
	if (rc < 0) {
		conn_close(c);
		return;
	}
	bool pending = c->out_off < c->out_len;
	if (c->last && !pending && !c->draining) {
		/* lingering close: shut our side (the client sees end of file after the last
		 * response) and read until it closes; closing with unread input would send a
		 * reset that can destroy the response before the client reads it */
		shutdown(c->fd, SHUT_WR);
		c->draining = true;
	}
	reading = c->draining ||
		  (!c->last && c->in_len < in_max && c->out_len - c->out_off < HTTP_OUT_HIGH);
	int want = (reading ? LOOP_READ : 0) | (pending ? LOOP_WRITE : 0);
	if (want && want != c->watching)
		rc = loop_io_modify(&c->io, want);
	c->watching = want;
	if (!want || rc < 0)
		conn_close(c);
}

static __attribute__((unused)) void retry_cb(loop_timer_t *t)
{
	struct http_server *s = t->data;
	if (s->listen_fd >= 0 &&
	    loop_io_start(s->loop, &s->listen_io, s->listen_fd, LOOP_READ, accept_cb) == 0)
		s->listen_io.data = s;
	else
		loop_timer_start(&s->retry, retry_cb, HTTP_RETRY_MS, 0);
}

static void accept_cb(loop_io_t *io, int events)
{
	struct http_server *s = io->data;
	(void)events;
	for (int i = 0; i < 64; i++) {
		int fd = tcp_accept(s->listen_fd);
		if (fd == -EAGAIN)
			return;
		struct http_conn *c = fd >= 0 ? calloc(1, sizeof *c) : NULL;
		if (!c || loop_io_start(s->loop, &c->io, fd, LOOP_READ, conn_cb) < 0) {
			/* out of descriptors or memory: pause, as the echo server does (step 7) */
			if (fd >= 0)
				close(fd);
			free(c);
			loop_io_stop(&s->listen_io);
			loop_timer_start(&s->retry, retry_cb, HTTP_RETRY_MS, 0);
			return;
		}
		c->io.data = c;
		c->fd = fd;
		c->watching = LOOP_READ;
		c->srv = s;
		http_parser_init(&c->parser, 0, 0);
		loop_timer_init(s->loop, &c->deadline);
		c->deadline.data = c;
		list_push(&s->conns, c);
		atomic_fetch_add_explicit(&s->stats.accepted, 1, relaxed);
		atomic_fetch_add_explicit(&s->stats.open, 1, relaxed);
		conn_deadline_restart(c);
	}
}

int http_server_start(struct http_server *s, loop_t *loop, int listen_fd, uint64_t timeout_ms)
{
	if (!s || !loop || listen_fd < 0)
		return -EINVAL;
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->listen_fd = listen_fd;
	s->timeout_ms = timeout_ms ? timeout_ms : 10000;
	loop_timer_init(loop, &s->retry);
	loop_timer_init(loop, &s->grace);
	s->retry.data = s->grace.data = s;
	int rc = loop_io_start(loop, &s->listen_io, listen_fd, LOOP_READ, accept_cb);
	if (rc < 0)
		return rc;
	s->listen_io.data = s;
	return 0;
}

/* Stop accepting for good: new clients are refused from now on. */
static void accept_stop(struct http_server *s)
{
	if (s->listen_fd < 0)
		return;
	loop_io_stop(&s->listen_io);
	loop_timer_stop(&s->retry);
	close(s->listen_fd);
	s->listen_fd = -1;
}

void http_server_stop(struct http_server *s)
{
	accept_stop(s);
	while (s->conns)
		conn_close(s->conns);
	loop_timer_stop(&s->grace);
}

static __attribute__((unused)) void grace_cb(loop_timer_t *t)
{
	http_server_stop(t->data);
}

/* Nothing in flight: no request or response in the buffers, no unread byte in the socket. */
static __attribute__((unused)) bool conn_idle(struct http_conn *c)
{
	int unread = 0;
	return !c->draining && c->in_len == 0 && c->out_off == c->out_len &&
	       ioctl(c->fd, FIONREAD, &unread) == 0 && unread == 0;
}

/* The connections at a graceful stop (s->stopping is set, accepting has stopped). */
static void stop_connections(struct http_server *s, uint64_t grace_ms)
{
	/* TODO step 13: Graceful stop.  Close the idle connections (conn_idle) at once.  Each
	 * of the others is handled now as if it were readable (conn_cb with LOOP_READ): with
	 * s->stopping set it answers what it has received (conn_stop_if_answered), and the
	 * loop carries on from there.  Start s->grace so that after grace_ms whatever is left is
	 * closed (grace_cb).  (Until this step, a stop closes every connection at once.)
	 * Checked by: http::sigterm_finishes_in_flight_responses
	 */
	LAB_UNUSED(grace_ms);
	(void)LAB_TODO(13);
	while (s->conns)
		conn_close(s->conns);
}

void http_server_stop_gracefully(struct http_server *s, uint64_t grace_ms)
{
	if (s->listen_fd < 0)
		return;
	accept_stop(s);
	s->stopping = true;
	stop_connections(s, grace_ms);
}
