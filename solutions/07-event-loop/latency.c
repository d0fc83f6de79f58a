/*
 * latency.c - the latency injector (see latency.h for the protocol).
 *
 * Not a student step: it is the lab's first user of timers by the thousand.  Each request line
 * becomes a timer that fires after the requested delay and appends the line to its
 * connection's output; the loop's heap orders thousands of them at O(log n) each, and the
 * heap's tie rule (equal deadlines in start order) is the protocol's ordering promise.
 */
#include "latency.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "list.h"
#include "tcp.h"

#define relaxed memory_order_relaxed

struct latency_req {
	loop_timer_t timer;
	struct latency_conn *conn;
	struct latency_req *prev, *next; /* the connection's requests not yet answered */
	size_t len;
	char line[LATENCY_MAX_LINE + 1];
};

struct latency_conn {
	struct latency_server *srv;
	loop_io_t io;
	int fd;
	struct latency_conn *prev, *next;
	struct latency_req *reqs;
	char in[LATENCY_MAX_LINE + 1];
	size_t in_len;
	char *out; /* answers not yet sent: out[out_off, out_len) */
	size_t out_off, out_len, out_cap;
	bool closing; /* send what is queued (ERR), then close */
};

static void req_free(struct latency_req *r)
{
	struct latency_conn *c = r->conn;
	loop_timer_stop(&r->timer);
	list_remove(&c->reqs, r);
	free(r);
}

static void conn_close(struct latency_conn *c)
{
	struct latency_server *s = c->srv;
	while (c->reqs)
		req_free(c->reqs);
	loop_io_stop(&c->io);
	close(c->fd);
	list_remove(&s->conns, c);
	free(c->out);
	free(c);
}

static int out_append(struct latency_conn *c, const char *p, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap * 2 : 512;
		while (cap < c->out_len + n)
			cap *= 2;
		char *q = realloc(c->out, cap);
		if (!q)
			return -ENOMEM;
		c->out = q;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return 0;
}

/* Send what the socket takes and wait for writability only while some is left.  0 / -errno;
 * 1 when the connection was closed after its last (ERR) answer. */
static int conn_flush(struct latency_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return loop_io_modify(&c->io, LOOP_READ | LOOP_WRITE);
		if (n < 0)
			return -errno;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	if (c->closing) {
		conn_close(c);
		return 1;
	}
	return loop_io_modify(&c->io, LOOP_READ);
}

static void req_due(loop_timer_t *t)
{
	struct latency_req *r = t->data;
	struct latency_conn *c = r->conn;
	int rc = out_append(c, r->line, r->len);
	atomic_fetch_add_explicit(&c->srv->answered, 1, relaxed);
	req_free(r);
	if (rc == 0)
		rc = conn_flush(c);
	if (rc < 0)
		conn_close(c);
}

/* Parse one complete line (with its '\n') and start its timer.  0, or -EINVAL if malformed. */
static int conn_request(struct latency_conn *c, const char *line, size_t len)
{
	unsigned long ms = 0;
	size_t i = 0;
	while (i < len && line[i] >= '0' && line[i] <= '9' && ms <= LATENCY_MAX_MS)
		ms = ms * 10 + (unsigned long)(line[i++] - '0');
	if (i == 0 || ms > LATENCY_MAX_MS || (line[i] != ' ' && line[i] != '\n'))
		return -EINVAL;
	struct latency_req *r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	memcpy(r->line, line, len);
	r->len = len;
	r->conn = c;
	loop_timer_init(c->srv->loop, &r->timer);
	r->timer.data = r;
	list_push(&c->reqs, r);
	atomic_fetch_add_explicit(&c->srv->requests, 1, relaxed);
	return loop_timer_start(&r->timer, req_due, ms, 0);
}

