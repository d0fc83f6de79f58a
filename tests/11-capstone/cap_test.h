/*
 * cap_test.h - what lab 11's suites share: one set of checks, run against every model.
 *
 * Each model's suite (test_models.c) runs the same three tests:
 *   same_results   the I/O, CPU and mixed workloads give, request by request, the results
 *                  every model must give (cap_expected): identical checksums across models,
 *                  and again with every reply a byte at a time (peer_test.h);
 *   io_many        1,000 requests (500 for thread per request) all finish, and the
 *                  run leaves no descriptor, thread or byte behind;
 *   where_it_runs  who computed what: the model's shape (one thread, a thread per request, a
 *                  bounded pool, "never the loop's thread") and whether requests overlapped.
 * Before a test touches the model it checks the earlier labs the model stands on (the
 * injector needs lab 07; each model's probe its own lab), so that an unfinished earlier lab
 * is named in the failure instead of surfacing as a puzzling error from inside a run.
 * Every run is watched (cap_test_run): one that does not return long after it should have
 * fails naming the model's likely mistake instead of reaching the suite's timeout.
 * No test times anything: the only clocks are "did not hang" bounds.  test_peers.c adds a
 * fourth, peer_failures_reported: every model against a failing peer (peer_test.h).
 */
#ifndef CAP_TEST_H
#define CAP_TEST_H

#include <stdlib.h>
#include <string.h>

#include "asl_test.h"
#include "capstone.h"

#define CAP_LAB07_HINT                                                                            \
	"the latency injector is lab 07's latency server on YOUR lab-07 loop "                    \
	"(labs/07-event-loop): if `make -C ../07-event-loop test` does not pass yet, finish lab " \
	"07 first"

static inline void cap_test_env(struct cap_env *e)
{
	int rc = cap_env_open(e);
	cr_assert(rc == 0, "starting the latency injector: expected 0, got %s; %s", asl_test_rc(rc),
		  CAP_LAB07_HINT);
}

static inline const struct cap_model *cap_test_model(const char *name, const char *hint)
{
	const struct cap_model *m = cap_model_find(name);
	cr_assert(m, "no model called %s in cap_models[]%s", name, hint);
	if (m->probe) {
		const char *what = "?";
		int rc = m->probe(&what);
		cr_assert(rc == 0,
			  "model '%s' runs on your lab %s, which does not work yet: %s "
			  "returned %s. Finish lab %s first (make -C ../%s test), then come back",
			  name, m->lab, what, asl_test_rc(rc), m->lab,
			  strchr(m->lab, ' ') ? "NN-name" : m->lab);
	}
	return m;
}

/* Check one run's outcome: rc 0, and every result the one every model must give. */
static inline void cap_test_check(const struct cap_model *m, const struct cap_opts *o, int rc,
				  const uint64_t *res, const struct cap_stats *st, const char *hint)
{
	cr_assert(rc == 0,
		  "model %s, %s workload, n=%d, delay %d ms, %u rounds, %d threads: "
		  "expected 0, got %s%s%s",
		  m->name, cap_kind_name(o->kind), o->n, o->delay_ms, o->rounds, o->threads,
		  asl_test_rc(rc),
		  rc == -EPROTO ? " (a request was not finished exactly once, or its reply was "
				  "not its own line)"
				: "",
		  hint);
	struct cap_job ref = { .kind = o->kind,
			       .n = o->n,
			       .delay_ms = o->delay_ms,
			       .rounds = o->kind == CAP_IO ? 0 : o->rounds };
	for (int i = 0; i < o->n; i++) {
		uint64_t want = cap_expected(&ref, i);
		cr_assert(res[i] == want,
			  "model %s, %s workload: result of request %d is %#llx, "
			  "expected %#llx (every model must compute the same results)%s",
			  m->name, cap_kind_name(o->kind), i, (unsigned long long)res[i],
			  (unsigned long long)want, hint);
	}
	cr_assert(st->wrong == 0, "model %s: %d wrong results%s", m->name, st->wrong, hint);
}

/* One run of a model on the injector, on a watched thread.  Callers keep it in static
 * storage: an abandoned run may still write to it. */
#define CAP_GUARDED_MAX 1000
struct cap_guarded {
	struct cap_env e;
	const struct cap_model *m;
	struct cap_opts o;
	uint64_t res[CAP_GUARDED_MAX + 1];
	int ran_on[CAP_GUARDED_MAX + 1];
	struct cap_stats st;
	int tid; /* the thread that called the model's run */
};

static inline int cap_guarded_main(void *arg)
{
	struct cap_guarded *g = arg;
	g->tid = asl_test_gettid();
	return cap_run(&g->e, g->m, &g->o, g->res, g->ran_on, &g->st);
}

/* Run g->m on g->o over g->e and check the results.  A run that has not returned after ms
 * (far longer than it takes) fails with `hang`, the model's likely mistake, instead of
 * running into the suite's timeout. */
static inline void cap_test_run(struct cap_guarded *g, long ms, const char *hang, const char *hint)
{
	cr_assert(g->o.n <= CAP_GUARDED_MAX, "test bug: at most %d requests", CAP_GUARDED_MAX);
	int rc = -1;
	struct asl_call *c = asl_call_start(cap_guarded_main, g);
	if (!asl_call_wait(c, ms, &rc))
		cr_assert_fail("model %s, %s workload, %d requests of %d ms: the run had not "
			       "returned after %ld ms (it takes well under a second): %s%s",
			       g->m->name, cap_kind_name(g->o.kind), g->o.n, g->o.delay_ms, ms,
			       hang, hint);
	cap_test_check(g->m, &g->o, rc, g->res, &g->st, hint);
}

