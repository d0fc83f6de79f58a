/*
 * workloads.h - the small futures that lab 10's programs (bench_exec, bench_echo,
 * stress_wake) and its tests both run, written once:
 *   - a ping-pong pair: two tasks that take turns, each move waking the other side through
 *     the waker it left - the wake+poll cycle, and a lost-wake-up detector (a single lost
 *     wake-up hangs it);
 *   - a channel producer and consumer: send a range of values, receive until the channel is
 *     closed (counting, summing and, if asked, recording what arrived);
 *   - the echo control task: stops an echo server once a channel is closed.
 * Header-only (static functions): nothing here is part of the lab's library.  Constructors
 * return NULL on ENOMEM.
 */
#ifndef WORKLOADS_H
#define WORKLOADS_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "fut.h"

static void workload_free(fut_t *self)
{
	free(self);
}

/* ---- the ping-pong pair ---- */

struct pingpong {
	pthread_mutex_t lock; /* guards waker[] when the sides may run on different threads */
	bool threads;
	fut_waker_t waker[2]; /* what each side left to be woken by */
	_Atomic uint64_t moves;
	_Atomic int turn; /* whose move: 0 or 1 */
	uint64_t rounds;
};

struct pingpong_side {
	fut_t base;
	struct pingpong *pp;
	int me;
};

/* threads: the sides may run on different threads (exec_mt): the wakers are guarded. */
static inline void pingpong_init(struct pingpong *pp, uint64_t rounds, bool threads)
{
	*pp = (struct pingpong){ .threads = threads, .rounds = rounds };
	pthread_mutex_init(&pp->lock, NULL);
}

/* One thread: the other side's slot cannot change under us, wake it in place (by reference:
 * nothing is cloned).  Threads: the other side may be re-registering right now: clone under
 * the lock, wake the clone outside it (a wake may run a scheduler, no place for a lock). */
static inline __attribute__((always_inline)) void pingpong_wake(struct pingpong *pp, int side,
								bool threads)
{
	if (!threads) {
		waker_wake_by_ref(&pp->waker[side]);
		return;
	}
	pthread_mutex_lock(&pp->lock);
	fut_waker_t w = waker_clone(&pp->waker[side]);
	pthread_mutex_unlock(&pp->lock);
	waker_wake(&w);
}

/* One move per poll.  Leave our waker first (so that the other side's reply finds it), then,
 * if it is our turn, move and wake the other side; ready once every move is made.  turn is
 * read before moves: after seeing our turn (acquire) the count we read is the latest, and
 * only the side whose turn it is writes, so no read-modify-write is needed.
 * Written once and compiled twice, `threads` a constant in each (pingpong_poll_st/_mt): the
 * single-threaded pair is what bench_exec's st-wake times, and the lock tests and the
 * registers the threaded path needs would otherwise be part of every cycle it measures. */
static inline __attribute__((always_inline)) enum fut_poll
pingpong_move(fut_t *self, fut_ctx_t *cx, intptr_t *out, bool threads)
{
	struct pingpong_side *s = (struct pingpong_side *)self;
	struct pingpong *pp = s->pp;
	int other = 1 - s->me;
	if (threads)
		pthread_mutex_lock(&pp->lock);
	waker_register(&pp->waker[s->me], cx);
	if (threads)
		pthread_mutex_unlock(&pp->lock);
	int turn = atomic_load_explicit(&pp->turn, memory_order_acquire);
	uint64_t m = atomic_load_explicit(&pp->moves, memory_order_relaxed);
	if (m >= pp->rounds) {
		pingpong_wake(pp, other, threads); /* let the other side see the end too */
		*out = 0;
		return FUT_READY;
	}
	if (turn == s->me) {
		atomic_store_explicit(&pp->moves, m + 1, memory_order_relaxed);
		atomic_store_explicit(&pp->turn, other, memory_order_release);
		pingpong_wake(pp, other, threads);
	}
	return FUT_PENDING;
}

static enum fut_poll pingpong_poll_st(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	return pingpong_move(self, cx, out, false);
}

static enum fut_poll pingpong_poll_mt(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	return pingpong_move(self, cx, out, true);
}

static const struct fut_vtable pingpong_st_vtable
    __attribute__((unused)) = { .poll = pingpong_poll_st, .drop = workload_free };
static const struct fut_vtable pingpong_mt_vtable
    __attribute__((unused)) = { .poll = pingpong_poll_mt, .drop = workload_free };

/* Side `me` (0 moves first) as a future to spawn. */
static inline fut_t *pingpong_side(struct pingpong *pp, int me)
{
	struct pingpong_side *s = malloc(sizeof *s);
	if (!s)
		return NULL;
	const struct fut_vtable *vt = pp->threads ? &pingpong_mt_vtable : &pingpong_st_vtable;
	*s = (struct pingpong_side){ { vt }, pp, me };
	return &s->base;
}

static inline uint64_t pingpong_moves(struct pingpong *pp)
{
	return atomic_load(&pp->moves);
}

