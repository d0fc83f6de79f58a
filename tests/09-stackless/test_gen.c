/* Step 5: generators - the right values, lazily, and exhaustion reported once. */
#include "stackless_test.h"

#include <limits.h>

ASL_SUITE(gen, 30);

/* Collect up to cap values; returns how many, fails on errors or a missing exhaustion. */
static size_t drain(struct gen *g, long *out, size_t cap, const char *what)
{
	size_t n = 0;
	long v;
	int rc;
	while ((rc = gen_next(g, &v)) == 1) {
		cr_assert(n < cap, "%s: more than %zu values" ASL_HINT(6), what, cap);
		out[n++] = v;
	}
	cr_assert_eq(rc, 0,
		     "%s: after %zu values gen_next "
		     "returned %s, expected 0 (exhausted)" ASL_HINT(6),
		     what, n, asl_test_rc(rc));
	return n;
}

static void expect_seq(const char *what, const long *got, size_t n, const long *want, size_t wn)
{
	cr_assert_eq(n, wn, "%s: expected %zu values, got %zu" ASL_HINT(6), what, wn, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "%s: value %zu: expected %ld, got %ld" ASL_HINT(6),
			     what, i, want[i], got[i]);
}

static struct gen *range(struct gen_range *r, long a, long b, long s)
{
	int rc = gen_range_init(r, a, b, s);
	cr_assert_eq(rc, 0, "gen_range_init(%ld, %ld, %ld) returned %d" ASL_HINT(6), a, b, s, rc);
	return &r->g;
}

Test(gen, range_values)
{
	struct gen_range r;
	long got[64];
	static const long up[] = { 0, 1, 2, 3, 4 }, down[] = { 10, 7, 4, 1 }, odd[] = { -3, 2, 7 };
	expect_seq("range(0, 5, 1)", got, drain(range(&r, 0, 5, 1), got, 64, "range"), up, 5);
	expect_seq("range(10, 0, -3)", got, drain(range(&r, 10, 0, -3), got, 64, "range"), down, 4);
	expect_seq("range(-3, 8, 5)", got, drain(range(&r, -3, 8, 5), got, 64, "range"), odd, 3);
	expect_seq("range(5, 5, 1)", got, drain(range(&r, 5, 5, 1), got, 64, "range"), up, 0);
	expect_seq("range(5, 0, 1)", got, drain(range(&r, 5, 0, 1), got, 64, "range"), up, 0);
	cr_assert_eq(gen_range_init(&r, 0, 5, 0), -EINVAL, "step 0 must be -EINVAL");
}

Test(gen, range_next_to_the_limits)
{
	struct gen_range r;
	long got[8];
	const long hi[] = { LONG_MAX - 3, LONG_MAX - 1 },
		   lo[] = { LONG_MIN + 2, LONG_MIN + 1, LONG_MIN };
	expect_seq("range(LONG_MAX - 3, LONG_MAX, 2)", got,
		   drain(range(&r, LONG_MAX - 3, LONG_MAX, 2), got, 8, "range"), hi, 2);
	expect_seq("range(LONG_MIN + 2, LONG_MIN - ..., -1)", got,
		   drain(range(&r, LONG_MIN + 2, LONG_MIN, -1), got, 8, "range"), lo, 2);
	long big[] = { LONG_MAX - 1 };
	expect_seq("range(LONG_MAX - 1, LONG_MAX, LONG_MAX)", got,
		   drain(range(&r, LONG_MAX - 1, LONG_MAX, LONG_MAX), got, 8, "range"), big, 1);
}

Test(gen, exhaustion_reported_once)
{
	struct gen_range r;
	long v = 99;
	range(&r, 0, 1, 1);
	int rc = gen_next(&r.g, &v);
	cr_assert(rc == 1 && v == 0, "first value: expected 1 with 0, got %s with %ld" ASL_HINT(6),
		  asl_test_rc(rc), v);
	rc = gen_next(&r.g, &v);
	cr_assert_eq(rc, 0, "exhausted: expected 0, got %s" ASL_HINT(6), asl_test_rc(rc));
	for (int i = 0; i < 3; i++) {
		rc = gen_next(&r.g, &v);
		cr_assert_eq(rc, -EALREADY,
			     "call %d after exhaustion: expected -114 (EALREADY), got "
			     "%s" ASL_HINT(6),
			     i + 1, asl_test_rc(rc));
	}
}

