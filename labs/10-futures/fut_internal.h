/*
 * fut_internal.h - the task header and what an executor provides to it.  Shared by the
 * executors (exec.c, exec_mt.c), the task code (task.c) and the tests; not part of the API.
 *
 * A task is a spawned future plus this header.  Its `state` word is the whole wake-up
 * protocol (task.c):
 *   SCHEDULED  in a run queue (or about to be pushed): further wakes do nothing
 *   RUNNING    being polled right now by some thread
 *   NOTIFIED   woken while RUNNING: poll it again once this poll is over
 *   COMPLETE   finished or cancelled: every later wake is ignored
 * Its `refs` counts the references that keep the header's memory alive: one held by the
 * executor until the task completes, one per waker clone, one per join handle.
 */
#ifndef FUT_INTERNAL_H
#define FUT_INTERNAL_H

#include <stdatomic.h>

#include "fut.h"

enum {
	TASK_SCHEDULED = 1u,
	TASK_RUNNING = 2u,
	TASK_NOTIFIED = 4u,
	TASK_COMPLETE = 8u,
};

/* What a task needs from the executor that owns it. */
struct sched {
	/* Queue t, whose state the caller has just made SCHEDULED (or that stays RUNNING after
	 * waking itself).  Any thread. */
	void (*schedule)(struct sched *s, task_t *t);
	/* t has completed (its future is dropped): the executor forgets it and drops its
	 * reference afterwards.  On the thread that completed it. */
	void (*done)(struct sched *s, task_t *t);
};

struct task {
	fut_t *fut;             /* the spawned future; NULL once complete */
	struct sched *sched;    /* its executor */
	task_t *next;           /* run-queue link (a task is in at most one queue) */
	_Atomic unsigned state; /* TASK_* bits */
	_Atomic unsigned refs;  /* references to this header */
	uint32_t slot;          /* index in the executor's table of live tasks (exec.c) */
	bool self_woken;        /* woken by its own poll: only the polling thread touches it */
	bool done;              /* result is in out: under join_lock */
	atomic_flag join_lock;  /* guards done, out, join_waker */
	intptr_t out;           /* the future's result */
	fut_waker_t join_waker; /* who waits on the join handle */
};

/* task.c */
/* A new task for f, state SCHEDULED, refs = 1 (+1 with a join handle in *join).  Does not
 * queue it.  NULL on -ENOMEM (f untouched). */
task_t *task_create(struct sched *s, fut_t *f, fut_t **join);
/* Wake t (waker vtable's wake_by_ref): see the state machine above.  Any thread.
 * The waker's side of the bargain: publish what the wake is about (a channel slot, a
 * readiness flag) BEFORE calling wake, under a lock the future's poll also takes, or with a
 * read-modify-write / seq_cst store that the poll reads.  A wake that finds t already
 * SCHEDULED returns after a plain acquire load, so it is that publication, not the wake,
 * that the coming poll synchronises with.  A plain or release store of the data followed by
 * wake is not enough: the store may still sit in this CPU's store buffer when the load sees
 * SCHEDULED, and the poll already running on another CPU then reads the old data. */
void task_wake(task_t *t);
/* Poll t once on this thread (it was popped from a run queue). */
void task_run(task_t *t);
/* Cancel a task that is not running: drop its future, complete it with -ECANCELED. */
void task_cancel(task_t *t);
/* Drop one reference; frees the header with the last. */
void task_release(task_t *t);
/* The task being polled on this thread (NULL outside a poll). */
extern _Thread_local task_t *task_current;

/* exec_mt.c */
/* One turn of worker i's loop on the calling thread, which acts as that worker meanwhile:
 * find a runnable task (its own queue, the injection queue, a steal) and run it; false when
 * there was none.  What each worker thread does between parks; the tests of step 12 drive
 * the workers with it (no parking: that is step 13). */
bool exec_mt_worker_turn(exec_mt_t *ex, int i);

/* waker.c */
extern const struct fut_waker_vtable task_waker_vtable;

#endif
