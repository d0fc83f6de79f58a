/* Step 7: sleep and blocking-style I/O that park fibers on the lab-07 loop (fiber_io.c).
 * Every test first makes sure the scheduler can create its loop: that is the student's own
 * lab 07, and while it is unfinished these tests say so instead of failing mysteriously. */
#include "fiber_test.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

ASL_SUITE(io, 60);

#define LAB07                                                                                 \
	" (fiber I/O and sleep park fibers on YOUR lab-07 event loop, "                       \
	"labs/07-event-loop: if its tests do not pass yet - make -C ../07-event-loop test - " \
	"finish lab 07 first)"

static fiber_sched_t *io_sched(void)
{
	fiber_sched_t *s = ft_sched(0, ASL_HINT(7));
	loop_t *loop = NULL;
	int rc = fiber_sched_loop(s, &loop);
	cr_assert(rc == 0 && loop,
		  "fiber_sched_loop: expected 0 and a loop, got %s: loop_create "
		  "failed" LAB07,
		  asl_test_rc(rc));
	return s;
}

/* Run fn(arg) as the first fiber; `fds` is the descriptor count before the test opened its
 * own (the test's descriptors must all be closed by its fibers). */
static void io_run(fiber_fn fn, void *arg, int fds)
{
	int maps = ft_maps();
	fiber_sched_t *s = io_sched();
	ft_spawn(s, fn, arg, ASL_HINT(7));
	ft_sched_run(s, 0, LAB07 ASL_HINT(7));
	ft_destroy(s, LAB07 ASL_HINT(7));
	cr_assert_eq(asl_test_fds(), fds,
		     "descriptors: %d open before, %d after the scheduler "
		     "was destroyed: some leaked" ASL_HINT(7),
		     fds, asl_test_fds());
	cr_assert(ft_maps() <= maps, "stacks leaked" ASL_HINT(7));
}

/* ---- sleep ---- */
#define SLEEPERS 12
static int woke_order[SLEEPERS], nwoke, sleep_rc_bad, early;
static uint64_t first_start, last_start;

/* Four lengths 60 ms apart, three sleepers each, started in a shuffled order. */
static const int sleep_ms[SLEEPERS] = { 130, 10, 70, 10, 190, 70, 130, 10, 190, 70, 130, 190 };

static void *sleeper(void *arg)
{
	int i = (int)(intptr_t)arg;
	uint64_t t0 = asl_now_ms();
	if (!first_start)
		first_start = t0;
	last_start = t0;
	if (fiber_sleep((uint64_t)sleep_ms[i]))
		sleep_rc_bad++;
	if (asl_now_ms() - t0 < (uint64_t)sleep_ms[i])
		early++;
	woke_order[nwoke++] = i;
	return NULL;
}

Test(io, sleep_order_by_duration_then_start)
{
	nwoke = sleep_rc_bad = early = 0;
	first_start = last_start = 0;
	fiber_sched_t *s = io_sched();
	for (intptr_t i = 0; i < SLEEPERS; i++)
		ft_spawn(s, sleeper, (void *)i, ASL_HINT(7));
	uint64_t t0 = asl_now_ms();
	ft_sched_run(s, 0, LAB07 ASL_HINT(7));
	uint64_t took = asl_now_ms() - t0;
	ft_destroy(s, ASL_HINT(7));
	cr_assert_eq(sleep_rc_bad, 0, "%d fiber_sleep calls failed" LAB07 ASL_HINT(7),
		     sleep_rc_bad);
	cr_assert_eq(nwoke, SLEEPERS, "%d of %d sleepers woke" ASL_HINT(7), nwoke, SLEEPERS);
	cr_assert_eq(early, 0, "%d sleepers woke before their time" ASL_HINT(7), early);
	/* Sleeps of different lengths end in length order only if they started close enough
	 * together; a machine so loaded that the twelve starts spread over 50 ms or more
	 * cannot promise that, so then only equal lengths are compared. */
	bool spread = last_start - first_start >= 50;
	for (int k = 1; k < SLEEPERS; k++) {
		int a = woke_order[k - 1], b = woke_order[k];
		if (spread && sleep_ms[a] != sleep_ms[b])
			continue;
		cr_assert(sleep_ms[a] < sleep_ms[b] || (sleep_ms[a] == sleep_ms[b] && a < b),
			  "wake %d: sleeper %d (%d ms) woke after sleeper %d (%d ms): expected "
			  "shorter sleeps first, equal ones in the order they started" ASL_HINT(7),
			  k, b, sleep_ms[b], a, sleep_ms[a]);
	}
	cr_assert(took < 10000,
		  "12 sleeps of at most 190 ms, side by side, took %lu ms: the "
		  "fibers must sleep concurrently" ASL_HINT(7),
		  (unsigned long)took);
}

