/* Steps 1-3: wakers count references; a task's state word queues it once, never loses a
 * wake-up, ignores wakes after completion.  These tests drive task_run by hand with a
 * scheduler that only records what it is asked to do (no executor: that is step 4), and the
 * tests of steps 1-2 free their tasks by hand (task_discard) rather than through step 3's
 * completion. */
#include "fut_test.h"

ASL_SUITE(waker, 10);
ASL_SUITE(task, 20);

static task_t *new_task(struct rec_sched *r, fut_t *f, fut_t **join, const char *hint)
{
	task_t *t = task_create(&r->base, f, join);
	cr_assert(t, "task_create failed%s", hint);
	return t;
}

static fut_waker_t waker_of(task_t *t)
{
	return (fut_waker_t){ &task_waker_vtable, t };
}

/* What task_cancel does, without step 3: drop the future (and the waker clone a probe keeps),
 * then the executor's reference. */
static void task_discard(task_t *t)
{
	fut_drop(t->fut);
	t->fut = NULL;
	task_release(t);
}

Test(waker, clone_and_drop_count_references)
{
	struct rec_sched r;
	struct probe p;
	rec_init(&r);
	probe_init(&p);
	task_t *t = new_task(&r, probe_new(&p), NULL, ASL_HINT(1));
	fut_waker_t w = waker_of(t);
	fut_waker_t c = waker_clone(&w);
	cr_assert(c.vt == &task_waker_vtable && c.data == t,
		  "waker_clone of a task waker: "
		  "expected the same vtable and data, got vt %p data %p" ASL_HINT(1),
		  (void *)c.vt, c.data);
	cr_assert_eq(task_refs(t), 2,
		     "after one clone: expected 2 references to the task "
		     "(executor + clone), got %u" ASL_HINT(1),
		     task_refs(t));
	fut_waker_t c2 = waker_clone(&c);
	cr_assert_eq(task_refs(t), 3, "after two clones: expected 3 references, got %u" ASL_HINT(1),
		     task_refs(t));
	waker_drop(&c2);
	waker_drop(&c);
	cr_assert_eq(task_refs(t), 1,
		     "after dropping both clones: expected 1 reference, got %u" ASL_HINT(1),
		     task_refs(t));
	cr_assert(c.vt == NULL, "waker_drop must leave the waker empty" ASL_HINT(1));
	task_discard(t); /* the last reference: ASan checks the header is freed, once */
}

struct cloner {
	task_t *t;
	pthread_barrier_t *go;
};

static void *clone_and_drop_many(void *arg)
{
	struct cloner *c = arg;
	fut_waker_t w = waker_of(c->t), held[64];
	pthread_barrier_wait(c->go);
	for (int round = 0; round < 2000; round++) {
		for (int i = 0; i < 64; i++)
			held[i] = waker_clone(&w);
		for (int i = 0; i < 64; i++)
			waker_drop(&held[i]);
	}
	return NULL;
}

Test(waker, clones_on_many_threads_are_counted)
{
	/* Wakers travel: timers, sockets and other threads clone and drop them at the same
	 * time.  Three threads each take 128,000 references and give them back; a count that
	 * is not atomic loses some of them (and frees the header too early, or never). */
	enum { THREADS = 3 };
	struct rec_sched r;
	struct probe p;
	rec_init(&r);
	probe_init(&p);
	task_t *t = new_task(&r, probe_new(&p), NULL, ASL_HINT(1));
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, THREADS);
	struct cloner c = { t, &go };
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, clone_and_drop_many, &c), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	cr_assert_eq(task_refs(t), 1,
		     "%d threads cloned and dropped a task waker 128,000 times "
		     "each: expected the count back at 1 (the executor's), got %u - the reference "
		     "count must be atomic" ASL_HINT(1),
		     THREADS, task_refs(t));
	task_discard(t);
}

