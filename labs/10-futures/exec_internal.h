/*
 * exec_internal.h - the single-threaded executor's struct, for the reactor (reactor.c and
 * reactor_io.c reach the loop through it) and the tests.
 */
#ifndef EXEC_INTERNAL_H
#define EXEC_INTERNAL_H

#include <pthread.h>

#include "fut_internal.h"
#include "loop.h"

struct exec {
	struct sched sched;          /* first: a task's sched pointer is the executor */
	loop_t *loop;                /* the reactor: lab 07's loop (epoll backend) */
	task_t *run_head, *run_tail; /* runnable tasks: executor thread only */
	task_t **live;               /* unfinished tasks (cancelled by exec_destroy) */
	size_t nlive, cap;
	bool in_reactor;             /* inside loop_run: a wake must loop_stop it (exec_schedule) */
	pthread_mutex_t remote_lock; /* guards the three fields below */
	task_t *remote_head, *remote_tail; /* woken from other threads */
	bool remote_posted;                /* remote_post is in the loop's hands */
	loop_post_t remote_post;
	/* A reactor with a thread of its own (exec_mt's: exec_reactor_start): its loop runs
	 * there and nowhere else; it runs no tasks. */
	bool threaded;
	bool thread_stop; /* reactor thread only */
	pthread_t thread;
};

/* Run fn(arg) on the thread that runs ex's loop, and return when it has run: at once when
 * that is this thread (always, for an executor without a thread of its own: its loop is
 * its caller's), else handed to the reactor thread with loop_post and waited for (a few
 * microseconds: an eventfd write and a wake-up).  The reactor's futures (reactor.c) go
 * through it, so lab 07's single-threaded loop is only ever touched by one thread. */
void exec_loop_call(exec_t *ex, void (*fn)(void *arg), void *arg);
/* Does ex's loop run on this thread (no hop needed)? */
bool exec_loop_is_here(const exec_t *ex);
/* Give ex's loop a thread of its own that runs it until exec_reactor_stop.  0 or -errno. */
int exec_reactor_start(exec_t *ex);
/* Stop and join that thread (any other thread).  The executor can then be destroyed. */
void exec_reactor_stop(exec_t *ex);

#endif