/* Every workload, small: request-by-request identical results. */
static inline void cap_check_same_results(const char *name, const char *hang, const char *hint)
{
	static struct cap_guarded g;
	g.m = cap_test_model(name, hint);
	cap_test_env(&g.e);
	static const enum cap_kind kinds[] = { CAP_IO, CAP_CPU, CAP_MIXED };
	for (int k = 0; k < 3; k++) {
		g.o = (struct cap_opts){
			.kind = kinds[k], .n = 24, .delay_ms = 3, .rounds = 300, .threads = 3
		};
		cap_test_run(&g, 2 * ASL_WATCHDOG_MS, hang, hint);
	}
	int rc = cap_env_close(&g.e);
	cr_assert(rc == 0, "the injector did not stop cleanly: %s", asl_test_rc(rc));
}

/* Far more requests than threads; nothing may be left behind. */
static inline void cap_check_io_many(const char *name, int n, const char *hang, const char *hint)
{
	static struct cap_guarded g;
	const struct cap_model *m = g.m = cap_test_model(name, hint);
	int fds0 = asl_test_fds(), threads0 = asl_test_threads();
	cap_test_env(&g.e);
	g.o = (struct cap_opts){ .kind = CAP_IO, .n = n, .delay_ms = 2, .threads = 4 };
	cap_test_run(&g, 4 * ASL_WATCHDOG_MS, hang, hint);
	int fds_during = asl_test_fds();
	cr_assert(fds_during == fds0 + 1 + n,
		  "model %s: during the run, expected %d descriptors "
		  "(the test's %d, the injector's stop pipe, %d connections), found %d: the model "
		  "left descriptors open%s",
		  m->name, fds0 + 1 + n, fds0, n, fds_during, hint);
	int rc = cap_env_close(&g.e);
	cr_assert(rc == 0, "the injector did not stop cleanly: %s", asl_test_rc(rc));
	/* more threads after than before is a leak; fewer is a thread of the set-up that ended */
	int threads = asl_test_threads_settled(threads0);
	cr_assert(threads <= threads0,
		  "model %s: %d threads before the run, %d after it: the "
		  "model left threads running%s",
		  m->name, threads0, threads, hint);
}

enum cap_shape {
	CAP_ONE_THREAD,  /* every request computed on the caller's thread */
	CAP_PER_REQUEST, /* every request on a thread of its own, never the caller's */
	CAP_POOL,        /* at most `threads` threads, never the caller's */
};

/* Who computed what, and did the requests overlap (peak in flight)? */
static inline void cap_check_where(const char *name, enum cap_shape shape, int min_peak,
				   int max_peak, const char *hang, const char *hint)
{
	static struct cap_guarded g;
	const struct cap_model *m = g.m = cap_test_model(name, hint);
	cap_test_env(&g.e);
	/* 100 ms of waiting per request: requests that overlap do so by a wide margin */
	g.o = (struct cap_opts){
		.kind = CAP_MIXED, .n = 16, .delay_ms = 100, .rounds = 500, .threads = 3
	};
	cap_test_run(&g, 4 * ASL_WATCHDOG_MS, hang, hint);
	const struct cap_opts o = g.o;
	const struct cap_stats st = g.st;
	const int *ran_on = g.ran_on;
	int me = g.tid; /* the thread that called the model's run */
	int distinct = 0;
	for (int i = 0; i < o.n; i++) {
		int seen = 0;
		for (int k = 0; k < i; k++)
			seen |= ran_on[k] == ran_on[i];
		distinct += !seen;
		if (shape == CAP_ONE_THREAD)
			cr_assert(ran_on[i] == me,
				  "model %s: request %d was computed on thread "
				  "%d, expected the calling thread (%d): this model has only one%s",
				  m->name, i, ran_on[i], me, hint);
		else
			cr_assert(ran_on[i] != me,
				  "model %s: request %d was computed on the "
				  "calling thread (%d), expected a worker thread%s",
				  m->name, i, me, hint);
	}
	if (shape == CAP_PER_REQUEST)
		cr_assert(distinct == o.n,
			  "model %s: %d requests were computed on %d distinct "
			  "threads, expected one thread per request%s",
			  m->name, o.n, distinct, hint);
	if (shape == CAP_POOL)
		cr_assert(distinct <= o.threads,
			  "model %s: requests were computed on %d distinct "
			  "threads, expected at most the %d workers asked for%s",
			  m->name, distinct, o.threads, hint);
	cr_assert(st.peak_inflight >= min_peak && st.peak_inflight <= max_peak,
		  "model %s: at most %d requests were in flight at once, expected %d..%d%s",
		  m->name, st.peak_inflight, min_peak, max_peak,
		  min_peak > 1 ? " (requests must overlap: start them all, then wait)"
			       : " (requests must not overlap)",
		  hint);
	int rc = cap_env_close(&g.e);
	cr_assert(rc == 0, "the injector did not stop cleanly: %s", asl_test_rc(rc));
}

#endif