Test(waker, wake_consumes_wake_by_ref_keeps)
{
	struct rec_sched r;
	struct probe p;
	rec_init(&r);
	probe_init(&p);
	task_t *t = new_task(&r, probe_new(&p), NULL, ASL_HINT(1));
	task_run(t); /* pending: now idle */
	cr_assert_eq(atomic_load(&r.scheduled), 0,
		     "a pending poll that nobody woke must not "
		     "re-queue the task; it was scheduled %d times" ASL_HINT(2),
		     atomic_load(&r.scheduled));
	unsigned base = task_refs(t); /* the executor's, and the clone the probe keeps */
	fut_waker_t w = waker_of(t), c = waker_clone(&w);
	waker_wake_by_ref(&c);
	cr_assert_eq(atomic_load(&r.scheduled), 1,
		     "wake_by_ref on an idle task: expected it "
		     "scheduled once, got %d" ASL_HINT(1),
		     atomic_load(&r.scheduled));
	cr_assert_eq(task_refs(t), base + 1,
		     "wake_by_ref must keep the reference: expected %u, "
		     "got %u" ASL_HINT(1),
		     base + 1, task_refs(t));
	waker_wake(&c);
	cr_assert_eq(task_refs(t), base,
		     "wake must consume the reference: expected %u left, "
		     "got %u" ASL_HINT(1),
		     base, task_refs(t));
	cr_assert(c.vt == NULL, "waker_wake must leave the waker empty" ASL_HINT(1));
	task_discard(t);
}

Test(waker, wake_after_completion_is_ignored)
{
	struct rec_sched r;
	struct probe p;
	rec_init(&r);
	probe_init(&p);
	atomic_store(&p.ready, true);
	p.value = 7;
	fut_t *join;
	task_t *t = new_task(&r, probe_new(&p), &join, ASL_HINT(1));
	fut_waker_t w = waker_of(t), c = waker_clone(&w);
	task_run(t);
	cr_assert(task_state(t) & TASK_COMPLETE,
		  "a task whose future is ready must be COMPLETE, "
		  "state is %#x" ASL_HINT(3),
		  task_state(t));
	cr_assert_eq(atomic_load(&p.drops), 1,
		     "a completed task drops its future at once; "
		     "drops: %d" ASL_HINT(3),
		     atomic_load(&p.drops));
	cr_assert_eq(atomic_load(&r.done), 1,
		     "sched->done must be called once on completion, "
		     "got %d" ASL_HINT(3),
		     atomic_load(&r.done));
	waker_wake_by_ref(&c);
	waker_wake(&c);
	cr_assert_eq(atomic_load(&r.scheduled), 0,
		     "waking a completed task must be ignored; it "
		     "was scheduled %d times" ASL_HINT(2),
		     atomic_load(&r.scheduled));
	intptr_t v = 0;
	cr_assert_eq(ft_poll_once(join, &v), FUT_READY,
		     "the join handle of a completed task "
		     "must be ready" ASL_HINT(3));
	cr_assert_eq(v, 7, "join handle result: expected 7, got %ld" ASL_HINT(3), (long)v);
	fut_drop(join); /* the last reference: ASan checks the header is freed, once */
}

Test(task, woken_many_times_queued_once)
{
	struct rec_sched r;
	struct probe p;
	rec_init(&r);
	probe_init(&p);
	task_t *t = new_task(&r, probe_new(&p), NULL, ASL_HINT(2));
	task_run(t);
	fut_waker_t w = waker_of(t);
	for (int i = 0; i < 10; i++)
		waker_wake_by_ref(&w);
	cr_assert_eq(atomic_load(&r.scheduled), 1,
		     "10 wakes of an idle task: expected it "
		     "queued once, got %d" ASL_HINT(2),
		     atomic_load(&r.scheduled));
	cr_assert_eq(task_state(t), TASK_SCHEDULED,
		     "state after the wakes: expected SCHEDULED "
		     "(%#x), got %#x" ASL_HINT(2),
		     TASK_SCHEDULED, task_state(t));
	task_run(t);
	cr_assert_eq(atomic_load(&p.polls), 2,
		     "one batch of wakes, one poll: expected 2 polls "
		     "in all, got %d" ASL_HINT(2),
		     atomic_load(&p.polls));
	task_discard(t);
}

