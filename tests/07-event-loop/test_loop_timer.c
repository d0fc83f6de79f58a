/* Step 3: timers in a min-heap, the cached clock and the run modes. */
#include <sys/timerfd.h>

#include "loop_test.h"

enum { NT = 40 };

struct fired {
	loop_timer_t tm[NT];
	int order[NT], n;
	uint64_t start_ns[NT], fire_ns[NT], timeout[NT], loop_now[NT];
};

static void record_cb(loop_timer_t *t)
{
	struct fired *f = t->data;
	int i = (int)(t - f->tm);
	f->fire_ns[i] = asl_now_ns();
	f->loop_now[i] = loop_now_ms(t->loop);
	if (f->n < NT)
		f->order[f->n] = i;
	f->n++;
}

static void start_ok(loop_timer_t *t, loop_timer_cb cb, uint64_t timeout, uint64_t repeat)
{
	int rc = loop_timer_start(t, cb, timeout, repeat);
	cr_assert_eq(rc, 0, "loop_timer_start(%llu, %llu): expected 0, got %s" ASL_HINT(3),
		     (unsigned long long)timeout, (unsigned long long)repeat, asl_test_rc(rc));
}

/* Start NT timers with the given timeouts (in index order), run until all fired. */
static void run_timers(struct lt *t, struct fired *f, const uint64_t *timeouts)
{
	for (int i = 0; i < NT; i++) {
		loop_timer_init(t->loop, &f->tm[i]);
		f->tm[i].data = f;
		f->timeout[i] = timeouts[i];
		loop_update_time(t->loop);
		f->start_ns[i] = asl_now_ns();
		start_ok(&f->tm[i], record_cb, timeouts[i], 0);
		cr_assert(loop_timer_active(&f->tm[i]),
			  "a started timer must be active" ASL_HINT(3));
	}
	int rc = lt_run(t, LOOP_RUN_DEFAULT, ASL_HINT(3));
	cr_assert(rc == 0 && f->n == NT,
		  "%d one-shot timers: expected all to fire and "
		  "loop_run(DEFAULT) to return 0, got %d fired and %d" ASL_HINT(3),
		  NT, f->n, rc);
}

/* Never early: on the loop's clock, and on the real clock (in whole ms, as the loop counts). */
static void check_never_early(const struct fired *f)
{
	for (int i = 0; i < NT; i++) {
		uint64_t start_ms = f->start_ns[i] / 1000000u, fire_ms = f->fire_ns[i] / 1000000u;
		cr_assert(fire_ms >= start_ms + f->timeout[i],
			  "timer %d (timeout %llu ms) fired "
			  "%lld ms after it was started: early.  Wait at least until the deadline "
			  "(round the wait up, never down)" ASL_HINT(3),
			  i, (unsigned long long)f->timeout[i], (long long)(fire_ms - start_ms));
		cr_assert(f->loop_now[i] >= f->tm[i].deadline_ms,
			  "timer %d fired with "
			  "loop_now_ms() %llu before its deadline %llu" ASL_HINT(3),
			  i, (unsigned long long)f->loop_now[i],
			  (unsigned long long)f->tm[i].deadline_ms);
	}
}

LOOP_TEST(timer_fire_in_deadline_order_never_early)
{
	struct lt t = lt_open(be);
	struct fired *f = calloc(1, sizeof *f);
	uint64_t timeouts[NT];
	cr_assert(f);
	for (int i = 0; i < NT; i++) /* a fixed shuffle of 0, 1, ..., 39 ms */
		timeouts[i] = (uint64_t)((i * 17 + 5) % NT);
	run_timers(&t, f, timeouts);
	for (int k = 1; k < NT; k++) {
		int a = f->order[k - 1], b = f->order[k];
		cr_assert(f->tm[a].deadline_ms <= f->tm[b].deadline_ms,
			  "fired #%d: timer %d "
			  "(deadline %llu) after timer %d "
			  "(deadline %llu): not in deadline order" ASL_HINT(3),
			  k, b, (unsigned long long)f->tm[b].deadline_ms, a,
			  (unsigned long long)f->tm[a].deadline_ms);
	}
	check_never_early(f);
	free(f);
	lt_close(&t, ASL_HINT(3));
}

