/* Step 4: defers (run on the next iteration), loop_stop and loop_ref. */
#include "loop_test.h"

enum { ND = 5 };

struct defers {
	loop_defer_t d[ND];
	int order[16], n;
	struct lt *t;
};

static void record_cb(loop_defer_t *d)
{
	struct defers *x = d->data;
	if (x->n < 16)
		x->order[x->n] = (int)(d - x->d);
	x->n++;
}

static void start_ok(struct lt *t, loop_defer_t *d, loop_defer_cb cb)
{
	int rc = loop_defer_start(t->loop, d, cb);
	cr_assert_eq(rc, 0, "loop_defer_start: expected 0, got %s" ASL_HINT(4), asl_test_rc(rc));
}

/* An io callback queues defers: they run on the next iteration, in queueing order. */
struct io_defers {
	loop_io_t io;
	struct defers *x;
	int io_calls, seen_at_io;
};

static void queue_from_io_cb(loop_io_t *io, int events)
{
	struct io_defers *y = container_of(io, struct io_defers, io);
	(void)events;
	y->io_calls++;
	for (int i = 0; i < ND; i++)
		start_ok(y->x->t, &y->x->d[(i * 3) % ND], record_cb);
	loop_io_stop(io);
}

LOOP_TEST(defer_runs_next_iteration_in_order)
{
	struct lt t = lt_open(be);
	struct defers x = { .t = &t };
	struct io_defers y = { .x = &x };
	int p[2];
	for (int i = 0; i < ND; i++)
		x.d[i].data = &x;
	lt_pipe(p);
	lt_write(p[1], "x");
	cr_assert_eq(loop_io_start(t.loop, &y.io, p[0], LOOP_READ, queue_from_io_cb), 0,
		     "loop_io_start failed%s", BE_HINT(be));
	int rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(4));
	cr_assert(y.io_calls == 1 && x.n == 0 && rc == 1,
		  "defers queued by an io callback run on "
		  "the NEXT iteration: after one, expected 0 run and loop_run returning 1 (queued "
		  "defers are active); got %d run, %d" ASL_HINT(4),
		  x.n, rc);
	rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(4));
	cr_assert(x.n == ND && rc == 0,
		  "on the next iteration all %d defers should run and "
		  "loop_run return 0; got %d run, %d" ASL_HINT(4),
		  ND, x.n, rc);
	for (int i = 0; i < ND; i++)
		cr_assert_eq(x.order[i], (i * 3) % ND,
			     "defer #%d to run was %d, expected %d "
			     "(queueing order)" ASL_HINT(4),
			     i, x.order[i], (i * 3) % ND);
	close(p[0]);
	close(p[1]);
	lt_close(&t, ASL_HINT(4));
}

/* A defer that queues another (or itself) from its callback: that one runs an iteration later,
 * so defers cannot starve I/O. */
struct chain {
	loop_defer_t d;
	loop_io_t io;
	int runs, io_calls, runs_at_io;
	struct lt *t;
};

static void requeue_cb(loop_defer_t *d)
{
	struct chain *c = container_of(d, struct chain, d);
	c->runs++;
	if (!c->io_calls)
		start_ok(c->t, d, requeue_cb);
}

static void chain_io_cb(loop_io_t *io, int events)
{
	struct chain *c = container_of(io, struct chain, io);
	(void)events;
	c->io_calls++;
	c->runs_at_io = c->runs;
	loop_io_stop(io);
}

LOOP_TEST(defer_queued_from_defer_runs_on_following_iteration)
{
	struct lt t = lt_open(be);
	struct chain c = { .t = &t };
	int p[2];
	lt_pipe(p);
	start_ok(&t, &c.d, requeue_cb);
	int rc = loop_defer_start(t.loop, &c.d, requeue_cb);
	cr_assert_eq(rc, -EBUSY,
		     "queueing a queued defer: expected -16 (EBUSY), got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	for (int i = 1; i <= 3; i++) {
		rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(4));
		cr_assert(
		    c.runs == i && rc == 1,
		    "a defer that re-queues itself: expected exactly "
		    "one run per iteration (%d so far), got %d; loop_run returned %d" ASL_HINT(4),
		    i, c.runs, rc);
	}
	/* with I/O ready, the self-requeueing defer must not keep the loop from dispatching it */
	lt_write(p[1], "x");
	cr_assert_eq(loop_io_start(t.loop, &c.io, p[0], LOOP_READ, chain_io_cb), 0,
		     "loop_io_start failed%s", BE_HINT(be));
	rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(4));
	cr_assert(c.io_calls == 1 && c.runs_at_io == 4 && rc == 0,
		  "a readable pipe and a "
		  "self-requeueing defer: expected the io callback after exactly one more defer "
		  "run (4), then the loop to end; got io "
		  "calls %d after %d defer runs, loop_run %d" ASL_HINT(4),
		  c.io_calls, c.runs_at_io, rc);
	close(p[0]);
	close(p[1]);
	lt_close(&t, ASL_HINT(4));
}

