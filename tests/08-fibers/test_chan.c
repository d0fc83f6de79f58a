/* Step 6: channels between fibers (chan.c). */
#include "fiber_test.h"

ASL_SUITE(chan, 30);

static fiber_chan_t *mk(size_t cap)
{
	fiber_chan_t *c = NULL;
	int rc = fiber_chan_create(&c, cap);
	cr_assert(rc == 0 && c, "fiber_chan_create(%zu) failed: %s", cap, asl_test_rc(rc));
	return c;
}

static fiber_chan_t *ch;

/* ---- unbuffered: a send returns only once a receiver has taken the value ---- */
static int entered_recv, send_rc[3], send_early;
static void *got[3];

static void *rv_sender(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		send_rc[i] = fiber_chan_send(ch, (void *)(intptr_t)(i + 10));
		if (entered_recv <= i)
			send_early++;
	}
	return NULL;
}

static void *rv_receiver(void *arg)
{
	(void)arg;
	for (int y = 0; y < 5; y++)
		fiber_yield(); /* the sender is long parked by now */
	for (int i = 0; i < 3; i++) {
		entered_recv++;
		fiber_chan_recv(ch, &got[i]);
		fiber_yield();
	}
	return NULL;
}

Test(chan, unbuffered_send_waits_for_its_receiver)
{
	ch = mk(0);
	entered_recv = send_early = 0;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(6));
	ft_spawn(s, rv_sender, NULL, ASL_HINT(6));
	ft_spawn(s, rv_receiver, NULL, ASL_HINT(6));
	ft_sched_run(s, 0, ASL_HINT(6));
	ft_destroy(s, ASL_HINT(6));
	cr_assert_eq(send_early, 0,
		     "%d of 3 sends on an unbuffered channel returned before a "
		     "receiver had called fiber_chan_recv: a send is a rendezvous" ASL_HINT(6),
		     send_early);
	for (int i = 0; i < 3; i++)
		cr_assert(send_rc[i] == 0 && got[i] == (void *)(intptr_t)(i + 10),
			  "value %d: "
			  "sent %d (rc %s), received %ld" ASL_HINT(6),
			  i, i + 10, asl_test_rc(send_rc[i]), (long)(intptr_t)got[i]);
	fiber_chan_destroy(ch);
}

static int lonely_returned;
static void *lonely(void *arg)
{
	(void)arg;
	fiber_chan_send(ch, NULL);
	lonely_returned = 1;
	return NULL;
}

Test(chan, unbuffered_send_without_receiver_blocks_forever)
{
	ch = mk(0);
	lonely_returned = 0;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(6));
	ft_spawn(s, lonely, NULL, ASL_HINT(6));
	ft_sched_run(s, -EDEADLK,
		     " (a send on an unbuffered channel that nobody receives from "
		     "must block: nothing can wake it)" ASL_HINT(6));
	cr_assert_eq(lonely_returned, 0, "fiber_chan_send returned without a receiver" ASL_HINT(6));
	ft_destroy(s, ASL_HINT(6));
	free(ch); /* its sender was dropped with the scheduler: fiber_chan_destroy says -EBUSY */
}

/* ---- buffered: FIFO, and exactly `capacity` sends complete without a receiver ---- */
static int sends_done, sends_seen_by_receiver;
static int fifo_bad;

static void *buf_sender(void *arg)
{
	(void)arg;
	for (intptr_t i = 0; i < 10; i++) {
		fiber_chan_send(ch, (void *)i);
		sends_done++;
	}
	return NULL;
}

static void *buf_receiver(void *arg)
{
	(void)arg;
	sends_seen_by_receiver = sends_done;
	for (intptr_t i = 0; i < 10; i++) {
		void *v;
		if (fiber_chan_recv(ch, &v) || v != (void *)i)
			fifo_bad++;
	}
	return NULL;
}

Test(chan, buffered_fifo_and_capacity)
{
	ch = mk(3);
	sends_done = fifo_bad = 0;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(6));
	ft_spawn(s, buf_sender, NULL, ASL_HINT(6));
	ft_spawn(s, buf_receiver, NULL, ASL_HINT(6));
	ft_sched_run(s, 0, ASL_HINT(6));
	ft_destroy(s, ASL_HINT(6));
	cr_assert_eq(sends_seen_by_receiver, 3,
		     "capacity 3: the sender should complete exactly "
		     "3 sends before it blocks; the receiver found %d done" ASL_HINT(6),
		     sends_seen_by_receiver);
	cr_assert_eq(fifo_bad, 0,
		     "%d of 10 values were received out of order or failed" ASL_HINT(6), fifo_bad);
	cr_assert_eq(fiber_chan_destroy(ch), 0,
		     "fiber_chan_destroy of an idle channel failed" ASL_HINT(6));
}

