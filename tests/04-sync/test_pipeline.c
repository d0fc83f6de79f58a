/* Step 7: a fan-out/fan-in pipeline of squares. */
#include "sync_test.h"

#include <stdlib.h>

ASL_SUITE(pipeline, 30);

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* pipeline_squares under a watchdog: a pipeline whose channels are never closed (or closed
 * by the wrong worker) waits forever; that fails here with a message instead. */
struct squares {
	const long *in;
	size_t n, cap;
	int workers;
	long *out, got;
};

static int squares_main(void *arg)
{
	struct squares *s = arg;
	s->got = pipeline_squares(s->in, s->n, s->workers, s->cap, s->out);
	return 0;
}

static long squares(const long *in, size_t n, int workers, size_t cap, long *out)
{
	struct squares s = { in, n, cap, workers, out, 0 };
	struct asl_call *c = asl_call_start(squares_main, &s);
	cr_assert(asl_call_wait(c, ASL_WATCHDOG_MS, NULL),
		  "pipeline_squares(n=%zu, workers=%d, "
		  "capacity=%zu) still running after %d s: a worker's loop over `jobs` ends only "
		  "when the producer closes it, and the collector's loop only when the LAST worker "
		  "closes `results` (exactly one, decided in one atomic step)" ASL_HINT(7),
		  n, workers, cap, ASL_WATCHDOG_MS / 1000);
	return s.got;
}

static void run(size_t n, int workers, size_t cap)
{
	long *in = malloc(n * sizeof *in), *out = calloc(n + 1, sizeof *out);
	long *want = malloc(n * sizeof *want);
	int before = asl_test_threads();
	cr_assert(in && out && want);
	for (size_t i = 0; i < n; i++) {
		in[i] = (long)i - (long)n / 3; /* negatives too: squares collide (-2, 2) */
		want[i] = in[i] * in[i];
	}
	long got = squares(in, n, workers, cap, out);
	char said[64];
	snprintf(said, sizeof said, "%ld", got);
	cr_assert_eq(got, (long)n,
		     "pipeline_squares(n=%zu, workers=%d, capacity=%zu) returned %s" ASL_HINT(7), n,
		     workers, cap, got < 0 ? st_rc((int)got) : said);
	qsort(out, n, sizeof *out, cmp_long);
	qsort(want, n, sizeof *want, cmp_long);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(out[i], want[i],
			     "workers=%d capacity=%zu: sorted results differ at %zu:"
			     " expected %ld, got %ld (a lost, "
			     "duplicated or wrong square)" ASL_HINT(7),
			     workers, cap, i, want[i], out[i]);
	free(in);
	free(out);
	free(want);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before,
		     "threads before %d, after %d: the pipeline leaked a thread" ASL_HINT(7),
		     before, after);
}

Test(pipeline, one_worker)
{
	run(1000, 1, 0);
}

Test(pipeline, fan_out_fan_in_multiset)
{
	static const int workers[] = { 2, 3, 8 };
	static const size_t caps[] = { 0, 1, 16 };
	for (int w = 0; w < 3; w++)
		for (int c = 0; c < 3; c++)
			run(3000, workers[w], caps[c]);
}

Test(pipeline, empty_input)
{
	long out[1];
	int before = asl_test_threads();
	long got = squares(NULL, 0, 4, 0, out);
	cr_assert_eq(got, 0, "no input: expected 0 results, got %ld" ASL_HINT(7), got);
	/* No jobs: every worker wakes on the same close and leaves at the same moment - exactly
	 * one of them must close `results` (decide "am I the last?" in ONE atomic step). */
	for (int i = 0; i < 300; i++) {
		got = squares(NULL, 0, 8, (size_t)(i % 2), out);
		cr_assert_eq(got, 0, "no input, 8 workers, round %d: got %ld" ASL_HINT(7), i, got);
	}
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked" ASL_HINT(7));
}

Test(pipeline, stress_repeated)
{
	for (int i = 0; i < 30; i++)
		run(200, 1 + i % 6, (size_t)(i % 3));
}
