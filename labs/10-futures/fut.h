/*
 * fut.h - lab 10: futures, wakers, executors and a reactor, in C.
 *
 * The pieces (workbook.md, chapter 10, maps each to notes 002, "Calling an async function"):
 *   - A *future* is a state machine behind a vtable: poll(future, context, &out) returns
 *     FUT_PENDING (not yet; I arranged to be woken) or FUT_READY (*out holds the result).
 *     Futures are LAZY: making one runs nothing; only poll moves it.  Dropping a future
 *     (fut_drop) cancels it: it releases whatever it holds (timer, watcher, queue slot).
 *   - The *context* carries a *waker*: a reference-counted handle with a vtable (clone, drop,
 *     wake, wake_by_ref).  A future that returns FUT_PENDING must first have stored a clone of
 *     the waker where the event it waits for will find it.  wake() means "poll me again".
 *   - An *executor* owns *tasks* (a spawned future + its header) and polls the runnable ones.
 *     exec_t is single-threaded (one thread, its reactor is lab 07's loop); exec_mt_t has N
 *     workers with work stealing.
 *   - The *reactor* turns kernel readiness and timer expiry into wake() calls.
 *
 * Conventions: functions return 0 / -errno; results of futures are intptr_t (a value, a
 * pointer, or -errno).  Constructors return a heap future owned by the caller until it is
 * spawned, given to a combinator (which then owns it) or dropped; they return NULL with errno
 * set on failure.  Nothing prints.
 */
#ifndef FUT_H
#define FUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------ wakers (step 1) */

typedef struct fut_waker fut_waker_t;
struct fut_waker_vtable {
	fut_waker_t (*clone)(const void *data); /* a new reference */
	void (*wake)(void *data);               /* wake, then drop this reference */
	void (*wake_by_ref)(const void *data);  /* wake, keep the reference */
	void (*drop)(void *data);               /* release this reference */
};
struct fut_waker {
	const struct fut_waker_vtable *vt; /* NULL: an empty slot */
	const void *data;
};

/* Any thread.  clone: another reference to the same wakee; wake consumes *w (it becomes
 * empty); wake_by_ref keeps it; drop releases it (empty afterwards).  Empty wakers are
 * ignored by all four.  Inline: they sit on the path of every wake+poll cycle, where a call
 * through a wrapper costs as much as the work itself. */
static inline fut_waker_t waker_clone(const fut_waker_t *w)
{
	if (!w->vt)
		return (fut_waker_t){ 0 };
	return w->vt->clone(w->data);
}

static inline void waker_wake(fut_waker_t *w)
{
	fut_waker_t taken = *w;
	*w = (fut_waker_t){ 0 };
	if (taken.vt)
		taken.vt->wake((void *)taken.data);
}

static inline void waker_wake_by_ref(const fut_waker_t *w)
{
	if (w->vt)
		w->vt->wake_by_ref(w->data);
}

static inline void waker_drop(fut_waker_t *w)
{
	fut_waker_t taken = *w;
	*w = (fut_waker_t){ 0 };
	if (taken.vt)
		taken.vt->drop((void *)taken.data);
}

/* Do a and b wake the same thing?  (Lets a future skip re-cloning an unchanged waker.) */
static inline bool waker_will_wake(const fut_waker_t *a, const fut_waker_t *b)
{
	return a->vt == b->vt && a->data == b->data;
}
/* A waker that does nothing (for polling by hand). */
fut_waker_t waker_noop(void);

/* ------------------------------------------------------------------ futures */

enum fut_poll { FUT_PENDING = 0, FUT_READY = 1 };

typedef struct fut_ctx {
	const fut_waker_t *waker; /* borrowed for the duration of one poll */
} fut_ctx_t;

typedef struct fut fut_t;
struct fut_vtable {
	enum fut_poll (*poll)(fut_t *self, fut_ctx_t *cx, intptr_t *out);
	void (*drop)(fut_t *self); /* release resources and free self */
};
struct fut {
	const struct fut_vtable *vt; /* first member of every concrete future */
};

static inline enum fut_poll fut_poll(fut_t *f, fut_ctx_t *cx, intptr_t *out)
{
	return f->vt->poll(f, cx, out);
}
/* Cancel and free f (NULL is fine).  After FUT_READY a future must not be polled again;
 * drop it. */
static inline void fut_drop(fut_t *f)
{
	if (f)
		f->vt->drop(f);
}
/* Store a clone of cx's waker in *slot, unless it already holds one that wakes the same task
 * (then nothing is cloned).  Not thread-safe: guard slots that other threads read. */
static inline void waker_register(fut_waker_t *slot, const fut_ctx_t *cx)
{
	if (slot->vt && waker_will_wake(slot, cx->waker))
		return;
	waker_drop(slot);
	*slot = waker_clone(cx->waker);
}

