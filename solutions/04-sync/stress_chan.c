/*
 * stress_chan - channels, close, timeouts, deadlock detection and the pipeline under
 * contention, for `make tsan` and `make valgrind`.  Exits 1 on any wrong result.
 */
#include "sync.h"

#include "asl/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage = "stress_chan [--quick]\n"
			   "  many producers/consumers, close, timeouts, deadlocks, pipeline";

static int failures;
#define CHECK(cond, ...)                                             \
	do {                                                         \
		if (!(cond)) {                                       \
			printf("stress_chan: FAILED: " __VA_ARGS__); \
			printf("\n");                                \
			failures++;                                  \
		}                                                    \
	} while (0)

enum { PRODUCERS = 3, CONSUMERS = 3 };
static long per_producer;

struct shared {
	struct chan *ch;
	struct chan_group *g;
	atomic_long sum, count;
	atomic_int producers_left, errors;
};

static void *producer(void *arg)
{
	struct shared *s = arg;
	for (long i = 1; i <= per_producer; i++)
		if (chan_send(s->ch, (void *)(intptr_t)i) != CHAN_OK)
			atomic_fetch_add(&s->errors, 1);
	if (atomic_fetch_sub(&s->producers_left, 1) == 1)
		chan_close(s->ch);
	if (s->g)
		chan_group_leave(s->g);
	return NULL;
}

static void *consumer(void *arg)
{
	struct shared *s = arg;
	void *v;
	int rc;
	while ((rc = chan_recv(s->ch, &v)) == CHAN_OK) {
		atomic_fetch_add(&s->sum, (long)(intptr_t)v);
		atomic_fetch_add(&s->count, 1);
	}
	if (rc != CHAN_CLOSED)
		atomic_fetch_add(&s->errors, 1);
	if (s->g)
		chan_group_leave(s->g);
	return NULL;
}

static void mpmc(size_t cap, bool grouped)
{
	struct shared s = { 0 };
	pthread_t t[PRODUCERS + CONSUMERS];
	if (grouped)
		chan_group_create(&s.g);
	if (chan_create(&s.ch, cap, s.g))
		asl_die(ENOMEM, "chan_create");
	atomic_init(&s.producers_left, PRODUCERS);
	/* Count every thread in before starting any: a producer that ran before the rest
	 * were counted would find itself the only one, blocked - a "deadlock". */
	for (int i = 0; s.g && i < PRODUCERS + CONSUMERS; i++)
		chan_group_enter(s.g);
	for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
		pthread_create(&t[i], NULL, i < PRODUCERS ? producer : consumer, &s);
	for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
		pthread_join(t[i], NULL);
	long want = PRODUCERS * per_producer * (per_producer + 1) / 2;
	CHECK(atomic_load(&s.errors) == 0, "mpmc cap %zu%s: %d errors", cap,
	      grouped ? " grouped" : "", atomic_load(&s.errors));
	CHECK(atomic_load(&s.count) == PRODUCERS * per_producer && atomic_load(&s.sum) == want,
	      "mpmc cap %zu%s: count %ld sum %ld", cap, grouped ? " grouped" : "",
	      atomic_load(&s.count), atomic_load(&s.sum));
	chan_destroy(s.ch);
	chan_group_destroy(s.g);
}

static void *recv_once(void *arg)
{
	void *v;
	return (void *)(intptr_t)chan_recv(arg, &v);
}

static void close_wakes(void)
{
	struct chan *ch;
	pthread_t t[4];
	chan_create(&ch, 0, NULL);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, recv_once, ch);
	chan_close(ch);
	for (int i = 0; i < 4; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		CHECK((intptr_t)rc == CHAN_CLOSED, "close: receiver got %ld", (long)(intptr_t)rc);
	}
	chan_destroy(ch);
}

static void timeouts(void)
{
	struct chan *ch;
	void *v;
	chan_create(&ch, 0, NULL);
	uint64_t t0 = asl_now_ns();
	int rc = chan_recv_timeout(ch, &v, 10);
	CHECK(rc == CHAN_TIMEOUT && asl_now_ns() - t0 >= 10000000, "recv timeout: %d", rc);
	rc = chan_send_timeout(ch, NULL, 5);
	CHECK(rc == CHAN_TIMEOUT, "send timeout: %d", rc);
	chan_destroy(ch);
}

struct member {
	struct chan_group *g;
	struct chan *in, *out;
	int rc;
};

static void *member(void *arg)
{
	struct member *m = arg;
	void *v;
	m->rc = chan_recv(m->in, &v);
	if (m->rc == CHAN_OK)
		chan_send(m->out, v);
	chan_group_leave(m->g);
	return NULL;
}

static void deadlocks(void)
{
	struct chan_group *g;
	struct chan *a, *b;
	void *v;
	chan_group_create(&g);
	chan_create(&a, 0, g);
	chan_create(&b, 0, g);
	chan_group_enter(g);
	CHECK(chan_recv(a, &v) == CHAN_DEADLOCK, "go example not detected");
	chan_group_leave(g);
	struct member m[2] = { { g, a, b, 1 }, { g, b, a, 1 } };
	pthread_t t[2];
	chan_group_enter(g);
	chan_group_enter(g);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, member, &m[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(m[0].rc == CHAN_DEADLOCK && m[1].rc == CHAN_DEADLOCK, "pair: %d %d", m[0].rc,
	      m[1].rc);
	chan_destroy(a);
	chan_destroy(b);
	chan_group_destroy(g);
}

static void pipeline(size_t n)
{
	long *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out), sum = 0, want = 0;
	if (!in || !out)
		asl_die(ENOMEM, "malloc");
	for (size_t i = 0; i < n; i++) {
		in[i] = (long)i;
		want += (long)(i * i);
	}
	long got = pipeline_squares(in, n, 4, 2, out);
	for (long i = 0; i < got; i++)
		sum += out[i];
	CHECK(got == (long)n && sum == want, "pipeline: got %ld results, sum %ld (want %zu, %ld)",
	      got, sum, n, want);
	free(in);
	free(out);
}

int main(int argc, char **argv)
{
	bool quick = argc == 2 && !strcmp(argv[1], "--quick");
	if (!quick)
		asl_no_arguments(argc, argv, usage);
	per_producer = quick ? 200 : 3000;
	for (size_t cap = 0; cap <= 8; cap += cap < 2 ? 1 : 6) {
		mpmc(cap, false);
		mpmc(cap, true);
	}
	for (int i = 0; i < (quick ? 2 : 20); i++) {
		close_wakes();
		deadlocks();
	}
	timeouts();
	pipeline(quick ? 300 : 5000);
	printf("stress_chan: %s\n", failures ? "FAILURES" : "all checks passed");
	return failures ? 1 : 0;
}
