/* Steps 9-10: the async channel (order, FIFO fairness of waiting senders, close, senders on
 * other threads) and the async mutex (FIFO hand-off, a waiter does not stall the executor).
 * Blocking work on lab 05's pool (step 11) is in test_blocking.c. */
#include "fut_test.h"
#include "workloads.h"

ASL_SUITE(fut_chan, 30);
ASL_SUITE(amutex, 30);

static fut_chan_t *ft_fut_chan(size_t cap)
{
	fut_chan_t *ch = NULL;
	int rc = fut_chan_create(&ch, cap);
	cr_assert(rc == 0 && ch, "fut_chan_create(%zu): %s", cap, asl_test_rc(rc));
	return ch;
}

static void free_self(fut_t *self)
{
	free(self);
}

/* The producer and consumer come from workloads.h (stress_wake runs them too). */
static fut_t *producer(fut_chan_t *ch, int from, int to)
{
	fut_t *p = producer_new(ch, from, to);
	cr_assert_not_null(p);
	return p;
}

static struct consumer *consumer(fut_chan_t *ch, intptr_t *got, int cap)
{
	struct consumer *c = consumer_new(ch, got, cap);
	cr_assert_not_null(c);
	return c;
}

/* Closes the channel once `done` of the producers' joins are ready. */
struct closer {
	fut_t base;
	fut_chan_t *ch;
	fut_t *all;
};

static enum fut_poll closer_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct closer *c = (struct closer *)self;
	if (fut_poll(c->all, cx, out) == FUT_PENDING)
		return FUT_PENDING;
	fut_chan_close(c->ch);
	return FUT_READY;
}

static void closer_drop(fut_t *self)
{
	fut_drop(((struct closer *)self)->all);
	free(self);
}

static const struct fut_vtable closer_vtable = { .poll = closer_poll, .drop = closer_drop };

Test(fut_chan, values_arrive_in_order_through_a_small_buffer)
{
	exec_t *ex = ft_exec(ASL_HINT(9));
	fut_chan_t *ch = ft_fut_chan(2);
	static intptr_t got[1000];
	struct consumer *c = consumer(ch, got, 1000);
	fut_t *jc, *jp;
	ft_spawn(ex, &c->base, &jc, ASL_HINT(9));
	ft_spawn(ex, producer(ch, 0, 1000), &jp, ASL_HINT(9));
	struct closer *cl = malloc(sizeof *cl);
	*cl = (struct closer){ { &closer_vtable }, ch, jp };
	ft_spawn(ex, &cl->base, NULL, ASL_HINT(9));
	intptr_t r = ft_block_on(ex, jc, "consumer", ASL_HINT(9));
	cr_assert_eq(r, -EPIPE,
		     "the receiver of a closed, drained channel: expected %s, got %s" ASL_HINT(9),
		     asl_test_rc(-EPIPE), asl_test_rc((int)r));
	cr_assert_eq(c->n, 1000, "expected 1000 values, got %ld" ASL_HINT(9), c->n);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(got[i], i, "value #%d: expected %d, got %ld" ASL_HINT(9), i, i,
			     (long)got[i]);
	ft_run(ex, ASL_HINT(9));
	exec_destroy(ex);
	fut_chan_destroy(ch);
	free(c);
}

Test(fut_chan, waiting_senders_are_served_in_fifo_order)
{
	exec_t *ex = ft_exec(ASL_HINT(9));
	fut_chan_t *ch = ft_fut_chan(1);
	intptr_t v = ft_block_on(ex, fut_chan_send(ch, 100), "fut_chan_send",
				 ASL_HINT(9)); /* now full */
	cr_assert_eq(v, 0, "send into an empty channel: expected 0, got %ld" ASL_HINT(9), (long)v);
	for (int i = 0; i < 5; i++) /* five senders wait, in this order */
		ft_spawn(ex, fut_chan_send(ch, i), NULL, ASL_HINT(9));
	ft_block_on(ex, fut_yield(3, 0), "fut_yield", ASL_HINT(9));
	/* a latecomer must not overtake them, even though it is polled when a slot frees */
	static intptr_t got[8];
	struct consumer *c = consumer(ch, got, 8);
	fut_t *jc;
	ft_spawn(ex, &c->base, &jc, ASL_HINT(9));
	ft_spawn(ex, fut_chan_send(ch, 999), NULL, ASL_HINT(9));
	ft_block_on(ex, fut_yield(20, 0), "fut_yield", ASL_HINT(9));
	fut_chan_close(ch);
	ft_block_on(ex, jc, "consumer", ASL_HINT(9));
	cr_assert(c->n >= 6, "expected at least 6 values, got %ld" ASL_HINT(9), c->n);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(
		    got[i + 1], i,
		    "receive #%d: expected the sender that waited %d-th "
		    "(value %d), got %ld - waiting senders are served in FIFO order" ASL_HINT(9),
		    i + 1, i + 1, i, (long)got[i + 1]);
	exec_destroy(ex);
	fut_chan_destroy(ch);
	free(c);
}

