/* Step 4: channels - FIFO order and the unbuffered rendezvous (close: test_chan_close.c). */
#include "chan_test.h"

#include <pthread.h>
#include <stdlib.h>

ASL_SUITE(chan_basic, 30);
ASL_SUITE(chan_unbuffered, 30);

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
