/* Step 3: the switch-on-line macros (pt_line.h), first on small coroutines of the tests' own,
 * then writing sum_stream with them. */
#include "stackless_test.h"

ASL_SUITE(ptline, 60);

/* Logs 100, then 0, 1, 2 with a yield after each, then 200, and ends. */
struct counter {
	struct ptl pt;
	int i, n;
	int log[16];
};

static int counter_step(struct counter *c)
{
	PTL_BEGIN(&c->pt);
	c->log[c->n++] = 100;
	for (c->i = 0; c->i < 3; c->i++) {
		c->log[c->n++] = c->i;
		PTL_YIELD(&c->pt);
	}
	c->log[c->n++] = 200;
	PTL_END(&c->pt);
}

/* Waits for `go`, then for `go2`; counts how often each condition was tried and how often
 * the code before each await ran; leaves early through PTL_EXIT when `quit` is set. */
struct waiter {
	struct ptl pt;
	bool go, go2, quit;
	int tries, tries2, before, between, after;
};

static int waiter_step(struct waiter *w)
{
	PTL_BEGIN(&w->pt);
	w->before++;
	PTL_AWAIT(&w->pt, (w->tries++, w->go));
	w->between++;
	if (w->quit)
		PTL_EXIT(&w->pt);
	PTL_AWAIT(&w->pt, (w->tries2++, w->go2));
	w->after++;
	PTL_END(&w->pt);
}

static void expect_rc(int got, int want, const char *what)
{
	cr_assert_eq(got, want, "%s: expected %s, got %s" ASL_HINT(3), what, asl_test_rc(want),
		     asl_test_rc(got));
}

Test(ptline, begin_yield_end)
{
	struct counter c = { .n = 0 };
	PTL_INIT(&c.pt);
	static const int want[] = { 100, 0, 1, 2, 200 };
	for (int k = 0; k < 3; k++) {
		expect_rc(counter_step(&c), CORO_YIELDED, "resume before the end");
		cr_assert_eq(c.n, k + 2,
			     "after resume %d: expected %d log entries, got %d (a resume "
			     "must carry on after the yield, not start again)" ASL_HINT(3),
			     k + 1, k + 2, c.n);
	}
	expect_rc(counter_step(&c), CORO_READY, "the resume that falls off PTL_END");
	cr_assert_eq(c.n, 5, "expected 5 log entries, got %d" ASL_HINT(3), c.n);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(c.log[i], want[i], "log[%d]: expected %d, got %d" ASL_HINT(3), i,
			     want[i], c.log[i]);
	for (int k = 0; k < 3; k++)
		expect_rc(counter_step(&c), -EALREADY, "resuming a finished coroutine");
	cr_assert_eq(c.n, 5, "a finished coroutine ran code again (%d log entries)" ASL_HINT(3),
		     c.n);
	PTL_INIT(&c.pt); /* starts it again from the top */
	expect_rc(counter_step(&c), CORO_YIELDED, "the first resume after PTL_INIT");
	cr_assert(c.n == 7 && c.log[5] == 100 && c.log[6] == 0,
		  "after PTL_INIT the body must run again from the top" ASL_HINT(3));
}

Test(ptline, await_polls_its_condition)
{
	struct waiter w = { .go = false };
	PTL_INIT(&w.pt);
	for (int k = 1; k <= 3; k++) {
		expect_rc(waiter_step(&w), CORO_PENDING, "an await whose condition is false");
		cr_assert(w.tries == k && w.before == 1 && w.between == 0,
			  "after %d pending resumes: expected the condition tried %d times and the "
			  "code before the await run once, got %d and %d" ASL_HINT(3),
			  k, k, w.tries, w.before);
	}
	w.go = true;
	expect_rc(waiter_step(&w), CORO_PENDING, "the second await, condition false");
	cr_assert(w.tries == 4 && w.between == 1 && w.tries2 == 1,
		  "expected the first condition tried 4 "
		  "times, the second once, got %d and %d" ASL_HINT(3),
		  w.tries, w.tries2);
	w.go2 = true;
	expect_rc(waiter_step(&w), CORO_READY, "the second await, condition true");
	cr_assert(w.tries == 4 && w.tries2 == 2 && w.after == 1 && w.before == 1,
		  "a resume must try only the condition it stopped at" ASL_HINT(3));
	expect_rc(waiter_step(&w), -EALREADY, "resuming a finished coroutine");
	cr_assert(w.tries2 == 2 && w.after == 1, "a finished coroutine ran code again" ASL_HINT(3));
}

