/* Steps 3-4: the single-threaded executor: lazy spawn, join handles, running until every task
 * is done, wakes from other threads reaching an executor parked in epoll_wait, no lost
 * wake-up under stress, 100,000 tasks. */
#include "fut_test.h"

ASL_SUITE(exec, 30);

Test(exec, spawn_is_lazy)
{
	exec_t *ex = ft_exec(ASL_HINT(4));
	struct probe p;
	probe_init(&p);
	atomic_store(&p.ready, true);
	ft_spawn(ex, probe_new(&p), NULL, ASL_HINT(4));
	cr_assert_eq(atomic_load(&p.polls), 0,
		     "exec_spawn must not poll the future (futures "
		     "are lazy: nothing runs until the executor "
		     "polls it); it was polled %d times" ASL_HINT(4),
		     atomic_load(&p.polls));
	cr_assert_eq(exec_tasks(ex), 1,
		     "after one spawn exec_tasks: expected 1, got %zu" ASL_HINT(4), exec_tasks(ex));
	ft_run(ex, ASL_HINT(4));
	cr_assert_eq(atomic_load(&p.polls), 1,
		     "a future that is ready at once is polled once, "
		     "got %d" ASL_HINT(4),
		     atomic_load(&p.polls));
	exec_destroy(ex);
}

struct spawner {
	fut_t base;
	exec_t *ex;
	int depth;
	atomic_int *finished;
};

static const struct fut_vtable spawner_vtable;

static fut_t *spawner_new(exec_t *ex, int depth, atomic_int *finished)
{
	struct spawner *s = malloc(sizeof *s);
	*s = (struct spawner){ { &spawner_vtable }, ex, depth, finished };
	return &s->base;
}

/* Spawns two children (depth-1) from inside its poll, then finishes. */
static enum fut_poll spawner_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct spawner *s = (struct spawner *)self;
	(void)cx;
	if (s->depth > 0) {
		exec_spawn(s->ex, spawner_new(s->ex, s->depth - 1, s->finished), NULL);
		exec_spawn(s->ex, spawner_new(s->ex, s->depth - 1, s->finished), NULL);
	}
	atomic_fetch_add(s->finished, 1);
	*out = 0;
	return FUT_READY;
}

static void spawner_drop(fut_t *self)
{
	free(self);
}

static const struct fut_vtable spawner_vtable = { .poll = spawner_poll, .drop = spawner_drop };

Test(exec, run_returns_when_all_tasks_finish)
{
	exec_t *ex = ft_exec(ASL_HINT(4));
	atomic_int finished = 0;
	ft_spawn(ex, spawner_new(ex, 6, &finished), NULL, ASL_HINT(4));
	for (int i = 0; i < 5; i++)
		ft_spawn(ex, fut_yield((unsigned)i * 3, i), NULL, ASL_HINT(4));
	ft_run(ex, ASL_HINT(4));
	cr_assert_eq(atomic_load(&finished), 127,
		     "a task tree of depth 6 spawned from inside "
		     "tasks: expected 127 to finish, %d did" ASL_HINT(4),
		     atomic_load(&finished));
	exec_destroy(ex);
}

Test(exec, join_handle_gives_result)
{
	exec_t *ex = ft_exec(ASL_HINT(3));
	fut_t *j1, *j2;
	ft_spawn(ex, fut_yield(5, 42), &j1, ASL_HINT(3));
	ft_spawn(ex, fut_yield(0, -7), &j2, ASL_HINT(3));
	intptr_t v = ft_block_on_why(ex, j1, "a join handle",
				     "The task finished, but nothing woke the block_on task "
				     "awaiting its join handle: when a task completes, wake the "
				     "join waker (waker_wake), do not just drop it",
				     ASL_HINT(3));
	cr_assert_eq(v, 42, "join handle (awaited as a future): expected 42, got %ld" ASL_HINT(3),
		     (long)v);
	ft_run(ex, ASL_HINT(4));
	v = 0;
	cr_assert_eq(ft_poll_once(j2, &v), FUT_READY,
		     "join handle of a finished task: expected "
		     "ready" ASL_HINT(3));
	cr_assert_eq(v, -7, "expected -7, got %ld" ASL_HINT(3), (long)v);
	fut_drop(j2);
	exec_destroy(ex);
}

