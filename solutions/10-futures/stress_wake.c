/*
 * stress_wake.c - the wake-up paths under ThreadSanitizer and valgrind (`make tsan`,
 * `make valgrind`): Criterion's runner cannot host TSan, so this driver does what the
 * no-lost-wake-up tests do, harder and standalone.
 *
 *   1. multi-threaded executor: pairs of tasks ping-pong through stored wakers (wakes
 *      between workers, parking and unparking, stealing) - any lost wake-up hangs;
 *   2. single-threaded executor fed by other threads: sender threads, each on its own
 *      executor, push into one async channel (remote wakes through the eventfd, both ways);
 *   3. blocking work: jobs on lab 05's pool complete futures from pool threads.
 * Every count is checked; a mismatch exits non-zero.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/util.h"
#include "callbacks.h"
#include "fut.h"

#define USAGE "stress_wake [--quick]\n  Wake-ups across threads on both executors (for TSan)"

static void free_self(fut_t *self)
{
	free(self);
}

/* ---- 1. ping-pong pairs on exec_mt ---- */

struct pp {
	pthread_mutex_t lock;
	fut_waker_t waker[2];
	atomic_int turn, moves;
	int rounds;
};

struct pp_side {
	fut_t base;
	struct pp *pp;
	int me;
};

static enum fut_poll pp_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct pp_side *s = (struct pp_side *)self;
	struct pp *pp = s->pp;
	for (;;) {
		if (atomic_load(&pp->moves) >= pp->rounds) {
			pthread_mutex_lock(&pp->lock); /* wake the other side to let it finish */
			fut_waker_t w = waker_clone(&pp->waker[1 - s->me]);
			pthread_mutex_unlock(&pp->lock);
			waker_wake(&w);
			*out = 0;
			return FUT_READY;
		}
		if (atomic_load(&pp->turn) == s->me) {
			atomic_fetch_add(&pp->moves, 1);
			atomic_store(&pp->turn, 1 - s->me);
			pthread_mutex_lock(&pp->lock);
			fut_waker_t w = waker_clone(&pp->waker[1 - s->me]);
			pthread_mutex_unlock(&pp->lock);
			waker_wake(&w);
			continue;
		}
		pthread_mutex_lock(&pp->lock);
		waker_register(&pp->waker[s->me], cx);
		pthread_mutex_unlock(&pp->lock);
		if (atomic_load(&pp->turn) != s->me && atomic_load(&pp->moves) < pp->rounds)
			return FUT_PENDING;
	}
}

static const struct fut_vtable pp_vtable = { .poll = pp_poll, .drop = free_self };

static void mt_pingpong(int workers, int pairs, int rounds)
{
	exec_mt_t *ex;
	int rc = exec_mt_create(&ex, workers);
	if (rc < 0)
		asl_die(-rc, "exec_mt_create");
	struct pp *pp = calloc((size_t)pairs, sizeof *pp);
	for (int i = 0; i < pairs; i++) {
		pthread_mutex_init(&pp[i].lock, NULL);
		pp[i].rounds = rounds;
		for (int k = 0; k < 2; k++) {
			struct pp_side *s = malloc(sizeof *s);
			*s = (struct pp_side){ { &pp_vtable }, &pp[i], k };
			if ((rc = exec_mt_spawn(ex, &s->base, NULL)) < 0)
				asl_die(-rc, "exec_mt_spawn");
		}
	}
	if ((rc = exec_mt_run(ex)) < 0)
		asl_die(-rc, "exec_mt_run");
	for (int i = 0; i < pairs; i++) {
		if (atomic_load(&pp[i].moves) < rounds)
			asl_die(0, "pair %d made %d of %d moves", i, atomic_load(&pp[i].moves),
				rounds);
		waker_drop(&pp[i].waker[0]);
		waker_drop(&pp[i].waker[1]);
		pthread_mutex_destroy(&pp[i].lock);
	}
	printf("exec_mt %d workers: %d pairs x %d moves, %lu steals\n", workers, pairs, rounds,
	       (unsigned long)exec_mt_steals(ex));
	exec_mt_destroy(ex);
	free(pp);
}

/* ---- 2. a channel fed by threads that run their own executors ---- */

struct producer {
	fut_t base;
	fut_chan_t *ch;
	fut_t *send;
	int next, end;
};

static enum fut_poll producer_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct producer *p = (struct producer *)self;
	while (p->next < p->end) {
		if (!p->send && !(p->send = fut_chan_send(p->ch, p->next)))
			asl_die(ENOMEM, "fut_chan_send");
		intptr_t r;
		if (fut_poll(p->send, cx, &r) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(p->send);
		p->send = NULL;
		if (r < 0)
			asl_die((int)-r, "send");
		p->next++;
	}
	*out = 0;
	return FUT_READY;
}

static const struct fut_vtable producer_vtable = { .poll = producer_poll, .drop = free_self };

struct sender_arg {
	fut_chan_t *ch;
	int n;
};

