/* Step 4: many coroutines on one thread, round-robin. */
#include "stackless_test.h"

#include <stdlib.h>

ASL_SUITE(sched, 60);

/* A test coroutine: yields `yields` times, logging (id) on every resume, then finishes
 * with `final` (CORO_READY or an error). */
struct ticker {
	struct ptl pt;
	int id, yields, k, final;
	int *log;
	size_t *n_log, cap;
};

static int ticker_step(void *self)
{
	struct ticker *t = self;
	if (*t->n_log < t->cap)
		t->log[(*t->n_log)++] = t->id;
	PTL_BEGIN(&t->pt);
	for (t->k = 0; t->k < t->yields; t->k++)
		PTL_YIELD(&t->pt);
	if (t->final < 0) {
		t->pt.lc = PTL_LC_DONE;
		return t->final;
	}
	PTL_END(&t->pt);
}

Test(sched, empty_and_bad_arguments)
{
	long r = rr_run(NULL, 0, 10);
	cr_assert_eq(r, 0, "no tasks: expected 0 rounds, got %ld" ASL_HINT(5), r);
	r = rr_run(NULL, 3, 10);
	cr_assert_eq(r, -EINVAL, "tasks NULL with n 3: expected -22 (EINVAL), got %ld" ASL_HINT(5),
		     r);
	struct rr_task t[2] = { { .resume = NULL }, { .resume = NULL } };
	r = rr_run(t, 2, 10);
	cr_assert_eq(r, -EINVAL,
		     "a task without a resume function: expected -22 (EINVAL), got "
		     "%ld" ASL_HINT(5),
		     r);
	r = rr_run(t, 0, -1);
	cr_assert_eq(r, -EINVAL, "max_rounds -1: expected -22 (EINVAL), got %ld" ASL_HINT(5), r);
}

/* n tasks yielding different numbers of times: every round resumes each live task exactly
 * once, in index order; a finished task is never resumed again. */
Test(sched, round_robin_order)
{
	enum { N = 40 };
	static int log[N * 64];
	size_t n_log = 0;
	struct ticker tk[N];
	struct rr_task t[N];
	uint64_t s = 0x0905;
	int max_y = 0;
	for (int i = 0; i < N; i++) {
		tk[i] = (struct ticker){ .id = i,
					 .yields = st_between(&s, 0, 30),
					 .final = 0,
					 .log = log,
					 .n_log = &n_log,
					 .cap = N * 64 };
		if (tk[i].yields > max_y)
			max_y = tk[i].yields;
		PTL_INIT(&tk[i].pt);
		t[i] = (struct rr_task){ .resume = ticker_step, .self = &tk[i] };
	}
	long rounds = rr_run(t, N, 1000);
	cr_assert_eq(rounds, max_y + 1,
		     "expected %d rounds (the longest task yields %d times), "
		     "got %ld" ASL_HINT(5),
		     max_y + 1, max_y, rounds);
	/* replay: in round r, the tasks with yields >= r run, in index order */
	size_t at = 0;
	for (int r = 0; r <= max_y; r++)
		for (int i = 0; i < N; i++) {
			if (tk[i].yields < r)
				continue;
			cr_assert(at < n_log && log[at] == i,
				  "round %d: expected task %d to be "
				  "resumed next (resume number %zu), got %s %d" ASL_HINT(5),
				  r + 1, i, at + 1,
				  at < n_log ? "task" : "nothing:", at < n_log ? log[at] : 0);
			at++;
		}
	cr_assert_eq(at, n_log,
		     "%zu resumes logged, expected %zu: a finished task was resumed "
		     "again" ASL_HINT(5),
		     n_log, at);
	for (int i = 0; i < N; i++)
		cr_assert(t[i].status == CORO_READY && t[i].resumes == tk[i].yields + 1,
			  "task %d: expected status 1 after %d "
			  "resumes, got status %d after %ld" ASL_HINT(5),
			  i, tk[i].yields + 1, t[i].status, t[i].resumes);
}

