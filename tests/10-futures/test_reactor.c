/* Steps 5-6: the reactor: sleeps (lazy, in deadline order, cancelled by drop), readiness of
 * descriptors turned into wakes, and the leaf futures read/write/accept/connect. */
#include "fut_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

ASL_SUITE(reactor, 30);

Test(reactor, sleep_fires_never_early)
{
	exec_t *ex = ft_exec(ASL_HINT(5));
	uint64_t t0 = asl_now_ns();
	intptr_t v = ft_block_on(ex, reactor_sleep(ex, 30), "reactor_sleep(30)", ASL_HINT(5));
	double ms = (double)(asl_now_ns() - t0) / 1e6;
	cr_assert_eq(v, 0, "a sleep's result: expected 0, got %ld" ASL_HINT(5), (long)v);
	cr_assert(ms >= 29.0, "reactor_sleep(30) finished after %.2f ms: never early" ASL_HINT(5),
		  ms);
	exec_destroy(ex);
}

Test(reactor, sleep_is_lazy_and_drop_stops_its_timer)
{
	exec_t *ex = ft_exec(ASL_HINT(5));
	fut_t *s = reactor_sleep(ex, 1000);
	cr_assert(s, "reactor_sleep returned NULL" ASL_HINT(5));
	cr_assert(!ft_loop_busy(ex),
		  "a sleep that was never polled must not start a timer "
		  "(futures are lazy), but the loop has an active handle" ASL_HINT(5));
	intptr_t v;
	cr_assert_eq(ft_poll_once(s, &v), FUT_PENDING,
		     "first poll of a 1 s sleep: expected "
		     "pending" ASL_HINT(5));
	cr_assert(ft_loop_busy(ex),
		  "after its first poll the sleep's timer must be in the loop" ASL_HINT(5));
	fut_drop(s);
	cr_assert(!ft_loop_busy(ex),
		  "dropping a pending sleep must stop its timer (cancellation "
		  "by dropping), but the loop still has an active handle" ASL_HINT(5));
	exec_destroy(ex);
}

static int order[8], norder;

struct sleeper {
	fut_t base;
	fut_t *sleep;
	int id;
};

static enum fut_poll sleeper_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct sleeper *s = (struct sleeper *)self;
	intptr_t v;
	if (fut_poll(s->sleep, cx, &v) == FUT_PENDING)
		return FUT_PENDING;
	order[norder++] = s->id;
	*out = v;
	return FUT_READY;
}

static void sleeper_drop(fut_t *self)
{
	fut_drop(((struct sleeper *)self)->sleep);
	free(self);
}

static const struct fut_vtable sleeper_vtable = { .poll = sleeper_poll, .drop = sleeper_drop };

Test(reactor, sleeps_finish_in_deadline_order)
{
	exec_t *ex = ft_exec(ASL_HINT(5));
	static const int ms[6] = { 40, 10, 30, 0, 20, 50 };
	norder = 0;
	for (int i = 0; i < 6; i++) {
		struct sleeper *s = malloc(sizeof *s);
		*s = (struct sleeper){ { &sleeper_vtable }, reactor_sleep(ex, (uint64_t)ms[i]), i };
		ft_spawn(ex, &s->base, NULL, ASL_HINT(5));
	}
	ft_run(ex, ASL_HINT(5));
	static const int want[6] = { 3, 1, 4, 2, 0, 5 };
	for (int i = 0; i < 6; i++)
		cr_assert_eq(order[i], want[i],
			     "six tasks sleeping 40,10,30,0,20,50 ms: finish "
			     "#%d expected task %d, got task %d" ASL_HINT(5),
			     i, want[i], order[i]);
	exec_destroy(ex);
}

static void ft_pipe(int p[2])
{
	cr_assert_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0, "pipe2: %s", strerror(errno));
}

static reactor_io_t *ft_io(exec_t *ex, int fd, const char *hint)
{
	reactor_io_t *io = NULL;
	int rc = reactor_io_open(ex, fd, &io);
	cr_assert(rc == 0 && io, "reactor_io_open: expected 0, got %s%s", asl_test_rc(rc), hint);
	return io;
}