static void *sender_main(void *arg)
{
	struct sender_arg *a = arg;
	exec_t *ex;
	int rc = exec_create(&ex);
	if (rc < 0)
		asl_die(-rc, "exec_create");
	struct producer *p = calloc(1, sizeof *p);
	*p = (struct producer){ { &producer_vtable }, a->ch, NULL, 0, a->n };
	intptr_t v;
	if ((rc = exec_block_on(ex, &p->base, &v)) < 0)
		asl_die(-rc, "exec_block_on");
	exec_destroy(ex);
	return NULL;
}

struct consumer {
	fut_t base;
	fut_chan_t *ch;
	fut_t *recv;
	intptr_t v;
	long n, sum;
};

static enum fut_poll consumer_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct consumer *c = (struct consumer *)self;
	for (;;) {
		if (!c->recv && !(c->recv = fut_chan_recv(c->ch, &c->v)))
			asl_die(ENOMEM, "fut_chan_recv");
		intptr_t r;
		if (fut_poll(c->recv, cx, &r) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(c->recv);
		c->recv = NULL;
		if (r < 0) {
			*out = 0;
			return FUT_READY;
		}
		c->n++;
		c->sum += c->v;
	}
}

/* main reads the counts after the task is gone, then frees it */
static void consumer_drop(fut_t *self)
{
	struct consumer *c = (struct consumer *)self;
	fut_drop(c->recv);
	c->recv = NULL;
}

static const struct fut_vtable consumer_vtable = { .poll = consumer_poll, .drop = consumer_drop };

struct closer_arg {
	pthread_t *th;
	int n;
	fut_chan_t *ch;
};

static void *closer_main(void *arg)
{
	struct closer_arg *a = arg;
	for (int i = 0; i < a->n; i++)
		pthread_join(a->th[i], NULL);
	fut_chan_close(a->ch);
	return NULL;
}

static void st_channel(int threads, int n)
{
	exec_t *ex;
	fut_chan_t *ch;
	int rc;
	if ((rc = exec_create(&ex)) < 0 || (rc = fut_chan_create(&ch, 4)) < 0)
		asl_die(-rc, "exec_create / fut_chan_create");
	struct consumer *c = calloc(1, sizeof *c);
	c->base.vt = &consumer_vtable;
	c->ch = ch;
	long n_got, sum;
	pthread_t th[16], closer;
	struct sender_arg sa = { ch, n };
	for (int i = 0; i < threads; i++)
		if ((rc = pthread_create(&th[i], NULL, sender_main, &sa)) != 0)
			asl_die(rc, "pthread_create");
	struct closer_arg ca = { th, threads, ch };
	if ((rc = pthread_create(&closer, NULL, closer_main, &ca)) != 0)
		asl_die(rc, "pthread_create");
	fut_t *join;
	if ((rc = exec_spawn(ex, &c->base, &join)) < 0)
		asl_die(-rc, "exec_spawn");
	intptr_t v;
	if ((rc = exec_block_on(ex, join, &v)) < 0)
		asl_die(-rc, "exec_block_on");
	pthread_join(closer, NULL);
	n_got = c->n;
	sum = c->sum;
	free(c);
	exec_destroy(ex);
	fut_chan_destroy(ch);
	long want = (long)threads * n, want_sum = (long)threads * n * (n - 1) / 2;
	if (n_got != want || sum != want_sum)
		asl_die(0, "channel: %ld values (sum %ld), expected %ld (sum %ld)", n_got, sum,
			want, want_sum);
	printf("exec + chan: %d sender threads x %d values received\n", threads, n);
}

/* ---- 3. blocking work ---- */

static intptr_t square(void *arg)
{
	intptr_t x = (intptr_t)arg;
	return x * x;
}

static void blocking_jobs(int n)
{
	exec_t *ex;
	struct pool *p;
	int rc;
	if ((rc = exec_create(&ex)) < 0 || (rc = pool_create(&p, 3, 16)) < 0)
		asl_die(-rc, "exec_create / pool_create");
	fut_t **f = calloc((size_t)n, sizeof *f);
	intptr_t *outs = calloc((size_t)n, sizeof *outs), v;
	for (int i = 0; i < n; i++)
		f[i] = blocking_spawn(p, square, (void *)(intptr_t)i);
	if ((rc = exec_block_on(ex, combine_join_all(f, (size_t)n, outs), &v)) < 0)
		asl_die(-rc, "exec_block_on");
	for (int i = 0; i < n; i++)
		if (outs[i] != (intptr_t)i * i)
			asl_die(0, "job %d gave %ld", i, (long)outs[i]);
	pool_shutdown(p, POOL_DRAIN);
	exec_destroy(ex);
	free(f);
	free(outs);
	printf("blocking_spawn: %d jobs on lab 05's pool\n", n);
}

int main(int argc, char **argv)
{
	bool quick = argc == 2 && strcmp(argv[1], "--quick") == 0;
	if (!quick)
		asl_no_arguments(argc, argv, USAGE);
	int scale = quick ? 1 : 10;
	for (int w = 1; w <= 4; w *= 2)
		mt_pingpong(w, 3, 300 * scale);
	st_channel(3, 500 * scale);
	blocking_jobs(100 * scale);
	printf("stress_wake: every wake-up arrived\n");
	return 0;
}
