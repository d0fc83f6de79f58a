/*
 * bench_switch - what one switch costs: our assembly (pop + jmp, and ret), glibc's
 * swapcontext, a fiber_yield through the scheduler, and a handoff between two OS threads.
 *
 * Every measurement is a ping-pong: two parties hand control back and forth, and the time of
 * a round trip is divided by two.  Reported: nanoseconds per one-way switch (x is the kind:
 * 0 asm pop+jmp, 1 the same with two rounding modes, 2 asm ret, 3 fiber_yield,
 * 4 swapcontext, 5 OS threads).
 *   - asm: main and one context switch with ctx_switch / ctx_switch_ret directly; in the
 *     rounding series the other context runs rounding upward, so every switch must load
 *     the x87 control word (which ctx_switch skips when both contexts have the same);
 *   - fiber_yield: two fibers yield to each other; each yield is two ctx_switch calls (into
 *     the scheduler and out) plus the run queue;
 *   - swapcontext: the same ping-pong with ucontext; glibc saves the signal mask with a
 *     system call (rt_sigprocmask) on every switch, which is most of its cost;
 *   - OS threads: a mutex and two condition variables, as in lab 04; each handoff wakes a
 *     sleeping thread through the kernel (futex), and on one CPU costs a kernel context switch.
 */
#include <errno.h>
#include <fenv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "fiber.h"
#include "fiber_internal.h"

typedef uint64_t (*trips_fn)(void *state, long trips); /* ns for `trips` round trips */

struct shot {
	trips_fn fn;
	void *state;
	long trips;
};

static double one_shot(void *arg)
{
	struct shot *s = arg;
	return (double)s->fn(s->state, s->trips) / (2.0 * (double)s->trips);
}

/* Calibrate the number of round trips so that a sample lasts min_time, then sample. */
static void measure(struct bench *b, const char *series, double x, trips_fn fn, void *state)
{
	struct shot s = { fn, state, 16 };
	for (;;) {
		uint64_t ns = fn(state, s.trips);
		if ((double)ns >= b->min_time_s * 1e9 || s.trips > (1L << 28))
			break;
		s.trips *= 2;
	}
	struct bench_stats st;
	bench_shot(b, series, x, one_shot, &s, &st);
}

/* ---- assembly: main <-> one context ----
 * Direct calls, so that the loop around the switch is a compare and a branch: an indirect
 * call through a pointer would add its own prediction to what is measured. */
static void *main_sp, *peer_sp;

static void peer_popjmp(void *arg)
{
	if (arg) /* the rounding series: this context runs with another x87/SSE rounding mode */
		fesetround(FE_UPWARD);
	for (;;)
		ctx_switch(&peer_sp, main_sp);
}

static void peer_ret(void *arg)
{
	(void)arg;
	for (;;)
		ctx_switch_ret(&peer_sp, main_sp);
}

static uint64_t popjmp_trips(void *state, long trips)
{
	(void)state;
	uint64_t t0 = asl_now_ns();
	for (long i = 0; i < trips; i++)
		ctx_switch(&main_sp, peer_sp);
	return asl_now_ns() - t0;
}

static uint64_t ret_trips(void *state, long trips)
{
	(void)state;
	uint64_t t0 = asl_now_ns();
	for (long i = 0; i < trips; i++)
		ctx_switch_ret(&main_sp, peer_sp);
	return asl_now_ns() - t0;
}

/* ---- swapcontext ---- */
static ucontext_t uc_main, uc_peer;

static void uc_peer_fn(void)
{
	for (;;)
		swapcontext(&uc_peer, &uc_main);
}

static uint64_t uc_trips(void *state, long trips)
{
	(void)state;
	uint64_t t0 = asl_now_ns();
	for (long i = 0; i < trips; i++)
		swapcontext(&uc_main, &uc_peer);
	return asl_now_ns() - t0;
}

/* ---- fiber_yield through the scheduler ---- */
struct yield_state {
	long trips;
	uint64_t ns;
};

static void *yielder(void *arg)
{
	struct yield_state *y = arg;
	for (long i = 0; i < y->trips; i++)
		fiber_yield();
	return NULL;
}

