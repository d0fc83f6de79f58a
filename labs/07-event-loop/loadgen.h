/*
 * loadgen.h - the lab's own load client: N connections, each sending a request and waiting
 * for the whole answer before sending the next (closed loop), for a fixed time.
 *
 * One thread and a raw epoll set drive every connection, so the client's cost per request is
 * small and does not depend on the loop being measured.  Used in-process by the harnesses and
 * from the command line by load_client.
 */
#ifndef LOADGEN_H
#define LOADGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum loadgen_proto {
	LOADGEN_ECHO, /* send `size` bytes, wait for the same number back */
	LOADGEN_HTTP, /* GET / HTTP/1.1 (keep-alive), wait for a whole response */
};

struct loadgen_opts {
	int port;          /* 127.0.0.1:port */
	int conns;         /* concurrent connections, >= 1 */
	size_t size;       /* echo message size in bytes */
	double duration_s; /* measured time, after every connection has had one answer */
	double warmup_s;   /* unmeasured time with all connections running, before it */
	enum loadgen_proto proto;
	int pin_cpu; /* -1: not pinned; else the calling thread is pinned to it */
	/* optional: called (on the calling thread) just before and just after the measured time,
	 * e.g. to read the server's CPU clock over exactly that time */
	void (*on_measure)(void *arg, bool start);
	void *arg;
};

struct loadgen_result {
	int connected;     /* connections that got their first answer */
	uint64_t requests; /* answers received in the measured time */
	uint64_t errors;   /* connect failures, resets, early ends of file, bad answers */
	double seconds;    /* the measured time */
	double rps;        /* requests / seconds */
	double p50_us, p99_us, max_us; /* latency of one request: sent to answered */
	char first_error[160];         /* what the first error was, "" if none */
};

/* Run the load on the calling thread (pinned to opts->pin_cpu if >= 0; the pin stays).
 * Raises RLIMIT_NOFILE as needed.  Connections are closed with a reset at the end so that a
 * harness making thousands of them does not run out of ports in TIME_WAIT.
 * Returns 0 (errors, if any, are in *res) or -errno when the run could not be made at all. */
int loadgen_run(const struct loadgen_opts *opts, struct loadgen_result *res);

#endif
