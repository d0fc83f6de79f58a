/* Step 3: parallel_for_sum() splits [0, n) into static chunks over threads and reduces exactly. */
#include "thr_test.h"
#include "threads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

ASL_SUITE(parallel_for, 20);

/* Records every chunk it is given, so the test can check the split. */
struct seen {
	_Atomic int chunks;
	uint64_t begin[WORKERS_MAX], end[WORKERS_MAX];
	unsigned char *visits; /* per index */
};

static uint64_t square_sum(void *arg, uint64_t begin, uint64_t end)
{
	struct seen *s = arg;
	uint64_t acc = 0;
	int c = atomic_fetch_add(&s->chunks, 1);
	if (c < WORKERS_MAX) {
		s->begin[c] = begin;
		s->end[c] = end;
	}
	for (uint64_t i = begin; i < end; i++) {
		s->visits[i]++; /* chunks are disjoint: no two threads touch one index */
		acc += i * i + 1;
	}
	return acc;
}

static void check_combo(uint64_t n, int threads)
{
	struct seen *s = calloc(1, sizeof *s);
	uint64_t sum = 12345, want = 0, k = (uint64_t)threads < n ? (uint64_t)threads : n;
	uint64_t min = UINT64_MAX, max = 0;
	int before = asl_test_threads(), rc;

	cr_assert_not_null(s);
	s->visits = calloc(n + 1, 1);
	for (uint64_t i = 0; i < n; i++)
		want += i * i + 1;
	rc = parallel_for_sum(n, threads, square_sum, s, &sum);
	cr_assert_eq(rc, 0, "parallel_for_sum(n=%llu, threads=%d) returned %s" ASL_HINT(3),
		     (unsigned long long)n, threads, asl_test_rc(rc));
	cr_assert_eq(sum, want,
		     "parallel_for_sum(n=%llu, threads=%d): sum %llu, expected %llu" ASL_HINT(3),
		     (unsigned long long)n, threads, (unsigned long long)sum,
		     (unsigned long long)want);
	for (uint64_t i = 0; i < n; i++)
		cr_assert_eq(s->visits[i], 1,
			     "n=%llu, threads=%d: index %llu handled %d times, "
			     "expected once" ASL_HINT(3),
			     (unsigned long long)n, threads, (unsigned long long)i, s->visits[i]);
	cr_assert_eq((uint64_t)atomic_load(&s->chunks), k,
		     "n=%llu, threads=%d: %d chunks, "
		     "expected %llu (one per thread, none empty)" ASL_HINT(3),
		     (unsigned long long)n, threads, atomic_load(&s->chunks),
		     (unsigned long long)k);
	for (uint64_t c = 0; c < k; c++) {
		uint64_t len = s->end[c] - s->begin[c];
		min = len < min ? len : min;
		max = len > max ? len : max;
	}
	cr_assert(max - min <= 1,
		  "n=%llu, threads=%d: chunk sizes from %llu to %llu, expected "
		  "to differ by at most 1" ASL_HINT(3),
		  (unsigned long long)n, threads, (unsigned long long)min, (unsigned long long)max);
	cr_assert_eq(asl_test_threads_settled(before), before, "threads left behind" ASL_HINT(3));
	free(s->visits);
	free(s);
}

Test(parallel_for, sums_exactly_for_many_splits)
{
	static const uint64_t ns[] = { 1, 2, 3, 7, 64, 100, 1000, 12345 };
	static const int ts[] = { 1, 2, 3, 4, 7, 16, 64 };
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		for (size_t j = 0; j < sizeof ts / sizeof ts[0]; j++)
			check_combo(ns[i], ts[j]);
}

Test(parallel_for, more_threads_than_items)
{
	check_combo(3, 100);
	check_combo(1, WORKERS_MAX);
}

Test(parallel_for, zero_items)
{
	struct seen *s = calloc(1, sizeof *s);
	uint64_t sum = 99;
	int rc = parallel_for_sum(0, 4, square_sum, s, &sum);
	cr_assert_eq(rc, 0, "parallel_for_sum(n=0) returned %s, expected 0" ASL_HINT(3),
		     asl_test_rc(rc));
	cr_assert_eq(sum, 0, "parallel_for_sum(n=0): sum %llu, expected 0" ASL_HINT(3),
		     (unsigned long long)sum);
	cr_assert_eq(atomic_load(&s->chunks), 0,
		     "parallel_for_sum(n=0) called the body" ASL_HINT(3));
	free(s);
}