/* An endless generator from the test: counts how often it is resumed. */
struct counting {
	struct gen g;
	struct ptl pt;
	long next, resumes;
};

static int counting_step(struct gen *g)
{
	struct counting *c = (struct counting *)g;
	c->resumes++;
	PTL_BEGIN(&c->pt);
	for (;;) {
		c->g.value = c->next++;
		PTL_YIELD(&c->pt);
	}
	PTL_END(&c->pt);
}

static struct gen *counting(struct counting *c)
{
	*c = (struct counting){ .g = { .step = counting_step } };
	PTL_INIT(&c->pt);
	return &c->g;
}

static bool is_odd(long v, void *arg)
{
	(void)arg;
	return v % 2 != 0;
}

static bool multiple_of(long v, void *arg)
{
	return v % *(long *)arg == 0;
}

Test(gen, filter_keeps_only_matches)
{
	struct gen_range r;
	struct gen_filter f;
	long got[64], seven = 7;
	static const long odd[] = { 1, 3, 5, 7, 9 }, sevens[] = { 0, 7, 14 };
	gen_filter_init(&f, range(&r, 0, 10, 1), is_odd, NULL);
	expect_seq("filter(odd, range(0, 10))", got, drain(&f.g, got, 64, "filter"), odd, 5);
	gen_filter_init(&f, range(&r, 0, 20, 1), multiple_of, &seven);
	expect_seq("filter(7 | v, range(0, 20))", got, drain(&f.g, got, 64, "filter"), sevens, 3);
	gen_filter_init(&f, range(&r, 0, 20, 2), is_odd, NULL);
	expect_seq("filter(odd, evens)", got, drain(&f.g, got, 64, "filter"), odd, 0);
	int rc = gen_next(&f.g, &got[0]);
	cr_assert_eq(rc, -EALREADY,
		     "filter after exhaustion: expected -114 (EALREADY), got %s" ASL_HINT(6),
		     asl_test_rc(rc));
}

Test(gen, take_is_lazy)
{
	struct counting c;
	struct gen_take t;
	long got[16];
	static const long want[] = { 0, 1, 2, 3, 4 };
	gen_take_init(&t, counting(&c), 5);
	expect_seq("take(5, counting)", got, drain(&t.g, got, 16, "take"), want, 5);
	cr_assert_eq(c.resumes, 5,
		     "take(5) over an endless generator resumed it %ld times: "
		     "expected exactly 5 (never ask for a value you will not hand out)" ASL_HINT(6),
		     c.resumes);
	struct gen_range r;
	gen_take_init(&t, range(&r, 0, 3, 1), 10);
	expect_seq("take(10, range(0, 3))", got, drain(&t.g, got, 16, "take"), want, 3);
	gen_take_init(&t, counting(&c), 0);
	expect_seq("take(0, counting)", got, drain(&t.g, got, 16, "take"), want, 0);
	cr_assert_eq(c.resumes, 0, "take(0) resumed its source %ld times" ASL_HINT(6), c.resumes);
}

/* take(4, filter(multiple of 1000, range(0, LONG_MAX))): lazy all the way down. */
Test(gen, pipeline_is_lazy_end_to_end)
{
	struct gen_range r;
	struct gen_filter f;
	struct gen_take t;
	long got[8], k = 1000;
	static const long want[] = { 0, 1000, 2000, 3000 };
	gen_filter_init(&f, range(&r, 0, LONG_MAX, 1), multiple_of, &k);
	gen_take_init(&t, &f.g, 4);
	expect_seq("take(4, filter(1000 | v, range(0, LONG_MAX)))", got,
		   drain(&t.g, got, 8, "pipeline"), want, 4);
	cr_assert_eq(r.cur, 3000,
		     "the range went on to %ld: it should have stopped at 3000 (no "
		     "value is computed before it is asked for)" ASL_HINT(6),
		     r.cur);
}

