/* Steps 1 and 2: edges the other suites do not reach - a mask changed while its watcher's
 * event is already in the ready batch, and a wait cut short by a signal. */
#include "loop_test.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>

/* Two watchers whose descriptors are both readable and writable, in one batch.  The first
 * one called narrows the other to LOOP_READ; the other's event, already fetched with
 * LOOP_WRITE in it, must then be reported without LOOP_WRITE: a callback hears only about
 * what its watcher asks for now. */
struct narrow {
	loop_io_t io;
	struct narrow *other;
	int *seq;
	int order, events;
};

static void narrow_cb(loop_io_t *io, int events)
{
	struct narrow *n = container_of(io, struct narrow, io);
	n->order = ++*n->seq;
	n->events = events;
	if (n->other->order == 0) {
		int rc = loop_io_modify(&n->other->io, LOOP_READ);
		cr_assert_eq(rc, 0,
			     "loop_io_modify(READ) inside a "
			     "callback: expected 0, got %s" ASL_HINT(1),
			     asl_test_rc(rc));
	}
}

LOOP_TEST(io_modified_in_batch_reports_only_what_it_asks)
{
	struct lt t = lt_open(be);
	int s1[2], s2[2], seq = 0;
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s1), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s2), 0);
	lt_write(s1[1], "x");
	lt_write(s2[1], "x");
	struct narrow a = { .seq = &seq }, b = { .seq = &seq, .other = &a };
	a.other = &b;
	int rc = loop_io_start(t.loop, &a.io, s1[0], LOOP_READ | LOOP_WRITE, narrow_cb);
	cr_assert_eq(rc, 0, "loop_io_start: got %s%s", asl_test_rc(rc), BE_HINT(be));
	rc = loop_io_start(t.loop, &b.io, s2[0], LOOP_READ | LOOP_WRITE, narrow_cb);
	cr_assert_eq(rc, 0, "loop_io_start: got %s%s", asl_test_rc(rc), BE_HINT(be));
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert(a.order && b.order,
		  "two watchers ready for reading and writing before the "
		  "wait: expected both called in one iteration, got call numbers %d and %d%s",
		  a.order, b.order, BE_HINT(be));
	/* the one called second was narrowed to READ by the first, before its turn */
	struct narrow *late = a.order == 2 ? &a : &b;
	cr_assert(!(late->events & LOOP_WRITE),
		  "watcher on fd %d was changed to LOOP_READ by a "
		  "callback earlier in the same batch, yet its callback got events %d with "
		  "LOOP_WRITE in it: pass a watcher only the ready events it asks for at its turn "
		  "(mask them with its current events)%s",
		  late->io.fd, late->events, BE_HINT(be));
	loop_io_stop(&a.io);
	loop_io_stop(&b.io);
	close(s1[0]);
	close(s1[1]);
	close(s2[0]);
	close(s2[1]);
	lt_close(&t, BE_HINT(be));
}

/* A signal that interrupts the loop's wait (a handler without SA_RESTART: epoll_wait and poll
 * then fail with EINTR) is no error: the loop goes on waiting.  Another thread interrupts the
 * wait three times, each time once the kernel says the loop thread is asleep in it, then
 * makes the one watcher's pipe readable; its callback stops it, which ends the run. */
struct interrupter {
	pthread_t target;
	atomic_int tid, done;
	int sent, pipe[2];
	loop_io_t io;
};

static void interrupt_end_cb(loop_io_t *io, int events)
{
	(void)events;
	loop_io_stop(io);
}

static void *interrupter_main(void *arg)
{
	struct interrupter *x = arg;
	for (int i = 0; i < 3 && asl_test_wait_asleep(&x->tid, &x->done); i++) {
		pthread_kill(x->target, SIGUSR1);
		x->sent++;
	}
	ssize_t w = write(x->pipe[1], "x", 1);
	(void)w;
	return NULL;
}