/* A future that is ready at once with `value` (a building block for tests and demos). */
fut_t *fut_ready(intptr_t value);
/* A future that is pending `yields` times (waking itself each time: a cooperative yield),
 * then ready with `value`. */
fut_t *fut_yield(unsigned yields, intptr_t value);

/* ------------------------------------------------------------------ tasks (steps 2-3) */

typedef struct task task_t; /* fut_internal.h: the task header */

/* ------------------------------------------------------------------ executor (step 4) */

typedef struct exec exec_t;

/* A single-threaded executor with its reactor (a lab 07 loop on epoll).  Owned by the caller
 * until exec_destroy.  Errors: -ENOMEM, loop_create's. */
int exec_create(exec_t **out);
/* Cancel every unfinished task (their futures are dropped), free the executor.  Executor
 * thread only, not from inside a task; no other thread may still wake its tasks. */
void exec_destroy(exec_t *ex);
/* Spawn f as a task (ownership of f passes to the executor).  It is queued, NOT polled:
 * futures are lazy.  With join != NULL, *join receives a join handle: a future whose
 * result is f's result; dropping the handle detaches the task (it still runs).
 * Executor thread, or a task on it.  Errors: -ENOMEM (f is dropped). */
int exec_spawn(exec_t *ex, fut_t *f, fut_t **join);
/* Run until every task has finished.  Returns 0, or a reactor error.  Executor thread. */
int exec_run(exec_t *ex);
/* Spawn f and run until IT is ready (other tasks run meanwhile and are left as they are);
 * *out = its result.  Errors: as exec_spawn, exec_run. */
int exec_block_on(exec_t *ex, fut_t *f, intptr_t *out);
/* Tasks spawned and not yet finished. */
size_t exec_tasks(const exec_t *ex);
/* The executor whose task is running on this thread (NULL outside one). */
exec_t *exec_current(void);

/* ------------------------------------------------------------------ reactor (steps 5-6) */

/* A future ready ms milliseconds after its first poll (result 0).  Executor thread.  Timers
 * come from the executor's loop (lab 07's timer heap); dropping the future stops its timer. */
fut_t *reactor_sleep(exec_t *ex, uint64_t ms);

/* A descriptor registered with the reactor: one per fd, long-lived, non-blocking fd owned by
 * the caller.  At most one reader and one writer future wait on it at a time. */
typedef struct reactor_io reactor_io_t;
int reactor_io_open(exec_t *ex, int fd, reactor_io_t **out);
/* Unregister and free (does not close fd).  No future of this io may still be alive. */
void reactor_io_close(reactor_io_t *io);
int reactor_io_fd(const reactor_io_t *io);

/* Leaf futures (the notes' "somewhere a syscall is made"): each tries the call first and only
 * waits for readiness when it says EAGAIN.  Results: read/write: bytes (read: 0 = EOF) or
 * -errno; accept: a new non-blocking descriptor or -errno; connect: a connected non-blocking
 * socket (owned by the caller) or -errno.  buf stays the caller's and must outlive the
 * future.  write writes at least one byte (a partial write is a result, as with write(2)). */
fut_t *reactor_read(reactor_io_t *io, void *buf, size_t len);
fut_t *reactor_write(reactor_io_t *io, const void *buf, size_t len);
fut_t *reactor_accept(reactor_io_t *io);
fut_t *reactor_connect(exec_t *ex, const struct sockaddr *addr, socklen_t len);

/* ------------------------------------------------------------------ combinators (steps 7-8) */

/* Ready when every future is; outs[i] = futs[i]'s result; result 0.  Owns the futures (each
 * is dropped as soon as it is ready; dropping the combinator drops the rest). */
fut_t *combine_join_all(fut_t **futs, size_t n, intptr_t *outs);
/* Ready when the first future is: result = its index, *winner_out = its result.  The losers
 * are dropped at once (cancelled: their timers, watchers and memory released).  Polled in
 * index order, so an earlier index wins a tie. */
fut_t *combine_select(fut_t **futs, size_t n, intptr_t *winner_out);
/* f's result if it is ready within ms, else -ETIMEDOUT (and f is dropped). */
fut_t *combine_timeout(exec_t *ex, fut_t *f, uint64_t ms);

/* retry: makes attempt k (0, 1, ...) with make(arg, k); a result >= 0 is success.  After a
 * failure, waits a random time in [d/2, d] (jitter) with d = min(base_ms << k, max_ms), then
 * tries again, at most `attempts` times in all.  Result: the first success, or the last
 * failure.  `seed` makes the jitter reproducible.  delays_ms (may be NULL) records the delay
 * chosen after each failure. */
