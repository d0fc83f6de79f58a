/*
 * bench_echo - the fiber echo server against the same server written with lab-07 callbacks.
 *
 * Both servers run on the main thread over the same loop (lab 07, epoll backend); a load
 * client on a second thread keeps N connections busy, each sending a 64-byte request and
 * waiting for its echo before sending the next (closed loop), for a fixed time.  Reported:
 * requests (round trips) per second, x = N = 1, 100, 1000 connections.
 *   fiber-echo: demo_echo's server - an accept loop and one fiber per connection running
 *               `while ((n = fiber_read(..)) > 0) fiber_write(..)`;
 *   loop-echo:  an io watcher per connection whose callback reads and writes back (and
 *               watches for writability only when a write falls short).
 * The load client is written here (one epoll thread) so that both servers meet exactly the
 * same load.  On a 2-CPU machine client and server share the CPUs: compare the two series
 * with each other, not with other machines.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "fiber.h"

#define MSG 64
struct load {
	struct sockaddr_in addr;
	int conns;
	double seconds;
	double rate; /* result: requests per second */
};

/* ---- the load client (its own thread) ---- */
static void *load_client(void *arg)
{
	struct load *l = arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int *fds = calloc((size_t)l->conns, sizeof *fds),
	    *got = calloc((size_t)l->conns, sizeof *got);
	char msg[MSG], buf[MSG];
	memset(msg, 'x', sizeof msg);
	for (int i = 0; i < l->conns; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&l->addr, sizeof l->addr))
			asl_die(errno, "load client: connect #%d", i);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	uint64_t t0 = asl_now_ns(), end = t0 + (uint64_t)(l->seconds * 1e9);
	long done = 0;
	for (int i = 0; i < l->conns; i++)
		if (write(fds[i], msg, MSG) != MSG)
			asl_die(errno, "load client: write");
	int outstanding = l->conns;
	struct epoll_event evs[256];
	while (outstanding > 0) {
		int n = epoll_wait(ep, evs, 256, 1000);
		if (n < 0 && errno != EINTR)
			asl_die(errno, "epoll_wait");
		bool more = asl_now_ns() < end;
		for (int k = 0; k < n; k++) {
			int i = (int)evs[k].data.u32;
			ssize_t r = read(fds[i], buf, (size_t)(MSG - got[i]));
			if (r <= 0)
				asl_die(r ? errno : ECONNRESET, "load client: read");
			got[i] += (int)r;
			if (got[i] < MSG)
				continue;
			got[i] = 0;
			done++;
			if (more) {
				if (write(fds[i], msg, MSG) != MSG)
					asl_die(errno, "load client: write");
			} else {
				outstanding--;
			}
		}
	}
	uint64_t t1 = asl_now_ns();
	l->rate = (double)done / ((double)(t1 - t0) / 1e9);
	for (int i = 0; i < l->conns; i++)
		close(fds[i]); /* the servers see end of file and finish */
	close(ep);
	free(fds);
	free(got);
	return NULL;
}

static int listen_on(struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	*addr = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof *addr;
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) ||
	    getsockname(fd, (struct sockaddr *)addr, &len) || listen(fd, 4096))
		asl_die(errno, "listen");
	return fd;
}

/* ---- the fiber server ---- */
struct fsrv {
	int lfd, expect;
};

static void *fiber_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[4096];
	ssize_t n;
	while ((n = fiber_read(fd, buf, sizeof buf)) > 0)
		if (fiber_write(fd, buf, (size_t)n) != n)
			break;
	fiber_close(fd);
	return NULL;
}

static void *fiber_acceptor(void *arg)
{
	struct fsrv *f = arg;
	for (int i = 0; i < f->expect; i++) {
		int fd = fiber_accept(f->lfd);
		if (fd < 0)
			asl_die(-fd, "fiber_accept");
		fiber_spawn(fiber_self_sched(), NULL, fiber_conn, (void *)(intptr_t)fd);
	}
	fiber_close(f->lfd);
	return NULL;
}

static void serve_fibers(int lfd, int conns)
{
	fiber_sched_t *s;
	struct fsrv f = { lfd, conns };
	if (fiber_sched_create(&s, 0) || fiber_spawn(s, NULL, fiber_acceptor, &f))
		asl_die(ENOMEM, "fiber setup");
	int rc = fiber_sched_run(s);
	if (rc)
		asl_die(-rc, "fiber_sched_run");
	fiber_sched_destroy(s);
}

/* ---- the callback server on the lab-07 loop ---- */
struct conn {
	loop_io_t io;
	int fd;
	size_t off, len; /* bytes of buf still to write back */
	char buf[4096];
};

struct lsrv {
	loop_io_t io;
	loop_t *loop;
	int lfd, left;
};

