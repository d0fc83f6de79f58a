/* Steps 12-13: the multi-threaded executor: every task runs once, idle workers steal, parked
 * workers wake for new work, no lost wake-up under stress, 100,000 tasks. */
#include "fut_test.h"

#include <dirent.h>

ASL_SUITE(mt, 60);

static exec_mt_t *ft_mt(int workers, const char *hint)
{
	exec_mt_t *ex = NULL;
	int rc = exec_mt_create(&ex, workers);
	cr_assert(rc == 0 && ex, "exec_mt_create(%d): expected 0, got %s%s", workers,
		  asl_test_rc(rc), hint);
	return ex;
}

static void ft_mt_run(exec_mt_t *ex, int threads_before, const char *hint)
{
	int rc = exec_mt_run(ex);
	cr_assert_eq(rc, 0, "exec_mt_run: expected 0, got %s%s", asl_test_rc(rc), hint);
	int now = asl_test_threads_settled(threads_before);
	cr_assert_eq(now, threads_before, "exec_mt_run returned with %d threads, %d before: it "
		     "must join its workers%s", now, threads_before, hint);
}

Test(mt, runs_every_task_once_and_returns)
{
	enum { N = 10000 };
	int before = asl_test_threads();
	exec_mt_t *ex = ft_mt(4, ASL_HINT(12));
	static fut_t *join[N];
	atomic_store(&ft_sum, 0);
	for (int i = 0; i < N; i++) {
		int rc = exec_mt_spawn(ex, ft_adder(i, i % 4), &join[i]);
		cr_assert_eq(rc, 0, "exec_mt_spawn: %s" ASL_HINT(12), asl_test_rc(rc));
	}
	ft_mt_run(ex, before, ASL_HINT(12));
	long want = (long)N * (N - 1) / 2;
	cr_assert_eq(atomic_load(&ft_sum), want, "10,000 tasks on 4 workers: expected the sum %ld, "
		     "got %ld (a task ran twice, or never)" ASL_HINT(12), want,
		     atomic_load(&ft_sum));
	for (int i = 0; i < N; i++) {
		intptr_t v = -1;
		cr_assert_eq(ft_poll_once(join[i], &v), FUT_READY, "join handle %d not ready after "
			     "the run" ASL_HINT(12), i);
		cr_assert_eq(v, i, "join %d: expected %d, got %ld" ASL_HINT(12), i, i, (long)v);
		fut_drop(join[i]);
	}
	exec_mt_destroy(ex);
}

Test(mt, hundred_thousand_tasks)
{
	enum { N = 100000 };
	int before = asl_test_threads();
	exec_mt_t *ex = ft_mt(3, ASL_HINT(12));
	atomic_store(&ft_sum, 0);
	for (int i = 1; i <= N; i++)
		cr_assert_eq(exec_mt_spawn(ex, ft_adder(i, 1), NULL), 0);
	ft_mt_run(ex, before, ASL_HINT(12));
	long want = (long)N * (N + 1) / 2;
	cr_assert_eq(atomic_load(&ft_sum), want,
		     "100,000 tasks: expected %ld, got %ld" ASL_HINT(12), want, atomic_load(&ft_sum));
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
	while (atomic_load(&ft_sum) < h->kids)
		sched_yield();
	*out = 0;
	return FUT_READY;
}

static const struct fut_vtable hog_vtable = { .poll = hog_poll, .drop = ft_free_self };

Test(mt, idle_workers_steal)
{
	int before = asl_test_threads();
	exec_mt_t *ex = ft_mt(3, ASL_HINT(12));
	atomic_store(&ft_sum, 0);
	struct hog *h = malloc(sizeof *h);
	*h = (struct hog){ { &hog_vtable }, ex, 64, false };
	cr_assert_eq(exec_mt_spawn(ex, &h->base, NULL), 0);
	ft_mt_run(ex, before, ASL_HINT(12)); /* hangs unless another worker steals the kids */
	cr_assert(exec_mt_steals(ex) > 0, "the children could only run by being stolen, yet "
		  "exec_mt_steals is 0" ASL_HINT(12));
	exec_mt_destroy(ex);
}

