/* Steps 12-13: the multi-threaded executor: every task runs once, idle workers steal, parked
 * workers wake for new work, no lost wake-up under stress, 100,000 tasks.  Step 12's tests
 * drive the workers from test threads (exec_mt_worker_turn), so they need no parking. */
#include <string.h>
#include <sys/socket.h>

#include "mt_test.h"
#include "workloads.h"

#include <dirent.h>

ASL_SUITE(mt, 60);

/* Step 12's driver: test threads act as the executor's workers, one turn after another,
 * yielding when they find nothing (no parking: that is step 13), until no task is left.  A
 * task lost on the way (never queued again) would keep them turning forever: after a generous
 * deadline (seconds; a drive takes milliseconds) the drivers give up and the test fails
 * naming that mistake instead of reaching the suite's timeout. */
struct drive {
	exec_mt_t *ex;
	int i;
};

static atomic_int drive_give_up; /* set at the deadline: drivers and hogs stop */

static void *drive_worker(void *arg)
{
	struct drive *d = arg;
	while (exec_mt_tasks(d->ex) > 0 && !atomic_load(&drive_give_up))
		if (!exec_mt_worker_turn(d->ex, d->i))
			sched_yield();
	return NULL;
}

static void *drive_watch(void *arg)
{
	struct drive *d = arg;
	uint64_t end = asl_now_ms() + FT_BLOCK_ON_MS;
	while (exec_mt_tasks(d->ex) > 0 && asl_now_ms() < end) {
		struct timespec tick = { 0, 1000000 }; /* a bounded wait, not synchronisation */
		nanosleep(&tick, NULL);
	}
	atomic_store(&drive_give_up, 1);
	return NULL;
}

static void ft_mt_drive(exec_mt_t *ex, int workers, const char *hint)
{
	pthread_t th[8], watch;
	struct drive d[8];
	atomic_store(&drive_give_up, 0);
	cr_assert(workers <= 8);
	for (int i = 0; i < workers; i++) {
		d[i] = (struct drive){ ex, i };
		cr_assert_eq(pthread_create(&th[i], NULL, drive_worker, &d[i]), 0);
	}
	cr_assert_eq(pthread_create(&watch, NULL, drive_watch, &d[0]), 0);
	for (int i = 0; i < workers; i++)
		pthread_join(th[i], NULL);
	pthread_join(watch, NULL);
	cr_assert_eq(exec_mt_tasks(ex), 0,
		     "%d test threads drove the workers (exec_mt_worker_turn) for %d ms and %zu "
		     "task(s) never finished (a drive takes milliseconds): a runnable task went "
		     "missing or stuck.  A task that wakes itself must be queued again (step 2), a "
		     "push must land on a deque or the injection queue, an idle worker must steal "
		     "from a busy one, and a steal must hand on every task it took (step 12)%s",
		     workers, FT_BLOCK_ON_MS, exec_mt_tasks(ex), hint);
}

/* Every task once: 10,000 adders that yield (i % 4 times), run by 4 workers - driven by test
 * threads (step 12) or by exec_mt_run's own (step 13) - each with a join handle. */
enum { EVERY_N = 10000 };

static void every_task_once(bool own_workers)
{
	const char *hint = own_workers ? ASL_HINT(13) : ASL_HINT(12);
	static fut_t *join[EVERY_N];
	int before = asl_test_threads();
	exec_mt_t *ex = ft_mt(4, hint);
	atomic_store(&ft_sum, 0);
	for (int i = 0; i < EVERY_N; i++) {
		int rc = exec_mt_spawn(ex, ft_adder(i, i % 4), &join[i]);
		cr_assert_eq(rc, 0, "exec_mt_spawn: %s%s", asl_test_rc(rc), hint);
	}
	if (own_workers)
		ft_mt_run(ex, before, hint);
	else
		ft_mt_drive(ex, 4, hint);
	long want = (long)EVERY_N * (EVERY_N - 1) / 2;
	cr_assert_eq(atomic_load(&ft_sum), want,
		     "10,000 tasks that yield, on 4 workers: expected "
		     "the sum %ld, got %ld (a task ran twice, or never)%s",
		     want, atomic_load(&ft_sum), hint);
	for (int i = 0; i < EVERY_N; i++) {
		intptr_t v = -1;
		cr_assert_eq(ft_poll_once(join[i], &v), FUT_READY,
			     "join handle %d not ready after "
			     "the run%s",
			     i, hint);
		cr_assert_eq(v, i, "join %d: expected %d, got %ld%s", i, i, (long)v, hint);
		fut_drop(join[i]);
	}
	exec_mt_destroy(ex);
}

