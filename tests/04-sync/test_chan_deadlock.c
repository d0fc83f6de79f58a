/* Step 6: global deadlock detection over a channel group. */
#include "sync_test.h"

#include <pthread.h>

ASL_SUITE(chan_deadlock, 30);

/* "Promptly": a detector answers at once; a hang is caught by the suite timeout anyway. */
#define PROMPT_MS 5000.0

struct world {
	struct chan_group *g;
	struct chan *a, *b;
};

static void world_init(struct world *w, size_t cap)
{
	cr_assert_eq(chan_group_create(&w->g), 0, "chan_group_create failed");
	cr_assert_eq(chan_create(&w->a, cap, w->g), 0, "chan_create in a group failed");
	cr_assert_eq(chan_create(&w->b, cap, w->g), 0, "chan_create in a group failed");
}

static void world_fini(struct world *w)
{
	chan_destroy(w->a);
	chan_destroy(w->b);
	chan_group_destroy(w->g);
}

/* A call that should report CHAN_DEADLOCK at once, made by the only thread of the group,
 * under a watchdog: a detector that never fires fails here with a message, not a TIMEOUT. */
static int alone(struct world *w, enum st_kind kind, struct chan *ch, void **value, double *ms,
		 const char *what)
{
	struct st_op op = { .kind = kind, .ch = ch, .group = w->g, .value = *value };
	int rc = st_watched(&op, (long)PROMPT_MS);
	cr_assert(
	    rc != ST_HUNG_ASLEEP && rc != ST_HUNG_BUSY,
	    "%s, the only thread of its group: "
	    "still blocked after %.0f ms instead of returning CHAN_DEADLOCK.  When it goes to "
	    "sleep, every entered thread is stuck: is the count of stuck threads compared "
	    "with the number entered exactly (>=, not >; off by one?), and is the sleeper "
	    "itself counted?" ASL_HINT(6),
	    what, PROMPT_MS);
	*value = op.value;
	*ms = op.took_ms;
	return rc;
}

/* The notes' Go program: main receives on a channel nobody will ever send on. */
Test(chan_deadlock, go_example_recv_nobody_sends)
{
	struct world w;
	void *v;
	world_init(&w, 0);
	double ms;
	v = NULL;
	int rc = alone(&w, ST_RECV, w.a, &v, &ms, "a recv on a channel nobody sends on");
	cr_assert_eq(rc, CHAN_DEADLOCK,
		     "the only thread of the group received on a channel nobody"
		     " sends on: got %s, expected %s" ASL_HINT(6),
		     st_rc(rc), st_rc(CHAN_DEADLOCK));
	cr_assert(ms < PROMPT_MS, "deadlock reported only after %.0f ms" ASL_HINT(6), ms);
	world_fini(&w);
}

/* The notes' pitfall: an unbuffered send with no receiver. */
Test(chan_deadlock, unbuffered_send_no_receiver)
{
	struct world w;
	void *v;
	world_init(&w, 0);
	double ms;
	v = ST_INT(1);
	int rc = alone(&w, ST_SEND, w.a, &v, &ms, "an unbuffered send with no receiver");
	chan_group_enter(w.g);
	cr_assert_eq(rc, CHAN_DEADLOCK,
		     "unbuffered send, no receiver anywhere: got %s, expected "
		     "CHAN_DEADLOCK" ASL_HINT(6),
		     st_rc(rc));
	rc = chan_recv_timeout(w.a, &v, 0);
	cr_assert_eq(rc, CHAN_TIMEOUT,
		     "the deadlocked send left its value in the channel (recv "
		     "got %s)" ASL_HINT(6),
		     st_rc(rc));
	chan_group_leave(w.g);
	world_fini(&w);
}

