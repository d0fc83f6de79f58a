/* Lab 11: the event-loop models, run with a watchdog.  A loop model ends when its loop has
 * nothing left to wait for; a handle left active (a finished request's watcher, a reference
 * taken for the pool and never dropped) keeps loop_run waiting forever.  Here the run happens
 * on a thread of its own, and a run that has not returned after a generous deadline fails
 * with the likely mistake instead of reaching the suite's timeout. */
#include "cap_test.h"

struct cap_watched {
	const struct cap_model *m;
	uint64_t res[24 + 1];
	struct cap_stats st;
};

static int cap_watched_run(void *arg)
{
	struct cap_watched *w = arg;
	struct cap_env e;
	int rc = cap_env_open(&e);
	if (rc)
		return rc;
	struct cap_opts o = { .kind = CAP_IO, .n = 24, .delay_ms = 3, .rounds = 300, .threads = 3 };
	rc = cap_run(&e, w->m, &o, w->res, NULL, &w->st);
	int rc2 = cap_env_close(&e);
	return rc ? rc : rc2;
}

static void cap_check_returns(const char *name, const char *mistake, const char *hint)
{
	static struct cap_watched w; /* an abandoned run may still write to it */
	memset(&w, 0, sizeof w);
	w.m = cap_test_model(name, hint);
	int rc = -1;
	struct asl_call *c = asl_call_start(cap_watched_run, &w);
	if (!asl_call_wait(c, 2 * ASL_WATCHDOG_MS, &rc))
		cr_assert_fail("model %s, 24 I/O requests of 3 ms: the run had not returned after "
			       "%d ms (it takes milliseconds): %s%s",
			       name, 2 * ASL_WATCHDOG_MS, mistake, hint);
	cr_assert_eq(rc, 0, "model %s, 24 I/O requests: expected 0, got %s%s", name,
		     asl_test_rc(rc), hint);
}

Test(loop, run_returns_when_every_request_is_done)
{
	cap_check_returns("loop",
			  "loop_run never ran out of handles.  Stop a request's watcher "
			  "when its reply is complete (loop_io_stop, then done)",
			  ASL_HINT(4));
}

Test(offload, run_returns_when_every_request_is_done)
{
	cap_check_returns("offload",
			  "loop_run never ran out of reasons to go on.  Every "
			  "loop_ref taken while the pool holds a request needs its loop_unref when "
			  "the result is back on the loop's thread",
			  ASL_HINT(6));
}
