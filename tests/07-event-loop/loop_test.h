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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
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

#define LT_MODE(mode) \
	((mode) == LOOP_RUN_DEFAULT ? "DEFAULT" : (mode) == LOOP_RUN_ONCE ? "ONCE" : "NOWAIT")

/* A watchdog for a loop_run on the test's own thread (where it must run: signal masks are
 * per thread, and the signal tests check this thread's).  A thread of its own, with every
 * signal blocked so that it never takes one meant for the loop, waits until lt_watch_end or
 * the deadline; at the deadline it fails the test with `why`, which Criterion allows from any
 * thread, so a run that would block forever names its likely mistake instead of reaching the
 * suite's timeout. */
#define LT_WATCH_MS (2 * ASL_WATCHDOG_MS)

struct lt_watch {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* done became true; on CLOCK_MONOTONIC */
	bool done;
	char why[600];
};

static inline void *lt_watch_main(void *arg)
{
	struct lt_watch *w = arg;
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += LT_WATCH_MS / 1000;
	pthread_mutex_lock(&w->mu);
	while (!w->done && pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
		;
	bool done = w->done;
	pthread_mutex_unlock(&w->mu);
	if (!done) {
		asl_test_abandon();
		cr_assert_fail("%s", w->why);
	}
	return NULL;
}

static inline void lt_watch_start(struct lt_watch *w)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	w->done = false;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &attr);
	pthread_condattr_destroy(&attr);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old); /* the new thread inherits this mask */
	int rc = pthread_create(&w->thread, NULL, lt_watch_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	cr_assert_eq(rc, 0, "the test's watchdog thread: pthread_create failed");
}

static inline void lt_watch_end(struct lt_watch *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

/* One loop_run in `mode` that must succeed, under the watchdog; returns its 0/1. */
static inline int lt_run(struct lt *t, enum loop_run_mode mode, const char *hint)
{
	struct lt_watch w;
	snprintf(w.why, sizeof w.why,
		 "loop_run(%s) on %s had not returned after %d ms (every run in these tests "
		 "takes milliseconds): the loop waits for something that never comes.  Likely a "
		 "handle still counted active after it stopped or fired (a restart counted "
		 "twice, a stop that does not uncount), a wait that ignores the nearest timer, "
		 "or a callback that keeps the pass going%s",
		 LT_MODE(mode), BE_NAME(t->be), LT_WATCH_MS, hint);
	lt_watch_start(&w);
	int rc = loop_run(t->loop, mode);
	lt_watch_end(&w);
	cr_assert(rc == 0 || rc == 1, "loop_run(%s) on %s returned %s, expected 0 or 1%s",
		  LT_MODE(mode), BE_NAME(t->be), asl_test_rc(rc), hint);
	return rc;
}

#endif
