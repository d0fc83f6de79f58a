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
	struct sched sched;	/* first: a task's sched pointer is the executor */
	loop_t *loop;		/* the reactor: lab 07's loop (epoll backend) */
	task_t *run_head, *run_tail; /* runnable tasks: executor thread only */
	task_t **live;		/* unfinished tasks (cancelled by exec_destroy) */
	size_t nlive, cap;
	bool in_reactor;	/* inside loop_run: a wake must loop_stop it (exec_schedule) */
	pthread_mutex_t remote_lock; /* guards the three fields below */
	task_t *remote_head, *remote_tail; /* woken from other threads */
	bool remote_posted;	/* remote_post is in the loop's hands */
	loop_post_t remote_post;
};

#endif
