/*
 * bench_echo.c - echo requests/s on futures vs callbacks on lab 07's loop, at 1, 100 and
 * 1,000 connections.
 *
 * Two servers, each on one thread of its own:
 *   futures         this lab's echo_server: a task per connection, polled by the
 *                   single-threaded executor, whose reactor is lab 07's loop;
 *   loop-callbacks  the same protocol written directly as callbacks on lab 07's loop (below):
 *                   the comparison point, what the futures add on top of the same loop.
 *                   (lab 07's own echo server and load client are not in this tree yet;
 *                   this callback server does the same system calls.  Lab 08's bench_echo
 *                   runs the same kind of client against fibers.)
 * The load client is one thread with its own epoll: N connections, each with one 64-byte
 * request in flight (send, wait for the whole echo, send again), for a fixed time.  With 2
 * cores the client and the server each get about one: the figure is requests/s of the pair.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "fut.h"
#include "loop.h"
#include "workloads.h"

enum { MSG = 64 };

static void must(int rc, const char *what)
{
	if (rc < 0)
		asl_die(-rc, "%s", what);
}

static int listener(struct sockaddr_in *a)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	*a = (struct sockaddr_in){ .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof *a;
	if (l < 0 || bind(l, (struct sockaddr *)a, len) < 0 || listen(l, 4096) < 0 ||
	    getsockname(l, (struct sockaddr *)a, &len) < 0)
		asl_die(errno, "listening socket");
	return l;
}

/* ---- server 1: futures ---- */

struct fut_server {
	int lfd;
	fut_chan_t *stop; /* closed by the client when it is done */
};

static void *fut_server_main(void *arg)
{
	struct fut_server *s = arg;
	exec_t *ex;
	echo_server_t *srv;
	must(exec_create(&ex), "exec_create");
	must(echo_server_start(ex, s->lfd, &srv), "echo_server_start");
	fut_t *c = echo_control_new(srv, s->stop); /* stops the server when s->stop closes */
	if (!c)
		asl_die(ENOMEM, "echo_control_new");
	must(exec_spawn(ex, c, NULL), "exec_spawn");
	must(exec_run(ex), "exec_run");
	echo_server_destroy(srv);
	exec_destroy(ex);
	return NULL;
}

/* ---- server 2: callbacks on lab 07's loop ---- */

struct cb_conn {
	loop_io_t io;
	char buf[4096];
	size_t len, off;
};

static void cb_conn_close(struct cb_conn *c)
{
	loop_io_stop(&c->io);
	close(c->io.fd);
	free(c);
}