Test(chan_deadlock, full_buffered_channel)
{
	struct world w;
	void *v = ST_INT(3);
	double ms;
	world_init(&w, 2);
	int rc1 = chan_send(w.a, ST_INT(1)), rc2 = chan_send(w.a, ST_INT(2));
	int rc = alone(&w, ST_SEND, w.a, &v, &ms, "a send into a full channel nobody receives on");
	cr_assert(rc1 == CHAN_OK && rc2 == CHAN_OK, "sends into free slots failed: %s" ASL_HINT(6),
		  st_rc(rc1 ? rc1 : rc2));
	cr_assert_eq(rc, CHAN_DEADLOCK,
		     "third send into a full capacity-2 channel, nobody to "
		     "receive: got %s" ASL_HINT(6),
		     st_rc(rc));
	world_fini(&w);
}

/* Two threads, each waiting for the other: A receives on a then would send on b; B receives
 * on b then would send on a.  Both calls must return CHAN_DEADLOCK. */
struct pair {
	struct world *w;
	struct chan *in, *out;
	pthread_barrier_t *start;
	atomic_int *returned; /* calls returned so far, of both threads */
	int rc;
	bool other_returned; /* the other thread's call returned before this one left */
};

static void *pair_thread(void *arg)
{
	struct pair *p = arg;
	void *v;
	pthread_barrier_wait(p->start);
	p->rc = chan_recv(p->in, &v);
	atomic_fetch_add(p->returned, 1);
	/* Still counted in, and not blocked on a channel: wait (bounded) for the other call to
	 * return too.  The deadlock existed while both slept, so BOTH calls must report it -
	 * not only the one that noticed, with the other rescued later by our leave. */
	uint64_t t0 = asl_now_ns();
	while (atomic_load(p->returned) < 2 && st_ms_since(t0) < PROMPT_MS)
		sched_yield();
	p->other_returned = atomic_load(p->returned) == 2;
	if (p->rc == CHAN_OK)
		chan_send(p->out, v);
	chan_group_leave(p->w->g);
	return NULL;
}