/* Stopping defers: before they run, and from a callback of the same batch (then freed). */
struct doomed {
	loop_defer_t d;
	int *runs;
};

static void doomed_cb(loop_defer_t *d)
{
	(void)d;
	cr_assert_fail("a stopped (and freed) defer ran" ASL_HINT(4));
}

static void killer_cb(loop_defer_t *d)
{
	struct doomed **victim = d->data;
	int rc = loop_defer_stop(&(*victim)->d);
	cr_assert_eq(rc, 0,
		     "loop_defer_stop of a defer queued in the same batch: got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	(*victim)->d.cb = doomed_cb; /* poison, then free: ASan sees any later touch */
	(*victim)->d.queued = true;
	__asm__ volatile("" : : "r"(*victim) : "memory"); /* keep the poison stores */
	free(*victim);
	*victim = NULL;
}

LOOP_TEST(defer_stop_before_and_during_its_batch)
{
	struct lt t = lt_open(be);
	loop_defer_t plain = { 0 }, killer = { 0 };
	struct doomed *victim = calloc(1, sizeof *victim);
	cr_assert(victim);
	start_ok(&t, &plain, doomed_cb);
	cr_assert_eq(loop_defer_stop(&plain), 0, "loop_defer_stop failed" ASL_HINT(4));
	cr_assert_eq(loop_defer_stop(&plain), 0,
		     "stopping a stopped defer: expected 0" ASL_HINT(4));
	killer.data = &victim;
	start_ok(&t, &killer, killer_cb);
	start_ok(&t, &victim->d, doomed_cb);
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(4));
	cr_assert(rc == 0 && victim == NULL,
		  "the first defer stops and frees the second: "
		  "expected loop_run(DEFAULT) to return 0, got %d" ASL_HINT(4),
		  rc);
	lt_close(&t, ASL_HINT(4));
}

/* loop_stop from a timer callback: loop_run returns 1, and the next run goes on. */
static void stop_every_third_cb(loop_timer_t *tm)
{
	int *calls = tm->data;
	if (++*calls % 3 == 0)
		loop_stop(tm->loop);
	if (*calls == 6)
		loop_timer_stop(tm);
}

LOOP_TEST(run_stop_from_callback)
{
	struct lt t = lt_open(be);
	loop_timer_t tm;
	int calls = 0;
	loop_timer_init(t.loop, &tm);
	tm.data = &calls;
	cr_assert_eq(loop_timer_start(&tm, stop_every_third_cb, 0, 1), 0,
		     "loop_timer_start failed" ASL_HINT(3));
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(4));
	cr_assert(rc == 1 && calls == 3,
		  "a repeating timer calls loop_stop on its 3rd call: "
		  "expected loop_run(DEFAULT) to return 1 (still active) after 3 calls; got %d "
		  "after %d" ASL_HINT(4),
		  rc, calls);
	rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(4));
	cr_assert(rc == 0 && calls == 6,
		  "the second run should go on (the stop request is "
		  "used up) until the timer stops itself on call 6 and return 0; got %d after %d "
		  "calls" ASL_HINT(4),
		  rc, calls);
	lt_close(&t, ASL_HINT(4));
}

static void stop_loop_cb(loop_timer_t *tm)
{
	(*(int *)tm->data)++;
	loop_stop(tm->loop);
}

LOOP_TEST(run_ref_keeps_loop_alive)
{
	struct lt t = lt_open(be);
	loop_timer_t tm;
	int calls = 0;
	loop_ref(t.loop);
	int rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(4));
	cr_assert_eq(rc, 1,
		     "no handles but one loop_ref: loop_run(NOWAIT) should return 1 "
		     "(alive), got %d" ASL_HINT(4),
		     rc);
	loop_timer_init(t.loop, &tm);
	tm.data = &calls;
	cr_assert_eq(loop_timer_start(&tm, stop_loop_cb, 1, 0), 0,
		     "loop_timer_start failed" ASL_HINT(3));
	rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(4));
	cr_assert(rc == 1 && calls == 1,
		  "a reference and a one-shot timer that calls loop_stop: "
		  "the reference keeps the loop alive, so loop_run should return 1; got %d (%d "
		  "call(s))" ASL_HINT(4),
		  rc, calls);
	loop_unref(t.loop);
	loop_unref(t.loop); /* one too many: must not go below zero */
	rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(4));
	cr_assert_eq(rc, 0,
		     "every reference dropped: "
		     "loop_run(DEFAULT) should return 0, got %d" ASL_HINT(4),
		     rc);
	loop_ref(t.loop);
	rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(4));
	cr_assert_eq(rc, 1,
		     "after an extra loop_unref, one "
		     "loop_ref must still count (got %d)" ASL_HINT(4),
		     rc);
	loop_unref(t.loop);
	lt_close(&t, ASL_HINT(4));
}