static __attribute__((unused)) void conn_cb(loop_io_t *io, int events)
{
	struct latency_conn *c = io->data;
	int rc = 0;
	if (events & LOOP_WRITE) {
		if ((rc = conn_flush(c)) == 1)
			return;
	}
	if (rc == 0 && !c->closing && (events & (LOOP_READ | LOOP_ERROR | LOOP_HUP))) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(c);
			return;
		}
		c->in_len += n > 0 ? (size_t)n : 0;
		/* every complete line is a request; a line that cannot fit is an error */
		char *nl;
		while (rc == 0 && (nl = memchr(c->in, '\n', c->in_len))) {
			size_t len = (size_t)(nl - c->in) + 1;
			rc = conn_request(c, c->in, len);
			memmove(c->in, c->in + len, c->in_len - len);
			c->in_len -= len;
		}
		if (rc == 0 && c->in_len == sizeof c->in)
			rc = -EINVAL;
		if (rc == -EINVAL) {
			atomic_fetch_add_explicit(&c->srv->errors, 1, relaxed);
			c->closing = true;
			rc = out_append(c, "ERR\n", 4);
			if (rc == 0 && conn_flush(c) == 1)
				return;
		}
	}
	if (rc < 0)
		conn_close(c);
}

static void accept_cb(loop_io_t *io, int events)
{
	struct latency_server *s = io->data;
	(void)events;
	for (int i = 0; i < 64; i++) {
		int fd = tcp_accept(s->listen_fd);
		if (fd < 0)
			return; /* EAGAIN, or out of descriptors: a test tool need not be clever */
		struct latency_conn *c = calloc(1, sizeof *c);
		if (!c || loop_io_start(s->loop, &c->io, fd, LOOP_READ, conn_cb) < 0) {
			free(c);
			close(fd);
			return;
		}
		c->io.data = c;
		c->fd = fd;
		c->srv = s;
		list_push(&s->conns, c);
	}
}

int latency_server_start(struct latency_server *s, loop_t *loop, int listen_fd)
{
	if (!s || !loop || listen_fd < 0)
		return -EINVAL;
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->listen_fd = listen_fd;
	int rc = loop_io_start(loop, &s->listen_io, listen_fd, LOOP_READ, accept_cb);
	if (rc < 0)
		return rc;
	s->listen_io.data = s;
	return 0;
}

void latency_server_stop(struct latency_server *s)
{
	if (s->listen_fd < 0)
		return;
	loop_io_stop(&s->listen_io);
	close(s->listen_fd);
	s->listen_fd = -1;
	while (s->conns)
		conn_close(s->conns);
}

/* ---- the injector on a thread of its own ---- */

struct latency_thread {
	loop_t *loop;
	struct latency_server srv;
	loop_post_t stop;
	pthread_t tid;
};

static void *thread_main(void *arg)
{
	struct latency_thread *t = arg;
	loop_run(t->loop, LOOP_RUN_DEFAULT); /* returns once the stop post closed everything */
	return NULL;
}

static void stop_cb(loop_post_t *req)
{
	struct latency_thread *t = req->data;
	latency_server_stop(&t->srv);
}

int latency_thread_start(struct latency_thread **out, int *port)
{
	struct latency_thread *t = calloc(1, sizeof *t);
	int rc, fd = -1;
	if (!t)
		return -ENOMEM;
	if ((rc = loop_create(&t->loop, LOOP_BACKEND_EPOLL)) < 0)
		goto fail;
	if ((fd = rc = tcp_listen(0, 0, port)) < 0)
		goto fail;
	if ((rc = latency_server_start(&t->srv, t->loop, fd)) < 0)
		goto fail;
	fd = -1; /* the server's now */
	if ((rc = -pthread_create(&t->tid, NULL, thread_main, t)) < 0) {
		latency_server_stop(&t->srv);
		goto fail;
	}
	*out = t;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (t->loop)
		loop_destroy(t->loop);
	free(t);
	return rc;
}

int latency_thread_stop(struct latency_thread *t)
{
	t->stop.data = t;
	loop_post(t->loop, &t->stop, stop_cb);
	pthread_join(t->tid, NULL);
	int rc = loop_destroy(t->loop);
	free(t);
	return rc;
}