Test(ptline, await_true_at_once_does_not_suspend)
{
	struct waiter w = { .go = true, .go2 = true };
	PTL_INIT(&w.pt);
	expect_rc(waiter_step(&w), CORO_READY, "two awaits whose conditions are already true");
	cr_assert(w.tries == 1 && w.tries2 == 1 && w.after == 1,
		  "expected each condition tried once, got %d and %d" ASL_HINT(3), w.tries,
		  w.tries2);
}

Test(ptline, exit_finishes_early)
{
	struct waiter w = { .go = true, .quit = true };
	PTL_INIT(&w.pt);
	expect_rc(waiter_step(&w), CORO_READY, "PTL_EXIT");
	cr_assert(w.between == 1 && w.tries2 == 0, "PTL_EXIT must leave at once" ASL_HINT(3));
	expect_rc(waiter_step(&w), -EALREADY, "resuming after PTL_EXIT");
	expect_rc(waiter_step(&w), -EALREADY, "resuming after PTL_EXIT, twice");
	cr_assert(w.between == 1 && w.tries2 == 0,
		  "a finished coroutine ran code again" ASL_HINT(3));
}

/* A resume point that matches no suspension of the body (what a yield inside a nested switch
 * leaves behind, or a corrupted struct) is -EPROTO: never a silent restart from the top. */
Test(ptline, unknown_resume_point_is_eproto)
{
	struct counter c = { .n = 0 };
	PTL_INIT(&c.pt);
	expect_rc(counter_step(&c), CORO_YIELDED, "the first resume");
	c.pt.lc = 99999;
	expect_rc(counter_step(&c), -EPROTO, "a resume point with no label");
	cr_assert_eq(c.n, 2,
		     "the body ran with an unknown resume point (%d log entries)" ASL_HINT(3), c.n);
}

/* ---- sum_stream with the macros (async_pt_line.c) ---- */

static void ptl_init_v(void *c, struct sim_io *io)
{
	sum_stream_ptl_init(c, io);
}
static int ptl_step_v(void *c)
{
	return sum_stream_ptl_step(c);
}
static int ptl_result(const void *c, int32_t *v)
{
	const struct sum_stream_ptl *s = c;
	*v = s->total;
	return s->result;
}

static const struct st_kind ptl_kind = {
	"sum_stream_ptl_step", 3, ptl_init_v, ptl_step_v, ptl_result, sum_stream_ref, true
};

Test(ptline, sum_stream_all_ready_and_all_pending)
{
	static const int32_t in[] = { 5, 3, -1, 4, 1, 5 };
	_Alignas(16) unsigned char c[512];
	st_check_against_ref(&ptl_kind, c, in, 6, 1, 0, 1);
	const struct sum_stream_ptl *s = (const void *)c;
	cr_assert(s->result == 0 && s->total == 12,
		  "expected result 0 and total 12, got %d and "
		  "%d" ASL_HINT(3),
		  s->result, (int)s->total);
	for (unsigned max = 1; max <= 4; max++)
		st_check_against_ref(&ptl_kind, c, in, 6, max, 100, max);
}

Test(ptline, sum_stream_random_schedules)
{
	st_check_many(&ptl_kind, 0x0903, 3000, st_input_sum_stream);
}

/* Early return, the error paths, and a resume after each kind of ending. */
Test(ptline, sum_stream_finished_is_an_error)
{
	static const int32_t inputs[][4] = {
		{ 2, 4, 0, 0 }, { 2000, 0, 0, 0 }, { 2, SIM_EIO, 0, 0 }, { 1, 9, 0, 0 }
	};
	static const int want[] = { 1, -EINVAL, -EIO, 0 };
	for (int i = 0; i < 4; i++) {
		_Alignas(16) unsigned char c[512];
		int32_t v;
		st_check_against_ref(&ptl_kind, c, inputs[i], 4, 7, 100, 2);
		int res = ptl_kind.result(c, &v);
		cr_assert_eq(res, want[i], "%s on input %d: expected result %d, got %d" ASL_HINT(3),
			     ptl_kind.name, i, want[i], res);
	}
}