/* Writes its bytes to fd after the reader has had a chance to wait (it yields first). */
struct late_writer {
	fut_t base;
	int fd, yields;
	const char *msg;
};

static enum fut_poll late_writer_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct late_writer *w = (struct late_writer *)self;
	if (w->yields-- > 0) {
		waker_wake_by_ref(cx->waker);
		return FUT_PENDING;
	}
	*out = write(w->fd, w->msg, strlen(w->msg));
	if (w->msg[0] == 0)
		close(w->fd);
	return FUT_READY;
}

static void free_self(fut_t *self)
{
	free(self);
}

static const struct fut_vtable late_writer_vtable = { .poll = late_writer_poll, .drop = free_self };

static fut_t *late_writer(int fd, const char *msg)
{
	struct late_writer *w = malloc(sizeof *w);
	*w = (struct late_writer){ { &late_writer_vtable }, fd, 3, msg };
	return &w->base;
}

Test(reactor, io_read_waits_for_data_then_eof)
{
	int fds = asl_test_fds();
	exec_t *ex = ft_exec(ASL_HINT(6));
	int p[2];
	ft_pipe(p);
	reactor_io_t *io = ft_io(ex, p[0], ASL_HINT(6));
	char buf[32] = { 0 };
	ft_spawn(ex, late_writer(p[1], "hello"), NULL, ASL_HINT(6));
	intptr_t n = ft_block_on(ex, reactor_read(io, buf, sizeof buf), "reactor_read",
				 ASL_HINT(6));
	cr_assert(n == 5 && memcmp(buf, "hello", 5) == 0,
		  "read on an empty pipe that gets "
		  "\"hello\" later: expected 5 bytes \"hello\", got %ld" ASL_HINT(6),
		  (long)n);
	ft_spawn(ex, late_writer(p[1], ""), NULL, ASL_HINT(6)); /* closes the write end */
	n = ft_block_on(ex, reactor_read(io, buf, sizeof buf), "reactor_read", ASL_HINT(6));
	cr_assert_eq(n, 0, "read after the writer closed: expected 0 (EOF), got %ld" ASL_HINT(6),
		     (long)n);
	reactor_io_close(io);
	close(p[0]);
	exec_destroy(ex);
	cr_assert_eq(asl_test_fds(), fds, "descriptors: %d before, %d after" ASL_HINT(6), fds,
		     asl_test_fds());
}

struct drainer {
	fut_t base;
	int fd, yields;
	size_t total;
};

static enum fut_poll drainer_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct drainer *d = (struct drainer *)self;
	if (d->yields-- > 0) {
		waker_wake_by_ref(cx->waker);
		return FUT_PENDING;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(d->fd, buf, sizeof buf)) > 0)
		d->total += (size_t)n;
	*out = (intptr_t)d->total;
	return FUT_READY;
}

static const struct fut_vtable drainer_vtable = { .poll = drainer_poll, .drop = free_self };

Test(reactor, io_write_waits_for_room)
{
	exec_t *ex = ft_exec(ASL_HINT(6));
	int p[2];
	ft_pipe(p);
	static char big[1 << 16];
	while (write(p[1], big, sizeof big) > 0) /* fill the pipe */
		;
	reactor_io_t *io = ft_io(ex, p[1], ASL_HINT(6));
	struct drainer *d = malloc(sizeof *d);
	*d = (struct drainer){ { &drainer_vtable }, p[0], 3, 0 };
	ft_spawn(ex, &d->base, NULL, ASL_HINT(6));
	intptr_t n = ft_block_on(ex, reactor_write(io, "x", 1), "reactor_write", ASL_HINT(6));
	cr_assert_eq(n, 1,
		     "write on a full pipe that another "
		     "task drains: expected 1, got %ld" ASL_HINT(6),
		     (long)n);
	ft_run(ex, ASL_HINT(6));
	reactor_io_close(io);
	close(p[0]);
	close(p[1]);
	exec_destroy(ex);
}