/* ---- close ---- */
static int woken[5];

static void *close_receiver(void *arg)
{
	void *v;
	woken[(intptr_t)arg] = fiber_chan_recv(ch, &v) == -EPIPE ? 1 : 2;
	return NULL;
}

static void *closer(void *arg)
{
	(void)arg;
	fiber_chan_close(ch);
	return NULL;
}

Test(chan, close_wakes_every_waiting_receiver)
{
	ch = mk(1);
	memset(woken, 0, sizeof woken);
	fiber_sched_t *s = ft_sched(0, ASL_HINT(6));
	for (intptr_t i = 0; i < 5; i++)
		ft_spawn(s, close_receiver, (void *)i, ASL_HINT(6));
	ft_spawn(s, closer, NULL, ASL_HINT(6));
	ft_sched_run(s, 0,
		     " (5 receivers wait on an empty channel that is then closed: all must "
		     "wake)" ASL_HINT(6));
	ft_destroy(s, ASL_HINT(6));
	for (int i = 0; i < 5; i++)
		cr_assert_eq(woken[i], 1,
			     "receiver %d: expected fiber_chan_recv to return -EPIPE "
			     "after close (%s)" ASL_HINT(6),
			     i, woken[i] ? "it returned something else" : "it never returned");
	fiber_chan_destroy(ch);
}

static int drain_rc[4], drained[4], blocked_send_rc, closed_send_rc, close_again_rc;

static void *drain_sender(void *arg)
{
	(void)arg;
	fiber_chan_send(ch, (void *)1);
	fiber_chan_send(ch, (void *)2);
	blocked_send_rc = fiber_chan_send(ch, (void *)3); /* full: waits, then the channel closes */
	return NULL;
}

static void *drain_closer(void *arg)
{
	(void)arg;
	fiber_chan_close(ch);
	close_again_rc = fiber_chan_close(ch);
	closed_send_rc = fiber_chan_send(ch, (void *)4);
	for (int i = 0; i < 4; i++) {
		void *v = NULL;
		drain_rc[i] = fiber_chan_recv(ch, &v);
		drained[i] = (int)(intptr_t)v;
	}
	return NULL;
}

Test(chan, close_fails_blocked_senders_and_keeps_buffered_values)
{
	ch = mk(2);
	fiber_sched_t *s = ft_sched(0, ASL_HINT(6));
	ft_spawn(s, drain_sender, NULL, ASL_HINT(6));
	ft_spawn(s, drain_closer, NULL, ASL_HINT(6));
	ft_sched_run(s, 0, ASL_HINT(6));
	ft_destroy(s, ASL_HINT(6));
	cr_assert_eq(blocked_send_rc, -EPIPE,
		     "a sender waiting on a full channel that is closed: "
		     "expected %s, got %s" ASL_HINT(6),
		     asl_test_rc(-EPIPE), asl_test_rc(blocked_send_rc));
	cr_assert_eq(closed_send_rc, -EPIPE,
		     "send on a closed channel: expected %s, got %s" ASL_HINT(6),
		     asl_test_rc(-EPIPE), asl_test_rc(closed_send_rc));
	cr_assert_eq(close_again_rc, -EALREADY, "closing twice: expected %s, got %s" ASL_HINT(6),
		     asl_test_rc(-EALREADY), asl_test_rc(close_again_rc));
	cr_assert(drain_rc[0] == 0 && drained[0] == 1 && drain_rc[1] == 0 && drained[1] == 2,
		  "the two values buffered before close must still be received (1 and 2); got "
		  "%d (%s) and %d (%s)" ASL_HINT(6),
		  drained[0], asl_test_rc(drain_rc[0]), drained[1], asl_test_rc(drain_rc[1]));
	cr_assert(drain_rc[2] == -EPIPE && drain_rc[3] == -EPIPE,
		  "once drained, a closed "
		  "channel gives -EPIPE; got %s then %s" ASL_HINT(6),
		  asl_test_rc(drain_rc[2]), asl_test_rc(drain_rc[3]));
	fiber_chan_destroy(ch);
}

