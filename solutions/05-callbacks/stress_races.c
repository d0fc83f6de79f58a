/*
 * stress_races.c - the exactly-once races, thousands of times, for TSan and valgrind.
 *
 *   1. result vs timeout      timeout_run with deadlines of 0..49 us on instant work
 *   2. result vs cancel       a second thread cancels the token as the op runs
 *   3. cancel vs shutdown     ops with a token, cancelled while POOL_CANCEL empties the queue
 *
 * Every callback must run exactly once, on this (the completion queue's) thread.  Exits 1 at
 * the first violation, 0 with a summary otherwise.
 */
#include "callbacks.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "asl/util.h"

static const char usage[] = "usage: stress_races [-h] [ITERATIONS]\n"
			    "  races completion against timeout, cancel and shutdown "
			    "(default 2000 iterations each)";

static pthread_t main_thread;

struct op {
	atomic_int calls;
	int result;
	int wrong_thread;
};

static atomic_int delivered;

static int work_id(void *arg, int input)
{
	(void)arg;
	return input;
}

static void cb_count(void *ctx, int result)
{
	struct op *o = ctx;
	o->result = result;
	if (!pthread_equal(pthread_self(), main_thread))
		o->wrong_thread = 1;
	atomic_fetch_add(&o->calls, 1);
	atomic_fetch_add(&delivered, 1);
}

static void wait_for(struct cq *q, int want)
{
	while (atomic_load(&delivered) < want)
		if (cq_wait(q, 10000) < 0)
			asl_die(0, "no completion within 10 s (%d of %d delivered)",
				atomic_load(&delivered), want);
}

static int check(const char *what, struct op *o, int n, int ok_result, int other)
{
	int a = 0, b = 0;
	for (int i = 0; i < n; i++) {
		if (atomic_load(&o[i].calls) != 1 || o[i].wrong_thread ||
		    (o[i].result != ok_result && o[i].result != other)) {
			fprintf(stderr,
				"stress_races: %s: op %d: %d callbacks, result %d, %s thread\n",
				what, i, atomic_load(&o[i].calls), o[i].result,
				o[i].wrong_thread ? "WRONG" : "right");
			return -1;
		}
		a += o[i].result == ok_result;
		b += o[i].result == other;
	}
	printf("%-22s %6d ops: %6d completed, %6d %s; each callback exactly once, on main\n", what,
	       n, a, b, other == -ETIMEDOUT ? "timed out" : "cancelled");
	return 0;
}

struct canceller {
	pthread_barrier_t go, done;
	struct cancel_token *tok;
	int iters;
};

static void *cancel_thread(void *arg)
{
	struct canceller *c = arg;
	for (int i = 0; i < c->iters; i++) {
		pthread_barrier_wait(&c->go);
		for (int k = 0; k < i % 5; k++)
			sched_yield();
		cancel_token_cancel(c->tok);
		pthread_barrier_wait(&c->done);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	asl_no_options(argc, argv, usage);
	long n = 2000;
	if (argc > 2 || (argc == 2 && !asl_parse_long(argv[1], 1, 10000000, &n)))
		asl_usage_error(usage, "ITERATIONS must be a number 1..10000000");
	main_thread = pthread_self();
	struct async_env env = { 0 };
	int rc = pool_create(&env.pool, 2, 16);
	if (rc == 0)
		rc = cq_create(&env.cq);
	if (rc == 0)
		rc = timers_create(&env.timers, false);
	if (rc < 0)
		asl_die(-rc, "setup");
	struct op *o = calloc((size_t)n, sizeof *o);
	if (!o)
		asl_die(ENOMEM, "calloc");

	/* 1. result vs timeout */
	atomic_store(&delivered, 0);
	for (int i = 0; i < n; i++) {
		if ((rc = timeout_run(&env, work_id, NULL, 1, (uint64_t)(i % 50) * 1000, cb_count,
				      &o[i])) < 0)
			asl_die(-rc, "timeout_run");
		if (i % 8 == 7)
			wait_for(env.cq, i + 1);
	}
	wait_for(env.cq, (int)n);
	if (check("result vs timeout", o, (int)n, 1, -ETIMEDOUT) < 0)
		return 1;

	/* 2. result vs cancel */
	struct cancel_token t;
	struct canceller c = { .tok = &t, .iters = (int)n };
	pthread_barrier_init(&c.go, NULL, 2);
	pthread_barrier_init(&c.done, NULL, 2);
	pthread_t th;
	pthread_create(&th, NULL, cancel_thread, &c);
	for (int i = 0; i < n; i++)
		o[i] = (struct op){ 0 };
	atomic_store(&delivered, 0);
	for (int i = 0; i < n; i++) {
		cancel_token_init(&t);
		pthread_barrier_wait(&c.go);
		if ((rc = async_run(&env, work_id, NULL, 1, &t, cb_count, &o[i])) < 0)
			asl_die(-rc, "async_run");
		wait_for(env.cq, i + 1);
		pthread_barrier_wait(&c.done);
		if (cancel_token_destroy(&t) < 0)
			asl_die(EBUSY, "op %d left a registration on its token", i);
	}
	pthread_join(th, NULL);
	pthread_barrier_destroy(&c.go);
	pthread_barrier_destroy(&c.done);
	if (check("result vs cancel", o, (int)n, 1, -ECANCELED) < 0)
		return 1;

	/* 3. cancel vs immediate shutdown vs result, in rounds of K ops on a fresh pool */
	enum { K = 20 };
	int rounds = (int)(n / K) > 0 ? (int)(n / K) : 1;
	c.iters = rounds;
	pthread_barrier_init(&c.go, NULL, 2);
	pthread_barrier_init(&c.done, NULL, 2);
	pthread_create(&th, NULL, cancel_thread, &c);
	struct op *o3 = calloc((size_t)rounds * K, sizeof *o3);
	atomic_store(&delivered, 0);
	for (int r = 0; r < rounds; r++) {
		struct async_env e3 = env;
		if ((rc = pool_create(&e3.pool, 2, K)) < 0)
			asl_die(-rc, "pool_create");
		cancel_token_init(&t);
		for (int i = 0; i < K; i++)
			if ((rc = async_run(&e3, work_id, NULL, 1, &t, cb_count, &o3[r * K + i])) <
			    0)
				asl_die(-rc, "async_run");
		pthread_barrier_wait(&c.go);
		pool_shutdown(e3.pool, POOL_CANCEL);
		pthread_barrier_wait(&c.done);
		wait_for(env.cq, (r + 1) * K);
		if (cancel_token_destroy(&t) < 0)
			asl_die(EBUSY, "round %d left a registration on its token", r);
	}
	pthread_join(th, NULL);
	pthread_barrier_destroy(&c.go);
	pthread_barrier_destroy(&c.done);
	if (check("cancel vs shutdown", o3, rounds * K, 1, -ECANCELED) < 0)
		return 1;

	pool_shutdown(env.pool, POOL_DRAIN);
	while (cq_wait(env.cq, 0) > 0)
		;
	if (timers_destroy(env.timers) < 0 || cq_destroy(env.cq) < 0)
		asl_die(EBUSY, "a timer or a completion was left over");
	free(o);
	free(o3);
	printf("stress_races: ok\n");
	return 0;
}