Test(reactor, io_accept_and_connect)
{
	int fds = asl_test_fds();
	exec_t *ex = ft_exec(ASL_HINT(6));
	struct sockaddr_in a;
	int l = asl_test_listen_loopback(&a, 1024);
	reactor_io_t *lio = ft_io(ex, l, ASL_HINT(6));
	fut_t *jc;
	ft_spawn(ex, reactor_connect(ex, (struct sockaddr *)&a, sizeof a), &jc, ASL_HINT(6));
	intptr_t s = ft_block_on(ex, reactor_accept(lio), "reactor_accept", ASL_HINT(6));
	cr_assert(s >= 0, "accept: expected a descriptor, got %s" ASL_HINT(6), asl_test_rc((int)s));
	intptr_t c = ft_block_on(ex, jc, "join(reactor_connect)", ASL_HINT(6));
	cr_assert(c >= 0,
		  "connect to a listening socket: expected a descriptor, got %s" ASL_HINT(6),
		  asl_test_rc((int)c));
	cr_assert(fcntl((int)c, F_GETFL) & O_NONBLOCK, "the connected socket must be "
						       "non-blocking" ASL_HINT(6));
	cr_assert_eq(write((int)c, "ab", 2), 2);
	char buf[2];
	cr_assert_eq(read((int)s, buf, 2), 2,
		     "the accepted and the connected socket must be "
		     "the two ends of one connection" ASL_HINT(6));
	close((int)s);
	close((int)c);
	reactor_io_close(lio);
	close(l);
	exec_destroy(ex);
	cr_assert_eq(asl_test_fds(), fds,
		     "descriptors: %d before, %d after (the connect future "
		     "must not leak its registration)" ASL_HINT(6),
		     fds, asl_test_fds());
}

Test(reactor, io_connect_refused)
{
	int fds = asl_test_fds();
	exec_t *ex = ft_exec(ASL_HINT(6));
	struct sockaddr_in a;
	int l = asl_test_listen_loopback(&a, 1024);
	close(l); /* nobody listens on that port now */
	intptr_t c = ft_block_on(ex, reactor_connect(ex, (struct sockaddr *)&a, sizeof a),
				 "reactor_connect", ASL_HINT(6));
	cr_assert_eq(c, -ECONNREFUSED, "connect to a closed port: expected %s, got %s" ASL_HINT(6),
		     asl_test_rc(-ECONNREFUSED), asl_test_rc((int)c));
	exec_destroy(ex);
	cr_assert_eq(asl_test_fds(), fds,
		     "descriptors: %d before, %d after: a failed connect "
		     "must close its socket" ASL_HINT(6),
		     fds, asl_test_fds());
}

Test(reactor, drop_pending_read_releases_its_waker)
{
	exec_t *ex = ft_exec(ASL_HINT(6));
	int p[2];
	ft_pipe(p);
	reactor_io_t *io = ft_io(ex, p[0], ASL_HINT(6));
	char buf[8];
	fut_t *r = reactor_read(io, buf, sizeof buf);
	struct probe dummy;
	probe_init(&dummy);
	fut_t *join;
	ft_spawn(ex, probe_new(&dummy), &join, ASL_HINT(6)); /* a task to lend us a waker */
	ft_block_on(ex, fut_ready(0), "fut_ready", ASL_HINT(6));
	intptr_t v;
	fut_ctx_t cx = { &dummy.waker };
	cr_assert_eq(fut_poll(r, &cx, &v), FUT_PENDING,
		     "read on an empty pipe: expected "
		     "pending" ASL_HINT(6));
	cr_assert(io->waiter[REACTOR_READ].vt != NULL, "a pending read must leave its waker in "
						       "the reactor (reactor_io_wait)" ASL_HINT(5));
	fut_drop(r);
	cr_assert(io->waiter[REACTOR_READ].vt == NULL,
		  "dropping a pending read must take its "
		  "waker back out of the reactor (no stale wake, no leaked reference)" ASL_HINT(6));
	reactor_io_close(io);
	close(p[0]);
	close(p[1]);
	exec_destroy(ex);
	fut_drop(join);
}