Test(exec, block_on_returns_with_other_tasks_pending)
{
	exec_t *ex = ft_exec(ASL_HINT(4));
	struct probe p;
	probe_init(&p);
	ft_spawn(ex, probe_new(&p), NULL, ASL_HINT(4));
	intptr_t v = ft_block_on(ex, fut_yield(2, 5), "fut_yield(2, 5)", ASL_HINT(4));
	cr_assert_eq(v, 5, "block_on: expected 5, got %ld" ASL_HINT(4), (long)v);
	cr_assert_eq(exec_tasks(ex), 1,
		     "the never-ready task is still there: expected 1 task, "
		     "got %zu" ASL_HINT(4),
		     exec_tasks(ex));
	exec_destroy(ex);
	cr_assert_eq(atomic_load(&p.drops), 1,
		     "exec_destroy must cancel (drop) unfinished tasks: "
		     "expected 1 drop, got %d" ASL_HINT(3),
		     atomic_load(&p.drops));
}

/* Wakes from another thread while the executor is not running: the first posts
 * ex->remote_post to the loop, the others only queue their task, since that post is still
 * queued (remote_posted).  Handing the same loop_post_t to loop_post a second time links it
 * to itself in the loop's post list: draining that list then never ends.  Checked right
 * after the wakes, before anything runs, so the mistake fails here instead of hanging. */
Test(exec, remote_wakes_post_once_until_drained)
{
	enum { N = 3 };
	exec_t *ex = ft_exec(ASL_HINT(4));
	struct probe p[N];
	for (int i = 0; i < N; i++) {
		probe_init(&p[i]);
		ft_spawn(ex, probe_new(&p[i]), NULL, ASL_HINT(4));
	}
	/* one round polls every probe: each is pending with its task's waker registered */
	ft_block_on(ex, fut_yield(1, 0), "fut_yield(1, 0)", ASL_HINT(4));
	for (int i = 0; i < N; i++)
		cr_assert_eq(atomic_load(&p[i].polls), 1,
			     "a spawned task pending on a probe: expected 1 poll before the "
			     "block_on returned, got %d" ASL_HINT(4),
			     atomic_load(&p[i].polls));
	/* this thread runs no executor now: every wake below comes from "another thread" */
	for (int i = 0; i < N; i++)
		probe_complete(&p[i], i);
	cr_assert(ex->remote_post.next != &ex->remote_post,
		  "%d tasks woken from outside the executor while its loop was not running: "
		  "ex->remote_post was handed to loop_post again while it was still queued (its "
		  "next now points to itself, so the loop's post list never ends).  Post only "
		  "when no post is outstanding (remote_posted), and clear that flag when the "
		  "post's callback drains the remote queue" ASL_HINT(4),
		  N);
	ft_run(ex, ASL_HINT(4));
	for (int i = 0; i < N; i++)
		cr_assert_eq(atomic_load(&p[i].polls), 2,
			     "a task woken once from another thread: expected 2 polls in all, "
			     "got %d" ASL_HINT(4),
			     atomic_load(&p[i].polls));
	exec_destroy(ex);
}

struct remote {
	struct probe p;
	atomic_int stage; /* 1: the task has polled and is pending */
};

static void mark_pending(struct probe *p, fut_ctx_t *cx)
{
	(void)cx;
	atomic_store(&((struct remote *)p->arg)->stage, 1);
}

static void *complete_later(void *arg)
{
	struct remote *r = arg;
	while (atomic_load(&r->stage) == 0)
		sched_yield();
	/* the executor now has nothing runnable: it parks in epoll_wait, woken by our wake */
	probe_complete(&r->p, 99);
	return NULL;
}

Test(exec, wake_from_another_thread)
{
	exec_t *ex = ft_exec(ASL_HINT(4));
	struct remote r = { 0 };
	probe_init(&r.p);
	r.p.on_poll = mark_pending;
	r.p.arg = &r;
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, complete_later, &r), 0);
	intptr_t v = ft_block_on(ex, probe_new(&r.p), "probe", ASL_HINT(4));
	pthread_join(th, NULL);
	cr_assert_eq(v, 99, "a task completed by another thread: expected 99, got %ld" ASL_HINT(4),
		     (long)v);
	exec_destroy(ex);
}

static void *wake_now(void *arg)
{
	probe_wake(arg);
	return NULL;
}

/* First poll: another thread wakes the task - and is done with it - before this poll returns
 * pending.  Second poll: ready. */
