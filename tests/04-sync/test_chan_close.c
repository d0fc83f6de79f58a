/* Step 4: closing a channel - every blocked party woken, values drained, the close racing
 * receivers that are about to sleep. */
#include "chan_test.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

ASL_SUITE(chan_close, 30);

/* ---- close */

Test(chan_close, wakes_all_blocked_receivers)
{
	enum { N = 5 };
	struct chan *ch = make(0);
	struct blocker b[N];
	pthread_t t[N];
	int before = asl_test_threads();
	for (int i = 0; i < N; i++) {
		blocker_init(&b[i], ch, ST_INT(-1));
		cr_assert_eq(pthread_create(&t[i], NULL, blocking_recv, &b[i]), 0);
	}
	int asleep = 0;
	for (int i = 0; i < N; i++)
		asleep += st_wait_asleep(&b[i].tid, &b[i].returned);
	int rc = chan_close(ch);
	atomic_int woke;
	atomic_init(&woke, 0);
	for (uint64_t t0 = asl_now_ns(); atomic_load(&woke) < N; sched_yield()) {
		int n = 0;
		for (int i = 0; i < N; i++)
			n += atomic_load(&b[i].returned);
		atomic_store(&woke, n);
		if (n < N && st_ms_since(t0) > ASL_WATCHDOG_MS) {
			/* a receiver close forgot to wake would hang in pthread_join */
			asl_test_abandon();
			cr_assert_fail(
			    "%d receivers asleep on an empty channel, then chan_close: %d "
			    "of them returned, the others still sleep %d s later.  Close "
			    "must wake EVERY sleeper "
			    "(pthread_cond_broadcast, not _signal)" ASL_HINT(4),
			    N, n, ASL_WATCHDOG_MS / 1000);
		}
	}
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(asleep, N, "only %d of %d receivers waited on the empty channel" ASL_HINT(4),
		     asleep, N);
	cr_assert_eq(rc, CHAN_OK, "chan_close returned %s" ASL_HINT(4), st_rc(rc));
	for (int i = 0; i < N; i++)
		cr_assert_eq(atomic_load(&b[i].rc), CHAN_CLOSED,
			     "receiver %d woken by close returned %s, expected %s" ASL_HINT(4), i,
			     st_rc(atomic_load(&b[i].rc)), st_rc(CHAN_CLOSED));
	chan_destroy(ch);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(chan_close, wakes_blocked_senders_and_takes_back_unbuffered_value)
{
	enum { N = 3 };
	struct chan *ch = make(0);
	struct blocker b[N];
	pthread_t t[N];
	void *v;
	int before = asl_test_threads();
	for (int i = 0; i < N; i++) {
		blocker_init(&b[i], ch, ST_INT(i));
		cr_assert_eq(pthread_create(&t[i], NULL, blocking_send, &b[i]), 0);
	}
	for (int i = 0; i < N; i++)
		st_wait_asleep(&b[i].tid, &b[i].returned);
	chan_close(ch);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++)
		cr_assert_eq(atomic_load(&b[i].rc), CHAN_CLOSED,
			     "sender %d blocked on an unbuffered channel, then closed: returned %s,"
			     " expected CHAN_CLOSED" ASL_HINT(4),
			     i, st_rc(atomic_load(&b[i].rc)));
	int rc = chan_recv(ch, &v);
	cr_assert_eq(rc, CHAN_CLOSED,
		     "after close, recv got %s (value %ld): a send that "
		     "failed must not deliver its value" ASL_HINT(4),
		     st_rc(rc), ST_LONG(v));
	chan_destroy(ch);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

/* Close racing with receivers on their way to sleep.  A receiver checks "closed or a value?"
 * under the lock and then sleeps on the condition variable, which releases the lock.  A close
 * that sets `closed` or broadcasts without holding that lock can slip in between: the receiver
 * has already decided to sleep and misses the only wake-up it will ever get.  That window is a
 * few instructions wide, so this test steers the threads into it, with no timing involved:
 * this runner's pthread_cond_wait, pthread_mutex_lock and pthread_mutex_unlock take precedence
 * over libc's (which they then call) and, during a round of the race only, do this:
 *  - before the close, a receiver's wait returns at once (a spurious wake-up, which POSIX
 *    allows): every receiver stays awake, re-checking the channel under its lock;
 *  - once the test has called chan_close, the first receiver that decides to sleep lingers,
 *    still holding the lock, until the closer blocks on that lock or chan_close returns
 *    without ever taking it (a close without the lock: its wake-up is now lost);
 *  - when chan_close lets go of the lock, the closer waits until another receiver has
 *    checked the channel under that lock: one that still finds it open (a close that sets the
 *    flag or wakes after unlocking) lingers until chan_close returns, and misses the wake-up.
 * A correct close holds the lock from its check through its broadcast, so no receiver can
 * find the channel open after the close took the lock: every step above then ends at once.
 * (Criterion's and libc's own calls go through these wrappers too and are only passed on.) */
enum close_phase { PHASE_NONE, PHASE_CALLED, PHASE_UNLOCKED, PHASE_RETURNED };
enum { RACE_R = 3, RACE_ROUNDS = 60, RACE_MS = 3000, LINGER_MS = 1000 };

static struct {
	atomic_bool on;          /* a round of the race is running */
	atomic_int phase;        /* enum close_phase */
	atomic_int closer_locks; /* pthread_mutex_lock calls by the closer inside chan_close */
	atomic_int lingering;    /* receivers that decided to sleep after chan_close was called */
	atomic_int returned;     /* receivers back from their last recv this round */
	atomic_bool first_taken, second_taken;
	pthread_t closer;
} race;
static _Thread_local bool race_receiver_thread;

static int (*real_cond_wait)(pthread_cond_t *, pthread_mutex_t *);
static int (*real_lock)(pthread_mutex_t *);
static int (*real_unlock)(pthread_mutex_t *);

static void race_resolve(void)
{
	if (!real_cond_wait) {
		*(void **)&real_lock = dlsym(RTLD_NEXT, "pthread_mutex_lock");
		*(void **)&real_unlock = dlsym(RTLD_NEXT, "pthread_mutex_unlock");
		*(void **)&real_cond_wait = dlsym(RTLD_NEXT, "pthread_cond_wait");
	}
}

/* Spin (yielding) until *flag >= want or phase >= until_phase, at most LINGER_MS. */
static void race_linger(atomic_int *flag, int want, int until_phase)
{
	uint64_t t0 = asl_now_ns();
	while (atomic_load(flag) < want && atomic_load(&race.phase) < until_phase &&
	       st_ms_since(t0) < LINGER_MS)
		sched_yield();
}

int pthread_cond_wait(pthread_cond_t *cv, pthread_mutex_t *mu)
{
	race_resolve();
	if (!atomic_load(&race.on) || !race_receiver_thread)
		return real_cond_wait(cv, mu);
	int phase = atomic_load(&race.phase);
	if (phase == PHASE_CALLED && !atomic_exchange(&race.first_taken, true)) {
		/* decided to sleep after the close was called: linger holding the lock */
		int locks = atomic_load(&race.closer_locks);
		atomic_fetch_add(&race.lingering, 1);
		race_linger(&race.closer_locks, locks + 1, PHASE_RETURNED);
		return real_cond_wait(cv, mu);
	}
	if (phase == PHASE_UNLOCKED && !atomic_exchange(&race.second_taken, true)) {
		/* found the channel open although chan_close already let go of the lock */
		int locks = atomic_load(&race.closer_locks);
		atomic_fetch_add(&race.lingering, 1);
		race_linger(&race.closer_locks, locks + 1, PHASE_RETURNED);
		return real_cond_wait(cv, mu);
	}
	if (phase == PHASE_RETURNED)
		return real_cond_wait(cv, mu);
	/* a spurious wake-up: stay awake, re-checking under the lock */
	real_unlock(mu);
	sched_yield();
	real_lock(mu);
	return 0;
}

static bool race_closing(void)
{
	return atomic_load(&race.on) && pthread_equal(pthread_self(), race.closer) &&
	       atomic_load(&race.phase) != PHASE_NONE;
}

int pthread_mutex_lock(pthread_mutex_t *mu)
{
	race_resolve();
	if (race_closing())
		atomic_fetch_add(&race.closer_locks, 1);
	return real_lock(mu);
}

int pthread_mutex_unlock(pthread_mutex_t *mu)
{
	race_resolve();
	int rc = real_unlock(mu);
	int called = PHASE_CALLED;
	if (race_closing() &&
	    atomic_compare_exchange_strong(&race.phase, &called, PHASE_UNLOCKED)) {
		/* chan_close let go of the lock: wait for a receiver to check the channel under
		 * it (it lingers if it finds the channel open) or for every receiver to return */
		uint64_t t0 = asl_now_ns();
		while (atomic_load(&race.lingering) < 2 && atomic_load(&race.returned) < RACE_R &&
		       st_ms_since(t0) < LINGER_MS)
			sched_yield();
	}
	return rc;
}

struct close_race {
	struct chan *_Atomic ch;
	pthread_barrier_t start;
	atomic_int got;    /* values received this round */
	atomic_int bad_rc; /* a final status other than CHAN_CLOSED */
	atomic_bool stop;
};

static void *race_receiver(void *arg)
{
	struct close_race *r = arg;
	race_receiver_thread = true;
	for (;;) {
		pthread_barrier_wait(&r->start);
		if (atomic_load(&r->stop))
			return NULL;
		struct chan *ch = atomic_load(&r->ch);
		void *v;
		int rc;
		while ((rc = chan_recv(ch, &v)) == CHAN_OK)
			atomic_fetch_add(&r->got, 1);
		if (rc != CHAN_CLOSED)
			atomic_store(&r->bad_rc, rc);
		atomic_fetch_add(&race.returned, 1);
	}
}

Test(chan_close, close_racing_with_sleeping_receivers_wakes_them_all)
{
	struct close_race r = { 0 };
	pthread_t t[RACE_R];
	int before = asl_test_threads();
	race_resolve();
	pthread_barrier_init(&r.start, NULL, RACE_R + 1);
	for (int i = 0; i < RACE_R; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, race_receiver, &r), 0);
	race.closer = pthread_self();
	unsigned seed = 12345;
	uint64_t t0 = asl_now_ns();
	for (int round = 0; round < RACE_ROUNDS && st_ms_since(t0) < RACE_MS; round++) {
		size_t cap = (size_t)(round % 3); /* unbuffered, 1 and 2 slots */
		int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 8;
		struct chan *ch = make(cap);
		atomic_store(&r.ch, ch);
		atomic_store(&r.got, 0);
		atomic_store(&race.returned, 0);
		atomic_store(&race.phase, PHASE_NONE);
		atomic_store(&race.closer_locks, 0);
		atomic_store(&race.lingering, 0);
		atomic_store(&race.first_taken, false);
		atomic_store(&race.second_taken, false);
		atomic_store(&race.on, true);
		pthread_barrier_wait(&r.start);
		for (int i = 0; i < n; i++) {
			int rc = chan_send(ch, ST_INT(i));
			cr_assert_eq(rc, CHAN_OK, "round %d: send returned %s" ASL_HINT(4), round,
				     st_rc(rc));
		}
		atomic_store(&race.phase, PHASE_CALLED);
		/* a receiver on its way to sleep, holding the lock (bounded: a chan_recv that
		 * never calls pthread_cond_wait gives none, and the close simply goes ahead) */
		asl_test_wait_flag(&race.lingering, 1, LINGER_MS);
		chan_close(ch);
		atomic_store(&race.phase, PHASE_RETURNED);
		if (!asl_test_wait_flag(&race.returned, RACE_R, ASL_WATCHDOG_MS)) {
			asl_test_abandon();
			atomic_store(&race.on, false);
			cr_assert_fail(
			    "round %d (capacity %zu): %d values sent to %d receivers, then "
			    "chan_close while a receiver was between its check of the channel "
			    "and its pthread_cond_wait; %d receiver(s) still asleep %d s later: "
			    "expected all %d to return CHAN_CLOSED.  A close that sets `closed` "
			    "or wakes the sleepers without holding the channel's lock (or after "
			    "unlocking it) slips into that window and its wake-up is lost.  "
			    "Check, set and broadcast with the lock held" ASL_HINT(4),
			    round, cap, n, RACE_R, RACE_R - atomic_load(&race.returned),
			    ASL_WATCHDOG_MS / 1000, RACE_R);
		}
		atomic_store(&race.on, false);
		cr_assert_eq(atomic_load(&r.got), n,
			     "round %d (capacity %zu): %d values sent before "
			     "the close, %d received" ASL_HINT(4),
			     round, cap, n, atomic_load(&r.got));
		cr_assert_eq(atomic_load(&r.bad_rc), 0,
			     "round %d: after the close a receiver's last "
			     "recv returned %s, expected %s" ASL_HINT(4),
			     round, st_rc(atomic_load(&r.bad_rc)), st_rc(CHAN_CLOSED));
		chan_destroy(ch);
	}
	atomic_store(&r.stop, true);
	pthread_barrier_wait(&r.start);
	for (int i = 0; i < RACE_R; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r.start);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(chan_close, send_on_closed_is_an_error)
{
	struct chan *ch = make(4);
	cr_assert_eq(chan_close(ch), CHAN_OK, "chan_close returned an error" ASL_HINT(4));
	int rc = chan_send(ch, ST_INT(1));
	cr_assert_eq(rc, CHAN_CLOSED,
		     "send on a closed channel returned %s, expected %s" ASL_HINT(4), st_rc(rc),
		     st_rc(CHAN_CLOSED));
	rc = chan_close(ch);
	cr_assert_eq(rc, CHAN_CLOSED, "closing twice returned %s, expected CHAN_CLOSED" ASL_HINT(4),
		     st_rc(rc));
	chan_destroy(ch);
}

Test(chan_close, buffered_values_drain_before_closed)
{
	struct chan *ch = make(4);
	void *v = NULL;
	for (int i = 0; i < 3; i++)
		cr_assert_eq(chan_send(ch, ST_INT(i + 1)), CHAN_OK, ASL_HINT(4));
	cr_assert_eq(chan_close(ch), CHAN_OK, ASL_HINT(4));
	for (int i = 0; i < 3; i++) {
		int rc = chan_recv(ch, &v);
		cr_assert(rc == CHAN_OK && ST_LONG(v) == i + 1,
			  "after close, buffered value %d: "
			  "got %s, value %ld (want 0, %d)" ASL_HINT(4),
			  i + 1, st_rc(rc), ST_LONG(v), i + 1);
	}
	for (int i = 0; i < 3; i++) {
		int rc = chan_recv(ch, &v);
		cr_assert_eq(rc, CHAN_CLOSED,
			     "closed and drained: recv returned %s, expected "
			     "CHAN_CLOSED every time" ASL_HINT(4),
			     st_rc(rc));
	}
	chan_destroy(ch);
}
