/* Step 4: channels - FIFO order, the unbuffered rendezvous, close. */
#include "sync_test.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

ASL_SUITE(chan_basic, 30);
ASL_SUITE(chan_unbuffered, 30);
ASL_SUITE(chan_close, 30);

static struct chan *make(size_t cap)
{
	struct chan *ch = NULL;
	int rc = chan_create(&ch, cap, NULL);
	cr_assert(rc == 0 && ch, "chan_create(capacity %zu) returned %s", cap, st_rc(rc));
	return ch;
}

Test(chan_basic, buffered_fifo_one_thread)
{
	struct chan *ch = make(8);
	for (int i = 0; i < 8; i++) {
		int rc = chan_send(ch, ST_INT(100 + i));
		cr_assert_eq(rc, CHAN_OK,
			     "send %d of 8 into an empty "
			     "capacity-8 channel returned %s" ASL_HINT(4),
			     i + 1, st_rc(rc));
	}
	for (int round = 0; round < 3; round++) { /* wraps around the ring */
		for (int i = 0; i < 8; i++) {
			void *v = NULL;
			int rc = chan_recv(ch, &v);
			cr_assert_eq(rc, CHAN_OK, "recv returned %s" ASL_HINT(4), st_rc(rc));
			long want = 100 + round * 8 + i;
			cr_assert_eq(ST_LONG(v), want, "FIFO: expected %ld, got %ld" ASL_HINT(4),
				     want, ST_LONG(v));
			cr_assert_eq(chan_send(ch, ST_INT(want + 8)), CHAN_OK);
		}
	}
	chan_destroy(ch);
}

struct stream {
	struct chan *ch;
	long n;
	atomic_int rc;
};

static void *send_stream(void *arg)
{
	struct stream *s = arg;
	for (long i = 0; i < s->n; i++) {
		int rc = chan_send(s->ch, ST_INT(i));
		if (rc) {
			atomic_store(&s->rc, rc);
			break;
		}
	}
	return NULL;
}