static void wake_before_pending(struct probe *p, fut_ctx_t *cx)
{
	if (atomic_load(&p->polls) == 1) {
		pthread_mutex_lock(&p->lock);
		waker_register(&p->waker, cx);
		pthread_mutex_unlock(&p->lock);
		pthread_t th;
		cr_assert_eq(pthread_create(&th, NULL, wake_now, p), 0);
		pthread_join(th, NULL);
	} else {
		p->value = 5;
		atomic_store(&p->ready, true);
	}
}

Test(exec, wake_before_pending_is_returned)
{
	exec_t *ex = ft_exec(ASL_HINT(4));
	struct probe p;
	probe_init(&p);
	p.on_poll = wake_before_pending;
	/* if that wake were lost, nothing would ever poll the task again: block_on would hang
	 * and the suite's timeout would fail the test */
	intptr_t v = ft_block_on(ex, probe_new(&p), "probe", ASL_HINT(2));
	cr_assert_eq(v, 5, "expected 5, got %ld" ASL_HINT(2), (long)v);
	cr_assert_eq(atomic_load(&p.polls), 2, "expected exactly 2 polls, got %d" ASL_HINT(2),
		     atomic_load(&p.polls));
	exec_destroy(ex);
}

/* Wakes `target` n times from its own poll, on the executor's thread, then finishes. */
struct waker_task {
	fut_t base;
	struct probe *target;
	int n;
};

static enum fut_poll waker_task_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct waker_task *w = (struct waker_task *)self;
	(void)cx;
	atomic_store(&w->target->ready, true);
	for (int i = 0; i < w->n; i++)
		probe_wake(w->target);
	*out = 0;
	return FUT_READY;
}

static const struct fut_vtable waker_task_vtable = { .poll = waker_task_poll,
						     .drop = ft_free_self };

Test(exec, task_woken_n_times_polled_once_per_batch)
{
	exec_t *ex = ft_exec(ASL_HINT(2));
	struct probe p;
	probe_init(&p);
	ft_spawn(ex, probe_new(&p), NULL, ASL_HINT(4));
	struct waker_task *w = malloc(sizeof *w);
	*w = (struct waker_task){ { &waker_task_vtable }, &p, 50 };
	ft_spawn(ex, &w->base, NULL, ASL_HINT(4));
	ft_run(ex, ASL_HINT(4));
	cr_assert_eq(atomic_load(&p.polls), 2,
		     "woken 50 times between two polls, a task is "
		     "queued once and polled once: expected 2 polls in all, got %d" ASL_HINT(2),
		     atomic_load(&p.polls));
	exec_destroy(ex);
}

/* Wakes `target` once per poll while it is not ready (spurious wakes), `yields` times, then
 * makes it ready and wakes it for real. */
struct nagger {
	fut_t base;
	struct probe *target;
	int yields;
};

static enum fut_poll nagger_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct nagger *n = (struct nagger *)self;
	if (n->yields-- > 0) {
		probe_wake(n->target);
		waker_wake_by_ref(cx->waker);
		return FUT_PENDING;
	}
	probe_complete(n->target, 3);
	*out = 0;
	return FUT_READY;
}

static const struct fut_vtable nagger_vtable = { .poll = nagger_poll, .drop = ft_free_self };

Test(exec, spurious_wakes_are_harmless)
{
	exec_t *ex = ft_exec(ASL_HINT(4));
	struct probe p;
	probe_init(&p);
	fut_t *join;
	ft_spawn(ex, probe_new(&p), &join, ASL_HINT(4));
	struct nagger *n = malloc(sizeof *n);
	*n = (struct nagger){ { &nagger_vtable }, &p, 3 };
	ft_spawn(ex, &n->base, NULL, ASL_HINT(4));
	intptr_t v = ft_block_on(ex, join, "join", ASL_HINT(4));
	cr_assert_eq(v, 3, "expected 3, got %ld" ASL_HINT(4), (long)v);
	cr_assert_eq(atomic_load(&p.polls), 5,
		     "3 wakes with nothing to report, then a real "
		     "one: expected 5 polls (each wake one more), got %d" ASL_HINT(4),
		     atomic_load(&p.polls));
	ft_run(ex, ASL_HINT(4));
	exec_destroy(ex);
}

/* Ping-pong with another thread: the task waits for `seq` to reach its next value, the
 * thread waits for the task's acknowledgement.  A single lost wake-up hangs it. */
struct pingpong {
	fut_t base;
	pthread_mutex_t lock;
	fut_waker_t waker;
	atomic_int seq, ack;
	int rounds;
};

