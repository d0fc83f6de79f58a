/*
 * stress_wake.c - the wake-up paths under ThreadSanitizer and valgrind (`make tsan`,
 * `make valgrind`): Criterion's runner cannot host TSan, so this driver does what the
 * no-lost-wake-up tests do, harder and standalone.
 *
 *   1. multi-threaded executor: pairs of tasks ping-pong through stored wakers (wakes
 *      between workers, parking and unparking, stealing) - any lost wake-up hangs;
 *   2. single-threaded executor fed by other threads: sender threads, each on its own
 *      executor, push into one async channel (remote wakes through the eventfd, both ways);
 *   3. blocking work: jobs on lab 05's pool complete futures from pool threads;
 *   4. the multi-threaded executor's reactor: tasks on the workers sleep and relay bytes over
 *      sockets, so the reactor thread's loop wakes them (and the workers hop to it).
 * Every count is checked; a mismatch exits non-zero.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/util.h"
#include "callbacks.h"
#include "fut.h"
#include "workloads.h"

#define USAGE "stress_wake [--quick]\n  Wake-ups across threads on both executors (for TSan)"

/* ---- 1. ping-pong pairs on exec_mt ---- */

static void mt_pingpong(int workers, int pairs, int rounds)
{
	exec_mt_t *ex;
	int rc = exec_mt_create(&ex, workers);
	if (rc < 0)
		asl_die(-rc, "exec_mt_create");
	struct pingpong *pp = calloc((size_t)pairs, sizeof *pp);
	if (!pp)
		asl_die(ENOMEM, "calloc");
	for (int i = 0; i < pairs; i++) {
		pingpong_init(&pp[i], (uint64_t)rounds, true);
		for (int k = 0; k < 2; k++) {
			fut_t *side = pingpong_side(&pp[i], k);
			if (!side)
				asl_die(ENOMEM, "malloc");
			if ((rc = exec_mt_spawn(ex, side, NULL)) < 0)
				asl_die(-rc, "exec_mt_spawn");
		}
	}
	if ((rc = exec_mt_run(ex)) < 0)
		asl_die(-rc, "exec_mt_run");
	for (int i = 0; i < pairs; i++) {
		if (pingpong_moves(&pp[i]) < (uint64_t)rounds)
			asl_die(0, "pair %d made %lu of %d moves", i,
				(unsigned long)pingpong_moves(&pp[i]), rounds);
		pingpong_destroy(&pp[i]);
	}
	printf("exec_mt %d workers: %d pairs x %d moves, %lu steals\n", workers, pairs, rounds,
	       (unsigned long)exec_mt_steals(ex));
	exec_mt_destroy(ex);
	free(pp);
}

/* ---- 2. a channel fed by threads that run their own executors ---- */

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
	fut_t *p = producer_new(a->ch, 0, a->n);
	if (!p)
		asl_die(ENOMEM, "producer_new");
	intptr_t v;
	if ((rc = exec_block_on(ex, p, &v)) < 0 || v < 0)
		asl_die(rc < 0 ? -rc : (int)-v, "exec_block_on(producer)");
	exec_destroy(ex);
	return NULL;
}

static void st_channel(int threads, int n)
{
	exec_t *ex;
	fut_chan_t *ch;
	int rc;
	if ((rc = exec_create(&ex)) < 0 || (rc = fut_chan_create(&ch, 4)) < 0)
		asl_die(-rc, "exec_create / fut_chan_create");
	struct consumer *c = consumer_new(ch, NULL, 0);
	if (!c)
		asl_die(ENOMEM, "consumer_new");
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
	consumer_free(c);
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

/* ---- 4. the reactor of the multi-threaded executor ---- */

/* Awaits `left` children in turn: sleeps (0 or 1 ms) or, with io set, relay steps. */
struct steps {
	fut_t base;
	exec_t *r;
	reactor_io_t *in, *out; /* relay: write to out, read from in, in turn */
	bool writes_first;
	char byte;
	int i, n;
	fut_t *child;
};

static enum fut_poll steps_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct steps *s = (struct steps *)self;
	for (; s->i < s->n; s->i++) {
		if (!s->child) {
			bool write_now = (s->i % 2 == 0) == s->writes_first;
			s->child = !s->in      ? reactor_sleep(s->r, (uint64_t)(s->i % 2))
				   : write_now ? reactor_write(s->out, &s->byte, 1)
					       : reactor_read(s->in, &s->byte, 1);
			if (!s->child)
				asl_die(ENOMEM, "a reactor future");
		}
		intptr_t r;
		if (fut_poll(s->child, cx, &r) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(s->child);
		s->child = NULL;
		if (r < 0)
			asl_die((int)-r, "a reactor future's result");
	}
	*out = 0;
	return FUT_READY;
}

static void steps_drop(fut_t *self)
{
	fut_drop(((struct steps *)self)->child);
	free(self);
}

static const struct fut_vtable steps_vtable = { .poll = steps_poll, .drop = steps_drop };

static void spawn_steps(exec_mt_t *ex, struct steps init)
{
	struct steps *s = malloc(sizeof *s);
	if (!s)
		asl_die(ENOMEM, "malloc");
	*s = init;
	s->base.vt = &steps_vtable;
	int rc = exec_mt_spawn(ex, &s->base, NULL);
	if (rc < 0)
		asl_die(-rc, "exec_mt_spawn");
}

static void mt_reactor(int workers, int sleepers, int rounds)
{
	exec_mt_t *ex;
	int rc = exec_mt_create(&ex, workers);
	if (rc < 0)
		asl_die(-rc, "exec_mt_create");
	exec_t *r = exec_mt_reactor(ex);
	if (!r)
		asl_die(errno, "exec_mt_reactor");
	for (int i = 0; i < sleepers; i++)
		spawn_steps(ex, (struct steps){ .r = r, .n = 10 });
	int a[2], b[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b) < 0)
		asl_die(errno, "socketpair");
	reactor_io_t *io[4];
	int fd[4] = { a[0], a[1], b[0], b[1] };
	for (int i = 0; i < 4; i++)
		if ((rc = reactor_io_open(r, fd[i], &io[i])) < 0)
			asl_die(-rc, "reactor_io_open");
	spawn_steps(ex,
		    (struct steps){
			.r = r, .in = io[2], .out = io[0], .writes_first = true, .n = 2 * rounds });
	spawn_steps(ex, (struct steps){ .r = r, .in = io[1], .out = io[3], .n = 2 * rounds });
	if ((rc = exec_mt_run(ex)) < 0)
		asl_die(-rc, "exec_mt_run");
	for (int i = 0; i < 4; i++) {
		reactor_io_close(io[i]);
		close(fd[i]);
	}
	exec_mt_destroy(ex);
	printf("exec_mt %d workers + reactor: %d sleepers x 10 sleeps, %d relay rounds\n", workers,
	       sleepers, rounds);
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
	mt_reactor(2, 8 * scale, 200 * scale);
	mt_reactor(4, 8 * scale, 200 * scale);
	printf("stress_wake: every wake-up arrived\n");
	return 0;
}
