/*
 * echo.h - two TCP echo servers: one thread for every connection, and one loop for all.
 *
 * The echo protocol is the smallest one with all of a real server's problems: whatever a client
 * sends comes back, byte for byte, in order.  Requests have no framing, so "one request" is
 * whatever a read returned; a benchmark client sends a message and waits for it to come back.
 *
 * Both servers take a listening socket (tcp_listen) and own it from start until stop.  Both keep
 * counters that any thread may read (relaxed atomics: each value is exact, a set of them is not
 * a snapshot); the tests use them to learn what the server is doing without sleeping.
 */
#ifndef ECHO_H
#define ECHO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

struct echo_stats {
	atomic_ulong accepted;      /* connections accepted */
	atomic_ulong closed;        /* connections closed (any reason) */
	atomic_ulong resets;        /* ... of which by a reset or broken pipe from the client */
	atomic_ulong accept_errors; /* accept() failures other than EAGAIN (EMFILE, ENFILE, ...) */
	atomic_ulong bytes;         /* bytes echoed back */
	atomic_ulong pauses;        /* times a connection stopped being read (backpressure) */
	atomic_uint open;           /* connections open now */
	atomic_uint paused;         /* connections not read because their output is backed up */
	atomic_bool accepting;      /* false while accepting is paused (EMFILE) or stopped */
	atomic_bool stopping;       /* echo_server_stop has run */
};

/* ---- the echo server on the loop (echo_server.c) ---- */

/* How long accepting pauses after EMFILE/ENFILE when no connection closes meanwhile. */
#define ECHO_ACCEPT_RETRY_MS 100
/* Default read size and per-connection output limit (bytes). */
#define ECHO_BUF_SIZE 16384

struct echo_conn; /* private: one per connection, in echo_server.c */

struct echo_server {
	void *data; /* the caller's */
	struct echo_stats stats;
	/* private: */
	loop_t *loop;
	int listen_fd;
	size_t buf_size;
	char *scratch; /* one read buffer shared by every connection (see echo_server.c) */
	loop_io_t listen_io;
	loop_timer_t retry; /* resumes accepting after EMFILE */
	loop_timer_t grace; /* ends a graceful stop that takes too long */
	uint64_t grace_ms;
	loop_signal_t signal; /* echo_server_stop_on_signal */
	bool signal_started;
	struct echo_conn *conns; /* doubly linked list of open connections */
};

/* Start serving listen_fd (non-blocking; owned by the server from now on) on loop.  buf_size is
 * the read size and the most output one connection may have pending before the server stops
 * reading from it (backpressure); 0 means ECHO_BUF_SIZE.  Loop thread only.
 * Errors: -EINVAL, -ENOMEM, the loop's errors. */
int echo_server_start(struct echo_server *s, loop_t *loop, int listen_fd, size_t buf_size);

/* Graceful stop: stop accepting and close the listening socket; close connections with nothing
 * in flight now; serve the others until their clients close them, for at most grace_ms (then
 * they are closed too).  When the last connection is gone the server holds no handle, so a
 * loop_run(DEFAULT) that served only it returns.  Idempotent.  Loop thread only. */
void echo_server_stop(struct echo_server *s, uint64_t grace_ms);

/* Run echo_server_stop(s, grace_ms) when signal signo arrives (the loop's signal watcher: the
 * signal is blocked in the calling thread; see loop_signal_start).  Returns 0 or -errno. */
int echo_server_stop_on_signal(struct echo_server *s, int signo, uint64_t grace_ms);

/* ---- the thread-per-connection echo server (echo_threads.c) ---- */

struct echo_threads {
	struct echo_stats stats;
	/* private: */
	int listen_fd;
	size_t stack_size; /* 0: the default (8 MiB of address space, touched on demand) */
	pthread_t acceptor;
	pthread_mutex_t lock;
	pthread_cond_t gone; /* signalled when a connection thread ends */
	struct echo_thread_conn *conns;
	unsigned live; /* connection threads not yet finished (under lock) */
	atomic_bool stop;
};

/* Start the acceptor thread on listen_fd (owned from now on; made blocking).  Each accepted
 * connection gets a thread that reads and writes with blocking calls.  stack_size 0 = default.
 * Any thread may call it.  Errors: -errno from pthread_create and friends. */
int echo_threads_start(struct echo_threads *s, int listen_fd, size_t stack_size);

/* Stop: close the listening socket, shut every connection down, wait for every thread.  Any
 * thread but the server's own.  Returns 0. */
int echo_threads_stop(struct echo_threads *s);

#endif