static void conn_close(struct conn *c)
{
	loop_io_stop(&c->io);
	close(c->fd);
	free(c);
}

static void conn_cb(loop_io_t *io, int events)
{
	struct conn *c = container_of(io, struct conn, io);
	(void)events;
	for (;;) {
		while (c->off < c->len) { /* finish what is owed first */
			ssize_t w = write(c->fd, c->buf + c->off, c->len - c->off);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				loop_io_modify(io, LOOP_WRITE);
				return;
			}
			if (w < 0) {
				conn_close(c);
				return;
			}
			c->off += (size_t)w;
		}
		if (io->events != LOOP_READ)
			loop_io_modify(io, LOOP_READ);
		ssize_t n = read(c->fd, c->buf, sizeof c->buf);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->off = 0;
		c->len = (size_t)n;
	}
}

static void accept_cb(loop_io_t *io, int events)
{
	struct lsrv *l = container_of(io, struct lsrv, io);
	(void)events;
	while (l->left > 0) {
		int fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct conn *c = calloc(1, sizeof *c);
		if (!c || loop_io_start(l->loop, &c->io, fd, LOOP_READ, conn_cb))
			asl_die(ENOMEM, "connection");
		c->fd = fd;
		l->left--;
	}
	loop_io_stop(io);
	close(l->lfd);
}

static void serve_loop(int lfd, int conns)
{
	struct lsrv l = { .lfd = lfd, .left = conns };
	if (loop_create(&l.loop, LOOP_BACKEND_EPOLL) ||
	    loop_io_start(l.loop, &l.io, lfd, LOOP_READ, accept_cb))
		asl_die(0, "loop setup (is lab 07 finished?)");
	if (loop_run(l.loop, LOOP_RUN_DEFAULT) < 0)
		asl_die(0, "loop_run");
	loop_destroy(l.loop);
}

/* ---- one sample: a server, a client thread, the rate ---- */
struct config {
	bool fibers;
	struct load load;
};

static double shot(void *arg)
{
	struct config *c = arg;
	int lfd = listen_on(&c->load.addr);
	pthread_t t;
	if (pthread_create(&t, NULL, load_client, &c->load))
		asl_die(0, "pthread_create");
	if (c->fibers)
		serve_fibers(lfd, c->load.conns);
	else
		serve_loop(lfd, c->load.conns);
	pthread_join(t, NULL);
	return c->load.rate;
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "08-fibers",
		   "echo requests/s: fibers vs lab-07 loop callbacks, 1/100/1000 connections "
		   "(--full: also 10,000)");
	/* The default run is sized for `make plots` (about 10 s): 5 runs of 0.25 s per point.
	 * --full: every sample of 0.5 s, and 10,000 connections, or as many thousands as the
	 * descriptor limit allows (two per connection: the client's and the server's). */
	int conns[] = { 1, 100, 1000, 10000 };
	int npoints = b.full ? 4 : 3;
	int reps = b.quick || b.full ? b.samples : (b.samples < 5 ? b.samples : 5);
	double secs = b.quick ? 0.02 : b.full ? 0.5 : 0.25;
	char note[200];
	snprintf(note, sizeof note,
		 "64-byte requests, closed loop; server on the main thread, load client on a "
		 "second thread; both servers on the lab-07 loop (epoll); %d runs of %.2f s",
		 reps, secs);
	bench_open(&b, "echo", "connections", "req/s", note);
	for (int i = 0; i < npoints; i++) {
		int room = bench_fd_room(2 * conns[i], 16) / 2;
		if (room < conns[i] && i == 3 && room >= 2000) {
			/* a hard limit of 20,000 descriptors (common) leaves room for 9,000 */
			printf("# RLIMIT_NOFILE: %d connections instead of %d\n",
			       room / 1000 * 1000, conns[i]);
			conns[i] = room / 1000 * 1000;
		} else if (room < conns[i]) {
			printf("# %d connections skipped: RLIMIT_NOFILE too low\n", conns[i]);
			continue;
		}
		struct config f = { .fibers = true,
				    .load = { .conns = conns[i], .seconds = secs } };
		struct config l = { .fibers = false,
				    .load = { .conns = conns[i], .seconds = secs } };
		double fv[64], lv[64];
		int n = reps < 64 ? reps : 64;
		shot(&f); /* warm-up, discarded */
		shot(&l);
		for (int r = 0; r < n; r++) { /* alternate: a change of load hits both alike */
			fv[r] = shot(&f);
			lv[r] = shot(&l);
		}
		bench_record(&b, "fiber-echo", conns[i], fv, n, 1, NULL);
		bench_record(&b, "loop-echo", conns[i], lv, n, 1, NULL);
	}
	bench_close(&b);
	return 0;
}