static uint64_t yield_trips(void *state, long trips)
{
	struct yield_state *y = state;
	fiber_sched_t *s;
	y->trips = trips;
	if (fiber_sched_create(&s, 0) || fiber_spawn(s, NULL, yielder, y) ||
	    fiber_spawn(s, NULL, yielder, y))
		asl_die(ENOMEM, "fiber setup");
	uint64_t t0 = asl_now_ns();
	if (fiber_sched_run(s))
		asl_die(0, "fiber_sched_run failed");
	uint64_t ns = asl_now_ns() - t0;
	fiber_sched_destroy(s);
	return ns; /* 2 * trips yields = `trips` round trips */
}

/* ---- two OS threads, mutex + condition variables ---- */
struct handoff {
	pthread_mutex_t mu;
	pthread_cond_t cv[2];
	int turn; /* whose turn: 0 main, 1 partner; -1 stop */
};

static void *partner(void *arg)
{
	struct handoff *h = arg;
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->turn == 0)
			pthread_cond_wait(&h->cv[1], &h->mu);
		if (h->turn < 0)
			break;
		h->turn = 0;
		pthread_cond_signal(&h->cv[0]);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static uint64_t thread_trips(void *state, long trips)
{
	struct handoff *h = state;
	uint64_t t0 = asl_now_ns();
	pthread_mutex_lock(&h->mu);
	for (long i = 0; i < trips; i++) {
		h->turn = 1;
		pthread_cond_signal(&h->cv[1]);
		while (h->turn == 1)
			pthread_cond_wait(&h->cv[0], &h->mu);
	}
	pthread_mutex_unlock(&h->mu);
	return asl_now_ns() - t0;
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "08-fibers",
		   "one switch: asm (pop+jmp, ret) vs fiber_yield vs swapcontext vs OS threads");
	bench_open(&b, "switch", "kind", "ns",
		   "x: 0 asm pop+jmp, 1 asm pop+jmp between contexts in two rounding modes, "
		   "2 asm ret, 3 fiber_yield (2 switches + run queue), 4 swapcontext, "
		   "5 OS-thread handoff (mutex + condvar); one-way, per switch");

	struct stack_pool pool;
	struct stack st;
	stack_pool_init(&pool, 64 << 10);
	if (stack_pool_get(&pool, &st))
		asl_die(ENOMEM, "stack");

	/* A fresh peer context for each series (the old one is abandoned mid-loop: it owns
	 * nothing but the stack, which the next ctx_init overwrites). */
	static int upward = 1;
	peer_sp = ctx_init(st.lo, pool.usable, peer_popjmp, NULL);
	measure(&b, "asm-popjmp", 0, popjmp_trips, NULL);
	peer_sp = ctx_init(st.lo, pool.usable, peer_popjmp, &upward);
	measure(&b, "asm-popjmp-rounding", 1, popjmp_trips, NULL);
	peer_sp = ctx_init(st.lo, pool.usable, peer_ret, NULL);
	measure(&b, "asm-ret", 2, ret_trips, NULL);

	struct yield_state y;
	measure(&b, "fiber-yield", 3, yield_trips, &y);

	getcontext(&uc_peer);
	uc_peer.uc_stack.ss_sp = st.lo;
	uc_peer.uc_stack.ss_size = pool.usable;
	uc_peer.uc_link = NULL;
	makecontext(&uc_peer, uc_peer_fn, 0);
	measure(&b, "swapcontext", 4, uc_trips, NULL);

	struct handoff h = { .mu = PTHREAD_MUTEX_INITIALIZER,
			     .cv = { PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER } };
	pthread_t t;
	if (pthread_create(&t, NULL, partner, &h))
		asl_die(0, "pthread_create");
	measure(&b, "os-threads", 5, thread_trips, &h);
	pthread_mutex_lock(&h.mu);
	h.turn = -1;
	pthread_cond_signal(&h.cv[1]);
	pthread_mutex_unlock(&h.mu);
	pthread_join(t, NULL);

	stack_unmap(&st);
	bench_close(&b);
	return 0;
}
