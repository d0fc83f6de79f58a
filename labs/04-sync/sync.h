/*
 * sync.h - lab 04: sharing is hard.
 *
 * The public API of the lab: a shared counter made correct three ways, a spinlock, Go-style
 * channels with close, timeouts and global deadlock detection, and a fan-out/fan-in pipeline.
 * Functions return 0 (or a status below) on success and a negative errno value on failure;
 * none prints.  See workbook.md, chapter 04.
 */
#ifndef LAB04_SYNC_H
#define LAB04_SYNC_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- counters (steps 1-3) */

/* A spinlock: one atomic flag, true while some thread holds the lock. */
struct spinlock {
	atomic_bool locked;
};

/* One counter that can be driven four ways.  Use ONE kind of add per counter: `value` is
 * shared by the racy, mutex and spinlock versions (each protects it differently, or not at
 * all), `atomic` belongs to the atomic version. */
struct counter {
	long value; /* racy: nothing; mutex: `mu`; spin: `spin` */
	pthread_mutex_t mu;
	struct spinlock spin;
	atomic_long atomic;
};

/* Initialise / tear down a counter (all four parts start at 0).  Given code. */
int counter_init(struct counter *c);
void counter_destroy(struct counter *c);

/* Add 1.  Any thread, any number at once.  Return 0 (the int lets an unfinished step say
 * so).  counter_racy_add is GIVEN and deliberately wrong: a data race that loses updates. */
int counter_racy_add(struct counter *c);
int counter_mutex_add(struct counter *c);  /* step 1: pthread mutex around value++ */
int counter_atomic_add(struct counter *c); /* step 2: one atomic read-modify-write */
int counter_spin_add(struct counter *c);   /* step 3: spinlock_lock around value++ */

/* The current count of the given kind of counter; call only when no thread is adding. */
long counter_read(struct counter *c, bool atomic_part);

/* Step 3.  Acquire: spin (with a pause/yield hint) until this thread owns the lock; the
 * acquire ordering makes everything the previous owner wrote before spinlock_unlock visible.
 * Release: give the lock back; release ordering publishes this thread's writes.  Both
 * return 0.  Not recursive; unlocking a lock you do not hold is undefined. */
int spinlock_lock(struct spinlock *s);
int spinlock_unlock(struct spinlock *s);

/* The type of the four add functions above. */
typedef int (*counter_add_fn)(struct counter *c);

/* GIVEN (counter_hammer.c): start `threads` threads together (a barrier), each calling
 * add(c) `iters` times; join them all.  *elapsed_ns (may be NULL) gets the time from the
 * release of the barrier to the last join.  Returns 0, -EINVAL, the first error an add
 * returned, or -errno from thread creation (threads already started are joined). */
int counter_hammer(counter_add_fn add, struct counter *c, int threads, long iters,
		   uint64_t *elapsed_ns);

/* ------------------------------------------------------------------ channels (steps 4-6) */

/* What a channel operation returns.  The values are negative errnos so they read well in
 * messages ("-32 (EPIPE)") and stay apart from other errors (-EINVAL, -ENOMEM). */
enum chan_status {
	CHAN_OK = 0,
	CHAN_CLOSED = -EPIPE,      /* send on a closed channel; recv on a closed, empty one */
	CHAN_TIMEOUT = -ETIMEDOUT, /* the deadline passed first */
	CHAN_DEADLOCK = -EDEADLK,  /* every thread of the channel's group is blocked */
};

struct chan;       /* opaque: chan.c */
struct chan_group; /* opaque: chan_group.c */

/* Create a channel holding up to `capacity` values.  capacity 0 makes it unbuffered: a send
 * returns only once a receiver has taken its value (a rendezvous).  `group` (may be NULL)
 * enables deadlock detection with the other channels of that group.  Returns 0 and sets
 * *out, or -EINVAL / -ENOMEM.  The channel is freed by chan_destroy. */
int chan_create(struct chan **out, size_t capacity, struct chan_group *group);
/* Free a channel that no thread is using any more (NULL is fine). */
void chan_destroy(struct chan *ch);

/* Step 4.  Send `value` (any pointer, or an integer cast through intptr_t).  Blocks while
 * the buffer is full (and, unbuffered, until a receiver took the value).  Returns CHAN_OK,
 * CHAN_CLOSED (the channel was or became closed before the value was taken: it is then not
 * delivered), CHAN_DEADLOCK (grouped channels, step 6) or -EINVAL.  Values from one sender
 * arrive in the order sent (FIFO). */
int chan_send(struct chan *ch, void *value);
/* Step 4.  Receive the oldest value into *value.  Blocks while the channel is empty and open.
 * Values still buffered when the channel is closed are delivered first; after that,
 * CHAN_CLOSED.  Also CHAN_DEADLOCK (step 6) or -EINVAL. */
int chan_recv(struct chan *ch, void **value);
/* Step 4.  Close: no more sends.  Wakes every blocked receiver and sender.  Returns CHAN_OK,
 * or CHAN_CLOSED if it was already closed. */
int chan_close(struct chan *ch);

/* Step 5.  As chan_send / chan_recv, but give up with CHAN_TIMEOUT once `timeout_ms`
 * milliseconds (0: do not wait at all) have passed on CLOCK_MONOTONIC, which no clock
 * setting can move.  A send that times out has not delivered its value.  Negative
 * timeout_ms: -EINVAL.  A thread in a timed wait does not count as blocked for step 6: its
 * timer will wake it, like a Go select with a time.After case. */
int chan_send_timeout(struct chan *ch, void *value, long timeout_ms);
int chan_recv_timeout(struct chan *ch, void **value, long timeout_ms);

/* Step 6.  A deadlock-detection domain, Go's "all goroutines are asleep - deadlock!".
 * Every thread that uses the group's channels is counted in with chan_group_enter() - by
 * the parent, BEFORE it creates the thread (as Go counts a goroutine from its `go`
 * statement), or by a thread for itself - and counted out with chan_group_leave() when it
 * stops using them.  Count in all the threads of a group before any of them can block: a
 * thread that blocks while it is the only one counted *is* deadlocked, as far as the group
 * can tell.  When every counted thread is blocked in an untimed send/recv on the
 * group's channels, every one of those calls returns CHAN_DEADLOCK.  Threads blocked
 * elsewhere (pthread_join, I/O) count as running: then nothing is detected.
 * create: 0, -EINVAL or -ENOMEM.  destroy: only once all its channels are destroyed. */
int chan_group_create(struct chan_group **out);
void chan_group_destroy(struct chan_group *g);
int chan_group_enter(struct chan_group *g);
int chan_group_leave(struct chan_group *g);

/* -------------------------------------------------------------------- pipeline (step 7) */

/* Step 7.  Fan-out/fan-in: a producer thread sends in[0..n) on a jobs channel (capacity
 * `capacity`), `workers` threads each receive jobs and send their squares on a results
 * channel, and the calling thread collects the n squares into out[] (in any order).
 * Every thread is joined before returning.  Returns the number of results (n), or -EINVAL
 * (workers < 1, NULL arrays with n > 0) / -errno. */
long pipeline_squares(const long *in, size_t n, int workers, size_t capacity, long *out);

#endif
