/*
 * stackless_test.h - what the lab-09 suites share: a seeded PRNG, input generators for the
 * async functions, and "run this state machine to the end against its sequential reference
 * and compare".  Every failure prints the seed, so any random case can be replayed.
 */
#ifndef STACKLESS_TEST_H
#define STACKLESS_TEST_H

#include "asl_test.h"
#include "stackless.h"

#include <stdint.h>
#include <stdio.h>

static inline uint64_t st_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline int32_t st_between(uint64_t *s, int32_t lo, int32_t hi)
{
	return lo + (int32_t)(st_rand(s) % (uint64_t)(hi - lo + 1));
}

/* One kind of state machine under test, seen through a uniform interface. */
struct st_kind {
	const char *name;
	int step; /* the workbook step it belongs to */
	void (*init)(void *c, struct sim_io *io);
	int (*resume)(void *c);
	int (*result)(const void *c, int32_t *value);  /* the return value, and *out / total */
	int (*ref)(struct sim_io *io, int32_t *value); /* the sequential reference */
	bool value_on_error;                           /* is *value defined when result != 0? */
};

#define ST_INPUT_MAX 64

/* ASL_HINT with the step as a run-time value (its %d takes the step number). */
#define ASL_HINT_N "\n    -> reread workbook.md, lab " ASL_LAB ", step %d"

/* A random input for add_two: two small values, sometimes an error or a short input. */
static inline size_t st_input_add_two(uint64_t *s, int32_t *in)
{
	in[0] = st_between(s, -1000, 1000);
	in[1] = st_between(s, -1000, 1000);
	switch (st_rand(s) % 8) {
	case 0: in[st_rand(s) % 2] = SIM_EIO; return 2;
	case 1: return (size_t)(st_rand(s) % 2); /* the stream ends early: -ENODATA */
	default: return 2;
	}
}

/* A random input for sum_stream: a count (sometimes out of range), values with the odd 0
 * (early return) or SIM_EIO, sometimes fewer values than the count. */
static inline size_t st_input_sum_stream(uint64_t *s, int32_t *in)
{
	int32_t n = st_between(s, 0, 20);
	switch (st_rand(s) % 16) {
	case 0: in[0] = -st_between(s, 1, 5); return 1;
	case 1: in[0] = SUM_STREAM_MAX + st_between(s, 1, 5); return 1;
	default: in[0] = n;
	}
	size_t len = 1 + (size_t)n;
	for (size_t i = 1; i < len; i++) {
		int32_t v = st_between(s, -50, 50);
		uint64_t r = st_rand(s) % 40;
		in[i] = r == 0 ? 0 : r == 1 ? SIM_EIO : v == 0 ? 7 : v;
	}
	if (st_rand(s) % 10 == 0)
		len = (size_t)(st_rand(s) % len) + 1; /* cut short: -ENODATA */
	return len;
}

static inline void st_log_text(const struct sim_io *io, char *buf, size_t cap)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < io->n_log && at + 16 < cap; i++)
		at += (size_t)snprintf(buf + at, cap - at, "%c%d ", io->log[i].kind,
				       (int)io->log[i].value);
	if (at + 16 >= cap)
		snprintf(buf + at, cap - at, "...");
}

/* Run `kind` on `in` under the schedule (seed, pct, max) and the reference on the same input;
 * fail the test on any difference.  Checked: same result, same *out/total, same log of
 * completed operations, no protocol misuse, one CORO_PENDING per pending poll (a state
 * machine that waits inside its step instead of returning shows up here), and -EALREADY
 * when resumed after the end.  `c` is storage for the state machine (at least 256 bytes). */
