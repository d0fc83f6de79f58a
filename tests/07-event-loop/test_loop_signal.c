/* Step 5: signals delivered as ordinary events (signalfd). */
#include "loop_test.h"

#include <signal.h>

static bool blocked(int signo)
{
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, signo);
}

struct sig {
	loop_signal_t s;
	int calls, signo, order;
	int *seq;
};

static void sig_cb(loop_signal_t *s, int signo)
{
	struct sig *x = container_of(s, struct sig, s);
	x->calls++;
	x->signo = signo;
	if (x->seq)
		x->order = ++*x->seq;
}

LOOP_TEST(signal_sigterm_delivered_as_event)
{
	struct lt t = lt_open(be);
	struct sig x = { 0 };
	cr_assert(!blocked(SIGTERM), "SIGTERM is blocked before the test");
	int rc = loop_signal_start(t.loop, &x.s, SIGTERM, sig_cb);
	cr_assert_eq(rc, 0, "loop_signal_start(SIGTERM): got %s" ASL_HINT(5), asl_test_rc(rc));
	cr_assert(blocked(SIGTERM),
		  "a watched signal must be blocked in the loop's thread (or it "
		  "would kill the process instead of arriving on the signalfd)" ASL_HINT(5));
	raise(SIGTERM); /* blocked: it waits, pending, for the signalfd */
	rc = lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(5));
	cr_assert(x.calls == 1 && x.signo == SIGTERM && rc == 1,
		  "raise(SIGTERM): expected one "
		  "callback with signo %d and loop_run(ONCE) returning 1 (the watcher is active); "
		  "got %d call(s), signo %d, %d" ASL_HINT(5),
		  SIGTERM, x.calls, x.signo, rc);
	kill(getpid(), SIGTERM);
	kill(getpid(), SIGTERM); /* standard signals coalesce while pending: one or two calls */
	rc = lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(5));
	cr_assert(x.calls >= 2 && x.calls <= 3,
		  "kill(getpid(), SIGTERM) twice: expected one or "
		  "two more calls, got %d in all" ASL_HINT(5),
		  x.calls);
	cr_assert_eq(loop_signal_stop(&x.s), 0, "loop_signal_stop failed" ASL_HINT(5));
	cr_assert_eq(loop_signal_stop(&x.s), 0,
		     "stopping a stopped watcher: expected 0" ASL_HINT(5));
	cr_assert(!blocked(SIGTERM), "the last SIGTERM watcher stopped: the mask must be restored "
				     "(SIGTERM unblocked)" ASL_HINT(5));
	rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(5));
	cr_assert_eq(rc, 0, "nothing active: loop_run(DEFAULT) should return 0, got %d" ASL_HINT(5),
		     rc);
	lt_close(&t, ASL_HINT(5));
}

LOOP_TEST(signal_errors_and_several_watchers)
{
	struct lt t = lt_open(be);
	int seq = 0;
	struct sig a = { .seq = &seq }, b = { .seq = &seq }, c = { 0 };
	static const int bad[] = { 0, -1, SIGKILL, SIGSTOP, NSIG, 1000 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = loop_signal_start(t.loop, &c.s, bad[i], sig_cb);
		cr_assert_eq(rc, -EINVAL,
			     "loop_signal_start(signo %d): expected -22 (EINVAL), got "
			     "%s" ASL_HINT(5),
			     bad[i], asl_test_rc(rc));
	}
	/* SIGUSR2 blocked beforehand stays blocked after its watcher stops */
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &one, NULL);
	cr_assert_eq(loop_signal_start(t.loop, &a.s, SIGUSR1, sig_cb), 0,
		     "start failed" ASL_HINT(5));
	cr_assert_eq(loop_signal_start(t.loop, &b.s, SIGUSR1, sig_cb), 0,
		     "start failed" ASL_HINT(5));
	cr_assert_eq(loop_signal_start(t.loop, &c.s, SIGUSR2, sig_cb), 0,
		     "start failed" ASL_HINT(5));
	int rc = loop_signal_start(t.loop, &a.s, SIGUSR1, sig_cb);
	cr_assert_eq(rc, -EBUSY,
		     "starting a started signal watcher: expected -16 (EBUSY), got %s" ASL_HINT(5),
		     asl_test_rc(rc));
	raise(SIGUSR1);
	lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(5));
	cr_assert(a.calls == 1 && b.calls == 1 && a.order == 1 && b.order == 2 && c.calls == 0,
		  "two SIGUSR1 watchers: expected each called once, in start order, and the "
		  "SIGUSR2 watcher not at all; got %d (#%d), %d (#%d), %d" ASL_HINT(5),
		  a.calls, a.order, b.calls, b.order, c.calls);
	loop_signal_stop(&a.s);
	cr_assert(blocked(SIGUSR1), "one SIGUSR1 watcher remains: still blocked" ASL_HINT(5));
	loop_signal_stop(&b.s);
	cr_assert(!blocked(SIGUSR1), "no SIGUSR1 watcher left: unblocked again" ASL_HINT(5));
	loop_signal_stop(&c.s);
	cr_assert(blocked(SIGUSR2), "SIGUSR2 was blocked before its watcher started: it must stay "
				    "blocked" ASL_HINT(5));
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	lt_close(&t, ASL_HINT(5));
}