/* ---- a read parks only its own fiber ---- */
static int pipefd[2];
static long others_ran_while_parked;
static char rbuf[16];
static ssize_t rlen;
static int reader_done;

static void *reader(void *arg)
{
	(void)arg;
	rlen = fiber_read(pipefd[0], rbuf, sizeof rbuf);
	reader_done = 1;
	return NULL;
}

static void *busy_writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		if (!reader_done)
			others_ran_while_parked++;
		fiber_yield();
	}
	fiber_write(pipefd[1], "hello", 5);
	return NULL;
}

static void *read_main(void *arg)
{
	(void)arg;
	fiber_t *r, *w;
	fiber_spawn(ft_self_sched(), &r, reader, NULL);
	fiber_spawn(ft_self_sched(), &w, busy_writer, NULL);
	fiber_join(r, NULL);
	fiber_join(w, NULL);
	fiber_close(pipefd[0]);
	fiber_close(pipefd[1]);
	return NULL;
}

Test(io, read_parks_the_fiber_not_the_thread)
{
	int fds = asl_test_fds();
	cr_assert(pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2 failed");
	others_ran_while_parked = reader_done = 0;
	rlen = -1;
	io_run(read_main, NULL, fds);
	cr_assert(rlen == 5 && memcmp(rbuf, "hello", 5) == 0,
		  "fiber_read: expected the 5 bytes "
		  "\"hello\", got %zd%s" ASL_HINT(7),
		  rlen, rlen < 0 ? " (an error)" : " bytes");
	cr_assert_eq(others_ran_while_parked, 50,
		     "while the reader waited for data, the other "
		     "fiber should have run all 50 of its turns; it ran %ld: the wait must park "
		     "the fiber, not block the thread" ASL_HINT(7),
		     others_ran_while_parked);
}

/* ---- write writes everything, through a tiny socket buffer ---- */
#define BIG (1 << 20)
static int sp[2];
static unsigned char *big_in, *big_out;
static ssize_t wrote, got_total;

static void *big_writer(void *arg)
{
	(void)arg;
	wrote = fiber_write(sp[0], big_out, BIG);
	fiber_close(sp[0]);
	return NULL;
}

static void *big_reader(void *arg)
{
	(void)arg;
	ssize_t n;
	while ((n = fiber_read(sp[1], big_in + got_total, BIG - (size_t)got_total)) > 0)
		got_total += n;
	fiber_close(sp[1]);
	return NULL;
}

static void *big_main(void *arg)
{
	(void)arg;
	fiber_spawn(ft_self_sched(), NULL, big_writer, NULL);
	fiber_spawn(ft_self_sched(), NULL, big_reader, NULL);
	return NULL;
}

Test(io, write_writes_everything_through_a_small_buffer)
{
	int fds = asl_test_fds();
	cr_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == 0,
		  "socketpair failed");
	int small = 4096;
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(sp[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	big_in = malloc(BIG);
	big_out = malloc(BIG);
	for (size_t i = 0; i < BIG; i++)
		big_out[i] = (unsigned char)(i * 7 + (i >> 12));
	wrote = got_total = 0;
	io_run(big_main, NULL, fds);
	cr_assert_eq(wrote, BIG,
		     "fiber_write of 1 MiB through a 4 KiB socket buffer: expected "
		     "%d (everything, over many partial writes), got %zd" ASL_HINT(7),
		     BIG, wrote);
	cr_assert(got_total == BIG && memcmp(big_in, big_out, BIG) == 0,
		  "the reader got %zd "
		  "bytes%s" ASL_HINT(7),
		  got_total, got_total == BIG ? ", but not the ones sent" : "");
	free(big_in);
	free(big_out);
}

/* ---- connect to a port nobody listens on ---- */
static int refused_rc;
static void *refused_main(void *arg)
{
	struct sockaddr_in *a = arg;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	refused_rc = fiber_connect(fd, (struct sockaddr *)a, sizeof *a);
	fiber_close(fd);
	return NULL;
}

Test(io, connect_reports_refusal)
{
	int fds = asl_test_fds();
	/* a port that was just free: bind, read the number, close */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
		      getsockname(fd, (struct sockaddr *)&a, &len) == 0,
		  "bind failed");
	close(fd);
	refused_rc = 1;
	io_run(refused_main, &a, fds);
	cr_assert_eq(refused_rc, -ECONNREFUSED,
		     "fiber_connect to a closed port: expected %s, "
		     "got %s" ASL_HINT(7),
		     asl_test_rc(-ECONNREFUSED), asl_test_rc(refused_rc));
}

/* ---- the echo server: 1,000 clients, one thread ---- */
#define CLIENTS 1000
#define ROUNDS 3
static int lfd;
static struct sockaddr_in addr;
static int clients_ok, client_fail_rc, server_errors, accepted;

static void *echo_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[256];
	ssize_t n;
	while ((n = fiber_read(fd, buf, sizeof buf)) > 0)
		if (fiber_write(fd, buf, (size_t)n) != n)
			break;
	if (n < 0)
		server_errors++;
	fiber_close(fd);
	return NULL;
}