LOOP_TEST(timer_ties_fire_in_start_order)
{
	struct lt t = lt_open(be);
	struct fired *f = calloc(1, sizeof *f);
	cr_assert(f);
	for (int i = 0; i < NT; i++) {
		loop_timer_init(t.loop, &f->tm[i]);
		f->tm[i].data = f;
	}
	/* one cached time for all the starts, three timeouts interleaved: many equal deadlines */
	loop_update_time(t.loop);
	uint64_t base = loop_now_ms(t.loop);
	for (int i = 0; i < NT; i++)
		start_ok(&f->tm[i], record_cb, (uint64_t)(i * 7 % 3) * 4, 0);
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(3));
	cr_assert(rc == 0 && f->n == NT,
		  "expected all %d timers to fire and loop_run to return "
		  "0; %d fired, it returned %d" ASL_HINT(3),
		  NT, f->n, rc);
	for (int k = 1; k < NT; k++) {
		int a = f->order[k - 1], b = f->order[k];
		uint64_t da = f->tm[a].deadline_ms - base, db = f->tm[b].deadline_ms - base;
		cr_assert(da < db || (da == db && a < b),
			  "fired #%d: timer %d (deadline +%llu ms) "
			  "after timer %d (deadline +%llu ms): equal deadlines must fire in start "
			  "order (key the heap on (deadline, start sequence))" ASL_HINT(3),
			  k, b, (unsigned long long)db, a, (unsigned long long)da);
	}
	free(f);
	lt_close(&t, ASL_HINT(3));
}

struct rep {
	loop_timer_t tm;
	int calls, stop_at;
	uint64_t at[8];
};

/* Calls after the stop before the test gives up on it and ends the run itself (loop_stop):
 * a stop that does not hold would otherwise keep loop_run(DEFAULT) going forever. */
#define REPEAT_GUARD 50

static void repeat_cb(loop_timer_t *t)
{
	struct rep *r = container_of(t, struct rep, tm);
	if (r->calls < 8)
		r->at[r->calls] = loop_now_ms(t->loop);
	if (r->calls >= r->stop_at + REPEAT_GUARD) {
		loop_stop(t->loop);
		return;
	}
	if (++r->calls == r->stop_at) {
		int rc = loop_timer_stop(t);
		cr_assert_eq(rc, 0, "loop_timer_stop inside its own callback: got %s" ASL_HINT(3),
			     asl_test_rc(rc));
	}
}

LOOP_TEST(timer_repeat_until_stopped_in_own_callback)
{
	struct lt t = lt_open(be);
	struct rep r = { .stop_at = 5 };
	loop_timer_init(t.loop, &r.tm);
	loop_update_time(t.loop);
	uint64_t t0 = loop_now_ms(t.loop);
	start_ok(&r.tm, repeat_cb, 3, 2);
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(3));
	cr_assert(r.calls < r.stop_at + REPEAT_GUARD,
		  "a repeating timer (every 2 ms) that stops itself in its callback on call 5 was "
		  "called %d more times after that stop (the test then ended the run with "
		  "loop_stop).  A stop made inside the callback must hold: re-arm a repeating "
		  "timer before calling its callback, never after" ASL_HINT(3),
		  r.calls - r.stop_at);
	cr_assert(r.calls == 5 && rc == 0 && !loop_timer_active(&r.tm),
		  "a repeating timer "
		  "that stops itself on call 5: expected 5 calls, loop_run returning 0 and the "
		  "timer inactive; got %d calls, %d, %s" ASL_HINT(3),
		  r.calls, rc, loop_timer_active(&r.tm) ? "active" : "inactive");
	cr_assert(r.at[0] >= t0 + 3, "first call at +%llu ms, timeout was 3 ms" ASL_HINT(3),
		  (unsigned long long)(r.at[0] - t0));
	for (int i = 1; i < 5; i++)
		cr_assert(r.at[i] >= r.at[i - 1] + 2,
			  "repeat 2 ms: call %d came %llu ms after the "
			  "one before" ASL_HINT(3),
			  i, (unsigned long long)(r.at[i] - r.at[i - 1]));
	lt_close(&t, ASL_HINT(3));
}

/* Timer A (started first) stops timer B; both are due in the same pass. */
struct ab {
	loop_timer_t a, b, c;
	int a_calls, b_calls, c_calls;
};

static void a_stops_b_cb(loop_timer_t *t)
{
	struct ab *x = t->data;
	x->a_calls++;
	loop_timer_stop(&x->b);
}

