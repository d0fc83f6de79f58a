/*
 * models.c - the table of models, and a probe per model of the earlier lab it runs on.
 *
 * A probe makes the smallest use of that lab's library (one thread, one pool job, one loop
 * iteration, one fiber).  The tests run it first, so that a model whose own lab is unfinished
 * fails with a message naming that lab, not with a puzzling error from deep inside a run.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "callbacks.h"
#include "capstone.h"
#include "fiber.h"
#include "loop.h"
#include "threads.h"

static int probe_thread_fn(void *arg)
{
	return *(int *)arg;
}

static int probe_threads(const char **what)
{
	int seven = 7;
	struct workers_task t = { .fn = probe_thread_fn, .arg = &seven };
	*what = "workers_run";
	int rc = workers_run(&t, 1);
	return rc < 0 ? rc : t.result == 7 ? 0 : -EPROTO;
}

static void probe_pool_job(void *arg, int status)
{
	*(int *)arg = status == 0 ? 1 : status;
}

static int probe_pool(const char **what)
{
	struct pool *p;
	int ran = 0, rc;
	*what = "pool_create";
	if ((rc = pool_create(&p, 1, 1)) < 0)
		return rc;
	*what = "pool_submit";
	rc = pool_submit(p, probe_pool_job, &ran);
	int rc2 = pool_shutdown(p, POOL_DRAIN);
	if (rc == 0 && rc2 < 0) {
		*what = "pool_shutdown";
		rc = rc2;
	}
	return rc < 0 ? rc : ran == 1 ? 0 : -EPROTO;
}

static void probe_loop_defer(loop_defer_t *d)
{
	*(int *)d->data = 1;
}

static int probe_loop(const char **what)
{
	loop_t *loop;
	loop_defer_t d = { 0 };
	int ran = 0, rc;
	*what = "loop_create";
	if ((rc = loop_create(&loop, LOOP_BACKEND_EPOLL)) < 0)
		return rc;
	d.data = &ran;
	*what = "loop_defer_start";
	if ((rc = loop_defer_start(loop, &d, probe_loop_defer)) == 0) {
		*what = "loop_run";
		rc = loop_run(loop, LOOP_RUN_DEFAULT);
	}
	int rc2 = loop_destroy(loop);
	if (rc == 0 && rc2 < 0) {
		*what = "loop_destroy";
		rc = rc2;
	}
	return rc < 0 ? rc : ran == 1 ? 0 : -EPROTO;
}

static void *probe_fiber_fn(void *arg)
{
	return fiber_sleep(0) == 0 ? arg : NULL;
}

static int probe_fibers(const char **what)
{
	fiber_sched_t *s;
	int seven = 7, rc;
	*what = "fiber_sched_create";
	if ((rc = fiber_sched_create(&s, 0)) < 0)
		return rc;
	*what = "fiber_spawn";
	if ((rc = fiber_spawn(s, NULL, probe_fiber_fn, &seven)) == 0) {
		*what = "fiber_sched_run (a fiber that sleeps 0 ms)";
		rc = fiber_sched_run(s);
	}
	int rc2 = fiber_sched_destroy(s);
	if (rc == 0 && rc2 < 0) {
		*what = "fiber_sched_destroy";
		rc = rc2;
	}
	return rc;
}

static int probe_offload(const char **what)
{
	int rc = probe_pool(what);
	return rc < 0 ? rc : probe_loop(what);
}

const struct cap_model cap_models[] = {
	{ "seq", "sequential: one request after another", "", false, false, model_seq_run, NULL },
	{ "threads", "thread per request (lab 03)", "03-threads", false, true, model_threads_run,
	  probe_threads },
	{ "pool", "thread pool (lab 05)", "05-callbacks", false, true, model_pool_run, probe_pool },
	{ "loop", "event-loop callbacks (lab 07)", "07-event-loop", true, false, model_loop_run,
	  probe_loop },
	{ "fibers", "fibers on one thread (lab 08)", "08-fibers", true, false, model_fibers_run,
	  probe_fibers },
	{ "offload", "loop + pool: spawn_blocking (labs 05, 07)", "05-callbacks and 07-event-loop",
	  true, true, model_offload_run, probe_offload },
	{ "fut", "futures, one executor (lab 10)", "10-futures", true, false, model_fut_run,
	  probe_fut },
	{ "futmt", "futures, work-stealing executor (lab 10)", "10-futures", true, true,
	  model_futmt_run, probe_futmt },
	{ "futblk", "futures + blocking_spawn (labs 10, 05)", "10-futures and 05-callbacks", true,
	  true, model_futblk_run, probe_futblk },
};
const int cap_nmodels = (int)(sizeof cap_models / sizeof cap_models[0]);

const struct cap_model *cap_model_find(const char *name)
{
	for (int k = 0; k < cap_nmodels; k++)
		if (strcmp(cap_models[k].name, name) == 0)
			return &cap_models[k];
	return NULL;
}