static void cb_conn_ready(loop_io_t *io, int events)
{
	struct cb_conn *c = io->data;
	(void)events;
	for (;;) {
		if (c->off < c->len) { /* writing back */
			ssize_t n = send(io->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
			if (n < 0 && errno == EAGAIN) {
				loop_io_modify(io, LOOP_WRITE);
				return;
			}
			if (n < 0)
				return cb_conn_close(c);
			c->off += (size_t)n;
			if (c->off < c->len)
				continue;
			loop_io_modify(io, LOOP_READ);
		}
		ssize_t n = read(io->fd, c->buf, sizeof c->buf);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			return cb_conn_close(c);
		c->len = (size_t)n;
		c->off = 0;
	}
}

struct cb_server {
	loop_t *loop;
	loop_io_t listen;
	loop_post_t stop;
};

static void cb_accept(loop_io_t *io, int events)
{
	struct cb_server *s = io->data;
	(void)events;
	int fd;
	while ((fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct cb_conn *c = calloc(1, sizeof *c);
		c->io.data = c;
		if (loop_io_start(s->loop, &c->io, fd, LOOP_READ, cb_conn_ready) < 0) {
			close(fd);
			free(c);
		}
	}
}

static void cb_stop(loop_post_t *req)
{
	struct cb_server *s = req->data;
	loop_io_stop(&s->listen); /* connections end when their clients close */
}

static void *cb_server_main(void *arg)
{
	struct cb_server *s = arg;
	must(loop_run(s->loop, LOOP_RUN_DEFAULT), "loop_run");
	return NULL;
}

/* ---- the load client ---- */

struct client_conn {
	int fd;
	size_t got;
	char buf[MSG];
};

static double load(const struct sockaddr_in *a, int n, double seconds)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct client_conn *c = calloc((size_t)n, sizeof *c);
	char req[MSG];
	memset(req, 'q', sizeof req);
	for (int i = 0; i < n; i++) {
		c[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int one = 1;
		setsockopt(c[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(c[i].fd, (const struct sockaddr *)a, sizeof *a) < 0)
			asl_die(errno, "connect #%d", i);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
		if (write(c[i].fd, req, MSG) != MSG)
			asl_die(errno, "write");
	}
	uint64_t done = 0, t0 = asl_now_ns(), end = t0 + (uint64_t)(seconds * 1e9);
	struct epoll_event evs[256];
	while (asl_now_ns() < end) {
		int k = epoll_wait(ep, evs, 256, 100);
		for (int i = 0; i < k; i++) {
			struct client_conn *cc = evs[i].data.ptr;
			ssize_t r = read(cc->fd, cc->buf, MSG - cc->got);
			if (r <= 0)
				asl_die(errno, "the server closed a connection");
			cc->got += (size_t)r;
			if (cc->got == MSG) {
				cc->got = 0;
				done++;
				if (write(cc->fd, req, MSG) != MSG)
					asl_die(errno, "write");
			}
		}
	}
	double rate = (double)done / ((double)(asl_now_ns() - t0) / 1e9);
	for (int i = 0; i < n; i++)
		close(c[i].fd);
	close(ep);
	free(c);
	return rate;
}

static double run_futures(int n, double seconds)
{
	struct sockaddr_in a;
	struct fut_server s = { .lfd = listener(&a) };
	must(fut_chan_create(&s.stop, 1), "fut_chan_create");
	pthread_t th;
	if (pthread_create(&th, NULL, fut_server_main, &s) != 0)
		asl_die(0, "pthread_create");
	double rate = load(&a, n, seconds);
	fut_chan_close(s.stop);
	pthread_join(th, NULL);
	fut_chan_destroy(s.stop);
	close(s.lfd);
	return rate;
}

static double run_callbacks(int n, double seconds)
{
	struct sockaddr_in a;
	struct cb_server s = { 0 };
	int lfd = listener(&a);
	must(loop_create(&s.loop, LOOP_BACKEND_EPOLL), "loop_create");
	s.listen.data = &s;
	s.stop.data = &s;
	must(loop_io_start(s.loop, &s.listen, lfd, LOOP_READ, cb_accept), "loop_io_start");
	pthread_t th;
	if (pthread_create(&th, NULL, cb_server_main, &s) != 0)
		asl_die(0, "pthread_create");
	double rate = load(&a, n, seconds);
	loop_post(s.loop, &s.stop, cb_stop);
	pthread_join(th, NULL);
	loop_destroy(s.loop);
	close(lfd);
	return rate;
}

int main(int argc, char **argv)
{
	struct bench b;
	struct bench_stats st;
	bench_init(&b, argc, argv, "10-futures",
		   "echo requests/s: futures vs callbacks on lab 07's loop, 1/100/1000 "
		   "connections");
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	static const int conns[] = { 1, 100, 1000 };
	double seconds = b.quick ? 0.02 : 0.5;
	int samples = b.quick ? 1 : 5;
	double v[2][16];
	bench_open(&b, "echo", "connections", "requests/s",
		   "64-byte request/response, one in flight per connection; 1 server thread, "
		   "1 client thread");
	for (int k = 0; k < 3; k++) {
		if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)(2 * conns[k] + 64) > rl.rlim_cur) {
			printf("# %d connections skipped: RLIMIT_NOFILE is %lu\n", conns[k],
			       (unsigned long)rl.rlim_cur);
			continue;
		}
		for (int i = 0; i < samples; i++) { /* alternate, so drifts in load hit both */
			v[0][i] = run_futures(conns[k], seconds);
			v[1][i] = run_callbacks(conns[k], seconds);
		}
		bench_record(&b, "futures", conns[k], v[0], samples, 1, &st);
		bench_record(&b, "loop-callbacks", conns[k], v[1], samples, 1, &st);
	}
	bench_close(&b);
	return 0;
}