static void count_b_cb(loop_timer_t *t)
{
	((struct ab *)t->data)->b_calls++;
}

static void count_c_cb(loop_timer_t *t)
{
	((struct ab *)t->data)->c_calls++;
}

LOOP_TEST(timer_stop_and_restart)
{
	struct lt t = lt_open(be);
	struct ab x = { 0 };
	loop_timer_init(t.loop, &x.a);
	loop_timer_init(t.loop, &x.b);
	loop_timer_init(t.loop, &x.c);
	x.a.data = x.b.data = x.c.data = &x;
	loop_update_time(t.loop);
	start_ok(&x.a, a_stops_b_cb, 2, 0);
	start_ok(&x.b, count_b_cb, 2, 0);
	/* c: started far away, stopped, started again (twice): fires once, soon */
	start_ok(&x.c, count_c_cb, 100000, 0);
	cr_assert_eq(loop_timer_stop(&x.c), 0, "loop_timer_stop failed" ASL_HINT(3));
	cr_assert_eq(loop_timer_stop(&x.c), 0, "stopping a stopped timer: expected 0" ASL_HINT(3));
	cr_assert(!loop_timer_active(&x.c), "a stopped timer must be inactive" ASL_HINT(3));
	start_ok(&x.c, count_c_cb, 100000, 0);
	start_ok(&x.c, count_c_cb, 1, 0); /* restart: replaces the 100 s deadline */
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(3));
	cr_assert(x.a_calls == 1 && x.b_calls == 0,
		  "timer A stopped timer B, which was due in "
		  "the same pass: expected A called once and B never; got %d and %d" ASL_HINT(3),
		  x.a_calls, x.b_calls);
	cr_assert(x.c_calls == 1 && rc == 0,
		  "timer C restarted at 1 ms: expected one call and "
		  "loop_run(DEFAULT) to return 0 (a restart must not count twice as active, and "
		  "must replace the old deadline); got %d call(s) and %d" ASL_HINT(3),
		  x.c_calls, rc);
	lt_close(&t, ASL_HINT(3));
}

/* A timer started (even with timeout 0) from a timer callback waits for the next iteration.
 * A loop that fires it again in the same pass never leaves that pass: the count of calls is
 * the watchdog, and past RESTART_GUARD calls the callback stops restarting, so loop_run
 * returns and the test fails naming the mistake instead of hanging until the suite's timeout. */
#define RESTART_GUARD 1000

static void restart_self_cb(loop_timer_t *t)
{
	int *calls = t->data;
	if (++*calls > RESTART_GUARD)
		return;
	loop_timer_start(t, restart_self_cb, 0, 0);
}

LOOP_TEST(timer_started_in_callback_waits_for_next_iteration)
{
	struct lt t = lt_open(be);
	loop_timer_t tm;
	int calls = 0;
	loop_timer_init(t.loop, &tm);
	tm.data = &calls;
	start_ok(&tm, restart_self_cb, 0, 0);
	for (int i = 1; i <= 3; i++) {
		int rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(3));
		cr_assert(calls <= RESTART_GUARD,
			  "a 0 ms timer that restarts itself at 0 ms: one NOWAIT iteration called "
			  "it more than %d times (the test then stopped restarting it).  A timer "
			  "started during the timer pass must wait for the next iteration: fire "
			  "only the timers started before this pass began" ASL_HINT(3),
			  RESTART_GUARD);
		cr_assert(calls == i && rc == 1,
			  "a 0 ms timer that restarts itself at 0 ms: "
			  "expected exactly one call per NOWAIT iteration (%d), got %d; loop_run "
			  "returned %d (expected 1)" ASL_HINT(3),
			  i, calls, rc);
	}
	loop_timer_stop(&tm);
	lt_close(&t, ASL_HINT(3));
}

static void count_once_cb(loop_timer_t *t)
{
	(*(int *)t->data)++;
}

