/*
 * latency.h - the latency injector: a local server that answers each request after the delay
 * the request asks for.  It turns "a backend that takes 50 ms" into something every model of
 * concurrency in the course can wait on, repeatably (lab 11 drives all of them with it).
 *
 * The protocol, one line each way:
 *
 *     request:   <delay_ms>[ <tag>]\n     delay_ms: 0..60000 in decimal; tag: any text without
 *                                         a newline (<= 200 bytes in all), e.g. a request id
 *     response:  the same line, byte for byte, sent delay_ms after the request line arrived
 *
 * A connection may send many requests without waiting (pipelining); each is answered when its
 * own delay expires, so answers come in deadline order, and in arrival order between equal
 * deadlines.  A malformed line gets "ERR\n" and the connection is closed.  Example:
 *     $ printf '250 a\n10 b\n' | nc 127.0.0.1 PORT      prints "10 b", then "250 a"
 */
#ifndef LATENCY_H
#define LATENCY_H

#include <stdatomic.h>

#include "loop.h"

#define LATENCY_MAX_MS 60000
#define LATENCY_MAX_LINE 200

struct latency_conn; /* private, in latency.c */

struct latency_server {
	void *data;                              /* the caller's */
	atomic_ulong requests, answered, errors; /* any thread may read them */
	/* private: */
	loop_t *loop;
	int listen_fd;
	loop_io_t listen_io;
	struct latency_conn *conns;
};

/* Serve the protocol on listen_fd (non-blocking; owned from now on) on loop.  Loop thread only.
 * Errors: -EINVAL, the loop's errors. */
int latency_server_start(struct latency_server *s, loop_t *loop, int listen_fd);
/* Close the listening socket and every connection (answers not yet due are dropped).
 * Idempotent; loop thread only. */
void latency_server_stop(struct latency_server *s);

/* The injector on a thread of its own, for programs that just need one (lab 11):
 * starts a loop (epoll) and a thread serving 127.0.0.1 on a free port, stored in *port.
 * Any thread.  Returns 0 or -errno; *out is owned by the caller until latency_thread_stop. */
struct latency_thread;
int latency_thread_start(struct latency_thread **out, int *port);
/* Stop the server, join its thread, free everything.  Any thread but the injector's. */
int latency_thread_stop(struct latency_thread *t);

#endif
