/*
 * loadgen.c - the load client (see loadgen.h).
 *
 * Connections are opened in batches, and a batch must get its first answers before the next
 * one is opened: ten thousand connects at once would overflow the server's accept queue, the
 * kernel would drop the extra handshakes, and the clients would retry a second later, which
 * measures TCP's retry timer instead of the server.  A connection that has had its first
 * answer waits, idle, until the measured run starts them all at once: otherwise the early
 * connections' traffic would slow the opening of the later ones (badly so for a server with a
 * thread per connection, where each new thread queues behind thousands of busy ones).  Latencies go
 * into a log-linear histogram (32 steps per power of two, so a percentile is exact to about 3%)
 * that costs O(1) per request and a fixed 16 KiB whatever the run's length.
 */
#include "loadgen.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/util.h"
#include "tcp.h"

#define BATCH 128
#define SUB 32 /* histogram steps per power of two */
#define BUCKETS (64 * SUB)

static const char http_req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

struct client {
	int fd;
	bool dead;
	size_t sent, got; /* bytes of the current request sent, of its answer received */
	uint64_t t0;      /* when the current request started */
	uint64_t answers;
	size_t hlen;    /* http: bytes in hbuf */
	char hbuf[512]; /* http: the answer so far (head, and the body's length) */
};

struct run {
	const struct loadgen_opts *o;
	struct loadgen_result *res;
	struct client *cl;
	char *msg, *scratch;
	size_t msg_len;
	int ep;
	bool running;   /* every connection is in its request/answer cycle */
	bool measuring; /* ... and its answers count */
	uint64_t hist[BUCKETS];
};

static int bucket(uint64_t ns)
{
	if (ns < SUB)
		return (int)ns;
	int msb = 63 - __builtin_clzll(ns);
	return (msb - 4) * SUB + (int)((ns >> (msb - 5)) & (SUB - 1));
}

static double bucket_ns(int b)
{
	if (b < SUB)
		return b;
	int msb = b / SUB + 4;
	return (double)((uint64_t)(SUB + b % SUB) << (msb - 5));
}

static double percentile(const uint64_t *h, uint64_t n, double q)
{
	uint64_t want = (uint64_t)(q * (double)n), seen = 0;
	for (int b = 0; b < BUCKETS; b++)
		if ((seen += h[b]) > want)
			return bucket_ns(b) / 1000.0;
	return 0;
}

static void fail(struct run *r, struct client *c, const char *what, int err)
{
	if (!r->res->first_error[0])
		snprintf(r->res->first_error, sizeof r->res->first_error, "%s%s%s", what,
			 err ? ": " : "", err ? asl_errname(err) : "");
	r->res->errors++;
	c->dead = true;
	epoll_ctl(r->ep, EPOLL_CTL_DEL, c->fd, NULL);
}

