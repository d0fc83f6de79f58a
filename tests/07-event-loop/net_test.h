/*
 * net_test.h - what the lab-07 server tests share: a server on a loop in a thread of the test
 * process, plain blocking clients, and "wait until the server says so" without sleeping.
 *
 * The server is set up on the test's thread (a loop belongs to the thread that creates it until
 * it first runs) and then run by a thread of its own; it is stopped by a post, the loop's one
 * thread-safe entry point, so the stop itself runs on the loop's thread.
 */
#ifndef NET_TEST_H
#define NET_TEST_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "asl_test.h"
#include "echo.h"
#include "http.h"
#include "loop.h"
#include "tcp.h"

static const enum loop_backend_kind net_backends[] = { LOOP_BACKEND_EPOLL, LOOP_BACKEND_POLL };
static const char *const net_backend_names[] = { "epoll", "poll" };
#define NET_FOR_EACH_BACKEND(i) for (int i = 0; i < 2; i++)

struct net_server {
	loop_t *loop;
	pthread_t tid;
	int port, fds_before, run_rc;
	bool http;
	struct echo_server echo;
	struct http_server web;
	loop_post_t stop;
	uint64_t grace_ms;
};

static inline void *net_server_main(void *arg)
{
	struct net_server *ns = arg;
	ns->run_rc = loop_run(ns->loop, LOOP_RUN_DEFAULT);
	return NULL;
}

/* Create the loop and the listening socket (with kernel buffers sndbuf/rcvbuf if not 0, which
 * accepted sockets inherit) on the calling thread. */
static inline void net_listen(struct net_server *ns, int backend, int sndbuf, int rcvbuf, int *fd)
{
	ns->fds_before = asl_test_fds();
	int rc = loop_create(&ns->loop, net_backends[backend]);
	cr_assert_eq(rc, 0, "loop_create(%s) returned %s" ASL_HINT(1), net_backend_names[backend],
		     asl_test_rc(rc));
	*fd = tcp_listen(0, 0, &ns->port);
	cr_assert(*fd >= 0, "tcp_listen failed: %s", asl_test_rc(*fd));
	cr_assert_eq(tcp_set_buffers(*fd, sndbuf, rcvbuf), 0);
}

static inline void net_run(struct net_server *ns)
{
	cr_assert_eq(pthread_create(&ns->tid, NULL, net_server_main, ns), 0);
}

/* An echo server on backend; buf_size 0 = default. */
static inline void net_echo_start(struct net_server *ns, int backend, size_t buf_size, int sndbuf,
				  int rcvbuf)
{
	int fd;
	memset(ns, 0, sizeof *ns);
	net_listen(ns, backend, sndbuf, rcvbuf, &fd);
	int rc = echo_server_start(&ns->echo, ns->loop, fd, buf_size);
	cr_assert_eq(rc, 0, "echo_server_start on %s returned %s" ASL_HINT(6),
		     net_backend_names[backend], asl_test_rc(rc));
}

/* An HTTP server on backend; its connections get kernel buffers sndbuf/rcvbuf if not 0. */
static inline void net_http_start_buffers(struct net_server *ns, int backend, uint64_t timeout_ms,
					  int sndbuf, int rcvbuf)
{
	int fd;
	memset(ns, 0, sizeof *ns);
	ns->http = true;
	net_listen(ns, backend, sndbuf, rcvbuf, &fd);
	int rc = http_server_start(&ns->web, ns->loop, fd, timeout_ms);
	cr_assert_eq(rc, 0, "http_server_start on %s returned %s" ASL_HINT(11),
		     net_backend_names[backend], asl_test_rc(rc));
}

static inline void net_http_start(struct net_server *ns, int backend, uint64_t timeout_ms)
{
	net_http_start_buffers(ns, backend, timeout_ms, 0, 0);
}

static inline void net_stop_cb(loop_post_t *req)
{
	struct net_server *ns = req->data;
	if (ns->http)
		http_server_stop(&ns->web);
	else
		echo_server_stop(&ns->echo, ns->grace_ms);
}

/* Wait (a generous "did not hang" bound: it takes milliseconds, and many tests share the
 * lab's time budget) for the loop thread to end by itself. */