struct combine_retry_policy {
	unsigned attempts;
	uint64_t base_ms, max_ms;
	uint64_t seed;
};
typedef fut_t *(*retry_make_fn)(void *arg, unsigned attempt);
fut_t *combine_retry(exec_t *ex, const struct combine_retry_policy *p, retry_make_fn make,
		     void *arg, uint64_t *delays_ms);
/* The delay after failure k under p, drawn with *rng (xorshift64*): what combine_retry uses. */
uint64_t combine_retry_delay_ms(const struct combine_retry_policy *p, unsigned k, uint64_t *rng);

/* ------------------------------------------------------------------ async sync (steps 9-10) */

/* A bounded multi-producer single-consumer channel of intptr_t.  Thread-safe (senders may
 * be tasks on other executors).  Senders that find it full wait in FIFO order and are served
 * in that order.  After fut_chan_close: sends give -EPIPE, the receiver drains what is buffered
 * then gets -EPIPE.  fut_chan_destroy: no future of it may still be alive. */
typedef struct fut_chan fut_chan_t;
int fut_chan_create(fut_chan_t **out, size_t capacity);
void fut_chan_close(fut_chan_t *ch);
void fut_chan_destroy(fut_chan_t *ch);
fut_t *fut_chan_send(fut_chan_t *ch, intptr_t value);  /* result 0 or -EPIPE */
fut_t *fut_chan_recv(fut_chan_t *ch, intptr_t *value); /* result 0 (and *value) or -EPIPE */

/* An async mutex: lock is a future; the lock is handed to waiters in FIFO order (no barging)
 * and a waiting task does not block its thread.  amutex_unlock: by the holder only. */
typedef struct amutex amutex_t;
int amutex_create(amutex_t **out);
void amutex_destroy(amutex_t *m);
fut_t *amutex_lock(amutex_t *m); /* result 0 once held */
void amutex_unlock(amutex_t *m);

/* ------------------------------------------------------------------ blocking work (step 11) */

struct pool; /* lab 05's thread pool */
typedef intptr_t (*blocking_fn)(void *arg);
/* A future for fn(arg) run on a thread of lab 05's pool: submitted on the FIRST poll (lazy),
 * ready with fn's result once it has run, or -ECANCELED if the pool cancelled it, or the
 * submit error.  Dropping it before the end does not stop fn; its result is discarded. */
fut_t *blocking_spawn(struct pool *pool, blocking_fn fn, void *arg);

/* ------------------------------------------------------------------ multi-threaded (12-13) */

/* N workers, each with a queue of runnable tasks (FIFO for its owner; idle workers steal the
 * older half of another's), a shared injection queue for tasks spawned or woken from
 * outside, and parking of idle workers without lost wake-ups.  Its reactor is
 * exec_mt_reactor's: pass that to the reactor's futures and the combinators' timers. */
typedef struct exec_mt exec_mt_t;
int exec_mt_create(exec_mt_t **out, int workers);
/* Any thread (also from inside its tasks).  Errors: -ENOMEM (f dropped). */
int exec_mt_spawn(exec_mt_t *ex, fut_t *f, fut_t **join);
/* Start the workers and wait until every task has finished, then stop them.  Returns 0.
 * Tasks may be spawned before and during the run.  The calling thread only waits. */
int exec_mt_run(exec_mt_t *ex);
void exec_mt_destroy(exec_mt_t *ex);
/* Tasks spawned and not yet finished.  Any thread. */
size_t exec_mt_tasks(const exec_mt_t *ex);
/* The executor's reactor, for reactor_sleep, reactor_io_open, reactor_connect,
 * combine_timeout and combine_retry: an exec_t that runs no tasks, only lab 07's loop, on a
 * thread of its own (started by the first call, stopped by exec_mt_destroy).  Tasks on any
 * worker may use its futures.  Any thread.  NULL with errno set on failure. */
exec_t *exec_mt_reactor(exec_mt_t *ex);
/* Tasks stolen by idle workers during the last run (for the tests and harness). */
uint64_t exec_mt_steals(const exec_mt_t *ex);

/* ------------------------------------------------------------------ echo (step 14) */

/* An echo server on futures: one task per connection, each a state machine (read, then
 * write all of it, repeat, until EOF or an error) polled by ex.  echo_server_start spawns the
 * acceptor task on the listening socket lfd (non-blocking, owned by the caller).
 * echo_server_stop: the acceptor finishes at its next poll (it is woken now); connections end
 * when their clients hang up, so exec_run returns once they have.  echo_server_destroy: after
 * that (frees s; lfd stays open).  Executor thread. */
typedef struct echo_server echo_server_t;
int echo_server_start(exec_t *ex, int lfd, echo_server_t **out);
void echo_server_stop(echo_server_t *s);
void echo_server_destroy(echo_server_t *s);
/* Connections accepted so far. */
uint64_t echo_server_accepted(const echo_server_t *s);

#endif