Test(fut_chan, close_drains_buffered_then_epipe)
{
	exec_t *ex = ft_exec(ASL_HINT(9));
	fut_chan_t *ch = ft_fut_chan(4);
	ft_block_on(ex, fut_chan_send(ch, 1), "fut_chan_send", ASL_HINT(9));
	ft_block_on(ex, fut_chan_send(ch, 2), "fut_chan_send", ASL_HINT(9));
	fut_chan_close(ch);
	intptr_t v = 0;
	intptr_t r = ft_block_on(ex, fut_chan_send(ch, 3), "fut_chan_send", ASL_HINT(9));
	cr_assert_eq(r, -EPIPE, "send on a closed channel: expected %s, got %ld" ASL_HINT(9),
		     asl_test_rc(-EPIPE), (long)r);
	for (int i = 1; i <= 2; i++) {
		r = ft_block_on(ex, fut_chan_recv(ch, &v), "fut_chan_recv", ASL_HINT(9));
		cr_assert(r == 0 && v == i,
			  "receive %d after close: expected the buffered value "
			  "%d, got result %ld value %ld" ASL_HINT(9),
			  i, i, (long)r, (long)v);
	}
	r = ft_block_on(ex, fut_chan_recv(ch, &v), "fut_chan_recv", ASL_HINT(9));
	cr_assert_eq(r, -EPIPE,
		     "receive on a closed, empty channel: expected %s, got %ld" ASL_HINT(9),
		     asl_test_rc(-EPIPE), (long)r);
	exec_destroy(ex);
	fut_chan_destroy(ch);
}

Test(fut_chan, close_wakes_a_waiting_sender_and_receiver)
{
	exec_t *ex = ft_exec(ASL_HINT(9));
	fut_chan_t *full = ft_fut_chan(1), *empty = ft_fut_chan(1);
	ft_block_on(ex, fut_chan_send(full, 1), "fut_chan_send", ASL_HINT(9));
	fut_t *js, *jr;
	intptr_t v;
	ft_spawn(ex, fut_chan_send(full, 2), &js, ASL_HINT(9));
	ft_spawn(ex, fut_chan_recv(empty, &v), &jr, ASL_HINT(9));
	ft_block_on(ex, fut_yield(2, 0), "fut_yield", ASL_HINT(9));
	fut_chan_close(full);
	fut_chan_close(empty);
	intptr_t a = ft_block_on(ex, js, "join(send)", ASL_HINT(9));
	intptr_t b = ft_block_on(ex, jr, "join(recv)", ASL_HINT(9));
	cr_assert(a == -EPIPE && b == -EPIPE,
		  "close must wake the waiting sender and receiver "
		  "with -EPIPE: got %ld and %ld" ASL_HINT(9),
		  (long)a, (long)b);
	exec_destroy(ex);
	fut_chan_destroy(full);
	fut_chan_destroy(empty);
}

struct remote_sender {
	fut_chan_t *ch;
	int id, n;
};

/* A thread with its own executor sends n values (id * 1e6 + i). */
static void *remote_send(void *arg)
{
	struct remote_sender *s = arg;
	exec_t *ex;
	if (exec_create(&ex) < 0)
		return NULL;
	intptr_t r = 0;
	exec_block_on(ex, producer(s->ch, s->id * 1000000, s->id * 1000000 + s->n), &r);
	exec_destroy(ex);
	return NULL;
}