static void *wake_from_thread(void *arg)
{
	struct probe *p = arg;
	probe_wake(p);
	return NULL;
}

/* During the poll, another thread wakes the task (and has finished doing so) before the poll
 * returns FUT_PENDING. */
static void wake_on_other_thread_hook(struct probe *p, fut_ctx_t *cx)
{
	if (atomic_load(&p->polls) != 1)
		return;
	pthread_mutex_lock(&p->lock);
	waker_register(&p->waker, cx);
	pthread_mutex_unlock(&p->lock);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, wake_from_thread, p), 0);
	pthread_join(th, NULL);
}

Test(task, wake_during_poll_is_not_lost)
{
	struct rec_sched r;
	struct probe p;
	rec_init(&r);
	probe_init(&p);
	p.on_poll = wake_on_other_thread_hook;
	task_t *t = new_task(&r, probe_new(&p), NULL, ASL_HINT(2));
	task_run(t);
	cr_assert_eq(atomic_load(&r.scheduled), 1,
		     "a wake from another thread during the poll "
		     "(before it returned pending) must re-queue the task once, got %d "
		     "(lost wake-up?)" ASL_HINT(2),
		     atomic_load(&r.scheduled));
	cr_assert_eq(task_state(t), TASK_SCHEDULED,
		     "state after such a poll: expected "
		     "SCHEDULED, got %#x" ASL_HINT(2),
		     task_state(t));
	task_run(t);
	cr_assert_eq(atomic_load(&p.polls), 2, "expected 2 polls, got %d" ASL_HINT(2),
		     atomic_load(&p.polls));
	task_discard(t);
}

Test(task, self_wake_requeues_without_losing_it)
{
	struct rec_sched r;
	rec_init(&r);
	task_t *t = new_task(&r, fut_yield(3, 11), NULL, ASL_HINT(2));
	for (int i = 1; i <= 3; i++) {
		task_run(t);
		cr_assert_eq(atomic_load(&r.scheduled), i,
			     "a future that wakes itself and returns "
			     "pending (a yield) must be queued again: after %d polls expected %d "
			     "schedules, got %d" ASL_HINT(2),
			     i, i, atomic_load(&r.scheduled));
		cr_assert(r.last == t, "scheduled the wrong task" ASL_HINT(2));
		cr_assert(task_current == NULL,
			  "task_current must be restored after the poll, "
			  "it is %p" ASL_HINT(2),
			  (void *)task_current);
	}
	task_discard(t);
}

/* A test waker: counts its wakes; it holds no reference, so a clone is a copy. */
static atomic_int test_wakes;
static fut_waker_t test_waker_clone(const void *data);
static void test_waker_wake(void *data)
{
	(void)data;
	atomic_fetch_add(&test_wakes, 1);
}
static void test_waker_wake_by_ref(const void *data)
{
	(void)data;
	atomic_fetch_add(&test_wakes, 1);
}
static void test_waker_drop(void *data)
{
	(void)data;
}
static const struct fut_waker_vtable test_waker_vtable = {
	.clone = test_waker_clone,
	.wake = test_waker_wake,
	.wake_by_ref = test_waker_wake_by_ref,
	.drop = test_waker_drop,
};
static fut_waker_t test_waker_clone(const void *data)
{
	return (fut_waker_t){ &test_waker_vtable, data };
}