static enum fut_poll pingpong_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct pingpong *pp = (struct pingpong *)self;
	for (;;) {
		int s = atomic_load(&pp->seq);
		if (s > atomic_load(&pp->ack)) {
			atomic_store(&pp->ack, s);
			continue;
		}
		if (s == pp->rounds) {
			*out = s;
			return FUT_READY;
		}
		pthread_mutex_lock(&pp->lock);
		waker_register(&pp->waker, cx);
		pthread_mutex_unlock(&pp->lock);
		if (atomic_load(&pp->seq) == s) /* checked again AFTER registering */
			return FUT_PENDING;
	}
}

static void pingpong_drop(fut_t *self)
{
	struct pingpong *pp = (struct pingpong *)self;
	pthread_mutex_lock(&pp->lock);
	waker_drop(&pp->waker);
	pthread_mutex_unlock(&pp->lock);
}

static const struct fut_vtable pingpong_vtable = { .poll = pingpong_poll, .drop = pingpong_drop };

static void *pingpong_thread(void *arg)
{
	struct pingpong *pp = arg;
	for (int i = 1; i <= pp->rounds; i++) {
		while (atomic_load(&pp->ack) != i - 1)
			sched_yield();
		atomic_store(&pp->seq, i);
		pthread_mutex_lock(&pp->lock);
		fut_waker_t w = waker_clone(&pp->waker);
		pthread_mutex_unlock(&pp->lock);
		waker_wake(&w);
	}
	return NULL;
}

Test(exec, no_lost_wakeup_under_stress)
{
	exec_t *ex = ft_exec(ASL_HINT(4));
	struct pingpong pp = { .base = { &pingpong_vtable }, .rounds = 20000 };
	pthread_mutex_init(&pp.lock, NULL);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, pingpong_thread, &pp), 0);
	fut_t *join;
	ft_spawn(ex, &pp.base, &join, ASL_HINT(4));
	intptr_t v = ft_block_on(ex, join, "ping-pong join", ASL_HINT(4));
	pthread_join(th, NULL);
	cr_assert_eq(v, 20000,
		     "20,000 wakes from another thread: expected to see round 20000, "
		     "got %ld" ASL_HINT(4),
		     (long)v);
	exec_destroy(ex);
}

Test(exec, hundred_thousand_tasks)
{
	enum { N = 100000 };
	exec_t *ex = ft_exec(ASL_HINT(4));
	atomic_store(&ft_sum, 0);
	for (int i = 1; i <= N; i++) {
		ft_spawn(ex, ft_adder(i, i % 3), NULL, ASL_HINT(4));
	}
	cr_assert_eq(exec_tasks(ex), N, "expected %d tasks, got %zu" ASL_HINT(4), N,
		     exec_tasks(ex));
	ft_run(ex, ASL_HINT(4));
	long want = (long)N * (N + 1) / 2;
	cr_assert_eq(atomic_load(&ft_sum), want,
		     "100,000 tasks: expected the sum %ld, got %ld "
		     "(some task ran twice or never)" ASL_HINT(4),
		     want, atomic_load(&ft_sum));
	exec_destroy(ex);
}

/* The join handle awaited from another task, on a thread of its own with a watchdog: a task
 * whose completion does not wake its joiner leaves the awaiting side asleep forever; this
 * fails after a few seconds with the likely mistake instead of reaching the suite's timeout. */
static int join_scenario(void *arg)
{
	intptr_t *out = arg;
	exec_t *ex = NULL;
	if (exec_create(&ex))
		return -1;
	fut_t *j = NULL;
	if (exec_spawn(ex, fut_yield(3, 42), &j)) {
		exec_destroy(ex);
		return -2;
	}
	int rc = exec_block_on(ex, j, out);
	exec_destroy(ex);
	return rc;
}

Test(exec, join_wakes_its_awaiter)
{
	ft_need_lab07();
	intptr_t out = 0;
	int rc = -1;
	struct asl_call *c = asl_call_start(join_scenario, &out);
	if (!asl_call_wait(c, ASL_WATCHDOG_MS, &rc))
		cr_assert_fail(
		    "exec_block_on(join handle of a task that yields 3 times and returns "
		    "42) still waiting after %d ms: the task finished, but its join "
		    "handle's waker was never woken.  When a task completes, wake the "
		    "join waker (waker_wake), do not just drop it" ASL_HINT(3),
		    ASL_WATCHDOG_MS);
	cr_assert(rc == 0 && out == 42,
		  "exec_block_on(join handle): expected 0 and 42, got %s "
		  "and %ld" ASL_HINT(3),
		  asl_test_rc(rc), (long)out);
}