static void *acceptor(void *arg)
{
	(void)arg;
	while (accepted < CLIENTS) {
		int fd = fiber_accept(lfd);
		if (fd < 0) {
			server_errors++;
			break;
		}
		accepted++;
		fiber_spawn(ft_self_sched(), NULL, echo_conn, (void *)(intptr_t)fd);
	}
	fiber_close(lfd);
	return NULL;
}

static void *client(void *arg)
{
	int id = (int)(intptr_t)arg;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = fiber_connect(fd, (struct sockaddr *)&addr, sizeof addr);
	for (int r = 0; r < ROUNDS && rc == 0; r++) {
		char msg[64], back[64];
		int len = snprintf(msg, sizeof msg, "client %d round %d", id, r);
		ssize_t w = fiber_write(fd, msg, (size_t)len);
		if (w != len) {
			rc = w < 0 ? (int)w : -EIO;
			break;
		}
		int have = 0;
		while (have < len) {
			ssize_t n = fiber_read(fd, back + have, (size_t)(len - have));
			if (n <= 0) {
				rc = n < 0 ? (int)n : -ECONNRESET;
				break;
			}
			have += (int)n;
		}
		if (rc == 0 && memcmp(back, msg, (size_t)len))
			rc = -EBADMSG;
	}
	if (rc == 0)
		clients_ok++;
	else if (!client_fail_rc)
		client_fail_rc = rc;
	fiber_close(fd);
	return NULL;
}

static void *echo_main(void *arg)
{
	(void)arg;
	fiber_spawn(ft_self_sched(), NULL, acceptor, NULL);
	for (intptr_t i = 0; i < CLIENTS; i++)
		fiber_spawn(ft_self_sched(), NULL, client, (void *)i);
	return NULL;
}

Test(io, echo_server_serves_1000_clients_on_one_thread)
{
	/* 1,000 clients and their 1,000 server ends: more than the usual soft limit of 1,024 */
	if (asl_raise_fd_limit(2 * CLIENTS + 64) < 2 * CLIENTS + 64)
		cr_skip_test("needs %d descriptors, more than the hard RLIMIT_NOFILE (ulimit -Hn)",
			     2 * CLIENTS + 64);
	int fds = asl_test_fds();
	lfd = asl_test_listen_loopback(&addr, CLIENTS);
	clients_ok = client_fail_rc = server_errors = accepted = 0;
	int threads = asl_test_threads();
	io_run(echo_main, NULL, fds);
	cr_assert_eq(clients_ok, CLIENTS,
		     "%d of %d clients got their %d echoes back; the first "
		     "failure: %s" ASL_HINT(7),
		     clients_ok, CLIENTS, ROUNDS, asl_test_rc(client_fail_rc));
	cr_assert_eq(server_errors, 0, "the server saw %d errors" ASL_HINT(7), server_errors);
	cr_assert_eq(asl_test_threads(), threads, "fibers must not start threads" ASL_HINT(7));
}

/* ---- a sleep counts from the call, even after a long stretch without a wait ---- */
static int64_t stale_slept_ms;
static int stale_rc;