/* A producer thread streams 0..n-1; the test receives and checks order. */
static void stream_fifo(size_t cap, long n)
{
	struct stream s = { .ch = make(cap), .n = n };
	pthread_t t;
	int before = asl_test_threads();
	atomic_init(&s.rc, 0);
	cr_assert_eq(pthread_create(&t, NULL, send_stream, &s), 0);
	for (long i = 0; i < n; i++) {
		void *v = NULL;
		int rc = chan_recv(s.ch, &v);
		if (rc != CHAN_OK) {
			chan_close(s.ch); /* release the producer before failing */
			pthread_join(t, NULL);
			cr_assert_fail("capacity %zu: recv %ld returned %s" ASL_HINT(4), cap, i,
				       st_rc(rc));
		}
		if (ST_LONG(v) != i) {
			chan_close(s.ch);
			pthread_join(t, NULL);
			cr_assert_fail("capacity %zu: FIFO broken: "
				       "value %ld arrived as number %ld" ASL_HINT(4),
				       cap, ST_LONG(v), i);
		}
	}
	pthread_join(t, NULL);
	cr_assert_eq(atomic_load(&s.rc), 0, "capacity %zu: a send returned %s" ASL_HINT(4), cap,
		     st_rc(atomic_load(&s.rc)));
	chan_destroy(s.ch);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(chan_basic, fifo_across_threads_buffered)
{
	stream_fifo(1, 20000);
	stream_fifo(4, 20000);
	stream_fifo(64, 20000);
}

Test(chan_basic, fifo_across_threads_unbuffered)
{
	stream_fifo(0, 20000);
}

Test(chan_basic, bad_arguments)
{
	struct chan *ch = make(1);
	void *v;
	int rc = chan_create(NULL, 1, NULL);
	cr_assert_eq(rc, -EINVAL, "chan_create(NULL, ...) returned %s", st_rc(rc));
	rc = chan_recv(ch, NULL);
	cr_assert_eq(rc, -EINVAL, "chan_recv(ch, NULL) returned %s, expected -EINVAL" ASL_HINT(4),
		     st_rc(rc));
	rc = chan_send(NULL, NULL);
	cr_assert_eq(rc, -EINVAL, "chan_send(NULL, ...) returned %s" ASL_HINT(4), st_rc(rc));
	rc = chan_recv(NULL, &v);
	cr_assert_eq(rc, -EINVAL, "chan_recv(NULL, ...) returned %s" ASL_HINT(4), st_rc(rc));
	rc = chan_close(ch);
	cr_assert_eq(rc, CHAN_OK, "chan_close returned %s" ASL_HINT(4), st_rc(rc));
	chan_destroy(ch);
}

/* Many producers, many consumers: every value arrives exactly once, and each producer's
 * values arrive in the order it sent them. */
enum { MP = 4, MC = 3, PER = 5000 };
struct mpmc {
	struct chan *ch;
	pthread_barrier_t start;
	atomic_int next_id, errors, order_breaks, early_closed, consumers_done;
	atomic_bool closing; /* set just before chan_close */
	atomic_long sum, count;
};

static void *mp_producer(void *arg)
{
	struct mpmc *m = arg;
	int id = atomic_fetch_add(&m->next_id, 1);
	pthread_barrier_wait(&m->start);
	for (long i = 0; i < PER; i++)
		if (chan_send(m->ch, ST_INT(id * 1000000L + i)) != CHAN_OK)
			atomic_fetch_add(&m->errors, 1);
	return NULL;
}

static void *mp_consumer(void *arg)
{
	struct mpmc *m = arg;
	long last[MP];
	void *v;
	int rc;
	for (int i = 0; i < MP; i++)
		last[i] = -1;
	pthread_barrier_wait(&m->start);
	while ((rc = chan_recv(m->ch, &v)) == CHAN_OK) {
		long x = ST_LONG(v), id = x / 1000000L, seq = x % 1000000L;
		if (id < 0 || id >= MP || seq <= last[id])
			atomic_fetch_add(&m->order_breaks, 1);
		else
			last[id] = seq;
		atomic_fetch_add(&m->sum, x);
		atomic_fetch_add(&m->count, 1);
	}
	if (rc != CHAN_CLOSED)
		atomic_fetch_add(&m->errors, 1);
	else if (!atomic_load(&m->closing))
		atomic_fetch_add(&m->early_closed, 1);
	atomic_fetch_add(&m->consumers_done, 1);
	return NULL;
}

static void mpmc(size_t cap)
{
	struct mpmc m = { .ch = make(cap) };
	pthread_t p[MP], c[MC];
	int before = asl_test_threads();
	long want_sum = 0;
	atomic_init(&m.next_id, 0);
	atomic_init(&m.errors, 0);
	atomic_init(&m.order_breaks, 0);
	atomic_init(&m.early_closed, 0);
	atomic_init(&m.consumers_done, 0);
	atomic_init(&m.closing, false);
	atomic_init(&m.sum, 0);
	atomic_init(&m.count, 0);
	pthread_barrier_init(&m.start, NULL, MP + MC);
	for (int i = 0; i < MC; i++)
		cr_assert_eq(pthread_create(&c[i], NULL, mp_consumer, &m), 0);
	for (int i = 0; i < MP; i++)
		cr_assert_eq(pthread_create(&p[i], NULL, mp_producer, &m), 0);
	for (int i = 0; i < MP; i++)
		pthread_join(p[i], NULL);
	atomic_store(&m.closing, true);
	chan_close(m.ch);
	if (!asl_test_wait_flag(&m.consumers_done, MC, ASL_WATCHDOG_MS)) {
		asl_test_abandon();
		cr_assert_fail(
		    "capacity %zu: every value was sent and the channel closed, but %d of "
		    "%d consumers were still in chan_recv %d s later: close must wake "
		    "EVERY sleeper (broadcast, not signal)" ASL_HINT(4),
		    cap, MC - atomic_load(&m.consumers_done), MC, ASL_WATCHDOG_MS / 1000);
	}
	for (int i = 0; i < MC; i++)
		pthread_join(c[i], NULL);
	pthread_barrier_destroy(&m.start);
	for (long id = 0; id < MP; id++)
		for (long i = 0; i < PER; i++)
			want_sum += id * 1000000L + i;
	cr_assert_eq(atomic_load(&m.errors), 0, "capacity %zu: %d sends/recvs failed" ASL_HINT(4),
		     cap, atomic_load(&m.errors));
	cr_assert_eq(
	    atomic_load(&m.early_closed), 0,
	    "capacity %zu: %d consumers' recv returned "
	    "CHAN_CLOSED before the channel was closed (woken, found it empty, and did not "
	    "wait again?)" ASL_HINT(4),
	    cap, atomic_load(&m.early_closed));
	cr_assert_eq(atomic_load(&m.count), (long)MP * PER,
		     "capacity %zu: %d producers x %d values, %ld received" ASL_HINT(4), cap, MP,
		     PER, atomic_load(&m.count));
	cr_assert_eq(atomic_load(&m.sum), want_sum,
		     "capacity %zu: values lost or duplicated" ASL_HINT(4), cap);
	cr_assert_eq(
	    atomic_load(&m.order_breaks), 0,
	    "capacity %zu: %d values overtook an earlier value of the same producer" ASL_HINT(4),
	    cap, atomic_load(&m.order_breaks));
	chan_destroy(m.ch);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(chan_basic, many_producers_many_consumers)
{
	mpmc(0);
	mpmc(1);
	mpmc(16);
}

/* ---- the unbuffered rendezvous */

struct blocker {
	struct chan *ch;
	atomic_int tid;      /* published before the call */
	atomic_int returned; /* set the instant the call returns */
	atomic_int rc;
	void *value;
};

static void *blocking_send(void *arg)
{
	struct blocker *b = arg;
	atomic_store(&b->tid, st_gettid());
	int rc = chan_send(b->ch, b->value);
	atomic_store(&b->rc, rc);
	atomic_store(&b->returned, 1);
	return NULL;
}

static void *blocking_recv(void *arg)
{
	struct blocker *b = arg;
	atomic_store(&b->tid, st_gettid());
	int rc = chan_recv(b->ch, &b->value);
	atomic_store(&b->rc, rc);
	atomic_store(&b->returned, 1);
	return NULL;
}

static void blocker_init(struct blocker *b, struct chan *ch, void *value)
{
	b->ch = ch;
	b->value = value;
	atomic_init(&b->tid, 0);
	atomic_init(&b->returned, 0);
	atomic_init(&b->rc, 0);
}

Test(chan_unbuffered, send_blocks_until_a_receiver_takes)
{
	struct chan *ch = make(0);
	struct blocker b;
	pthread_t t;
	void *v = NULL;
	int before = asl_test_threads();
	blocker_init(&b, ch, ST_INT(42));
	cr_assert_eq(pthread_create(&t, NULL, blocking_send, &b), 0);
	/* No receiver exists: the sender must go to sleep inside chan_send. */
	bool asleep = st_wait_asleep(&b.tid, &b.returned);
	if (!asleep) {
		chan_recv_timeout(ch, &v, 0); /* best effort, in case it is still stuck */
		pthread_join(t, NULL);
		cr_assert_fail(
		    "unbuffered chan_send returned (%s) although no thread ever received:"
		    " it must wait for a receiver" ASL_HINT(4),
		    st_rc(atomic_load(&b.rc)));
	}
	cr_assert_eq(atomic_load(&b.returned), 0);
	int rc = chan_recv(ch, &v);
	pthread_join(t, NULL); /* the receiver arrived: the send must now return */
	cr_assert_eq(rc, CHAN_OK, "recv returned %s" ASL_HINT(4), st_rc(rc));
	cr_assert_eq(ST_LONG(v), 42, "received %ld, sent 42" ASL_HINT(4), ST_LONG(v));
	cr_assert_eq(atomic_load(&b.rc), CHAN_OK, "the blocked send returned %s" ASL_HINT(4),
		     st_rc(atomic_load(&b.rc)));
	chan_destroy(ch);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(chan_unbuffered, receiver_first_then_sender)
{
	struct chan *ch = make(0);
	struct blocker b;
	pthread_t t;
	int before = asl_test_threads();
	blocker_init(&b, ch, NULL);
	cr_assert_eq(pthread_create(&t, NULL, blocking_recv, &b), 0);
	bool asleep = st_wait_asleep(&b.tid, &b.returned);
	if (!asleep) {
		pthread_join(t, NULL);
		cr_assert_fail(
		    "chan_recv on an empty channel returned %s instead of waiting" ASL_HINT(4),
		    st_rc(atomic_load(&b.rc)));
	}
	int rc = chan_send(ch, ST_INT(7));
	pthread_join(t, NULL);
	cr_assert_eq(rc, CHAN_OK, "send returned %s" ASL_HINT(4), st_rc(rc));
	cr_assert(atomic_load(&b.rc) == CHAN_OK && ST_LONG(b.value) == 7,
		  "the waiting receiver got %s, value %ld (want 0, 7)" ASL_HINT(4),
		  st_rc(atomic_load(&b.rc)), ST_LONG(b.value));
	chan_destroy(ch);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(chan_unbuffered, buffered_send_does_not_wait_for_receiver)
{
	struct chan *ch = make(3);
	for (int i = 0; i < 3; i++) {
		int rc = chan_send(ch, ST_INT(i));
		cr_assert_eq(rc, CHAN_OK, "send %d into capacity 3 returned %s" ASL_HINT(4), i,
			     st_rc(rc));
	}
	chan_destroy(ch);
}

/* Sends 1..n, one after another; counts those that returned CHAN_OK. */
struct sends {
	struct chan *ch;
	int n;
	atomic_int sent;
};

static int send_values(void *arg)
{
	struct sends *s = arg;
	for (int v = 1; v <= s->n; v++) {
		int rc = chan_send(s->ch, ST_INT(v));
		if (rc != CHAN_OK)
			return rc;
		atomic_fetch_add(&s->sent, 1);
	}
	return CHAN_OK;
}

/* Several receivers asleep on an empty channel, one value arrives: one takes it; every other
 * receiver that was woken finds the channel empty again and must go back to sleep - not
 * return.  (Condition variables also wake threads for no reason at all: re-check in a loop.) */
Test(chan_unbuffered, woken_receivers_that_find_nothing_wait_again)
{
	enum { N = 4 };
	for (size_t cap = 0; cap <= 2; cap += 2) {
		struct chan *ch = make(cap);
		struct blocker b[N];
		pthread_t t[N];
		long seen = 0;
		int before = asl_test_threads(), asleep = 0;
		for (int i = 0; i < N; i++) {
			blocker_init(&b[i], ch, ST_INT(-1));
			cr_assert_eq(pthread_create(&t[i], NULL, blocking_recv, &b[i]), 0);
		}
		for (int i = 0; i < N; i++)
			asleep += st_wait_asleep(&b[i].tid, &b[i].returned);
		/* one value at a time: each send wakes the sleepers, only one can have it */
		struct sends s = { ch, N, 0 };
		struct asl_call *c = asl_call_start(send_values, &s);
		int rc;
		if (!asl_call_wait(c, ASL_WATCHDOG_MS, &rc)) {
			chan_close(ch); /* release the stuck sender and any receiver still asleep */
			cr_assert_fail(
			    "capacity %zu: %d receivers were waiting, but after %d s the "
			    "sender is still stuck at value %d of %d: receivers that were "
			    "woken and found nothing left instead of waiting again (while, "
			    "not if)" ASL_HINT(4),
			    cap, N, ASL_WATCHDOG_MS / 1000, atomic_load(&s.sent) + 1, N);
		}
		if (rc != CHAN_OK) {
			chan_close(ch);
			for (int i = 0; i < N; i++)
				pthread_join(t[i], NULL);
			cr_assert_fail(
			    "capacity %zu: send %d of %d to %d waiting receivers returned "
			    "%s" ASL_HINT(4),
			    cap, atomic_load(&s.sent) + 1, N, N, st_rc(rc));
		}
		for (int i = 0; i < N; i++)
			pthread_join(t[i], NULL);
		cr_assert_eq(asleep, N,
			     "capacity %zu: only %d of %d receivers waited on the empty "
			     "channel" ASL_HINT(4),
			     cap, asleep, N);
		for (int i = 0; i < N; i++) {
			long v = ST_LONG(b[i].value);
			cr_assert_eq(
			    atomic_load(&b[i].rc), CHAN_OK,
			    "capacity %zu: %d receivers "
			    "waiting, %d values sent one by one: receiver %d returned %s; "
			    "expected every one to get a value (a receiver woken with nothing "
			    "to take must wait again)" ASL_HINT(4),
			    cap, N, N, i, st_rc(atomic_load(&b[i].rc)));
			cr_assert(v >= 1 && v <= N && !(seen & (1L << v)),
				  "capacity %zu: receiver "
				  "%d got %ld (values 1..%d, each once)" ASL_HINT(4),
				  cap, i, v, N);
			seen |= 1L << v;
		}
		chan_destroy(ch);
		cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
	}
}

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
