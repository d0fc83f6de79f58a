/*
 * fiber_internal.h - what the files of lab 08 share and the user of fiber.h never sees.
 */
#ifndef FIBER_INTERNAL_H
#define FIBER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "fiber.h"
#include "loop.h"

#include "asl/util.h"

/* ---- stacks (stack.c) ---- */

/* One fiber stack: a mapping of guard + usable bytes.  The guard page (PROT_NONE) lies BELOW
 * the usable part, because stacks grow down: an overflow runs into it and faults. */
struct stack {
	void *map;               /* start of the mapping = the guard page; NULL: no stack */
	size_t map_len;          /* guard + usable */
	void *lo, *hi;           /* usable part [lo, hi); hi is page-aligned */
	unsigned vg_id;          /* valgrind's id for this stack (0 when not under valgrind) */
	struct stack *next_free; /* link in the pool's free list (stored in the struct, not the
				  * stack, so a pooled stack's pages are never touched) */
};

/* Stacks of one size, reused: a finished fiber's stack goes back here instead of munmap. */
struct stack_pool {
	size_t usable;          /* usable bytes per stack (whole pages) */
	size_t page;            /* the page size */
	struct stack *free;     /* stacks ready for reuse */
	size_t nfree, max_free; /* at most max_free are kept; the rest are unmapped */
};

void stack_pool_init(struct stack_pool *p, size_t usable);
/* stack_pool_get: a stack of p->usable bytes with a guard page below (reused if one is free,
 * else a new mapping).  Returns 0 and fills *st, or -ENOMEM. */
int stack_pool_get(struct stack_pool *p, struct stack *st);
/* stack_pool_put: give a stack back (the caller must not be running on it). */
void stack_pool_put(struct stack_pool *p, struct stack *st);
/* stack_pool_drain: unmap every free stack (at destroy). */
void stack_pool_drain(struct stack_pool *p);
/* stack_unmap: release one stack for good. */
void stack_unmap(struct stack *st);

/* ---- overflow reports (stack_guard.c) ---- */

/* Install the process-wide SIGSEGV handler (once) and give the calling thread an alternate
 * signal stack to run it on.  Returns 0 or -errno.  stack_guard_leave undoes the per-thread
 * part. */
struct stack_guard_alt {
	void *mem;
	size_t len;
	bool had_old;
	char old[64]; /* the previous stack_t, restored on leave (opaque here) */
};
int stack_guard_enter(struct stack_guard_alt *alt);
void stack_guard_leave(struct stack_guard_alt *alt);

/* ---- fibers and the scheduler (sched.c) ---- */

enum fiber_state { FIBER_NEW, FIBER_RUNNABLE, FIBER_RUNNING, FIBER_BLOCKED, FIBER_DONE };

/* A FIFO of fibers linked through fiber.next: the run queue, and every wait queue (channels,
 * mutexes).  A fiber is in at most one queue at a time. */
struct fiber_queue {
	struct fiber *head, *tail;
};

struct fiber {
	void *sp; /* saved stack pointer while not running */
	struct stack stack;
	struct fiber_sched *sched;
	unsigned id;
	enum fiber_state state;
	fiber_fn fn;
	void *arg, *result;
	int error;                         /* -ENOMEM: could not get a stack, never ran */
	struct fiber *next;                /* link in the run queue or a wait queue */
	struct fiber *joiner;              /* the fiber waiting in fiber_join for this one */
	struct fiber *all_prev, *all_next; /* every fiber not yet joined */
	void *xfer;                        /* a value handed over by a channel */
	int xfer_rc;                       /* and how the wait ended (0 or -EPIPE) */
	/* waits on the loop (fiber_io.c) */
	loop_io_t io; /* kept started between waits on the same fd (see fiber_io.c) */
	loop_timer_t timer;
	bool timer_ready;  /* timer initialised */
	bool loop_waiting; /* parked until the loop wakes it */
};

struct fiber_sched {
	void *sp;              /* the scheduler's own context: the thread's stack */
	struct fiber *current; /* the running fiber, NULL while the scheduler runs */
	struct fiber_queue runq;
	struct fiber *all;  /* list of every fiber not yet joined */
	struct fiber *dead; /* finished; its stack goes back to the pool once we are off it */
	struct stack_pool pool;
	loop_t *loop; /* created on first need (fiber_sched_loop) */
	unsigned next_id;
	size_t live;         /* fibers that have not finished */
	size_t loop_waiters; /* fibers parked on the loop */
	bool running;
	const void *thread_stack_lo; /* for AddressSanitizer: the thread's own stack */
	size_t thread_stack_size;
};

/* The scheduler running on this thread (NULL if none).  Thread-local state is what the
 * concept demands: fiber_yield() and friends are called deep inside a fiber's call chain,
 * with no argument to carry the scheduler, exactly as a blocking system call has none. */
extern __thread struct fiber_sched *sched_current;

void fiber_queue_push(struct fiber_queue *q, struct fiber *f);
struct fiber *fiber_queue_pop(struct fiber_queue *q);

/* fiber_main: where every fiber starts, on its own stack (ctx_init's fn, called by
 * ctx_start): runs f->fn(f->arg) and exits with its result.  arg is the struct fiber. */
void fiber_main(void *arg);
/* sched_leave: switch from the running fiber f to the scheduler (`exiting`: for good). */
void sched_leave(struct fiber *f, bool exiting);

/* sched_park: in a fiber.  The running fiber stops (state BLOCKED) until sched_wake(); the
 * caller has put it where its waker will find it (a wait queue, a watcher). */
void sched_park(void);
/* sched_wake: make a blocked fiber runnable (tail of the run queue).  Never switches. */
void sched_wake(struct fiber *f);
/* fiber_io_release: stop the fiber's loop watcher and timer (fiber_io.c). */
void fiber_io_release(struct fiber *f);
/* The loop's callbacks for a fiber's watcher and timer (fiber_io.c): wake the fiber. */
void fiber_io_ready(loop_io_t *io, int events);
void fiber_timer_done(loop_timer_t *t);

#endif