static void *stale_sleeper(void *arg)
{
	(void)arg;
	stale_rc = fiber_sleep(1); /* the loop exists and has just read the clock */
	/* 60 ms of work without a wait: the loop's cached time falls 60 ms behind */
	for (uint64_t end = asl_now_ms() + 60; asl_now_ms() < end;)
		;
	uint64_t t0 = asl_now_ms();
	stale_rc |= fiber_sleep(100);
	stale_slept_ms = (int64_t)(asl_now_ms() - t0);
	return NULL;
}

Test(io, sleep_after_busy_work_is_not_cut_short)
{
	int fds = asl_test_fds();
	stale_slept_ms = -1;
	io_run(stale_sleeper, NULL, fds);
	cr_assert_eq(stale_rc, 0, "fiber_sleep: expected 0, got %s" ASL_HINT(7),
		     asl_test_rc(stale_rc));
	cr_assert(stale_slept_ms >= 100,
		  "fiber_sleep(100) called after 60 ms of work without a "
		  "wait returned after %lld ms: the deadline was counted from the loop's cached "
		  "time, which was 60 ms old.  Update the loop's time (loop_update_time) before "
		  "starting the timer" ASL_HINT(7),
		  (long long)stale_slept_ms);
}

/* ---- one fiber waits on one descriptor, then on another ---- */
static int two_a[2], two_b[2], two_done, two_gave_up;
static ssize_t two_got[2];

static void *two_fd_reader(void *arg)
{
	(void)arg;
	char c;
	two_got[0] = fiber_read(two_a[0], &c, 1); /* parks on A, woken by A's byte */
	two_got[1] = fiber_read(two_b[0], &c, 1); /* parks on B: A stays open and idle */
	two_done = 1;
	return NULL;
}

static void *two_fd_writer(void *arg)
{
	(void)arg;
	fiber_yield(); /* the reader parks on A first */
	fiber_write(two_a[1], "a", 1);
	/* once the reader has A's byte it has gone on to park on B (fibers run until they
	 * park): wait for that, a bounded number of 1 ms naps, before writing B */
	for (int i = 0; i < 2000 && two_got[0] < 0; i++)
		fiber_sleep(1);
	fiber_write(two_b[1], "b", 1);
	/* watchdog: a reader still parked 2 s later waits on the wrong descriptor; closing A
	 * wakes such a reader, so the test ends with a message instead of a timeout */
	for (int i = 0; i < 2000 && !two_done; i++)
		fiber_sleep(1);
	if (!two_done) {
		two_gave_up = 1;
		fiber_close(two_a[1]);
		two_a[1] = -1;
	}
	return NULL;
}

static void *two_fd_main(void *arg)
{
	(void)arg;
	fiber_t *r, *w;
	fiber_spawn(ft_self_sched(), &r, two_fd_reader, NULL);
	fiber_spawn(ft_self_sched(), &w, two_fd_writer, NULL);
	fiber_join(r, NULL);
	fiber_join(w, NULL);
	fiber_close(two_a[0]);
	if (two_a[1] >= 0)
		fiber_close(two_a[1]);
	fiber_close(two_b[0]);
	fiber_close(two_b[1]);
	return NULL;
}

Test(io, wait_moves_to_the_new_descriptor)
{
	int fds = asl_test_fds();
	cr_assert(pipe2(two_a, O_NONBLOCK | O_CLOEXEC) == 0 &&
		      pipe2(two_b, O_NONBLOCK | O_CLOEXEC) == 0,
		  "pipe2 failed");
	two_done = two_gave_up = 0;
	two_got[0] = two_got[1] = -1;
	io_run(two_fd_main, NULL, fds);
	cr_assert(!two_gave_up,
		  "a fiber read pipe A (woken by its byte), then read pipe B: B's "
		  "byte was written, but 2 s later the fiber was still parked.  Its watcher still "
		  "watched A: when the fiber waits on another descriptor, stop the watcher of the "
		  "old one and start it on the new one" ASL_HINT(7));
	cr_assert(two_got[0] == 1 && two_got[1] == 1,
		  "fiber_read of pipe A, then of pipe B: "
		  "expected 1 byte each, got %zd and %zd" ASL_HINT(7),
		  two_got[0], two_got[1]);
}