Test(fut_chan, senders_on_other_threads_no_lost_wakeup)
{
	enum { T = 4, N = 20000 };
	exec_t *ex = ft_exec(ASL_HINT(9));
	fut_chan_t *ch = ft_fut_chan(8);
	static intptr_t got[T * N];
	struct consumer *c = consumer(ch, got, T * N);
	fut_t *jc;
	ft_spawn(ex, &c->base, &jc, ASL_HINT(9));
	pthread_t th[T];
	struct remote_sender s[T];
	for (int i = 0; i < T; i++) {
		s[i] = (struct remote_sender){ ch, i + 1, N };
		cr_assert_eq(pthread_create(&th[i], NULL, remote_send, &s[i]), 0);
	}
	struct closer_arg j = { th, T, ch };
	pthread_t jt;
	cr_assert_eq(pthread_create(&jt, NULL, closer_main, &j), 0);
	ft_block_on(ex, jc, "consumer", ASL_HINT(9)); /* runs while the senders send */
	pthread_join(jt, NULL);
	cr_assert_eq(c->n, T * N,
		     "4 threads x 20000 sends: expected %d values, got %ld" ASL_HINT(9), T * N,
		     c->n);
	int last[T + 1] = { 0 };
	for (int i = 0; i < T * N; i++) {
		int id = (int)(got[i] / 1000000), k = (int)(got[i] % 1000000);
		cr_assert(id >= 1 && id <= T && k == last[id],
			  "value #%d is %ld: each sender's "
			  "values must arrive once, in its order" ASL_HINT(9),
			  i, (long)got[i]);
		last[id]++;
	}
	exec_destroy(ex);
	fut_chan_destroy(ch);
	free(c);
}

/* ---- async mutex ---- */

static int order[16], norder;

/* Lock, note its id, hold the lock for `hold` yields, unlock. */
struct locker {
	fut_t base;
	amutex_t *m;
	fut_t *lock;
	int id, hold;
	bool held;
};

static enum fut_poll locker_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct locker *l = (struct locker *)self;
	if (!l->held) {
		if (!l->lock)
			l->lock = amutex_lock(l->m);
		intptr_t r;
		if (fut_poll(l->lock, cx, &r) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(l->lock);
		l->lock = NULL;
		l->held = true;
		order[norder++] = l->id;
	}
	if (l->hold-- > 0) {
		waker_wake_by_ref(cx->waker);
		return FUT_PENDING;
	}
	amutex_unlock(l->m);
	*out = 0;
	return FUT_READY;
}

static void locker_drop(fut_t *self)
{
	fut_drop(((struct locker *)self)->lock);
	free(self);
}

static const struct fut_vtable locker_vtable = { .poll = locker_poll, .drop = locker_drop };

static fut_t *locker(amutex_t *m, int id, int hold)
{
	struct locker *l = calloc(1, sizeof *l);
	*l = (struct locker){ .base = { &locker_vtable }, .m = m, .id = id, .hold = hold };
	return &l->base;
}

static amutex_t *ft_amutex(void)
{
	amutex_t *m = NULL;
	int rc = amutex_create(&m);
	cr_assert(rc == 0 && m, "amutex_create: %s", asl_test_rc(rc));
	return m;
}

Test(amutex, lock_is_handed_over_in_fifo_order)
{
	exec_t *ex = ft_exec(ASL_HINT(10));
	amutex_t *m = ft_amutex();
	norder = 0;
	for (int i = 0; i < 6; i++)
		ft_spawn(ex, locker(m, i, 3), NULL, ASL_HINT(10));
	ft_run(ex, ASL_HINT(10));
	cr_assert_eq(norder, 6, "6 tasks each take the lock once: got %d acquisitions" ASL_HINT(10),
		     norder);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(order[i], i,
			     "acquisition #%d: expected task %d (waiters are served "
			     "in the order they asked), got task %d" ASL_HINT(10),
			     i, i, order[i]);
	exec_destroy(ex);
	amutex_destroy(m);
}

struct ticker {
	fut_t base;
	atomic_int *ticks;
	int n;
};

static enum fut_poll ticker_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct ticker *t = (struct ticker *)self;
	atomic_fetch_add(t->ticks, 1);
	if (--t->n > 0) {
		waker_wake_by_ref(cx->waker);
		return FUT_PENDING;
	}
	*out = 0;
	return FUT_READY;
}

static const struct fut_vtable ticker_vtable = { .poll = ticker_poll, .drop = free_self };

Test(amutex, a_waiter_does_not_stall_the_executor)
{
	exec_t *ex = ft_exec(ASL_HINT(10));
	amutex_t *m = ft_amutex();
	norder = 0;
	atomic_int ticks = 0;
	fut_t *jt;
	/* the holder keeps the lock for 5000 polls: longer than any batch of the executor */
	ft_spawn(ex, locker(m, 0, 5000), NULL, ASL_HINT(10));
	ft_spawn(ex, locker(m, 1, 0), NULL, ASL_HINT(10)); /* waits */
	struct ticker *t = malloc(sizeof *t);
	*t = (struct ticker){ { &ticker_vtable }, &ticks, 50 };
	ft_spawn(ex, &t->base, &jt, ASL_HINT(10));
	ft_block_on(ex, jt, "ticker", ASL_HINT(10));
	cr_assert_eq(norder, 1,
		     "while the holder keeps the lock, the waiter must wait (pending),"
		     " and other tasks run: %d acquisitions so far" ASL_HINT(10),
		     norder);
	ft_run(ex, ASL_HINT(10));
	cr_assert_eq(norder, 2,
		     "after the holder unlocks the waiter gets the lock: %d "
		     "acquisitions" ASL_HINT(10),
		     norder);
	exec_destroy(ex);
	amutex_destroy(m);
}