Test(sched, errors_finish_a_task)
{
	static int log[256];
	size_t n_log = 0;
	struct ticker tk[3] = {
		{ .id = 0, .yields = 5, .final = 0 },
		{ .id = 1, .yields = 1, .final = -EIO },
		{ .id = 2, .yields = 3, .final = 0 },
	};
	struct rr_task t[3];
	for (int i = 0; i < 3; i++) {
		tk[i].log = log;
		tk[i].n_log = &n_log;
		tk[i].cap = 256;
		PTL_INIT(&tk[i].pt);
		t[i] = (struct rr_task){ .resume = ticker_step, .self = &tk[i] };
	}
	long rounds = rr_run(t, 3, 100);
	cr_assert_eq(rounds, 6, "expected 6 rounds, got %ld" ASL_HINT(5), rounds);
	cr_assert(t[1].status == -EIO && t[1].resumes == 2,
		  "the task that failed: expected "
		  "status -5 (EIO) after 2 resumes, got %s after %ld" ASL_HINT(5),
		  asl_test_rc(t[1].status), t[1].resumes);
	cr_assert(t[0].status == CORO_READY && t[2].status == CORO_READY,
		  "the other tasks must "
		  "finish normally (status 1), got %d and %d" ASL_HINT(5),
		  t[0].status, t[2].status);
}

Test(sched, gives_up_after_max_rounds)
{
	static int log[256];
	size_t n_log = 0;
	struct ticker tk = { .id = 0, .yields = 50, .log = log, .n_log = &n_log, .cap = 256 };
	PTL_INIT(&tk.pt);
	struct rr_task t = { .resume = ticker_step, .self = &tk };
	long r = rr_run(&t, 1, 10);
	cr_assert_eq(r, -ETIME,
		     "a task needing 51 rounds with max_rounds 10: expected -62 "
		     "(ETIME), got %ld" ASL_HINT(5),
		     r);
	cr_assert_eq(t.resumes, 10,
		     "expected exactly 10 resumes before giving up, got %ld" ASL_HINT(5),
		     t.resumes);
}

static int ss_resume(void *self)
{
	return sum_stream_step(self);
}

/* 300 hand-compiled state machines (step 2), each on its own simulated I/O with its own
 * random schedule, interleaved on one thread: each must end exactly as its reference. */
Test(sched, many_coroutines_match_reference)
{
	enum { N = 300 };
	struct sum_stream *c = calloc(N, sizeof *c);
	struct sim_io *io = calloc(N, sizeof *io), *ref = calloc(N, sizeof *ref);
	int32_t(*in)[ST_INPUT_MAX] = calloc(N, sizeof *in);
	size_t *len = calloc(N, sizeof *len);
	struct rr_task *t = calloc(N, sizeof *t);
	cr_assert(c && io && ref && in && len && t, "out of memory");
	uint64_t s = 0x0906;
	for (int i = 0; i < N; i++) {
		len[i] = st_input_sum_stream(&s, in[i]);
		unsigned pct = (unsigned)(st_rand(&s) % 101);
		sim_io_init(&io[i], in[i], len[i], st_rand(&s), pct, 4);
		sum_stream_init(&c[i], &io[i]);
		t[i] = (struct rr_task){ .resume = ss_resume, .self = &c[i] };
	}
	long rounds = rr_run(t, N, 100000);
	cr_assert(rounds > 0, "rr_run returned %ld" ASL_HINT(5), rounds);
	for (int i = 0; i < N; i++) {
		int32_t total = 0;
		sim_io_init(&ref[i], in[i], len[i], 1, 0, 1);
		int want = sum_stream_ref(&ref[i], &total);
		cr_assert(t[i].status == CORO_READY && c[i].result == want && c[i].total == total &&
			      io[i].n_log == ref[i].n_log && !io[i].misuse,
			  "task %d of %d (seed 0x0906): status %d, result %d, total %d, %zu "
			  "operations; the reference: result "
			  "%d, total %d, %zu operations" ASL_HINT(5),
			  i, N, t[i].status, c[i].result, (int)c[i].total, io[i].n_log, want,
			  (int)total, ref[i].n_log);
	}
	free(c), free(io), free(ref), free(in), free(len), free(t);
}
