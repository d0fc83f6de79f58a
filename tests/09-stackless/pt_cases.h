/*
 * pt_cases.h - the tests both protothread macro sets must pass (step 3: pt_line.h, step 4:
 * pt_goto.h), written once.  The including file defines, before including it:
 *   PTC_SUITE  the Criterion suite            PTC_STEP  the workbook step (for the hints)
 *   PTC_NAME   "PTL" or "PTG" (in messages)   PTC_T     the coroutine state type
 *   PTC_BEGIN, PTC_YIELD, PTC_AWAIT, PTC_EXIT, PTC_END, PTC_INIT: the macro set under test
 *   PTC_SS, PTC_SS_INIT, PTC_SS_STEP, PTC_SS_NAME: sum_stream written with that set
 *   PTC_SEED   the random schedules' seed
 * and gets the shared coroutines (counter_step, waiter_step), expect_rc and the tests.
 */
#ifndef PT_CASES_H
#define PT_CASES_H

/* two levels, so that the suite and the step are expanded before Test and ASL_HINT paste or
 * stringify them */
#define PTC_TEST_(suite, name) Test(suite, name)
#define PTC_TEST(name) PTC_TEST_(PTC_SUITE, name)
#define PTC_HINT_(step) ASL_HINT(step)
#define PTC_HINT PTC_HINT_(PTC_STEP)

/* Logs 100, then 0, 1, 2 with a yield after each, then 200, and ends. */
struct counter {
	PTC_T pt;
	int i, n;
	int log[16];
};

static int counter_step(struct counter *c)
{
	PTC_BEGIN(&c->pt);
	c->log[c->n++] = 100;
	for (c->i = 0; c->i < 3; c->i++) {
		c->log[c->n++] = c->i;
		PTC_YIELD(&c->pt);
	}
	c->log[c->n++] = 200;
	PTC_END(&c->pt);
}

/* Waits for `go`, then for `go2`; counts how often each condition was tried and how often
 * the code before each await ran; leaves early through the EXIT macro when `quit` is set. */
struct waiter {
	PTC_T pt;
	bool go, go2, quit;
	int tries, tries2, before, between, after;
};

static int waiter_step(struct waiter *w)
{
	PTC_BEGIN(&w->pt);
	w->before++;
	PTC_AWAIT(&w->pt, (w->tries++, w->go));
	w->between++;
	if (w->quit)
		PTC_EXIT(&w->pt);
	PTC_AWAIT(&w->pt, (w->tries2++, w->go2));
	w->after++;
	PTC_END(&w->pt);
}

static void expect_rc(int got, int want, const char *what)
{
	cr_assert_eq(got, want, "%s: expected %s, got %s" PTC_HINT, what, asl_test_rc(want),
		     asl_test_rc(got));
}

PTC_TEST(begin_yield_end)
{
	struct counter c = { .n = 0 };
	PTC_INIT(&c.pt);
	static const int want[] = { 100, 0, 1, 2, 200 };
	for (int k = 0; k < 3; k++) {
		expect_rc(counter_step(&c), CORO_YIELDED, "resume before the end");
		cr_assert_eq(c.n, k + 2,
			     "after resume %d: expected %d log entries, got %d (a resume "
			     "must carry on after the yield, not start again)" PTC_HINT,
			     k + 1, k + 2, c.n);
	}
	expect_rc(counter_step(&c), CORO_READY, "the resume that falls off " PTC_NAME "_END");
	cr_assert_eq(c.n, 5, "expected 5 log entries, got %d" PTC_HINT, c.n);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(c.log[i], want[i], "log[%d]: expected %d, got %d" PTC_HINT, i, want[i],
			     c.log[i]);
	for (int k = 0; k < 3; k++)
		expect_rc(counter_step(&c), -EALREADY, "resuming a finished coroutine");
	cr_assert_eq(c.n, 5, "a finished coroutine ran code again (%d log entries)" PTC_HINT, c.n);
	PTC_INIT(&c.pt); /* starts it again from the top */
	expect_rc(counter_step(&c), CORO_YIELDED, "the first resume after " PTC_NAME "_INIT");
	cr_assert(c.n == 7 && c.log[5] == 100 && c.log[6] == 0,
		  "after " PTC_NAME "_INIT the body must run again from the top" PTC_HINT);
}

PTC_TEST(await_polls_its_condition)
{
	struct waiter w = { .go = false };
	PTC_INIT(&w.pt);
	for (int k = 1; k <= 3; k++) {
		expect_rc(waiter_step(&w), CORO_PENDING, "an await whose condition is false");
		cr_assert(w.tries == k && w.before == 1 && w.between == 0,
			  "after %d pending resumes: expected the condition tried %d times and the "
			  "code before the await run once, got %d and %d" PTC_HINT,
			  k, k, w.tries, w.before);
	}
	w.go = true;
	expect_rc(waiter_step(&w), CORO_PENDING, "the second await, condition false");
	cr_assert(w.tries == 4 && w.between == 1 && w.tries2 == 1,
		  "expected the first condition tried 4 "
		  "times, the second once, got %d and %d" PTC_HINT,
		  w.tries, w.tries2);
	w.go2 = true;
	expect_rc(waiter_step(&w), CORO_READY, "the second await, condition true");
	cr_assert(w.tries == 4 && w.tries2 == 2 && w.after == 1 && w.before == 1,
		  "a resume must try only the condition it stopped at" PTC_HINT);
	expect_rc(waiter_step(&w), -EALREADY, "resuming a finished coroutine");
	cr_assert(w.tries2 == 2 && w.after == 1, "a finished coroutine ran code again" PTC_HINT);
}

