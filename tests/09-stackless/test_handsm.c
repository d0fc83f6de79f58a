/* Steps 1-2: async functions compiled by hand into state machines, checked against their
 * sequential references under every kind of suspension schedule. */
#include "stackless_test.h"

ASL_SUITE(handsm, 60);

static void add_two_init_v(void *c, struct sim_io *io)
{
	add_two_init(c, io);
}
static int add_two_step_v(void *c)
{
	return add_two_step(c);
}
static int add_two_result(const void *c, int32_t *v)
{
	const struct add_two *a = c;
	*v = a->out;
	return a->result;
}

static void sum_stream_init_v(void *c, struct sim_io *io)
{
	sum_stream_init(c, io);
}
static int sum_stream_step_v(void *c)
{
	return sum_stream_step(c);
}
static int sum_stream_result(const void *c, int32_t *v)
{
	const struct sum_stream *s = c;
	*v = s->total;
	return s->result;
}

static const struct st_kind add_two_kind = {
	"add_two_step", 1, add_two_init_v, add_two_step_v, add_two_result, add_two_ref, false
};
static const struct st_kind sum_stream_kind = {
	"sum_stream_step", 2,   sum_stream_init_v, sum_stream_step_v, sum_stream_result,
	sum_stream_ref,    true
};

static void check_fixed(const struct st_kind *k, const int32_t *in, size_t n)
{
	_Alignas(16) unsigned char c[512];
	static const struct {
		unsigned pct, max;
	} sched[] = { { 0, 1 }, { 100, 1 }, { 100, 4 }, { 50, 3 } };
	for (int i = 0; i < 4; i++)
		for (uint64_t seed = 1; seed <= 25; seed++)
			st_check_against_ref(k, c, in, n, seed, sched[i].pct, sched[i].max);
}

Test(handsm, add_two_all_ready)
{
	static const int32_t in[] = { 20, 22 };
	_Alignas(16) unsigned char c[512];
	st_check_against_ref(&add_two_kind, c, in, 2, 1, 0, 1);
	const struct add_two *a = (const void *)c;
	cr_assert(a->result == 0 && a->out == 42,
		  "add_two(20, 22): expected result 0, out 42; "
		  "got %d, %d" ASL_HINT(1),
		  a->result, (int)a->out);
}

Test(handsm, add_two_all_pending)
{
	static const int32_t in[] = { 7, -3 };
	_Alignas(16) unsigned char c[512];
	for (unsigned max = 1; max <= 5; max++)
		st_check_against_ref(&add_two_kind, c, in, 2, max, 100, max);
}

Test(handsm, add_two_random_schedules)
{
	st_check_many(&add_two_kind, 0x0901, 3000, st_input_add_two);
}

Test(handsm, add_two_error_paths)
{
	static const int32_t eio_a[] = { SIM_EIO, 5 }, eio_b[] = { 5, SIM_EIO };
	check_fixed(&add_two_kind, eio_a, 2);
	check_fixed(&add_two_kind, eio_b, 2);
	check_fixed(&add_two_kind, eio_b, 1); /* -ENODATA on the second read */
	check_fixed(&add_two_kind, eio_b, 0);
}

Test(handsm, add_two_finished_is_an_error)
{
	static const int32_t in[] = { 1, 2 };
	struct sim_io io;
	struct add_two a;
	sim_io_init(&io, in, 2, 3, 0, 1);
	add_two_init(&a, &io);
	int rc = add_two_step(&a);
	cr_assert_eq(rc, CORO_READY,
		     "with every operation ready at once, one resume should "
		     "finish: expected CORO_READY (1), got %s" ASL_HINT(1),
		     asl_test_rc(rc));
	for (int i = 0; i < 3; i++) {
		rc = add_two_step(&a);
		cr_assert_eq(rc, -EALREADY,
			     "resume %d after the end: expected -114 (EALREADY), got "
			     "%s" ASL_HINT(1),
			     i + 1, asl_test_rc(rc));
	}
	a.state = 12345; /* a state that is none of the resume points */
	rc = add_two_step(&a);
	cr_assert_eq(rc, -EPROTO, "a corrupted state: expected -71 (EPROTO), got %s" ASL_HINT(1),
		     asl_test_rc(rc));
	cr_assert_eq(io.n_log, 4, "the finished or corrupted machine did I/O" ASL_HINT(1));
}

Test(handsm, sum_stream_all_ready)
{
	static const int32_t in[] = { 4, 10, -3, 5, 100 };
	_Alignas(16) unsigned char c[512];
	st_check_against_ref(&sum_stream_kind, c, in, 5, 9, 0, 1);
	const struct sum_stream *s = (const void *)c;
	cr_assert(s->result == 0 && s->total == 112,
		  "sum_stream(4: 10 -3 5 100): expected "
		  "result 0, total 112; got %d, %d" ASL_HINT(2),
		  s->result, (int)s->total);
}

Test(handsm, sum_stream_all_pending)
{
	static const int32_t in[] = { 6, 1, 2, 3, 4, 5, 6 };
	_Alignas(16) unsigned char c[512];
	for (unsigned max = 1; max <= 5; max++)
		st_check_against_ref(&sum_stream_kind, c, in, 7, max, 100, max);
}

Test(handsm, sum_stream_random_schedules)
{
	st_check_many(&sum_stream_kind, 0x0902, 3000, st_input_sum_stream);
}

Test(handsm, sum_stream_early_return_and_errors)
{
	static const int32_t early[] = { 5, 4, 6, 0, 9, 9 }, zero[] = { 0 }, big[] = { 1001, 1 },
			     neg[] = { -1 }, eio[] = { 3, 1, SIM_EIO, 5 }, first[] = { 2, 0 };
	check_fixed(&sum_stream_kind, early, 6); /* returns 1 with total 10 after two writes */
	check_fixed(&sum_stream_kind, zero, 1);  /* no loop at all: only the final write */
	check_fixed(&sum_stream_kind, big, 2);   /* -EINVAL before any write */
	check_fixed(&sum_stream_kind, neg, 1);
	check_fixed(&sum_stream_kind, eio, 4);   /* -EIO in the loop, total 1 */
	check_fixed(&sum_stream_kind, first, 2); /* the very first value ends it */
	check_fixed(&sum_stream_kind, eio, 2);   /* -ENODATA in the loop */
}

Test(handsm, sum_stream_finished_is_an_error)
{
	static const int32_t in[] = { 1, 5 };
	struct sim_io io;
	struct sum_stream s;
	sim_io_init(&io, in, 2, 3, 100, 1);
	sum_stream_init(&s, &io);
	int rc, n = 0;
	while ((rc = sum_stream_step(&s)) == CORO_PENDING && n < 1000)
		n++;
	cr_assert(rc == CORO_READY && s.result == 0,
		  "expected CORO_READY with result 0, got %s "
		  "(result %d)" ASL_HINT(2),
		  asl_test_rc(rc), s.result);
	rc = sum_stream_step(&s);
	cr_assert_eq(rc, -EALREADY,
		     "resumed after the end: expected -114 (EALREADY), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	s.state = -777;
	rc = sum_stream_step(&s);
	cr_assert_eq(rc, -EPROTO, "a corrupted state: expected -71 (EPROTO), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
}
