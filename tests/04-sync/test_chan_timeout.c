/* Step 5: send/recv with timeouts on CLOCK_MONOTONIC deadlines. */
#include "sync_test.h"

#include <pthread.h>

ASL_SUITE(chan_timeout, 30);

/* Generous: a loaded CI machine may oversleep a lot, but not by 5 seconds. */
#define LATE_MS 5000.0

static struct chan *make(size_t cap)
{
	struct chan *ch = NULL;
	int rc = chan_create(&ch, cap, NULL);
	cr_assert(rc == 0 && ch, "chan_create returned %s", st_rc(rc));
	return ch;
}

static void check_timeout(int rc, double ms, long want_ms, const char *what)
{
	cr_assert_eq(rc, CHAN_TIMEOUT,
		     "%s with %ld ms timeout returned %s, expected "
		     "%s" ASL_HINT(5),
		     what, want_ms, st_rc(rc), st_rc(CHAN_TIMEOUT));
	cr_assert(
	    ms >= (double)want_ms,
	    "%s: %ld ms timeout returned after only %.2f ms: before "
	    "its deadline (a deadline taken on CLOCK_MONOTONIC lies decades in the past for a "
	    "condition variable left on CLOCK_REALTIME, "
	    "the default: pthread_condattr_setclock)" ASL_HINT(5),
	    what, want_ms, ms);
	cr_assert(ms < want_ms + LATE_MS, "%s: %ld ms timeout took %.0f ms" ASL_HINT(5), what,
		  want_ms, ms);
}

/* A timed call under a watchdog: its result and duration, or a failure naming the mistake
 * if it is still running well past its timeout. */
static int timed(struct chan *ch, enum st_kind kind, void **value, long ms, double *took)
{
	struct st_op op = { .kind = kind, .ch = ch, .value = *value, .ms = ms };
	int rc = st_watched(&op, ms + ASL_WATCHDOG_MS);
	cr_assert_neq(
	    rc, ST_HUNG_ASLEEP,
	    "a %s with a %ld ms timeout is still asleep %ld ms "
	    "later: its deadline is on another clock than the one the condition "
	    "variable waits on (both CLOCK_MONOTONIC: pthread_condattr_setclock when the "
	    "channel is created, clock_gettime(CLOCK_MONOTONIC) for the deadline)" ASL_HINT(5),
	    kind == ST_SEND_TIMEOUT ? "send" : "recv", ms, ms + ASL_WATCHDOG_MS);
	cr_assert_neq(rc, ST_HUNG_BUSY,
		      "a %s with a %ld ms timeout is still running %ld ms "
		      "later, busy: each wait fails at once and the loop retries it "
		      "(pthread_cond_timedwait returns EINVAL when the deadline's tv_nsec is not "
		      "below 1e9: normalise it, carrying into tv_sec)" ASL_HINT(5),
		      kind == ST_SEND_TIMEOUT ? "send" : "recv", ms, ms + ASL_WATCHDOG_MS);
	*value = op.value;
	*took = op.took_ms;
	return rc;
}

Test(chan_timeout, recv_on_empty_times_out)
{
	struct chan *ch = make(2);
	void *v = NULL;
	for (long ms = 20; ms <= 80; ms += 30) {
		double took;
		int rc = timed(ch, ST_RECV_TIMEOUT, &v, ms, &took);
		check_timeout(rc, took, ms, "recv on an empty channel");
	}
	chan_destroy(ch);
}

Test(chan_timeout, send_on_full_times_out)
{
	struct chan *ch = make(1);
	void *v = NULL;
	cr_assert_eq(chan_send_timeout(ch, ST_INT(1), 1000), CHAN_OK,
		     "send into an empty capacity-1 channel failed" ASL_HINT(5));
	double took;
	v = ST_INT(2);
	int rc = timed(ch, ST_SEND_TIMEOUT, &v, 50, &took);
	check_timeout(rc, took, 50, "send on a full channel");
	cr_assert_eq(chan_recv_timeout(ch, &v, 0), CHAN_OK, ASL_HINT(5));
	cr_assert_eq(ST_LONG(v), 1, "got %ld, want the first value 1" ASL_HINT(5), ST_LONG(v));
	rc = chan_recv_timeout(ch, &v, 0);
	cr_assert_eq(rc, CHAN_TIMEOUT,
		     "the timed-out send delivered its value anyway (%ld)" ASL_HINT(5), ST_LONG(v));
	chan_destroy(ch);
}

