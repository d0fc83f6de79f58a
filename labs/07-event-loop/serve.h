/*
 * serve.h - what the serve_* programs share: the common options, a listening socket on
 * 127.0.0.1, a loop on the chosen backend, and SIGTERM/SIGINT turned into one stop.
 *
 * Given code (not a step): each program keeps only what is its own (its server, its options).
 * Every function here either succeeds or ends the program with a message: exit status 2 for a
 * usage error, 1 for a system error.
 */
#ifndef SERVE_H
#define SERVE_H

#include <stdbool.h>

#include "loop.h"

/* Take the options every server has: --backend NAME, --port N.  True if argv's `a` (value `v`)
 * was one of them (the caller then skips v); a bad port is a usage error.  The backend name is
 * checked by serve_loop_create. */
bool serve_common_option(const char *usage, const char *a, const char *v, const char **backend,
			 long *port);

/* Raise the descriptor limit and listen on 127.0.0.1:port (0: any free port); the port the
 * socket got goes to *bound.  Returns the listening socket. */
int serve_listen(long port, int *bound);

/* A loop on backend "epoll" or "poll" (anything else: usage error). */
loop_t *serve_loop_create(const char *usage, const char *backend);

/* Print "port N" (line-buffered: the harness waits for it), watch SIGTERM and SIGINT, run the
 * loop until no handle is left and destroy it.  The first signal stops watching both and calls
 * stop(arg), which must end the server so that the loop runs out of handles.  Returns main's
 * exit status: 0, or 1 if the loop failed. */
int serve_run(loop_t *loop, int port, void (*stop)(void *arg), void *arg);

#endif
