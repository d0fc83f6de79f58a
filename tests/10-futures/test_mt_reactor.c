/* Step 13: the multi-threaded executor's reactor (exec_mt_reactor): sleeps and reads complete
 * on the workers, and no reactor wake-up is lost under stress.  The suite `mt` is declared in
 * test_mt.c. */
#include <string.h>
#include <sys/socket.h>

#include "mt_test.h"
#include "workloads.h"

/* Polls `inner`; notes in *pending that it has returned pending at least once. */
struct noting {
	fut_t base;
	fut_t *inner;
	atomic_int *pending;
};

static enum fut_poll noting_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct noting *n = (struct noting *)self;
	if (fut_poll(n->inner, cx, out) == FUT_READY)
		return FUT_READY;
	atomic_store(n->pending, 1);
	return FUT_PENDING;
}

static void noting_drop(fut_t *self)
{
	fut_drop(((struct noting *)self)->inner);
	free(self);
}

static const struct fut_vtable noting_vtable = { .poll = noting_poll, .drop = noting_drop };

static fut_t *noting(fut_t *inner, atomic_int *pending)
{
	cr_assert_not_null(inner, "a reactor future constructor returned NULL" ASL_HINT(13));
	struct noting *n = malloc(sizeof *n);
	*n = (struct noting){ { &noting_vtable }, inner, pending };
	return &n->base;
}

struct late_writer {
	atomic_int pending;
	int fd;
};

/* Writes once the reading task is parked on the reactor: the wake must come from epoll. */
static void *write_when_pending(void *arg)
{
	struct late_writer *w = arg;
	while (!atomic_load(&w->pending))
		sched_yield();
	ssize_t n = write(w->fd, "hello", 5); /* the test checks what the read got */
	(void)n;
	return NULL;
}

static reactor_io_t *ft_mt_io(exec_t *r, int fd)
{
	reactor_io_t *io = NULL;
	int rc = reactor_io_open(r, fd, &io);
	cr_assert(rc == 0 && io, "reactor_io_open on exec_mt's reactor: %s" ASL_HINT(13),
		  asl_test_rc(rc));
	return io;
}

Test(mt, sleep_and_read_complete_on_workers)
{
	/* A sleep and a socket read, each a task on a 2-worker executor: the reactor thread's
	 * loop fires the timer and reports the descriptor readable, and the wakes it sends reach
	 * parked workers. */
	int before = asl_test_threads(), fds = asl_test_fds();
	exec_mt_t *ex = ft_mt(2, ASL_HINT(13));
	exec_t *r = exec_mt_reactor(ex);
	cr_assert_not_null(r, "exec_mt_reactor: NULL (errno %d)" ASL_HINT(13), errno);
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	reactor_io_t *io = ft_mt_io(r, sv[0]);
	char buf[8] = { 0 };
	struct late_writer w = { 0, sv[1] };
	fut_t *js, *jr;
	uint64_t t0 = asl_now_ms();
	cr_assert_eq(exec_mt_spawn(ex, reactor_sleep(r, 30), &js), 0);
	cr_assert_eq(exec_mt_spawn(ex, noting(reactor_read(io, buf, sizeof buf), &w.pending), &jr),
		     0);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, write_when_pending, &w), 0);
	ft_mt_run(ex, before + 1, ASL_HINT(13)); /* + the reactor thread */
	pthread_join(th, NULL);
	uint64_t took = asl_now_ms() - t0;
	intptr_t vs = -1, vr = -1;
	cr_assert_eq(ft_poll_once(js, &vs), FUT_READY, "the sleep's task is not done" ASL_HINT(13));
	cr_assert_eq(ft_poll_once(jr, &vr), FUT_READY, "the read's task is not done" ASL_HINT(13));
	cr_assert(vs == 0 && took >= 30,
		  "sleep(30 ms) on exec_mt: result %ld after %lu ms, "
		  "expected 0 after >= 30 ms" ASL_HINT(13),
		  (long)vs, (unsigned long)took);
	cr_assert(vr == 5 && memcmp(buf, "hello", 5) == 0,
		  "read on exec_mt: expected 5 bytes "
		  "\"hello\", got %ld \"%.5s\"" ASL_HINT(13),
		  (long)vr, buf);
	fut_drop(js);
	fut_drop(jr);
	reactor_io_close(io);
	exec_mt_destroy(ex);
	close(sv[0]);
	close(sv[1]);
	int now = asl_test_threads_settled(before);
	cr_assert_eq(now, before,
		     "exec_mt_destroy must stop the reactor thread: %d threads, %d "
		     "before" ASL_HINT(13),
		     now, before);
	cr_assert_eq(asl_test_fds(), fds, "descriptors: %d before, %d after" ASL_HINT(13), fds,
		     asl_test_fds());
}