/* Ping-pong between two tasks through atomics and stored wakers, on different workers as
 * it happens: any lost wake-up (in the task state machine or in parking) hangs it. */
struct pp_side {
	fut_t base;
	struct pp *pp;
	int me;
};

struct pp {
	pthread_mutex_t lock;
	fut_waker_t waker[2];
	atomic_int turn; /* whose move: 0 or 1; moves counted in `moves` */
	atomic_int moves;
	int rounds;
};

static enum fut_poll pp_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct pp_side *s = (struct pp_side *)self;
	struct pp *pp = s->pp;
	for (;;) {
		if (atomic_load(&pp->moves) >= pp->rounds) {
			*out = 0;
			return FUT_READY;
		}
		if (atomic_load(&pp->turn) == s->me) {
			atomic_fetch_add(&pp->moves, 1);
			atomic_store(&pp->turn, 1 - s->me);
			pthread_mutex_lock(&pp->lock);
			fut_waker_t w = waker_clone(&pp->waker[1 - s->me]);
			pthread_mutex_unlock(&pp->lock);
			waker_wake(&w);
			continue;
		}
		pthread_mutex_lock(&pp->lock);
		waker_register(&pp->waker[s->me], cx);
		pthread_mutex_unlock(&pp->lock);
		if (atomic_load(&pp->turn) != s->me && atomic_load(&pp->moves) < pp->rounds)
			return FUT_PENDING;
	}
}

static const struct fut_vtable pp_vtable = { .poll = pp_poll, .drop = ft_free_self };

Test(mt, no_lost_wakeup_under_stress)
{
	int before = asl_test_threads();
	for (int round = 0; round < 4; round++) {
		exec_mt_t *ex = ft_mt(2 + round % 3, ASL_HINT(13));
		struct pp pp = { .rounds = 5000 };
		pthread_mutex_init(&pp.lock, NULL);
		for (int i = 0; i < 2; i++) {
			struct pp_side *s = malloc(sizeof *s);
			*s = (struct pp_side){ { &pp_vtable }, &pp, i };
			cr_assert_eq(exec_mt_spawn(ex, &s->base, NULL), 0);
		}
		ft_mt_run(ex, before, ASL_HINT(13));
		cr_assert(atomic_load(&pp.moves) >= 5000, "ping-pong: %d of 5000 moves"
			  ASL_HINT(13), atomic_load(&pp.moves));
		exec_mt_destroy(ex);
		pthread_mutex_lock(&pp.lock);
		waker_drop(&pp.waker[0]);
		waker_drop(&pp.waker[1]);
		pthread_mutex_unlock(&pp.lock);
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
	struct probe p;
	atomic_int flag = 0;
	probe_init(&p);
	p.on_poll = note_pending;
	p.arg = &flag;
	atomic_store(&ft_sum, 0);
	cr_assert_eq(exec_mt_spawn(ex, probe_new(&p), NULL), 0);
	struct outside o = { ex, &p, &flag };
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, wake_from_outside, &o), 0);
	int rc = exec_mt_run(ex);
	cr_assert_eq(rc, 0, "exec_mt_run: expected 0, got %s" ASL_HINT(13), asl_test_rc(rc));
	pthread_join(th, NULL);
	cr_assert_eq(asl_test_threads_settled(before), before, "threads left after the run"
		     ASL_HINT(13));
	cr_assert_eq(atomic_load(&ft_sum), 5, "the task spawned from outside during the run must "
		     "run: sum %ld" ASL_HINT(13), atomic_load(&ft_sum));
	exec_mt_destroy(ex);
}

/* The same as parked_workers_wake_for_outside_work, run on a thread of its own with a
 * watchdog: a schedule that wakes no parked worker leaves the run asleep forever; this fails
 * after a few seconds, naming that mistake, instead of reaching the suite's timeout. */
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
			       "that it parks" ASL_HINT(12), ASL_WATCHDOG_MS);
	cr_assert_eq(rc, 0, "exec_mt_run: expected 0, got %s" ASL_HINT(13), asl_test_rc(rc));
	cr_assert_eq(atomic_load(&ft_sum), 5, "the task spawned from outside during the run must "
		     "run: sum %ld" ASL_HINT(13), atomic_load(&ft_sum));
}