Test(mt, workers_run_every_task_once)
{
	every_task_once(false);
}

Test(mt, runs_every_task_once_and_returns)
{
	every_task_once(true);
}

Test(mt, hundred_thousand_tasks)
{
	enum { N = 100000 };
	int before = asl_test_threads();
	exec_mt_t *ex = ft_mt(3, ASL_HINT(13));
	atomic_store(&ft_sum, 0);
	for (int i = 1; i <= N; i++)
		cr_assert_eq(exec_mt_spawn(ex, ft_adder(i, 1), NULL), 0);
	ft_mt_run(ex, before, ASL_HINT(13));
	long want = (long)N * (N + 1) / 2;
	cr_assert_eq(atomic_load(&ft_sum), want,
		     "100,000 tasks: expected %ld, got %ld" ASL_HINT(13), want,
		     atomic_load(&ft_sum));
	exec_mt_destroy(ex);
}

/* Spawns `kids` children from inside its poll (they go on THIS worker's deque), then holds
 * its worker until they have all run: only other workers can run them - by stealing. */
struct hog {
	fut_t base;
	exec_mt_t *ex;
	int kids;
	bool spawned;
};

static enum fut_poll hog_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct hog *h = (struct hog *)self;
	(void)cx;
	if (!h->spawned) {
		for (int i = 0; i < h->kids; i++)
			exec_mt_spawn(h->ex, ft_adder(1, 0), NULL);
		h->spawned = true;
	}
	while (atomic_load(&ft_sum) < h->kids && !atomic_load(&drive_give_up))
		sched_yield();
	*out = 0;
	return FUT_READY;
}

static const struct fut_vtable hog_vtable = { .poll = hog_poll, .drop = ft_free_self };

Test(mt, idle_workers_steal)
{
	exec_mt_t *ex = ft_mt(3, ASL_HINT(12));
	atomic_store(&ft_sum, 0);
	struct hog *h = malloc(sizeof *h);
	*h = (struct hog){ { &hog_vtable }, ex, 64, false };
	cr_assert_eq(exec_mt_spawn(ex, &h->base, NULL), 0);
	ft_mt_drive(ex, 3, ASL_HINT(12)); /* only another worker stealing runs the kids */
	cr_assert(exec_mt_steals(ex) > 0, "the children could only run by being stolen, yet "
					  "exec_mt_steals is 0" ASL_HINT(12));
	exec_mt_destroy(ex);
}

/* Ping-pong between two tasks through stored wakers (workloads.h), on different workers as
 * it happens: any lost wake-up (in the task state machine or in parking) hangs it. */
Test(mt, no_lost_wakeup_under_stress)
{
	int before = asl_test_threads();
	for (int round = 0; round < 4; round++) {
		exec_mt_t *ex = ft_mt(2 + round % 3, ASL_HINT(13));
		struct pingpong pp;
		pingpong_init(&pp, 5000, true);
		for (int i = 0; i < 2; i++) {
			fut_t *side = pingpong_side(&pp, i);
			cr_assert_not_null(side);
			cr_assert_eq(exec_mt_spawn(ex, side, NULL), 0);
		}
		ft_mt_run(ex, before, ASL_HINT(13));
		cr_assert(pingpong_moves(&pp) >= 5000, "ping-pong: %lu of 5000 moves" ASL_HINT(13),
			  (unsigned long)pingpong_moves(&pp));
		exec_mt_destroy(ex);
		pingpong_destroy(&pp);
	}
}

struct outside {
	exec_mt_t *ex;
	struct probe *p;
	atomic_int *ready_to_wake;
};

static void note_pending(struct probe *p, fut_ctx_t *cx)
{
	(void)cx;
	atomic_store((atomic_int *)p->arg, 1);
}