/* Start the next request of c: send what the socket takes. */
static void send_some(struct run *r, struct client *c)
{
	while (c->sent < r->msg_len) {
		ssize_t n = send(c->fd, r->msg + c->sent, r->msg_len - c->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			return fail(r, c, "send", errno);
		c->sent += (size_t)n;
	}
}

/* Has the http answer in c->hbuf arrived whole?  1 yes, 0 not yet, -1 malformed. */
static int http_done(struct client *c)
{
	char *end = memmem(c->hbuf, c->hlen, "\r\n\r\n", 4);
	if (!end)
		return c->hlen == sizeof c->hbuf ? -1 : 0;
	if (c->hlen < 12 || memcmp(c->hbuf, "HTTP/1.1 200", 12) != 0)
		return -1;
	char *cl = memmem(c->hbuf, (size_t)(end - c->hbuf), "Content-Length: ", 16);
	size_t body = cl ? strtoul(cl + 16, NULL, 10) : 0;
	size_t total = (size_t)(end + 4 - c->hbuf) + body;
	if (total > sizeof c->hbuf)
		return -1;
	return c->hlen >= total ? (c->hlen > total ? -1 : 1) : 0;
}

static void answered(struct run *r, struct client *c, uint64_t now)
{
	uint64_t latency = now - c->t0;
	c->answers++;
	c->sent = c->got = c->hlen = 0;
	c->t0 = now;
	if (!r->running)
		return; /* connected and proven: idle until the run starts */
	if (r->measuring) {
		r->res->requests++;
		r->hist[bucket(latency)]++;
	}
	send_some(r, c);
}

static void on_ready(struct run *r, struct client *c, uint32_t ev)
{
	if (ev & EPOLLOUT)
		send_some(r, c);
	if (c->dead || !(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return;
	for (;;) {
		ssize_t n;
		if (r->o->proto == LOADGEN_HTTP)
			n = recv(c->fd, c->hbuf + c->hlen, sizeof c->hbuf - c->hlen, 0);
		else
			n = recv(c->fd, r->scratch, r->msg_len - c->got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			return fail(r, c, n == 0 ? "server closed the connection" : "recv",
				    n == 0 ? 0 : errno);
		if (r->o->proto == LOADGEN_HTTP) {
			c->hlen += (size_t)n;
			int d = http_done(c);
			if (d < 0)
				return fail(r, c, "malformed or unexpected http answer", 0);
			if (d > 0)
				answered(r, c, asl_now_ns());
		} else if ((c->got += (size_t)n) == r->msg_len) {
			answered(r, c, asl_now_ns());
		}
		if (c->dead)
			return;
	}
}

/* Dispatch events for at most timeout_ms. */
static int pump(struct run *r, int timeout_ms)
{
	struct epoll_event ev[256];
	int n = epoll_wait(r->ep, ev, 256, timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	for (int i = 0; i < n; i++)
		on_ready(r, &r->cl[ev[i].data.u32], ev[i].events);
	return 0;
}

static int open_batch(struct run *r, int from, int to)
{
	for (int i = from; i < to; i++) {
		struct client *c = &r->cl[i];
		c->fd = tcp_connect(r->o->port, true);
		if (c->fd < 0) {
			int err = -c->fd;
			c->fd = -1;
			c->dead = true;
			r->res->errors++;
			if (!r->res->first_error[0])
				snprintf(r->res->first_error, sizeof r->res->first_error,
					 "connect: %s", asl_errname(err));
			continue;
		}
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET,
					  .data.u32 = (uint32_t)i };
		if (epoll_ctl(r->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
			return -errno;
		c->t0 = asl_now_ns();
		send_some(r, c); /* on a connect in progress: EAGAIN, EPOLLOUT sends it later */
	}
	/* wait for the whole batch's first answers (or failures), 10 s at most */
	uint64_t give_up = asl_now_ns() + 10000000000ull;
	for (int i = from; i < to; i++) {
		while (!r->cl[i].dead && r->cl[i].answers == 0) {
			int rc = pump(r, 100);
			if (rc < 0)
				return rc;
			if (asl_now_ns() > give_up) {
				fail(r, &r->cl[i], "no first answer within 10 s", 0);
				break;
			}
		}
	}
	return 0;
}

int loadgen_run(const struct loadgen_opts *o, struct loadgen_result *res)
{
	struct run *r;
	int rc = 0;

	if (o->conns < 1 || o->duration_s <= 0 || (o->proto == LOADGEN_ECHO && o->size < 1))
		return -EINVAL;
	memset(res, 0, sizeof *res);
	if (o->pin_cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(o->pin_cpu, &set);
		if ((rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set)))
			return -rc;
	}
	if (asl_raise_fd_limit(o->conns + 64) < o->conns + 16)
		return -EMFILE;
	if (!(r = calloc(1, sizeof *r)))
		return -ENOMEM;
	r->o = o;
	r->res = res;
	r->msg_len = o->proto == LOADGEN_HTTP ? sizeof http_req - 1 : o->size;
	r->cl = calloc((size_t)o->conns, sizeof *r->cl);
	r->msg = malloc(r->msg_len);
	r->scratch = malloc(r->msg_len);
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!r->cl || !r->msg || !r->scratch || r->ep < 0) {
		rc = r->ep < 0 ? -errno : -ENOMEM;
		goto out;
	}
	if (o->proto == LOADGEN_HTTP)
		memcpy(r->msg, http_req, r->msg_len);
	else
		for (size_t i = 0; i < r->msg_len; i++)
			r->msg[i] = (char)('a' + i % 26);
	for (int i = 0; i < o->conns; i++)
		r->cl[i].fd = -1;

	for (int i = 0; i < o->conns && rc == 0; i += BATCH)
		rc = open_batch(r, i, i + BATCH < o->conns ? i + BATCH : o->conns);
	for (int i = 0; i < o->conns; i++)
		res->connected += r->cl[i].answers > 0;

	/* start every live connection at once, warm up, then measure */
	uint64_t now = asl_now_ns(), end = now + (uint64_t)(o->warmup_s * 1e9);
	r->running = true;
	for (int i = 0; i < o->conns; i++)
		if (!r->cl[i].dead) {
			r->cl[i].t0 = now;
			send_some(r, &r->cl[i]);
		}
	while (rc == 0 && (now = asl_now_ns()) < end)
		rc = pump(r, (int)((end - now) / 1000000) + 1);
	r->measuring = true;
	if (o->on_measure)
		o->on_measure(o->arg, true);
	uint64_t t0 = asl_now_ns();
	end = t0 + (uint64_t)(o->duration_s * 1e9);
	while (rc == 0 && (now = asl_now_ns()) < end) {
		int left = (int)((end - now) / 1000000) + 1;
		rc = pump(r, left < 100 ? left : 100);
	}
	res->seconds = (double)(asl_now_ns() - t0) / 1e9;
	if (o->on_measure)
		o->on_measure(o->arg, false);
	res->rps = (double)res->requests / res->seconds;
	res->p50_us = percentile(r->hist, res->requests, 0.50);
	res->p99_us = percentile(r->hist, res->requests, 0.99);
	for (int b = BUCKETS - 1; b >= 0; b--)
		if (r->hist[b]) {
			res->max_us = bucket_ns(b + 1) / 1000.0; /* the bucket's upper edge */
			break;
		}
out:
	if (r->cl)
		for (int i = 0; i < o->conns; i++)
			if (r->cl[i].fd >= 0) {
				tcp_set_reset_on_close(r->cl[i].fd);
				close(r->cl[i].fd);
			}
	if (r->ep >= 0)
		close(r->ep);
	free(r->cl);
	free(r->msg);
	free(r->scratch);
	free(r);
	return rc;
}
