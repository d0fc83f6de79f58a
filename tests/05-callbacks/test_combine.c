/* Step 9: sequence and fan-out with a join counter. */
#include "cb_test.h"

#include <stdlib.h>

ASL_SUITE(combine, 30);

static atomic_int b_calls;

static int plus_one(void *arg, int input)
{
	(void)arg;
	return input + 1;
}

static int times_ten(void *arg, int input)
{
	(void)arg;
	atomic_fetch_add(&b_calls, 1);
	return input * 10;
}

static int fail_eio(void *arg, int input)
{
	(void)arg;
	(void)input;
	return -EIO;
}

Test(combine, seq_feeds_a_result_into_b)
{
	struct env_fixture f;
	env_up(&f, 2, 4, 9);
	atomic_int done = 0;
	struct cb_got g = { .done = &done };
	atomic_store(&b_calls, 0);
	int rc = combine_seq(&f.env, plus_one, NULL, times_ten, NULL, 4, cb_got_record, &g);
	cr_assert_eq(rc, 0, "combine_seq returned %s" ASL_HINT(9), asl_test_rc(rc));
	cq_until(f.env.cq, &done, 1, 9);
	env_down(&f, 9);
	cr_assert_eq(g.result, 50, "seq(a = x+1, b = x*10) from 4: expected 50, got %s" ASL_HINT(9),
		     asl_test_rc(g.result));
	cr_assert(atomic_load(&g.calls) == 1 && pthread_equal(g.on, pthread_self()),
		  "the sequence's callback must run once, on the cq thread" ASL_HINT(9));
}

Test(combine, seq_skips_b_when_a_fails)
{
	struct env_fixture f;
	env_up(&f, 2, 4, 9);
	atomic_int done = 0;
	struct cb_got g = { .done = &done };
	atomic_store(&b_calls, 0);
	cr_assert_eq(combine_seq(&f.env, fail_eio, NULL, times_ten, NULL, 4, cb_got_record, &g), 0,
		     "combine_seq failed" ASL_HINT(9));
	cq_until(f.env.cq, &done, 1, 9);
	env_down(&f, 9);
	cr_assert_eq(g.result, -EIO,
		     "a failed with -5 (EIO): expected the callback to get it, "
		     "got %s" ASL_HINT(9),
		     asl_test_rc(g.result));
	cr_assert_eq(atomic_load(&b_calls), 0, "b ran although a failed" ASL_HINT(9));
	cr_assert_eq(atomic_load(&g.calls), 1, "callback ran %d times" ASL_HINT(9),
		     atomic_load(&g.calls));
}

static int triple(void *arg, int input)
{
	return *(int *)arg * 3 + 0 * input;
}

struct joined {
	atomic_int calls;
	int n;
	int results[256];
	pthread_t on;
	atomic_int *done;
};

static void cb_join(void *ctx, const int *results, int n)
{
	struct joined *j = ctx;
	j->n = n;
	for (int i = 0; i < n && i < 256; i++)
		j->results[i] = results[i];
	j->on = pthread_self();
	if (atomic_fetch_add(&j->calls, 1) == 0)
		atomic_fetch_add(j->done, 1);
}

Test(combine, fanout_joins_once_with_every_result)
{
	enum { N = 200 };
	struct env_fixture f;
	env_up(&f, 4, 8, 9);
	int vals[N];
	void *args[N];
	for (int i = 0; i < N; i++) {
		vals[i] = i;
		args[i] = &vals[i];
	}
	atomic_int done = 0;
	static struct joined j;
	j = (struct joined){ .done = &done };
	int rc = combine_fanout(&f.env, triple, args, N, cb_join, &j);
	cr_assert_eq(rc, 0, "combine_fanout returned %s" ASL_HINT(9), asl_test_rc(rc));
	cq_until(f.env.cq, &done, 1, 9);
	env_down(&f, 9);
	cr_assert_eq(atomic_load(&j.calls), 1,
		     "fan-out of %d: the join callback ran %d times, "
		     "expected once" ASL_HINT(9),
		     N, atomic_load(&j.calls));
	cr_assert_eq(j.n, N, "join got n = %d, expected %d" ASL_HINT(9), j.n, N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(j.results[i], 3 * i, "results[%d] = %d, expected %d" ASL_HINT(9), i,
			     j.results[i], 3 * i);
	cr_assert(pthread_equal(j.on, pthread_self()), "join not on the cq thread" ASL_HINT(9));
}

Test(combine, fanout_stress_and_empty)
{
	enum { ROUNDS = 500, N = 8 };
	struct env_fixture f;
	env_up(&f, 3, 4, 9);
	int vals[N];
	void *args[N];
	for (int i = 0; i < N; i++) {
		vals[i] = i;
		args[i] = &vals[i];
	}
	atomic_int done = 0;
	struct joined *j = calloc(ROUNDS + 1, sizeof *j);
	for (int r = 0; r < ROUNDS; r++) {
		j[r].done = &done;
		cr_assert_eq(combine_fanout(&f.env, triple, args, N, cb_join, &j[r]), 0,
			     "combine_fanout failed" ASL_HINT(9));
	}
	j[ROUNDS].done = &done;
	cr_assert_eq(combine_fanout(&f.env, triple, NULL, 0, cb_join, &j[ROUNDS]), 0,
		     "combine_fanout with n = 0 failed" ASL_HINT(9));
	cq_until(f.env.cq, &done, ROUNDS + 1, 9);
	env_down(&f, 9);
	for (int r = 0; r <= ROUNDS; r++)
		cr_assert_eq(atomic_load(&j[r].calls), 1,
			     "fan-out %d: join ran %d times" ASL_HINT(9), r,
			     atomic_load(&j[r].calls));
	cr_assert_eq(j[ROUNDS].n, 0, "the empty fan-out reported n = %d" ASL_HINT(9), j[ROUNDS].n);
	free(j);
}