/* Once both sides are done (or dropped): release the wakers they left. */
static inline void pingpong_destroy(struct pingpong *pp)
{
	waker_drop(&pp->waker[0]);
	waker_drop(&pp->waker[1]);
	pthread_mutex_destroy(&pp->lock);
}

/* ---- a channel producer and consumer ---- */

/* Sends from, from + 1, ..., to - 1, one send future at a time; result 0, or the first
 * failed send's -errno. */
struct producer {
	fut_t base;
	fut_chan_t *ch;
	fut_t *send;
	intptr_t next, end;
};

static enum fut_poll producer_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct producer *p = (struct producer *)self;
	while (p->next < p->end) {
		if (!p->send && !(p->send = fut_chan_send(p->ch, p->next))) {
			*out = -ENOMEM;
			return FUT_READY;
		}
		intptr_t r;
		if (fut_poll(p->send, cx, &r) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(p->send);
		p->send = NULL;
		if (r < 0) {
			*out = r;
			return FUT_READY;
		}
		p->next++;
	}
	*out = 0;
	return FUT_READY;
}

static void producer_drop(fut_t *self)
{
	fut_drop(((struct producer *)self)->send);
	free(self);
}

static const struct fut_vtable producer_vtable
    __attribute__((unused)) = { .poll = producer_poll, .drop = producer_drop };

static inline fut_t *producer_new(fut_chan_t *ch, intptr_t from, intptr_t to)
{
	struct producer *p = malloc(sizeof *p);
	if (!p)
		return NULL;
	*p = (struct producer){ { &producer_vtable }, ch, NULL, from, to };
	return &p->base;
}

/* Receives until the channel is closed and drained (result: that -EPIPE), counting and
 * summing the values and recording the first `cap` of them in got (may be NULL).  Its owner
 * reads the counts after the task is gone, so dropping it does not free it: consumer_free. */
struct consumer {
	fut_t base;
	fut_chan_t *ch;
	fut_t *recv;
	intptr_t v, *got;
	long n, cap, sum;
};

static enum fut_poll consumer_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct consumer *c = (struct consumer *)self;
	for (;;) {
		if (!c->recv && !(c->recv = fut_chan_recv(c->ch, &c->v))) {
			*out = -ENOMEM;
			return FUT_READY;
		}
		intptr_t r;
		if (fut_poll(c->recv, cx, &r) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(c->recv);
		c->recv = NULL;
		if (r < 0) {
			*out = r;
			return FUT_READY;
		}
		if (c->n < c->cap)
			c->got[c->n] = c->v;
		c->n++;
		c->sum += c->v;
	}
}

static void consumer_drop(fut_t *self)
{
	struct consumer *c = (struct consumer *)self;
	fut_drop(c->recv);
	c->recv = NULL;
}

static const struct fut_vtable consumer_vtable
    __attribute__((unused)) = { .poll = consumer_poll, .drop = consumer_drop };

static inline struct consumer *consumer_new(fut_chan_t *ch, intptr_t *got, long cap)
{
	struct consumer *c = calloc(1, sizeof *c);
	if (c)
		*c = (struct consumer){
			.base = { &consumer_vtable }, .ch = ch, .got = got, .cap = got ? cap : 0
		};
	return c;
}

static inline void consumer_free(struct consumer *c)
{
	free(c);
}

/* A thread body: join `n` threads, then close the channel (fut_chan_close is thread-safe):
 * the consumer ends once every sender thread has finished. */
struct closer_arg {
	pthread_t *th;
	int n;
	fut_chan_t *ch;
};

static __attribute__((unused)) void *closer_main(void *arg)
{
	struct closer_arg *a = arg;
	for (int i = 0; i < a->n; i++)
		pthread_join(a->th[i], NULL);
	fut_chan_close(a->ch);
	return NULL;
}

/* ---- the echo server's control task ---- */

/* Waits for its receive on a channel to end (the channel closed: the clients are done),
 * then stops the echo server. */
struct echo_control {
	fut_t base;
	fut_t *recv;
	intptr_t v;
	echo_server_t *srv;
};

static enum fut_poll echo_control_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct echo_control *c = (struct echo_control *)self;
	if (fut_poll(c->recv, cx, out) == FUT_PENDING)
		return FUT_PENDING;
	echo_server_stop(c->srv);
	return FUT_READY;
}

static void echo_control_drop(fut_t *self)
{
	fut_drop(((struct echo_control *)self)->recv);
	free(self);
}

static const struct fut_vtable echo_control_vtable
    __attribute__((unused)) = { .poll = echo_control_poll, .drop = echo_control_drop };

static inline fut_t *echo_control_new(echo_server_t *srv, fut_chan_t *done)
{
	struct echo_control *c = malloc(sizeof *c);
	if (!c)
		return NULL;
	*c = (struct echo_control){ .base = { &echo_control_vtable }, .srv = srv };
	if (!(c->recv = fut_chan_recv(done, &c->v))) {
		free(c);
		return NULL;
	}
	return &c->base;
}

#endif
