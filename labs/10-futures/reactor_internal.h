/*
 * reactor_internal.h - a registered descriptor, shared by reactor.c (readiness) and
 * reactor_io.c / echo.c (the leaf futures that wait on it).
 */
#ifndef REACTOR_INTERNAL_H
#define REACTOR_INTERNAL_H

#include "exec_internal.h"

enum { REACTOR_READ = 0, REACTOR_WRITE = 1 };

struct reactor_io {
	loop_io_t watch; /* lab 07's watcher, started while someone is interested */
	exec_t *ex;
	int fd;
	int interest;          /* LOOP_READ | LOOP_WRITE being watched; 0 = stopped */
	fut_waker_t waiter[2]; /* the reader's and the writer's wakers */
};

/* A leaf future on r got EAGAIN in direction dir (REACTOR_READ/WRITE): wake cx's task when r
 * is ready that way.  0 or -errno. */
int reactor_io_wait(reactor_io_t *r, int dir, const fut_ctx_t *cx);
/* The waiting future is dropped: forget its waker. */
void reactor_io_unwait(reactor_io_t *r, int dir);

#endif