Test(parallel_for, rejects_bad_arguments)
{
	struct seen *s = calloc(1, sizeof *s);
	uint64_t sum;
	int rc;
	static const int bad_threads[] = { 0, -1, WORKERS_MAX + 1 };
	for (size_t i = 0; i < 3; i++) {
		rc = parallel_for_sum(10, bad_threads[i], square_sum, s, &sum);
		cr_assert_eq(rc, -EINVAL,
			     "parallel_for_sum(threads=%d): expected -22 (EINVAL), "
			     "got %s" ASL_HINT(3),
			     bad_threads[i], asl_test_rc(rc));
	}
	rc = parallel_for_sum(10, 2, NULL, s, &sum);
	cr_assert_eq(rc, -EINVAL,
		     "parallel_for_sum(body=NULL): expected -EINVAL, got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	rc = parallel_for_sum(10, 2, square_sum, s, NULL);
	cr_assert_eq(rc, -EINVAL,
		     "parallel_for_sum(sum=NULL): expected -EINVAL, got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	cr_assert_eq(atomic_load(&s->chunks), 0, "the body ran despite bad arguments" ASL_HINT(3));
	free(s);
}

/* n beyond 32 bits: the body does not loop, it reports its chunk's length times a constant
 * (so the total also wraps modulo 2^64). */
struct bounds {
	_Atomic int chunks;
	uint64_t begin[8], end[8];
};

#define WRAP_MUL 0x9e3779b97f4a7c15ull

static uint64_t record_bounds(void *arg, uint64_t begin, uint64_t end)
{
	struct bounds *b = arg;
	int c = atomic_fetch_add(&b->chunks, 1);
	if (c < 8) {
		b->begin[c] = begin;
		b->end[c] = end;
	}
	return (end - begin) * WRAP_MUL;
}

static int by_begin(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;
	return (a[0] > b[0]) - (a[0] < b[0]);
}

Test(parallel_for, huge_ranges_split_exactly)
{
	static const uint64_t ns[] = { (3ull << 32) + 5, (1ull << 40) + 7, UINT64_MAX };
	for (size_t i = 0; i < 3; i++) {
		for (int threads = 3; threads <= 7; threads += 4) {
			struct bounds b = { 0 };
			uint64_t sum = 0, n = ns[i], pairs[8][2];
			int rc = parallel_for_sum(n, threads, record_bounds, &b, &sum);
			cr_assert_eq(rc, 0,
				     "parallel_for_sum(n=%llu, threads=%d) returned %s" ASL_HINT(3),
				     (unsigned long long)n, threads, asl_test_rc(rc));
			cr_assert_eq(atomic_load(&b.chunks), threads,
				     "n=%llu: %d chunks, expected %d" ASL_HINT(3),
				     (unsigned long long)n, atomic_load(&b.chunks), threads);
			for (int c = 0; c < threads; c++) {
				pairs[c][0] = b.begin[c];
				pairs[c][1] = b.end[c];
			}
			qsort(pairs, (size_t)threads, sizeof pairs[0], by_begin);
			for (int c = 0; c < threads; c++) {
				uint64_t want_begin = c ? pairs[c - 1][1] : 0;
				uint64_t len = pairs[c][1] - pairs[c][0],
					 small = n / (uint64_t)threads;
				cr_assert(
				    pairs[c][0] == want_begin && (len == small || len == small + 1),
				    "n=%llu (more than 32 bits), threads=%d: chunk [%llu, %llu) - "
				    "expected chunks of %llu or %llu indexes, back to back from 0 "
				    "(64-bit arithmetic all the way?)" ASL_HINT(3),
				    (unsigned long long)n, threads, (unsigned long long)pairs[c][0],
				    (unsigned long long)pairs[c][1], (unsigned long long)small,
				    (unsigned long long)small + 1);
			}
			cr_assert_eq(pairs[threads - 1][1], n,
				     "n=%llu, threads=%d: the last chunk ends "
				     "at %llu" ASL_HINT(3),
				     (unsigned long long)n, threads,
				     (unsigned long long)pairs[threads - 1][1]);
			cr_assert_eq(sum, n * WRAP_MUL,
				     "n=%llu, threads=%d: sum %llu, expected %llu "
				     "(the partial sums added, wrapping modulo 2^64)" ASL_HINT(3),
				     (unsigned long long)n, threads, (unsigned long long)sum,
				     (unsigned long long)(n * WRAP_MUL));
		}
	}
}

static struct meeting all_chunks;
static _Atomic int gave_up;

static uint64_t meet(void *arg, uint64_t begin, uint64_t end)
{
	(void)arg;
	if (!meeting_wait(&all_chunks)) /* gives up unless all 4 chunks run at once */
		atomic_fetch_add(&gave_up, 1);
	return end - begin;
}

Test(parallel_for, chunks_run_in_parallel_threads)
{
	uint64_t sum = 0;
	int rc;
	meeting_init(&all_chunks, 4, ASL_WATCHDOG_MS);
	atomic_store(&gave_up, 0);
	rc = parallel_for_sum(40, 4, meet, NULL, &sum);
	cr_assert_eq(rc, 0, "parallel_for_sum returned %s" ASL_HINT(3), asl_test_rc(rc));
	cr_assert_eq(atomic_load(&gave_up), 0,
		     "parallel_for_sum(40, 4 threads): each chunk waits "
		     "until all 4 run at once, but %d gave up after %d s (at most %d ever ran "
		     "together): run every chunk on its own thread, all started before any is "
		     "joined" ASL_HINT(3),
		     atomic_load(&gave_up), ASL_WATCHDOG_MS / 1000, all_chunks.most);
	cr_assert_eq(sum, 40, "sum of chunk lengths %llu, expected 40" ASL_HINT(3),
		     (unsigned long long)sum);
	meeting_destroy(&all_chunks);
}