Test(amutex, dropped_waiter_passes_the_lock_on)
{
	exec_t *ex = ft_exec(ASL_HINT(10));
	amutex_t *m = ft_amutex();
	norder = 0;
	intptr_t r = ft_block_on(ex, amutex_lock(m), "amutex_lock", ASL_HINT(10));
	cr_assert_eq(r, 0, "locking a free mutex: expected 0, got %ld" ASL_HINT(10), (long)r);
	fut_t *w1 = amutex_lock(m); /* queued first, then dropped after the hand-off */
	struct probe dummy;
	probe_init(&dummy);
	fut_t *jd;
	ft_spawn(ex, probe_new(&dummy), &jd, ASL_HINT(10));
	ft_block_on(ex, fut_ready(0), "fut_ready", ASL_HINT(10));
	fut_ctx_t cx = { &dummy.waker };
	cr_assert_eq(fut_poll(w1, &cx, &r), FUT_PENDING,
		     "lock of a held mutex: expected pending" ASL_HINT(10));
	fut_t *j7;
	ft_spawn(ex, locker(m, 7, 0), &j7, ASL_HINT(10)); /* queued second */
	ft_block_on(ex, fut_yield(2, 0), "fut_yield", ASL_HINT(10));
	amutex_unlock(m); /* handed to w1 ... */
	fut_drop(w1);     /* ... which is cancelled before it takes it: pass it on */
	ft_block_on(ex, j7, "join(locker)", ASL_HINT(10)); /* hangs if the lock got lost */
	cr_assert(norder == 1 && order[0] == 7,
		  "a waiter that was handed the lock and dropped "
		  "must pass it to the next waiter: %d acquisitions" ASL_HINT(10),
		  norder);
	exec_destroy(ex);
	fut_drop(jd);
	amutex_destroy(m);
}

/* A receiver waits on an empty buffered channel; then one value is sent.  Run on a thread of
 * its own with a watchdog: a send into the buffer that does not wake the waiting receiver
 * leaves it asleep forever; this fails after a few seconds, naming that mistake. */
struct buffered_wake {
	intptr_t got;
	int recv_rc;
};

static int buffered_wake_scenario(void *arg)
{
	struct buffered_wake *b = arg;
	exec_t *ex = NULL;
	fut_chan_t *ch = NULL;
	fut_t *j = NULL;
	intptr_t out = -1;
	if (exec_create(&ex))
		return -1;
	if (fut_chan_create(&ch, 4)) {
		exec_destroy(ex);
		return -2;
	}
	int rc = exec_spawn(ex, fut_chan_recv(ch, &b->got), &j);
	if (rc == 0)
		rc = exec_spawn(ex, fut_chan_send(ch, 9), NULL);
	if (rc == 0)
		rc = exec_block_on(ex, j, &out);
	b->recv_rc = (int)out;
	if (rc == 0)
		rc = exec_run(ex);
	fut_chan_destroy(ch);
	exec_destroy(ex);
	return rc;
}

Test(fut_chan, buffered_send_wakes_the_waiting_receiver)
{
	ft_need_lab07();
	struct buffered_wake b = { .got = -1, .recv_rc = -1 };
	int rc = -1;
	struct asl_call *c = asl_call_start(buffered_wake_scenario, &b);
	if (!asl_call_wait(c, ASL_WATCHDOG_MS, &rc))
		cr_assert_fail(
		    "a receiver waited on an empty channel of capacity 4, then one value "
		    "was sent: %d ms later the receiver was still waiting.  A send that "
		    "puts its value into the buffer must wake the receiver waiting on "
		    "the channel (take its waker under the lock, wake it after)" ASL_HINT(9),
		    ASL_WATCHDOG_MS);
	cr_assert(rc == 0 && b.recv_rc == 0 && b.got == 9,
		  "one value sent to a waiting receiver "
		  "through the buffer: expected the run to succeed and the receive to give 0 with "
		  "9; got %s, %d and %ld" ASL_HINT(9),
		  asl_test_rc(rc), b.recv_rc, (long)b.got);
}