/* A graceful stop: a "server" (an io watcher, a repeating timer) runs until SIGINT; the signal
 * callback lets in-flight work finish (a defer) and stops everything, so loop_run returns 0. */
struct server {
	loop_io_t io;
	loop_timer_t tick;
	loop_signal_t sigint, other;
	loop_defer_t finish;
	int ticks, finished, sig_calls, other_calls;
};

static void finish_cb(loop_defer_t *d)
{
	container_of(d, struct server, finish)->finished++;
}

static void tick_cb(loop_timer_t *tm)
{
	struct server *sv = container_of(tm, struct server, tick);
	if (++sv->ticks == 3)
		kill(getpid(), SIGINT);
}

static void on_sigint(loop_signal_t *s, int signo)
{
	struct server *sv = container_of(s, struct server, sigint);
	(void)signo;
	sv->sig_calls++;
	loop_io_stop(&sv->io);
	loop_timer_stop(&sv->tick);
	loop_signal_stop(&sv->other); /* a second watcher of SIGINT, not called yet: never is */
	loop_signal_stop(s);
	loop_defer_start(s->loop, &sv->finish, finish_cb);
}

static void other_cb(loop_signal_t *s, int signo)
{
	(void)signo;
	container_of(s, struct server, other)->other_calls++;
}

static void idle_cb(loop_io_t *io, int events)
{
	(void)io;
	(void)events;
}

LOOP_TEST(signal_sigint_graceful_stop)
{
	struct lt t = lt_open(be);
	struct server sv = { 0 };
	int p[2];
	lt_pipe(p);
	cr_assert_eq(loop_io_start(t.loop, &sv.io, p[0], LOOP_READ, idle_cb), 0,
		     "loop_io_start failed%s", BE_HINT(be));
	loop_timer_init(t.loop, &sv.tick);
	cr_assert_eq(loop_timer_start(&sv.tick, tick_cb, 1, 1), 0,
		     "loop_timer_start failed" ASL_HINT(3));
	cr_assert_eq(loop_signal_start(t.loop, &sv.sigint, SIGINT, on_sigint), 0,
		     "loop_signal_start(SIGINT) failed" ASL_HINT(5));
	cr_assert_eq(loop_signal_start(t.loop, &sv.other, SIGINT, other_cb), 0,
		     "loop_signal_start(SIGINT) failed" ASL_HINT(5));
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(5));
	cr_assert(rc == 0 && sv.sig_calls == 1 && sv.finished == 1 && sv.ticks == 3 &&
		      sv.other_calls == 0,
		  "SIGINT after 3 ticks; its callback stops the server, stops "
		  "the other SIGINT watcher and defers the last work: expected loop_run 0, 1 "
		  "signal call, the defer run, 3 ticks, 0 calls of the stopped watcher; got %d, "
		  "%d, %d, %d, %d" ASL_HINT(5),
		  rc, sv.sig_calls, sv.finished, sv.ticks, sv.other_calls);
	cr_assert(!blocked(SIGINT),
		  "SIGINT must be unblocked once its watchers stopped" ASL_HINT(5));
	close(p[0]);
	close(p[1]);
	lt_close(&t, ASL_HINT(5));
}
