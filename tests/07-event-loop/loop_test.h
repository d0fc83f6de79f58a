/*
 * loop_test.h - what lab 07's loop suites share.
 *
 * Every loop test runs on both backends: LOOP_TEST(name) defines loop_epoll::name and
 * loop_poll::name, whose body receives the backend as `be`.  The two suites themselves are
 * declared once, in test_loop_io.c.  A test opens its loop with lt_open (which also counts the
 * open descriptors) and ends with lt_close (which destroys the loop and checks that no
 * descriptor leaked).
 */
#ifndef LOOP_TEST_H
#define LOOP_TEST_H

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "asl_test.h"
#include "asl/util.h"
#include "loop.h"

#define LOOP_TEST(name)                                   \
	static void name##_on(enum loop_backend_kind be); \
	Test(loop_epoll, name)                            \
	{                                                 \
		name##_on(LOOP_BACKEND_EPOLL);            \
	}                                                 \
	Test(loop_poll, name)                             \
	{                                                 \
		name##_on(LOOP_BACKEND_POLL);             \
	}                                                 \
	static void name##_on(enum loop_backend_kind be)

#define BE_NAME(be) ((be) == LOOP_BACKEND_EPOLL ? "epoll" : "poll")

/* The step that makes a backend work at all: poll is step 1, epoll step 2. */
#define BE_HINT(be) ((be) == LOOP_BACKEND_EPOLL ? ASL_HINT(2) : ASL_HINT(1))

struct lt {
	loop_t *loop;
	enum loop_backend_kind be;
	int fds; /* descriptors open before the loop was created */
};

static inline struct lt lt_open(enum loop_backend_kind be)
{
	struct lt t = { .be = be, .fds = asl_test_fds() };
	int rc = loop_create(&t.loop, be);
	cr_assert(rc == 0 && t.loop,
		  "loop_create(%s): expected 0 and a loop, got %s (it starts "
		  "the loop's own eventfd watcher with io_start, step 1, on the backend: poll is "
		  "step 1, epoll step 2)%s",
		  BE_NAME(be), asl_test_rc(rc), BE_HINT(be));
	return t;
}

/* Destroy the loop (every handle must be stopped by now) and check for leaked descriptors.
 * `hint` is ASL_HINT(n) of the step the test checks. */
static inline void lt_close(struct lt *t, const char *hint)
{
	int rc = loop_destroy(t->loop);
	cr_assert_eq(rc, 0,
		     "loop_destroy on %s with every handle stopped: expected 0, got %s "
		     "(a handle still counted as active?)%s",
		     BE_NAME(t->be), asl_test_rc(rc), hint);
	int now = asl_test_fds();
	cr_assert_eq(now, t->fds,
		     "descriptors: %d open before loop_create, %d after "
		     "loop_destroy: the loop leaked (or closed) some%s",
		     t->fds, now, hint);
}

/* A non-blocking, close-on-exec pipe. */
static inline void lt_pipe(int p[2])
{
	cr_assert_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0, "pipe2 failed: %s", strerror(errno));
}

static inline void lt_write(int fd, const char *s)
{
	size_t n = strlen(s);
	cr_assert_eq(write(fd, s, n), (ssize_t)n, "writing %zu bytes to a test pipe failed", n);
}

/* One loop_run in `mode` that must succeed; returns its 0/1. */
static inline int lt_run(struct lt *t, enum loop_run_mode mode, const char *hint)
{
	int rc = loop_run(t->loop, mode);
	cr_assert(rc == 0 || rc == 1, "loop_run(%s) on %s returned %s, expected 0 or 1%s",
		  mode == LOOP_RUN_DEFAULT ? "DEFAULT"
		  : mode == LOOP_RUN_ONCE  ? "ONCE"
					   : "NOWAIT",
		  BE_NAME(t->be), asl_test_rc(rc), hint);
	return rc;
}

#endif