Test(task, join_handle_wakes_its_waiter_with_the_result)
{
	/* The join handle polled by hand with a test waker, the task run by hand: pending
	 * while the task is, woken once when it completes, then ready with its result. */
	struct rec_sched r;
	struct probe p;
	rec_init(&r);
	probe_init(&p);
	atomic_store(&test_wakes, 0);
	fut_t *join = NULL;
	task_t *t = new_task(&r, probe_new(&p), &join, ASL_HINT(3));
	fut_waker_t w = { &test_waker_vtable, NULL };
	fut_ctx_t cx = { &w };
	intptr_t v = -1;
	cr_assert_eq(fut_poll(join, &cx, &v), FUT_PENDING,
		     "the join handle of a task that has "
		     "not run must be pending" ASL_HINT(3));
	task_run(t);
	cr_assert_eq(fut_poll(join, &cx, &v), FUT_PENDING,
		     "the join handle of a pending task "
		     "must be pending" ASL_HINT(3));
	cr_assert_eq(atomic_load(&test_wakes), 0,
		     "nothing finished, yet the join handle's "
		     "waiter was woken %d times" ASL_HINT(3),
		     atomic_load(&test_wakes));
	probe_complete(&p, 23);
	cr_assert_eq(atomic_load(&r.scheduled), 1,
		     "completing the probe must schedule the "
		     "task once, got %d" ASL_HINT(2),
		     atomic_load(&r.scheduled));
	task_run(t);
	cr_assert_eq(atomic_load(&p.drops), 1,
		     "a completed task drops its future at once; "
		     "drops: %d" ASL_HINT(3),
		     atomic_load(&p.drops));
	cr_assert_eq(atomic_load(&r.done), 1,
		     "sched->done must be called once on completion, "
		     "got %d" ASL_HINT(3),
		     atomic_load(&r.done));
	cr_assert_eq(atomic_load(&test_wakes), 1,
		     "the task completed: the waker the join handle "
		     "left must be woken once, it was woken %d times" ASL_HINT(3),
		     atomic_load(&test_wakes));
	cr_assert_eq(fut_poll(join, &cx, &v), FUT_READY,
		     "after completion the join handle must "
		     "be ready" ASL_HINT(3));
	cr_assert_eq(v, 23, "join handle result: expected 23, got %ld" ASL_HINT(3), (long)v);
	fut_drop(join); /* the last reference: ASan checks the header is freed, once */
}

struct stress {
	struct probe p;
	atomic_int round;
	atomic_bool stop;
};

static void *stress_waker(void *arg)
{
	struct stress *s = arg;
	while (!atomic_load(&s->stop)) {
		probe_wake(&s->p);
		sched_yield();
	}
	return NULL;
}

Test(task, concurrent_wakes_never_lose_or_double_queue)
{
	/* Another thread wakes as fast as it can while this one plays the executor: it polls
	 * the task whenever the recording scheduler holds it ("pops" it).  A task must never be
	 * scheduled while it is still queued, and once the waker stops, a task left SCHEDULED
	 * must be in the queue (else its last wake-up was lost). */
	struct rec_sched r;
	struct stress s = { 0 };
	rec_init(&r);
	probe_init(&s.p);
	task_t *t = new_task(&r, probe_new(&s.p), NULL, ASL_HINT(2));
	pthread_t th;
	task_run(t); /* pending: idle */
	cr_assert_eq(pthread_create(&th, NULL, stress_waker, &s), 0);
	int runs = 0;
	for (int i = 0; i < 200000 && runs < 20000; i++) {
		if (atomic_exchange(&r.queued, 0)) {
			task_run(t);
			runs++;
		} else {
			sched_yield();
		}
	}
	atomic_store(&s.stop, true);
	pthread_join(th, NULL);
	int dq = atomic_load(&r.double_queued), q = atomic_load(&r.queued);
	unsigned st = task_state(t);
	cr_assert_eq(dq, 0,
		     "a task was scheduled %d times while it was already queued (%d polls "
		     "with wakes racing): a task must be in at most one queue" ASL_HINT(2),
		     dq, runs);
	cr_assert((st == TASK_SCHEDULED) == (q == 1) && (st == 0 || st == TASK_SCHEDULED),
		  "after the race: state %#x with the task %s the queue - a SCHEDULED task must be "
		  "queued and an idle one not (a lost or a phantom wake-up)" ASL_HINT(2),
		  st, q ? "in" : "not in");
	task_discard(t);
}