static inline void st_check_against_ref(const struct st_kind *k, void *c, const int32_t *in,
					size_t n, uint64_t seed, unsigned pct, unsigned max)
{
	struct sim_io ref_io, io;
	int32_t ref_val = 0, val = 0;
	char want[600], got[600];

	sim_io_init(&ref_io, in, n, seed, pct, max);
	int ref_rc = k->ref(&ref_io, &ref_val);

	sim_io_init(&io, in, n, seed ^ 0x5bd1e995u, pct, max);
	k->init(c, &io);
	long pendings = 0, resumes = 0;
	int rc;
	while ((rc = k->resume(c)) == CORO_PENDING) {
		pendings++;
		cr_assert(++resumes < 100000,
			  "%s: still PENDING after 100,000 resumes (seed %llu, "
			  "%u%% pending)" ASL_HINT_N,
			  k->name, (unsigned long long)seed, pct, k->step);
	}
	cr_assert_eq(rc, CORO_READY,
		     "%s: a resume returned %s, expected CORO_PENDING (0) or "
		     "CORO_READY (1) (seed %llu, %u%% pending up to %u polls)" ASL_HINT_N,
		     k->name, asl_test_rc(rc), (unsigned long long)seed, pct, max, k->step);
	int res = k->result(c, &val);
	st_log_text(&ref_io, want, sizeof want);
	st_log_text(&io, got, sizeof got);
	cr_assert_eq(io.misuse, 0,
		     "%s polled one operation while another was in flight (or a "
		     "write with a different value): it did not resume where it left off.  Seed "
		     "%llu; completed so far: %s" ASL_HINT_N,
		     k->name, (unsigned long long)seed, got, k->step);
	cr_assert(res == ref_rc && (ref_rc != 0 && !k->value_on_error ? true : val == ref_val),
		  "%s returned %d (value %d), the sequential reference %d (value %d).  Seed %llu, "
		  "%u%% pending; reference log: %s; yours: %s" ASL_HINT_N,
		  k->name, res, (int)val, ref_rc, (int)ref_val, (unsigned long long)seed, pct, want,
		  got, k->step);
	cr_assert(io.n_log == ref_io.n_log &&
		      !memcmp(io.log, ref_io.log, io.n_log * sizeof io.log[0]),
		  "%s: different side effects.  Expected the log %s, got %s (seed %llu, %u%% "
		  "pending)" ASL_HINT_N,
		  k->name, want, got, (unsigned long long)seed, pct, k->step);
	cr_assert_eq((unsigned long)pendings, io.pendings,
		     "%s returned CORO_PENDING %ld times "
		     "but operations were pending %lu times: a step must return PENDING exactly "
		     "when its operation is pending (never wait inside the step, never return "
		     "PENDING when it could go on).  Seed %llu" ASL_HINT_N,
		     k->name, pendings, io.pendings, (unsigned long long)seed, k->step);
	for (int again = 0; again < 2; again++) {
		rc = k->resume(c);
		cr_assert_eq(rc, -EALREADY,
			     "%s resumed after it had finished: expected -114 "
			     "(EALREADY), got %s" ASL_HINT_N,
			     k->name, asl_test_rc(rc), k->step);
	}
	cr_assert(io.n_log == ref_io.n_log, "%s did I/O after it had finished" ASL_HINT_N, k->name,
		  k->step);
}

/* A batch: the two extremes and `n` random schedules, each with a fresh random input. */
static inline void st_check_many(const struct st_kind *k, uint64_t seed, int n,
				 size_t (*input)(uint64_t *, int32_t *))
{
	static const struct {
		unsigned pct, max;
	} extremes[] = { { 0, 1 }, { 100, 1 }, { 100, 3 } };
	_Alignas(16) unsigned char c[512];
	int32_t in[ST_INPUT_MAX];
	uint64_t s = seed;
	for (int i = 0; i < n; i++) {
		uint64_t case_seed = st_rand(&s);
		uint64_t t = case_seed;
		size_t len = input(&t, in);
		unsigned pct, max;
		if (i < 3 * 40) {
			pct = extremes[i % 3].pct;
			max = extremes[i % 3].max;
		} else {
			pct = (unsigned)(st_rand(&t) % 101);
			max = 1 + (unsigned)(st_rand(&t) % 5);
		}
		st_check_against_ref(k, c, in, len, case_seed, pct, max);
	}
}

#endif
