/*
 * fiber.h - lab 08: fibers, stackful coroutines built from scratch.
 *
 * A fiber is a function with a stack of its own.  Because it owns a stack it can stop in the
 * middle of any call chain (fiber_yield, a channel, a "blocking" read) and resume there later:
 * the whole call chain waits on its stack while other fibers run.  This is what green threads,
 * goroutines and Boost.Context do; see workbook.md, chapter 08.
 *
 * Model:
 *   - A scheduler runs its fibers on ONE OS thread, the one that calls fiber_sched_run.  Fibers
 *     are cooperative: one runs until it yields, blocks, or finishes; nothing preempts it.
 *   - Everything here is called on that thread.  Functions marked "in a fiber" are called by
 *     the running fiber (they may switch away and come back); the others may also be called
 *     before fiber_sched_run (e.g. to spawn the first fiber).
 *   - Functions return 0 (or a count) or -errno; nothing prints, except the stack overflow
 *     report, which is written by a signal handler just before the process dies.
 *   - I/O and sleep park the fiber on a lab-07 event loop (loop.h) that the scheduler creates
 *     the first time a fiber needs it: while every fiber waits, the thread sleeps in the loop.
 */
#ifndef FIBER_H
#define FIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "loop.h"

typedef struct fiber fiber_t;             /* opaque */
typedef struct fiber_sched fiber_sched_t; /* opaque */
typedef void *(*fiber_fn)(void *arg);

/* Default usable stack per fiber (the guard page comes on top). */
#define FIBER_STACK_DEFAULT (16u << 10)

/* fiber_sched_create: a scheduler whose fibers get stacks of stack_size usable bytes
 * (0: FIBER_STACK_DEFAULT; rounded up to whole pages; at least one page).  *out is the
 * caller's until fiber_sched_destroy.  Errors: -EINVAL (stack_size over 1 GiB), -ENOMEM. */
int fiber_sched_create(fiber_sched_t **out, size_t stack_size);

/* fiber_sched_run: runs fibers on the calling thread until none is left.  Returns 0 when every
 * fiber has finished; -EDEADLK when fibers remain but none can ever run again (all blocked on
 * channels, mutexes or joins, nothing pending in the loop); -errno if the loop fails.  May be
 * called again after more spawns.  Not from inside a fiber (-EBUSY). */
int fiber_sched_run(fiber_sched_t *s);

/* fiber_sched_destroy: frees the scheduler, every fiber it still holds (finished but never
 * joined, or left blocked by a deadlock: their stacks are dropped without unwinding), the
 * stack pool and the loop.  Not while it runs (-EBUSY). */
int fiber_sched_destroy(fiber_sched_t *s);

/* fiber_sched_loop: the scheduler's event loop, created now if it does not exist yet (epoll
 * backend, lab 07).  Errors: whatever loop_create returns (-ENOSYS while lab 07 is unfinished). */
int fiber_sched_loop(fiber_sched_t *s, loop_t **out);

/* fiber_sched_stack_size: the usable stack size of this scheduler's fibers, in bytes. */
size_t fiber_sched_stack_size(const fiber_sched_t *s);

/* fiber_spawn: a new fiber that will run fn(arg), queued at the tail of the run queue; it gets
 * its stack when it first runs (a fiber that never started costs no stack).  *out (may be
 * NULL if the caller will never join it) stays valid until fiber_join returns.  Before
 * fiber_sched_run or in a fiber of s.  Errors: -ENOMEM. */
int fiber_spawn(fiber_sched_t *s, fiber_t **out, fiber_fn fn, void *arg);

/* fiber_yield: in a fiber.  Go to the tail of the run queue and let the others run. */
void fiber_yield(void);

/* fiber_exit: in a fiber.  Finish now with `result` (what fiber_join returns), as if fn had
 * returned it.  Never returns. */
_Noreturn void fiber_exit(void *result);

/* fiber_join: in a fiber.  Wait until f has finished, store its result in *result (if not
 * NULL) and free f: join each fiber at most once.  Errors: -EPERM (not in a fiber), -EDEADLK
 * (f is the caller), -EINVAL (another fiber is already joining f), -ENOMEM (f could not get a
 * stack and never ran). */
int fiber_join(fiber_t *f, void **result);

/* fiber_self_sched: the scheduler of the running fiber (NULL outside fibers). */
fiber_sched_t *fiber_self_sched(void);

/* fiber_self: the running fiber (NULL outside fibers); fiber_id: its number, 1, 2, ... in
 * spawn order within its scheduler. */
fiber_t *fiber_self(void);
unsigned fiber_id(const fiber_t *f);

/* ---- channels between fibers of one scheduler (chan.c) ---- */
typedef struct fiber_chan fiber_chan_t; /* opaque */
/* fiber_chan_create: capacity 0 = unbuffered (a send waits for its receiver: a rendezvous).
 * Errors: -ENOMEM. */
int fiber_chan_create(fiber_chan_t **out, size_t capacity);
/* fiber_chan_send: in a fiber.  Blocks while no receiver is waiting (unbuffered) or the buffer is
 * full.  Values are received in the order sent.  Errors: -EPIPE (closed, before or while
 * waiting: the value was not delivered). */
int fiber_chan_send(fiber_chan_t *c, void *value);
/* fiber_chan_recv: in a fiber.  Blocks while there is nothing to receive.  Returns 0 with
 * *value, or -EPIPE once the channel is closed and every buffered value has been received. */
int fiber_chan_recv(fiber_chan_t *c, void **value);
/* fiber_chan_close: wakes every waiting sender (-EPIPE) and receiver (-EPIPE once the buffer is
 * drained).  Errors: -EALREADY (already closed). */
int fiber_chan_close(fiber_chan_t *c);
/* fiber_chan_destroy: frees c; no fiber may be waiting on it (-EBUSY). */
int fiber_chan_destroy(fiber_chan_t *c);

/* ---- a mutex between fibers of one scheduler (mutex.c): no OS lock inside ---- */
struct fiber_mutex {
	/* private: */
	fiber_t *owner;
	fiber_t *head, *tail; /* waiting fibers, first come first served */
};
#define FIBER_MUTEX_INIT \
	{                \
		0        \
	}
/* fiber_mutex_lock: in a fiber.  Waits until the mutex is free; waiters get it in the order
 * they asked (ownership is handed over by unlock).  Errors: -EDEADLK (already the owner). */
int fiber_mutex_lock(struct fiber_mutex *m);
/* fiber_mutex_unlock: in a fiber, by the owner (-EPERM otherwise).  Never switches away. */
int fiber_mutex_unlock(struct fiber_mutex *m);

/* ---- blocking-style I/O and sleep on the loop (fiber_io.c), in a fiber ----
 * Each call looks like the blocking system call, but where the kernel says "would block"
 * (EAGAIN) the fiber parks on the scheduler's loop until the descriptor is ready; the other
 * fibers run meanwhile.  Descriptors must be non-blocking (O_NONBLOCK).  One fiber waits on a
 * given descriptor at a time (-EBUSY otherwise).  Errors: -errno of the system call, or of the
 * loop (lab 07) while it is unfinished. */
int fiber_sleep(uint64_t ms);
ssize_t fiber_read(int fd, void *buf, size_t len);        /* bytes read, 0 at end of file */
ssize_t fiber_write(int fd, const void *buf, size_t len); /* writes ALL len bytes */
int fiber_accept(int listen_fd);                          /* a new non-blocking fd */
int fiber_connect(int fd, const struct sockaddr *addr, socklen_t len);
/* fiber_close: stops any wait of this fiber on fd, then closes it. */
int fiber_close(int fd);

#endif