Test(chan_timeout, unbuffered_send_without_receiver_times_out_and_withdraws)
{
	struct chan *ch = make(0);
	void *v = NULL;
	double took;
	v = ST_INT(9);
	int rc = timed(ch, ST_SEND_TIMEOUT, &v, 50, &took);
	check_timeout(rc, took, 50, "unbuffered send with no receiver");
	rc = chan_recv_timeout(ch, &v, 0);
	cr_assert_eq(rc, CHAN_TIMEOUT,
		     "recv after the timed-out send returned %s, value %ld: a "
		     "send that timed out must not deliver" ASL_HINT(5),
		     st_rc(rc), ST_LONG(v));
	chan_destroy(ch);
}

Test(chan_timeout, zero_timeout_polls)
{
	struct chan *ch = make(1);
	void *v = NULL;
	double took;
	int rc = timed(ch, ST_RECV_TIMEOUT, &v, 0, &took);
	check_timeout(rc, took, 0, "recv_timeout(0) on empty");
	cr_assert_eq(chan_send_timeout(ch, ST_INT(5), 0), CHAN_OK,
		     "send_timeout(0) with room must succeed at once" ASL_HINT(5));
	rc = chan_recv_timeout(ch, &v, 0);
	cr_assert(rc == CHAN_OK && ST_LONG(v) == 5,
		  "recv_timeout(0) with a value waiting returned "
		  "%s, value %ld" ASL_HINT(5),
		  st_rc(rc), ST_LONG(v));
	chan_destroy(ch);
}

Test(chan_timeout, negative_timeout_is_invalid)
{
	struct chan *ch = make(1);
	void *v;
	int rc = chan_recv_timeout(ch, &v, -1);
	cr_assert_eq(rc, -EINVAL, "recv_timeout(-1) returned %s" ASL_HINT(5), st_rc(rc));
	rc = chan_send_timeout(ch, NULL, -5);
	cr_assert_eq(rc, -EINVAL, "send_timeout(-5) returned %s" ASL_HINT(5), st_rc(rc));
	chan_destroy(ch);
}

struct later {
	struct chan *ch;
	atomic_int tid, returned, rc;
};

static void *timed_receiver(void *arg)
{
	struct later *l = arg;
	void *v = NULL;
	atomic_store(&l->tid, st_gettid());
	int rc = chan_recv_timeout(l->ch, &v, 20000);
	if (rc == CHAN_OK && ST_LONG(v) != 77)
		rc = -ERANGE;
	atomic_store(&l->rc, rc);
	atomic_store(&l->returned, 1);
	return NULL;
}

Test(chan_timeout, value_before_deadline_is_received)
{
	struct later l = { .ch = make(0) };
	pthread_t t;
	int before = asl_test_threads();
	atomic_init(&l.tid, 0);
	atomic_init(&l.returned, 0);
	atomic_init(&l.rc, 1);
	cr_assert_eq(pthread_create(&t, NULL, timed_receiver, &l), 0);
	bool asleep = st_wait_asleep(&l.tid, &l.returned);
	int rc = chan_send_timeout(l.ch, ST_INT(77), 20000);
	pthread_join(t, NULL);
	cr_assert(asleep, "recv_timeout(20 s) on an empty channel returned %s at once" ASL_HINT(5),
		  st_rc(atomic_load(&l.rc)));
	cr_assert_eq(rc, CHAN_OK, "send_timeout to a waiting receiver returned %s" ASL_HINT(5),
		     st_rc(rc));
	cr_assert_eq(atomic_load(&l.rc), CHAN_OK,
		     "the timed receiver returned %s (want 0, value"
		     " 77)" ASL_HINT(5),
		     st_rc(atomic_load(&l.rc)));
	chan_destroy(l.ch);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

/* A deadline is now + timeout: 999 ms added to the nanoseconds of "now" nearly always carries
 * into the next second.  An unnormalised timespec (tv_nsec >= 1e9) makes the wait fail with
 * EINVAL at once instead of sleeping. */
Test(chan_timeout, deadline_carries_into_the_next_second)
{
	struct chan *ch = make(1);
	void *v = NULL;
	double took;
	int rc = timed(ch, ST_RECV_TIMEOUT, &v, 999, &took);
	check_timeout(rc, took, 999, "recv on an empty channel");
	chan_destroy(ch);
}