LOOP_TEST(wait_interrupted_by_signal_goes_on)
{
	struct lt t = lt_open(be);
	struct sigaction old;
	struct interrupter x = { .target = pthread_self() };
	lt_pipe(x.pipe);
	int rc = loop_io_start(t.loop, &x.io, x.pipe[0], LOOP_READ, interrupt_end_cb);
	cr_assert_eq(rc, 0, "loop_io_start: got %s%s", asl_test_rc(rc), BE_HINT(be));
	asl_test_interrupting_signal(SIGUSR1, &old);
	pthread_t th;
	atomic_store(&x.tid, asl_test_gettid());
	cr_assert_eq(pthread_create(&th, NULL, interrupter_main, &x), 0);
	rc = loop_run(t.loop, LOOP_RUN_DEFAULT);
	atomic_store(&x.done, 1);
	pthread_join(th, NULL);
	sigaction(SIGUSR1, &old, NULL);
	loop_io_stop(&x.io);
	close(x.pipe[0]);
	close(x.pipe[1]);
	cr_assert_eq(rc, 0,
		     "loop_run(DEFAULT) on %s, its wait interrupted by a signal (%d sent): "
		     "expected it to go on until the pipe is readable, got %s: a wait cut short "
		     "by a signal (EINTR) means 'nothing ready yet', not an error%s",
		     BE_NAME(be), x.sent, asl_test_rc(rc), BE_HINT(be));
	lt_close(&t, BE_HINT(be));
}

/* A 0 ms timer that restarts itself from its callback must wait for the next iteration; a
 * loop that runs it again in the same pass never leaves that pass.  The count of calls is the
 * watchdog: far more calls than iterations fails at once, naming the mistake, instead of
 * hanging until the suite's timeout. */
static void restart_guarded_cb(loop_timer_t *t)
{
	int *calls = t->data;
	if (++*calls > 1000) {
		loop_timer_stop(t);
		cr_assert_fail("a 0 ms timer that restarts itself from its callback was called %d "
			       "times within 3 NOWAIT iterations: a timer started during "
			       "loop_timers_run must wait for the next iteration (fire only timers "
			       "started before this pass began)" ASL_HINT(3),
			       *calls);
	}
	loop_timer_start(t, restart_guarded_cb, 0, 0);
}

LOOP_TEST(timer_restarted_at_0_ms_does_not_starve_the_loop)
{
	struct lt t = lt_open(be);
	loop_timer_t tm;
	int calls = 0;
	loop_timer_init(t.loop, &tm);
	tm.data = &calls;
	int rc = loop_timer_start(&tm, restart_guarded_cb, 0, 0);
	cr_assert_eq(rc, 0, "loop_timer_start(0 ms): expected 0, got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	for (int i = 0; i < 3; i++)
		lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(3));
	cr_assert(calls >= 1 && calls <= 3,
		  "3 NOWAIT iterations with a 0 ms timer that restarts "
		  "itself: expected 1 to 3 calls, got %d" ASL_HINT(3),
		  calls);
	loop_timer_stop(&tm);
	lt_close(&t, ASL_HINT(3));
}

/* A stopped defer is no longer an active handle, whether it was stopped while queued or by an
 * earlier callback of the batch it sits in.  Checked with NOWAIT runs, which return 1 while
 * something is still active: a defer that stays counted would make loop_run(DEFAULT) wait
 * forever, and this fails at once instead, naming the count. */
static void defer_never_cb(loop_defer_t *d)
{
	(void)d;
	cr_assert_fail("a defer stopped before its turn was called anyway" ASL_HINT(4));
}

static void defer_stops_other_cb(loop_defer_t *d)
{
	loop_defer_stop(d->data);
}

LOOP_TEST(defer_stopped_is_no_longer_active)
{
	struct lt t = lt_open(be);
	loop_defer_t a = { 0 }, b = { 0 };
	int rc = loop_defer_start(t.loop, &a, defer_never_cb);
	cr_assert_eq(rc, 0, "loop_defer_start: expected 0, got %s" ASL_HINT(4), asl_test_rc(rc));
	loop_defer_stop(&a);
	rc = loop_run(t.loop, LOOP_RUN_NOWAIT);
	cr_assert_eq(
	    rc, 0,
	    "a defer started, then stopped before any run: loop_run(NOWAIT) "
	    "returned %s, expected 0 (nothing active).  loop_defer_stop must count the "
	    "defer inactive again (loop->active), or loop_run(DEFAULT) never returns" ASL_HINT(4),
	    asl_test_rc(rc));
	b.data = &a;
	cr_assert_eq(loop_defer_start(t.loop, &b, defer_stops_other_cb), 0,
		     "loop_defer_start" ASL_HINT(4));
	cr_assert_eq(loop_defer_start(t.loop, &a, defer_never_cb), 0,
		     "loop_defer_start" ASL_HINT(4));
	rc = loop_run(t.loop, LOOP_RUN_NOWAIT);
	cr_assert_eq(rc, 0,
		     "two defers in one batch, the first stops the second: loop_run(NOWAIT) "
		     "returned %s, expected 0 (nothing active).  A defer stopped while its batch "
		     "runs must be counted inactive too" ASL_HINT(4),
		     asl_test_rc(rc));
	lt_close(&t, ASL_HINT(4));
}