LOOP_TEST(run_modes)
{
	struct lt t = lt_open(be);
	loop_timer_t near, far;
	int near_calls = 0, far_calls = 0, rc;
	loop_timer_init(t.loop, &near);
	loop_timer_init(t.loop, &far);
	near.data = &near_calls;
	far.data = &far_calls;
	rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(3));
	cr_assert_eq(rc, 0,
		     "loop_run(DEFAULT) with nothing "
		     "active: expected 0 at once, got %d" ASL_HINT(3),
		     rc);
	/* NOWAIT never blocks, even with a timer 100 s away */
	start_ok(&far, count_once_cb, 100000, 0);
	uint64_t t0 = asl_now_ns();
	rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(3));
	double ms = (double)(asl_now_ns() - t0) / 1e6;
	cr_assert(rc == 1 && far_calls == 0 && ms < 5000,
		  "loop_run(NOWAIT) with a 100 s timer: "
		  "expected 1 at once without calls; got %d after %.0f ms, %d call(s)" ASL_HINT(3),
		  rc, ms, far_calls);
	cr_assert_eq(loop_timer_stop(&far), 0, "loop_timer_stop failed" ASL_HINT(3));
	/* ONCE blocks until the nearest timer, runs it, and returns */
	loop_update_time(t.loop);
	uint64_t start_ms = asl_now_ms();
	start_ok(&near, count_once_cb, 20, 0);
	rc = lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(3));
	uint64_t waited = asl_now_ms() - start_ms;
	cr_assert(near_calls == 1 && rc == 0 && waited >= 20,
		  "loop_run(ONCE) with one 20 ms "
		  "timer: expected it to sleep until the deadline, run the timer and return 0; got "
		  "%d call(s), %d, after %llu ms" ASL_HINT(3),
		  near_calls, rc, (unsigned long long)waited);
	cr_assert_eq(far_calls, 0, "a stopped timer fired" ASL_HINT(3));
	lt_close(&t, ASL_HINT(3));
}

/* A server's loop can sleep in its wait for hours.  A timer that an I/O callback starts on the
 * wake-up must count from the wake-up: with the clock cached before the sleep, its deadline is
 * already past and it fires at once (lab 07's latency server would answer 20 ms requests in no
 * time after every idle spell, and lab 11's first request of a run would not wait). */
struct late {
	loop_timer_t tm;
	loop_io_t io;
	int fd, start_rc;
	uint64_t io_ns, fire_ns;
};

static void late_timer_cb(loop_timer_t *t)
{
	((struct late *)t->data)->fire_ns = asl_now_ns();
}

static void late_io_cb(loop_io_t *io, int events)
{
	struct late *l = io->data;
	uint64_t expirations;
	(void)events;
	if (read(l->fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
		l->start_rc = -errno;
	loop_io_stop(io);
	l->io_ns = asl_now_ns();
	l->start_rc = loop_timer_start(&l->tm, late_timer_cb, 50, 0);
}

LOOP_TEST(timer_started_after_a_long_wait_counts_from_the_wake_up)
{
	struct lt t = lt_open(be);
	struct late l = { .fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC) };
	cr_assert(l.fd >= 0, "timerfd_create: %s", strerror(errno));
	struct itimerspec due = { .it_value = { .tv_nsec = 300 * 1000000L } };
	cr_assert_eq(timerfd_settime(l.fd, 0, &due, NULL), 0, "timerfd_settime: %s",
		     strerror(errno));
	loop_timer_init(t.loop, &l.tm);
	l.tm.data = &l;
	l.io.data = &l;
	int rc = loop_io_start(t.loop, &l.io, l.fd, LOOP_READ, late_io_cb);
	cr_assert_eq(rc, 0, "loop_io_start(timerfd, READ): expected 0, got %s" ASL_HINT(1),
		     asl_test_rc(rc));
	/* the loop sleeps ~300 ms in its wait (nothing else to do), then the callback starts a
	 * 50 ms timer */
	lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(3));
	close(l.fd);
	cr_assert_eq(l.start_rc, 0,
		     "loop_timer_start(50 ms) in an I/O callback: expected 0, got %s" ASL_HINT(3),
		     asl_test_rc(l.start_rc));
	cr_assert(l.fire_ns != 0,
		  "the 50 ms timer started in the I/O callback never fired" ASL_HINT(3));
	double ms = (double)(l.fire_ns - l.io_ns) / 1e6;
	cr_assert(ms >= 45,
		  "a 50 ms timer started in an I/O callback, after the loop had slept 300 ms in "
		  "its wait, fired %.1f ms later: early.  Its deadline was counted from a clock "
		  "read before the sleep (loop_run reads the clock again when its wait returns: "
		  "loop_timer_start must count from "
		  "loop_now_ms(), not from a copy of its own)" ASL_HINT(3),
		  ms);
	lt_close(&t, ASL_HINT(3));
}