Test(chan_deadlock, two_threads_wait_for_each_other)
{
	struct world w;
	pthread_barrier_t start;
	pthread_t t[2];
	struct pair p[2];
	int before = asl_test_threads();
	world_init(&w, 0);
	pthread_barrier_init(&start, NULL, 2);
	atomic_int returned;
	atomic_init(&returned, 0);
	p[0] = (struct pair){
		.w = &w, .in = w.a, .out = w.b, .start = &start, .returned = &returned, .rc = 1
	};
	p[1] = (struct pair){
		.w = &w, .in = w.b, .out = w.a, .start = &start, .returned = &returned, .rc = 1
	};
	chan_group_enter(w.g); /* both counted in before either exists, as Go's `go` does */
	chan_group_enter(w.g);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, pair_thread, &p[i]), 0);
	if (!asl_test_wait_flag(&returned, 2, 2 * (long)PROMPT_MS)) {
		asl_test_abandon();
		cr_assert_fail(
		    "two threads of a group, each receiving from the other: after %.0f ms "
		    "%d of their 2 calls had returned.  Once both sleep, every entered "
		    "thread is stuck: is the count of stuck threads compared with the "
		    "number entered exactly (>=, not >; off by one?)" ASL_HINT(6),
		    2 * PROMPT_MS, atomic_load(&returned));
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(p[i].rc, CHAN_DEADLOCK,
			     "thread %d of 2, each receiving from the other: "
			     "got %s, expected CHAN_DEADLOCK" ASL_HINT(6),
			     i, st_rc(p[i].rc));
	for (int i = 0; i < 2; i++)
		cr_assert(p[i].other_returned,
			  "thread %d got CHAN_DEADLOCK, but the other thread's "
			  "recv did not return until thread %d left the group: when every thread "
			  "is stuck, EVERY blocked call must return CHAN_DEADLOCK" ASL_HINT(6),
			  i, i);
	world_fini(&w);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

/* The last sender leaves without sending: the receiver left behind is deadlocked. */
static void *leave_at_once(void *arg)
{
	struct world *w = arg;
	chan_group_leave(w->g);
	return NULL;
}

Test(chan_deadlock, last_other_thread_leaves)
{
	struct world w;
	pthread_t t;
	void *v;
	int before = asl_test_threads();
	world_init(&w, 0);
	chan_group_enter(w.g); /* main */
	chan_group_enter(w.g); /* the worker */
	cr_assert_eq(pthread_create(&t, NULL, leave_at_once, &w), 0);
	int rc = chan_recv(w.a, &v);
	pthread_join(t, NULL);
	chan_group_leave(w.g);
	cr_assert_eq(rc, CHAN_DEADLOCK,
		     "the only other thread left the group without sending: "
		     "got %s" ASL_HINT(6),
		     st_rc(rc));
	world_fini(&w);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

/* No false alarms: a busy producer/consumer pair through an unbuffered channel passes
 * through many moments where one side sleeps and the other was just woken. */
struct pc {
	struct world *w;
	long n;
	int rc;
	long sum;
};

static void *pc_producer(void *arg)
{
	struct pc *p = arg;
	p->rc = 0;
	for (long i = 1; i <= p->n && !p->rc; i++)
		p->rc = chan_send(p->w->a, ST_INT(i));
	if (!p->rc)
		chan_close(p->w->a);
	chan_group_leave(p->w->g);
	return NULL;
}

static void *pc_consumer(void *arg)
{
	struct pc *p = arg;
	void *v;
	int rc;
	p->sum = 0;
	while ((rc = chan_recv(p->w->a, &v)) == CHAN_OK)
		p->sum += ST_LONG(v);
	p->rc = rc == CHAN_CLOSED ? 0 : rc;
	chan_group_leave(p->w->g);
	return NULL;
}

static void no_false_alarm(size_t cap)
{
	struct world w;
	pthread_t t[4];
	struct pc p[4];
	int before = asl_test_threads();
	world_init(&w, cap);
	for (int i = 0; i < 4; i++) {
		p[i] = (struct pc){ .w = &w, .n = 20000 };
		chan_group_enter(w.g);
	}
	/* two producers would race to close: one producer, three consumers */
	cr_assert_eq(pthread_create(&t[0], NULL, pc_producer, &p[0]), 0);
	for (int i = 1; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, pc_consumer, &p[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	long sum = p[1].sum + p[2].sum + p[3].sum;
	for (int i = 0; i < 4; i++)
		cr_assert_eq(p[i].rc, 0,
			     "capacity %zu: %s %d returned %s although the pipeline could"
			     " always make progress (a false deadlock?)" ASL_HINT(6),
			     cap, i ? "consumer" : "producer", i, st_rc(p[i].rc));
	cr_assert_eq(sum, 20000L * 20001 / 2, "capacity %zu: values lost" ASL_HINT(6), cap);
	world_fini(&w);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(chan_deadlock, no_false_alarm_when_progress_is_possible)
{
	no_false_alarm(0);
	no_false_alarm(1);
	no_false_alarm(8);
}

Test(chan_deadlock, timed_wait_is_not_a_deadlock)
{
	struct world w;
	void *v;
	world_init(&w, 0);
	chan_group_enter(w.g);
	int rc = chan_recv_timeout(w.a, &v, 30);
	int rc2 = chan_recv(w.a, &v); /* the same wait without a timer: a deadlock */
	chan_group_leave(w.g);
	cr_assert_eq(rc, CHAN_TIMEOUT,
		     "a timed recv will wake by itself, so it is not a deadlock:"
		     " got %s, expected CHAN_TIMEOUT" ASL_HINT(6),
		     st_rc(rc));
	cr_assert_eq(rc2, CHAN_DEADLOCK,
		     "then the same recv without a timeout: got %s, expected"
		     " CHAN_DEADLOCK" ASL_HINT(6),
		     st_rc(rc2));
	world_fini(&w);
}