/* A task that awaits count children in turn, child i made by make(arg, i). */
struct chain {
	fut_t base;
	fut_t *(*make)(void *arg, int i);
	void *arg;
	int i, count;
	fut_t *child;
};

static enum fut_poll chain_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct chain *c = (struct chain *)self;
	for (; c->i < c->count; c->i++) {
		if (!c->child)
			c->child = c->make(c->arg, c->i);
		cr_assert_not_null(c->child);
		intptr_t r;
		if (fut_poll(c->child, cx, &r) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(c->child);
		c->child = NULL;
		if (r < 0) {
			*out = r;
			return FUT_READY;
		}
	}
	*out = 0;
	return FUT_READY;
}

static void chain_drop(fut_t *self)
{
	fut_drop(((struct chain *)self)->child);
	free(self);
}

static const struct fut_vtable chain_vtable = { .poll = chain_poll, .drop = chain_drop };

static fut_t *chain(fut_t *(*make)(void *arg, int i), void *arg, int count)
{
	struct chain *c = malloc(sizeof *c);
	*c = (struct chain){ { &chain_vtable }, make, arg, 0, count, NULL };
	return &c->base;
}

static fut_t *short_sleep(void *arg, int i)
{
	return reactor_sleep(arg, (uint64_t)(i % 2));
}

/* One side of a relay over two socket pairs: `first` writes then reads, the other reads
 * then writes, one byte at a time. */
struct relay {
	reactor_io_t *in, *out;
	bool first;
	char byte;
};

static fut_t *relay_step(void *arg, int i)
{
	struct relay *r = arg;
	bool write_now = (i % 2 == 0) == r->first;
	return write_now ? reactor_write(r->out, &r->byte, 1) : reactor_read(r->in, &r->byte, 1);
}

Test(mt, reactor_wakes_never_lost_under_stress)
{
	/* 64 tasks x 20 short sleeps and a 2,000-round relay over sockets, on 3 workers: every
	 * wake-up passes from the reactor thread to a worker, often to a parked one; a single
	 * lost one hangs the run (the suite's timeout fails it). */
	int before = asl_test_threads(), fds = asl_test_fds();
	exec_mt_t *ex = ft_mt(3, ASL_HINT(13));
	exec_t *r = exec_mt_reactor(ex);
	cr_assert_not_null(r, "exec_mt_reactor: NULL (errno %d)" ASL_HINT(13), errno);
	for (int i = 0; i < 64; i++)
		cr_assert_eq(exec_mt_spawn(ex, chain(short_sleep, r, 20), NULL), 0);
	int a[2], b[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b), 0);
	reactor_io_t *io[4] = { ft_mt_io(r, a[0]), ft_mt_io(r, a[1]), ft_mt_io(r, b[0]),
				ft_mt_io(r, b[1]) };
	struct relay p = { io[2], io[0], true, 'x' }, q = { io[1], io[3], false, 0 };
	fut_t *jp, *jq;
	cr_assert_eq(exec_mt_spawn(ex, chain(relay_step, &p, 4000), &jp), 0);
	cr_assert_eq(exec_mt_spawn(ex, chain(relay_step, &q, 4000), &jq), 0);
	ft_mt_run(ex, before + 1, ASL_HINT(13));
	intptr_t vp = -1, vq = -1;
	cr_assert(ft_poll_once(jp, &vp) == FUT_READY && ft_poll_once(jq, &vq) == FUT_READY &&
		      vp == 0 && vq == 0,
		  "relay: expected both sides done with 0, got %ld and %ld" ASL_HINT(13), (long)vp,
		  (long)vq);
	fut_drop(jp);
	fut_drop(jq);
	for (int i = 0; i < 4; i++)
		reactor_io_close(io[i]);
	exec_mt_destroy(ex);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	cr_assert_eq(asl_test_threads_settled(before), before, "threads left behind" ASL_HINT(13));
	cr_assert_eq(asl_test_fds(), fds, "descriptors: %d before, %d after" ASL_HINT(13), fds,
		     asl_test_fds());
}

/* The same as parked_workers_wake_for_outside_work, run on a thread of its own with a
 * watchdog: a schedule that wakes no parked worker leaves the run asleep forever; this fails
 * after a few seconds, naming that mistake, instead of reaching the suite's timeout. */