/* Many generators interleaved: each keeps its own place. */
Test(gen, pipeline_interleaved_generators)
{
	enum { N = 50 };
	struct gen_range r[N];
	struct gen_filter f[N];
	long next[N], v;
	for (int i = 0; i < N; i++) {
		gen_filter_init(&f[i], range(&r[i], i, 1000 + i, 1), is_odd, NULL);
		next[i] = i % 2 ? i : i + 1;
	}
	for (int round = 0; round < 100; round++)
		for (int i = (round * 7) % N, j = 0; j < N; j++, i = (i + 1) % N) {
			int rc = gen_next(&f[i].g, &v);
			cr_assert(rc == 1 && v == next[i],
				  "generator %d, round %d: expected %ld, got "
				  "%s with %ld" ASL_HINT(6),
				  i, round, next[i], asl_test_rc(rc), v);
			next[i] += 2;
		}
}

/* A generator written by hand, without the PT macros: `values` values, then `end` (CORO_READY
 * or an -errno) on every later resume.  Counts its resumes.  With it the tests see what
 * gen_next and the combinators themselves do, not what PTL_END happens to do. */
struct plain {
	struct gen g;
	long given, values, resumes;
	int end;
};

static int plain_step(struct gen *g)
{
	struct plain *p = (struct plain *)g;
	p->resumes++;
	if (p->given == p->values)
		return p->end;
	p->g.value = ++p->given;
	return CORO_YIELDED;
}

static struct gen *plain(struct plain *p, long values, int end)
{
	*p = (struct plain){ .g = { .step = plain_step }, .values = values, .end = end };
	return &p->g;
}

Test(gen, exhaustion_is_remembered_by_gen_next)
{
	struct plain p;
	long v;
	plain(&p, 1, CORO_READY);
	int rc1 = gen_next(&p.g, &v), rc2 = gen_next(&p.g, &v);
	cr_assert(rc1 == 1 && rc2 == 0,
		  "a generator of one value: expected 1 then 0, got %s "
		  "then %s" ASL_HINT(6),
		  asl_test_rc(rc1), asl_test_rc(rc2));
	int rc3 = gen_next(&p.g, &v);
	cr_assert(rc3 == -EALREADY && p.resumes == 2,
		  "gen_next after the exhaustion was "
		  "reported: expected -114 (EALREADY) without resuming the generator again, got %s "
		  "after %ld resumes (expected 2).  gen_next must remember the exhaustion itself "
		  "(g->state): a generator's body may not" ASL_HINT(6),
		  asl_test_rc(rc3), p.resumes);
}

Test(gen, errors_of_the_inner_generator_pass_through)
{
	struct plain p;
	struct gen_filter f;
	struct gen_take t;
	long v = 0;
	gen_filter_init(&f, plain(&p, 2, -EIO), is_odd, NULL);
	int rc1 = gen_next(&f.g, &v), rc2 = gen_next(&f.g, &v);
	cr_assert(rc1 == 1 && v == 1 && rc2 == -EIO,
		  "filter(odd) over a generator that yields "
		  "1, 2 and then fails with -5 (EIO): expected 1 (value 1), then -5 (EIO); got %s, "
		  "then %s.  An error of the inner generator ends the filter with that error, "
		  "not with a normal end" ASL_HINT(6),
		  asl_test_rc(rc1), asl_test_rc(rc2));
	gen_take_init(&t, plain(&p, 1, -EIO), 5);
	rc1 = gen_next(&t.g, &v);
	rc2 = gen_next(&t.g, &v);
	cr_assert(rc1 == 1 && rc2 == -EIO,
		  "take(5) over a generator that yields 1 and then fails "
		  "with -5 (EIO): expected 1, then -5 (EIO); got %s, then %s" ASL_HINT(6),
		  asl_test_rc(rc1), asl_test_rc(rc2));
}