static void *wake_from_outside(void *arg)
{
	struct outside *o = arg;
	while (!atomic_load(o->ready_to_wake))
		sched_yield();
	/* the worker polled the probe; it will park with nothing to do.  New work from
	 * outside - a spawn and a wake - must reach it */
	exec_mt_spawn(o->ex, ft_adder(5, 3), NULL);
	probe_complete(o->p, 1);
	return NULL;
}

Test(mt, parked_workers_wake_for_outside_work)
{
	int before = asl_test_threads();
	exec_mt_t *ex = ft_mt(2, ASL_HINT(13));
	/* static: a run abandoned by the watchdog may still use them */
	static struct probe p;
	static atomic_int flag;
	static struct outside o;
	probe_init(&p);
	atomic_store(&flag, 0);
	p.on_poll = note_pending;
	p.arg = &flag;
	atomic_store(&ft_sum, 0);
	cr_assert_eq(exec_mt_spawn(ex, probe_new(&p), NULL), 0);
	o = (struct outside){ ex, &p, &flag };
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, wake_from_outside, &o), 0);
	ft_mt_run(ex, -1, ASL_HINT(13)); /* the waking thread may still be on its way out */
	pthread_join(th, NULL);
	cr_assert_eq(asl_test_threads_settled(before), before,
		     "threads left after the run" ASL_HINT(13));
	cr_assert_eq(atomic_load(&ft_sum), 5,
		     "the task spawned from outside during the run must "
		     "run: sum %ld" ASL_HINT(13),
		     atomic_load(&ft_sum));
	exec_mt_destroy(ex);
}

struct mt_watched {
	struct probe p;
	atomic_int flag;
};

/* True once every other thread of the process sleeps (or 2 s have passed): the workers have
 * parked, so the wake below must reach a parked worker. */
static bool mt_others_asleep(void)
{
	int self = asl_test_gettid();
	for (uint64_t end = asl_now_ms() + 2000; asl_now_ms() < end; sched_yield()) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *e;
		bool all = true;
		if (!d)
			return false;
		while (all && (e = readdir(d))) {
			int tid = atoi(e->d_name);
			char st = tid > 0 && tid != self ? asl_test_thread_state(tid) : 'S';
			all = st == 'S' || st == 0;
		}
		closedir(d);
		if (all)
			return true;
	}
	return false;
}

static void *mt_wake_parked(void *arg)
{
	struct outside *o = arg;
	while (!atomic_load(o->ready_to_wake))
		sched_yield();
	mt_others_asleep();
	exec_mt_spawn(o->ex, ft_adder(5, 3), NULL);
	probe_complete(o->p, 1);
	return NULL;
}

static int mt_outside_scenario(void *arg)
{
	struct mt_watched *w = arg;
	exec_mt_t *ex = NULL;
	if (exec_mt_create(&ex, 2))
		return -1;
	int rc = exec_mt_spawn(ex, probe_new(&w->p), NULL);
	struct outside o = { ex, &w->p, &w->flag };
	pthread_t th;
	if (rc == 0 && pthread_create(&th, NULL, mt_wake_parked, &o) == 0) {
		rc = exec_mt_run(ex);
		pthread_join(th, NULL);
	}
	exec_mt_destroy(ex);
	return rc;
}

Test(mt, outside_work_wakes_a_parked_worker_in_time)
{
	static struct mt_watched w; /* an abandoned run may still use it */
	probe_init(&w.p);
	atomic_store(&w.flag, 0);
	w.p.on_poll = note_pending;
	w.p.arg = &w.flag;
	atomic_store(&ft_sum, 0);
	int rc = -1;
	struct asl_call *c = asl_call_start(mt_outside_scenario, &w);
	if (!asl_call_wait(c, ASL_WATCHDOG_MS, &rc))
		cr_assert_fail("2 workers parked with nothing to do; another thread spawned a task "
			       "and woke a pending one: %d ms later the run had not finished.  "
			       "Scheduling a task must wake a parked worker (mt_notify after the "
			       "push), and a worker must look at the queues again after announcing "
			       "that it parks" ASL_HINT(12),
			       ASL_WATCHDOG_MS);
	cr_assert_eq(rc, 0, "exec_mt_run: expected 0, got %s" ASL_HINT(13), asl_test_rc(rc));
	cr_assert_eq(atomic_load(&ft_sum), 5,
		     "the task spawned from outside during the run must "
		     "run: sum %ld" ASL_HINT(13),
		     atomic_load(&ft_sum));
}