#define NET_JOIN_S (2 * ASL_WATCHDOG_MS / 1000)

static inline void net_join(struct net_server *ns, int step)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += NET_JOIN_S;
	int rc = pthread_timedjoin_np(ns->tid, NULL, &deadline);
	cr_assert_eq(rc, 0,
		     "the server's loop_run did not return within %d s of the stop: "
		     "expected it to run out of handles once the server closed everything (a "
		     "watcher, timer or signal watcher of the server still active, or a post "
		     "still counted pending after it ran?)%s",
		     NET_JOIN_S,
		     step == 13  ? ASL_HINT(13)
		     : step == 8 ? ASL_HINT(8)
				 : ASL_HINT(4));
	cr_assert(ns->run_rc >= 0, "loop_run returned %s", asl_test_rc(ns->run_rc));
	rc = loop_destroy(ns->loop);
	cr_assert_eq(rc, 0,
		     "loop_destroy after the server stopped returned %s: a handle of the "
		     "server is still active" ASL_HINT(8),
		     asl_test_rc(rc));
}

/* Stop the server from the test's thread (a post), join, and check no descriptor leaked. */
static inline void net_stop(struct net_server *ns, int step)
{
	ns->stop.data = ns;
	loop_post(ns->loop, &ns->stop, net_stop_cb);
	net_join(ns, 8);
	int fds = asl_test_fds();
	cr_assert_eq(fds, ns->fds_before,
		     "descriptors leaked: %d open before the server started, "
		     "%d after it stopped (a connection not closed?)%s",
		     ns->fds_before, fds, step == 11 ? ASL_HINT(11) : ASL_HINT(6));
}

/* Wait until *v >= want (the server's counters), yielding; false after 20 s. */
static inline bool net_wait_ul(atomic_ulong *v, unsigned long want)
{
	uint64_t end = asl_now_ns() + 20000000000ull;
	while (atomic_load(v) < want) {
		if (asl_now_ns() > end)
			return false;
		struct timespec ts = { 0, 200000 }; /* polling a counter, not synchronising */
		nanosleep(&ts, NULL);
	}
	return true;
}

static inline bool net_wait_uint(atomic_uint *v, unsigned want, bool at_least)
{
	uint64_t end = asl_now_ns() + 20000000000ull;
	while (at_least ? atomic_load(v) < want : atomic_load(v) != want) {
		if (asl_now_ns() > end)
			return false;
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
	return true;
}

static inline bool net_wait_bool(atomic_bool *v)
{
	uint64_t end = asl_now_ns() + 20000000000ull;
	while (!atomic_load(v)) {
		if (asl_now_ns() > end)
			return false;
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
	return true;
}

/* Wait until the peer's kernel has acknowledged every byte sent on fd (SIOCOUTQ: bytes not yet
 * acknowledged), i.e. they have all been received on the other side; false after 20 s. */
static inline bool net_wait_acked(int fd)
{
	uint64_t end = asl_now_ns() + 20000000000ull;
	int queued = 1;
	while (ioctl(fd, SIOCOUTQ, &queued) == 0 && queued > 0) {
		if (asl_now_ns() > end)
			return false;
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
	return queued == 0;
}

/* A blocking client with receive/send timeouts as "did not hang" bounds. */
static inline int net_client(int port)
{
	int fd = tcp_connect(port, false);
	cr_assert(fd >= 0, "connect to the server failed: %s", asl_test_rc(fd));
	struct timeval tv = { .tv_sec = 20 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

static inline void net_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		cr_assert(n > 0, "client send failed: %s", asl_test_rc(n < 0 ? -errno : 0));
		p += n;
		len -= (size_t)n;
	}
}

/* Read exactly len bytes; returns how many came before end of file / error / timeout. */
static inline size_t net_recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = recv(fd, p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* Does the server close fd (end of file or reset) within 20 s?  Discards what arrives. */
static inline bool net_closed_by_server(int fd)
{
	char buf[4096];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0 && errno != EINTR)
			return false; /* EAGAIN: the receive timeout expired */
	}
}

#endif