PTC_TEST(await_true_at_once_does_not_suspend)
{
	struct waiter w = { .go = true, .go2 = true };
	PTC_INIT(&w.pt);
	expect_rc(waiter_step(&w), CORO_READY, "two awaits whose conditions are already true");
	cr_assert(w.tries == 1 && w.tries2 == 1 && w.after == 1,
		  "expected each condition tried once, got %d and %d" PTC_HINT, w.tries, w.tries2);
}

PTC_TEST(exit_finishes_early)
{
	struct waiter w = { .go = true, .quit = true };
	PTC_INIT(&w.pt);
	expect_rc(waiter_step(&w), CORO_READY, PTC_NAME "_EXIT");
	cr_assert(w.between == 1 && w.tries2 == 0, PTC_NAME "_EXIT must leave at once" PTC_HINT);
	expect_rc(waiter_step(&w), -EALREADY, "resuming after " PTC_NAME "_EXIT");
	expect_rc(waiter_step(&w), -EALREADY, "resuming after " PTC_NAME "_EXIT, twice");
	cr_assert(w.between == 1 && w.tries2 == 0, "a finished coroutine ran code again" PTC_HINT);
}

/* ---- sum_stream written with the macros (async_pt_line.c, async_pt_goto.c) ---- */

static void ptc_init_v(void *c, struct sim_io *io)
{
	PTC_SS_INIT(c, io);
}
static int ptc_step_v(void *c)
{
	return PTC_SS_STEP(c);
}
static int ptc_result(const void *c, int32_t *v)
{
	const PTC_SS *s = c;
	*v = s->total;
	return s->result;
}

static const struct st_kind ptc_kind = { PTC_SS_NAME, PTC_STEP,       ptc_init_v, ptc_step_v,
					 ptc_result,  sum_stream_ref, true };

PTC_TEST(sum_stream_all_ready_and_all_pending)
{
	static const int32_t in[] = { 5, 3, -1, 4, 1, 5 };
	_Alignas(16) unsigned char c[512];
	st_check_against_ref(&ptc_kind, c, in, 6, 1, 0, 1);
	const PTC_SS *s = (const void *)c;
	cr_assert(s->result == 0 && s->total == 12,
		  "expected result 0 and total 12, got %d and "
		  "%d" PTC_HINT,
		  s->result, (int)s->total);
	for (unsigned max = 1; max <= 4; max++)
		st_check_against_ref(&ptc_kind, c, in, 6, max, 100, max);
}

PTC_TEST(sum_stream_random_schedules)
{
	st_check_many(&ptc_kind, PTC_SEED, 3000, st_input_sum_stream);
}

/* Early return, the error paths, and a resume after each kind of ending. */
PTC_TEST(sum_stream_finished_is_an_error)
{
	static const int32_t inputs[][4] = {
		{ 2, 4, 0, 0 }, { 2000, 0, 0, 0 }, { 2, SIM_EIO, 0, 0 }, { 1, 9, 0, 0 }
	};
	static const int want[] = { 1, -EINVAL, -EIO, 0 };
	for (int i = 0; i < 4; i++) {
		_Alignas(16) unsigned char c[512];
		int32_t v;
		st_check_against_ref(&ptc_kind, c, inputs[i], 4, 7, 100, 2);
		int res = ptc_kind.result(c, &v);
		cr_assert_eq(res, want[i], "%s on input %d: expected result %d, got %d" PTC_HINT,
			     ptc_kind.name, i, want[i], res);
	}
}

/* A write that fails.  sim_write_poll fails (-EBUSY) when the operation in flight is not
 * the write it is asked about; here the test takes the simulated channel while sum_stream's
 * first write is pending, so that write's next poll fails.  Like sum_stream_ref, the
 * coroutine must end with that error as its result. */
PTC_TEST(sum_stream_write_error_is_the_result)
{
	static const int32_t in[] = { 2, 7, 8 };
	struct sim_io io;
	PTC_SS c;
	sim_io_init(&io, in, 3, 1, 100, 1); /* every operation pending exactly once */
	PTC_SS_INIT(&c, &io);
	int rc, resumes = 0;
	do
		rc = PTC_SS_STEP(&c);
	while (rc == CORO_PENDING && io.op != SIM_WRITE && ++resumes < 10);
	cr_assert(rc == CORO_PENDING && io.op == SIM_WRITE,
		  "%s on the input 2, 7, 8, every operation pending once: expected it pending "
		  "on its first write (of 7) within 3 resumes, got %s" PTC_HINT,
		  PTC_SS_NAME, asl_test_rc(rc));
	io.op = SIM_READ; /* the channel is busy with something else now */
	expect_rc(PTC_SS_STEP(&c), CORO_READY, "the resume whose pending write fails (-EBUSY)");
	cr_assert_eq(c.result, -EBUSY,
		     "%s, its write failed with -EBUSY: expected that error as the result, got "
		     "%s (a failed write ends the coroutine with its error, as sum_stream_ref "
		     "returns it)" PTC_HINT,
		     PTC_SS_NAME, asl_test_rc(c.result));
	expect_rc(PTC_SS_STEP(&c), -EALREADY, "resuming after a failed write");
}

#endif