/* ---- many producers and consumers ---- */
#define PROD 10
#define PER 1000
static long last_seen[PROD][PROD], total_sum, total_n;
static int order_bad;

static void *producer(void *arg)
{
	intptr_t p = (intptr_t)arg;
	for (intptr_t i = 0; i < PER; i++) {
		fiber_chan_send(ch, (void *)(p * PER + i));
		if (i % 7 == 0)
			fiber_yield();
	}
	return NULL;
}

static void *consumer(void *arg)
{
	intptr_t c = (intptr_t)arg;
	void *v;
	while (fiber_chan_recv(ch, &v) == 0) {
		intptr_t x = (intptr_t)v, p = x / PER, i = x % PER;
		if (i <= last_seen[c][p])
			order_bad++;
		last_seen[c][p] = i;
		total_sum += x;
		total_n++;
	}
	return NULL;
}

static void *mpmc_main(void *arg)
{
	(void)arg;
	fiber_t *ps[PROD];
	for (intptr_t i = 0; i < PROD; i++) {
		fiber_spawn(ft_self_sched(), &ps[i], producer, (void *)i);
		fiber_spawn(ft_self_sched(), NULL, consumer, (void *)i);
	}
	for (int i = 0; i < PROD; i++)
		fiber_join(ps[i], NULL);
	fiber_chan_close(ch);
	return NULL;
}

Test(chan, many_producers_and_consumers_lose_nothing)
{
	ch = mk(4);
	for (int c = 0; c < PROD; c++)
		for (int p = 0; p < PROD; p++)
			last_seen[c][p] = -1;
	total_sum = total_n = order_bad = 0;
	ft_run(mpmc_main, NULL, 0, ASL_HINT(6));
	long n = PROD * PER, want = n * (n - 1) / 2;
	cr_assert(total_n == n && total_sum == want,
		  "%d producers x %d values through a "
		  "capacity-4 channel: expected %ld values "
		  "summing to %ld, got %ld summing to %ld" ASL_HINT(6),
		  PROD, PER, n, want, total_n, total_sum);
	cr_assert_eq(order_bad, 0,
		     "%d times a consumer saw one producer's values out of order" ASL_HINT(6),
		     order_bad);
	fiber_chan_destroy(ch);
}

/* ---- a receive from a full buffer lets the first waiting sender in at once ---- */
static int slot_sends_done, slot_seen_after_recv;
static void *slot_got;

static void *slot_sender(void *arg)
{
	(void)arg;
	for (intptr_t i = 0; i < 2; i++) /* 0 fills the buffer, 1 waits for room */
		if (fiber_chan_send(ch, (void *)i) == 0)
			slot_sends_done++;
	return NULL;
}

static void *slot_receiver(void *arg)
{
	(void)arg;
	fiber_yield(); /* the sender fills the buffer and parks */
	fiber_chan_recv(ch, &slot_got);
	fiber_yield();
	fiber_yield(); /* the woken sender runs */
	slot_seen_after_recv = slot_sends_done;
	void *v;
	fiber_chan_recv(ch, &v);
	return NULL;
}

Test(chan, receive_from_full_buffer_lets_a_waiting_sender_in)
{
	ch = mk(1);
	slot_sends_done = 0;
	slot_seen_after_recv = -1;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(6));
	ft_spawn(s, slot_sender, NULL, ASL_HINT(6));
	ft_spawn(s, slot_receiver, NULL, ASL_HINT(6));
	ft_sched_run(s, 0, ASL_HINT(6));
	ft_destroy(s, ASL_HINT(6));
	cr_assert_eq(slot_got, (void *)0,
		     "capacity 1: the first value received should be 0, the "
		     "buffered one" ASL_HINT(6));
	cr_assert_eq(
	    slot_seen_after_recv, 2,
	    "capacity 1, a sender parked on a full buffer: "
	    "after one receive (and two yields) the sender had finished %d of its 2 sends, "
	    "expected 2.  A receive that takes from a full buffer must move the first "
	    "waiting sender's value into the freed slot and wake that sender" ASL_HINT(6),
	    slot_seen_after_recv);
	cr_assert_eq(fiber_chan_destroy(ch), 0,
		     "fiber_chan_destroy of an idle channel failed" ASL_HINT(6));
}
