/* Steps 6-8: the echo server on the loop: many clients, partial I/O, resets, silent clients,
 * descriptor exhaustion, graceful stop.  Every test runs on both backends. */
#include "net_test.h"

#include <fcntl.h>
#include <signal.h>

ASL_SUITE(echo, 120);

Test(echo, thousand_clients)
{
	long lim = asl_raise_fd_limit(2200);
	int n = lim >= 2200 ? 1000 : (int)(lim - 100) / 2;
	cr_assert(n >= 100, "RLIMIT_NOFILE (%ld) leaves room for only %d clients", lim, n);
	int *fd = calloc((size_t)n, sizeof *fd);
	cr_assert_not_null(fd);
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_echo_start(&ns, b, 0, 0, 0);
		net_run(&ns);
		/* all connected and all sending before any reads: the server has n at once */
		for (int i = 0; i < n; i++)
			fd[i] = net_client(ns.port);
		for (int i = 0; i < n; i++) {
			char msg[64];
			int len = snprintf(msg, sizeof msg, "client %d of %d says hello\n", i, n);
			net_send_all(fd[i], msg, (size_t)len);
		}
		for (int i = 0; i < n; i++) {
			char want[64], got[64] = { 0 };
			int len = snprintf(want, sizeof want, "client %d of %d says hello\n", i, n);
			size_t g = net_recv_all(fd[i], got, (size_t)len);
			cr_assert(
			    g == (size_t)len && !memcmp(got, want, (size_t)len),
			    "%s: client %d of %d expected its %d bytes back (\"%.*s\"), got %zu "
			    "bytes (\"%.*s\")" ASL_HINT(6),
			    net_backend_names[b], i, n, len, len - 1, want, g, (int)g, got);
		}
		cr_assert_eq(
		    atomic_load(&ns.echo.stats.accepted), (unsigned long)n,
		    "%s: the server counted %lu connections accepted, expected %d" ASL_HINT(6),
		    net_backend_names[b], atomic_load(&ns.echo.stats.accepted), n);
		for (int i = 0; i < n; i++)
			close(fd[i]);
		cr_assert(net_wait_uint(&ns.echo.stats.open, 0, false),
			  "%s: all %d clients closed, but the server still counts %u connections "
			  "open: a read of 0 (end of file) must close the connection" ASL_HINT(6),
			  net_backend_names[b], n, atomic_load(&ns.echo.stats.open));
		net_stop(&ns, 6);
	}
	free(fd);
}

/* Send and receive `total` bytes at once through a non-blocking client (poll both ways). */
static size_t pump_echo(int fd, size_t total, unsigned seed, size_t *sent_io, size_t send_limit)
{
	size_t sent = *sent_io, got = 0;
	unsigned char buf[8192];
	uint64_t end = asl_now_ns() + 60000000000ull;
	while (got < total && asl_now_ns() < end) {
		struct pollfd p = { .fd = fd,
				    .events = POLLIN | (sent < send_limit ? POLLOUT : 0) };
		if (poll(&p, 1, 1000) <= 0)
			continue;
		if (p.revents & POLLOUT) {
			size_t k = send_limit - sent < sizeof buf ? send_limit - sent : sizeof buf;
			for (size_t i = 0; i < k; i++)
				buf[i] = asl_test_pattern(sent + i, seed);
			ssize_t w = send(fd, buf, k, MSG_NOSIGNAL);
			if (w > 0)
				sent += (size_t)w;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(fd, buf, sizeof buf, 0);
			if (r <= 0)
				break;
			for (ssize_t i = 0; i < r; i++, got++)
				cr_assert_eq(
				    buf[i], asl_test_pattern(got, seed),
				    "echoed byte %zu is wrong: "
				    "expected %u, got %u (a short write resumed at the wrong "
				    "offset, or bytes dropped?)" ASL_HINT(6),
				    got, asl_test_pattern(got, seed), buf[i]);
		}
	}
	*sent_io = sent;
	return got;
}

/* Small buffers, not the smallest: with a few KiB, TCP's silly-window avoidance makes each
 * window update wait for a persist timer and 4 MiB takes minutes, which tests TCP, not the
 * server.  16 KiB against a 4 MiB message still makes writes partial all the time. */
#define SMALL_BUF 8192 /* the kernel doubles it */

Test(echo, small_buffers_force_partial_io)
{
	size_t total = 4 << 20;
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		/* small kernel buffers on both ends and a small server buffer: many writes are
		 * partial, and the server must stop reading while its echo is backed up */
		net_echo_start(&ns, b, 1024, SMALL_BUF, SMALL_BUF);
		net_run(&ns);
		int fd = net_client(ns.port);
		tcp_set_buffers(fd, SMALL_BUF, SMALL_BUF);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		size_t sent = 0;
		size_t got = pump_echo(fd, total, 1, &sent, total);
		cr_assert_eq(got, total,
			     "%s: sent %zu bytes through small socket buffers, %zu came "
			     "back" ASL_HINT(6),
			     net_backend_names[b], sent, got);
		cr_assert(atomic_load(&ns.echo.stats.pauses) > 0,
			  "%s: 4 MiB through 16 KiB socket "
			  "buffers and no write was ever partial (stats.pauses = 0)? expected the "
			  "server to park the rest and wait for LOOP_WRITE" ASL_HINT(6),
			  net_backend_names[b]);
		close(fd);
		cr_assert(net_wait_uint(&ns.echo.stats.open, 0, false),
			  "%s: the client closed but the server did not close its side" ASL_HINT(6),
			  net_backend_names[b]);
		net_stop(&ns, 6);
	}
}

/* One round trip of a short message on a blocking client. */
static void round_trip(int fd, int i, const char *backend, int step)
{
	char msg[48], got[48];
	int len = snprintf(msg, sizeof msg, "round trip %d\n", i);
	net_send_all(fd, msg, (size_t)len);
	size_t g = net_recv_all(fd, got, (size_t)len);
	cr_assert(g == (size_t)len && !memcmp(msg, got, (size_t)len),
		  "%s: round trip %d: expected %d bytes echoed, got %zu%s", backend, i, len, g,
		  step == 7 ? ASL_HINT(7) : ASL_HINT(6));
}

Test(echo, resets_close_only_that_client)
{
	enum { GOOD = 10, BAD = 10 };
	static char big[1 << 20];
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		int good[GOOD], bad[BAD];
		net_echo_start(&ns, b, 0, 4096, 4096);
		net_run(&ns);
		for (int i = 0; i < GOOD; i++)
			round_trip(good[i] = net_client(ns.port), i, net_backend_names[b], 6);
		/* the bad clients send a lot and never read: the server's echo backs up */
		for (int i = 0; i < BAD; i++) {
			bad[i] = net_client(ns.port);
			tcp_set_buffers(bad[i], 4096, 4096);
			fcntl(bad[i], F_SETFL, O_NONBLOCK);
		}
		/* keep every bad client's send buffer full until the server has paused them all */
		uint64_t end = asl_now_ns() + 20000000000ull;
		while (atomic_load(&ns.echo.stats.paused) < BAD && asl_now_ns() < end) {
			for (int i = 0; i < BAD; i++)
				while (send(bad[i], big, sizeof big, MSG_NOSIGNAL) > 0)
					;
			sched_yield();
		}
		cr_assert(
		    atomic_load(&ns.echo.stats.paused) >= BAD,
		    "%s: %d clients sent without reading, but only %u connections are paused "
		    "(stats.paused): expected the server to stop reading while a connection's "
		    "echo is backed up" ASL_HINT(6),
		    net_backend_names[b], BAD, atomic_load(&ns.echo.stats.paused));
		/* now they vanish with a reset, in the middle of their request */
		for (int i = 0; i < BAD; i++) {
			tcp_set_reset_on_close(bad[i]);
			close(bad[i]);
		}
		cr_assert(net_wait_ul(&ns.echo.stats.closed, BAD),
			  "%s: %d clients reset their connections; "
			  "the server closed only %lu" ASL_HINT(6),
			  net_backend_names[b], BAD, atomic_load(&ns.echo.stats.closed));
		cr_assert_eq(atomic_load(&ns.echo.stats.resets), (unsigned long)BAD,
			     "%s: expected %d connections counted as reset (ECONNRESET/EPIPE), got "
			     "%lu" ASL_HINT(6),
			     net_backend_names[b], BAD, atomic_load(&ns.echo.stats.resets));
		/* the others never noticed */
		for (int i = 0; i < GOOD; i++)
			round_trip(good[i], 100 + i, net_backend_names[b], 6);
		cr_assert_eq(atomic_load(&ns.echo.stats.open), (unsigned)GOOD,
			     "%s: expected the %d good connections "
			     "still open, the server has %u" ASL_HINT(6),
			     net_backend_names[b], GOOD, atomic_load(&ns.echo.stats.open));
		for (int i = 0; i < GOOD; i++)
			close(good[i]);
		net_stop(&ns, 6);
	}
}

Test(echo, silent_client_does_not_delay_others)
{
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		int silent[5];
		net_echo_start(&ns, b, 0, 0, 0);
		net_run(&ns);
		/* connected first, and never send: a server that serves one client at a time
		 * would wait on them forever (the receive timeout would fail the round trips) */
		for (int i = 0; i < 5; i++)
			silent[i] = net_client(ns.port);
		int fd = net_client(ns.port);
		for (int i = 0; i < 200; i++)
			round_trip(fd, i, net_backend_names[b], 6);
		close(fd);
		for (int i = 0; i < 5; i++)
			close(silent[i]);
		net_stop(&ns, 6);
	}
}

/* CPU time this thread has used (the loop thread's own clock), in ns. */
static uint64_t thread_cpu_ns(pthread_t t)
{
	clockid_t id;
	struct timespec ts;
	cr_assert_eq(pthread_getcpuclockid(t, &id), 0);
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

Test(echo, emfile_does_not_spin_and_recovers)
{
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		struct rlimit old, low;
		net_echo_start(&ns, b, 0, 0, 0);
		net_run(&ns);
		int early = net_client(ns.port);
		round_trip(early, 0, net_backend_names[b], 6);
		/* the clients' sockets exist before the descriptors run out */
		int waiting = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cr_assert(waiting >= 0);
		/* use up every descriptor: a low limit, then fillers up to it */
		cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
		low = old;
		low.rlim_cur = (rlim_t)waiting + 64;
		cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
		int fillers[1000], nfill = 0, f;
		while (nfill < 1000 && (f = dup(0)) >= 0)
			fillers[nfill++] = f;
		cr_assert(nfill < 1000 && errno == EMFILE, "could not exhaust the descriptors");
		/* the kernel completes the handshake; the server's accept() now gets EMFILE */
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(ns.port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		cr_assert_eq(connect(waiting, (struct sockaddr *)&a, sizeof a), 0);
		cr_assert(net_wait_ul(&ns.echo.stats.accept_errors, 1),
			  "%s: accept() should have failed with EMFILE and been counted in "
			  "stats.accept_errors" ASL_HINT(6),
			  net_backend_names[b]);
		/* the measurement: the loop thread's CPU time over a period of exhaustion */
		uint64_t cpu0 = thread_cpu_ns(ns.tid), t0 = asl_now_ns();
		struct timespec window = { 0, 300000000 };
		nanosleep(&window, NULL);
		uint64_t cpu = thread_cpu_ns(ns.tid) - cpu0, wall = asl_now_ns() - t0;
		unsigned long errs = atomic_load(&ns.echo.stats.accept_errors);
		/* free the descriptors before any assertion, so that a failure can be reported */
		for (int i = 0; i < nfill; i++)
			close(fillers[i]);
		setrlimit(RLIMIT_NOFILE, &old);
		cr_assert(cpu * 5 < wall,
			  "%s: while accept() kept failing with EMFILE the loop "
			  "thread used %.0f ms of CPU in %.0f ms (%lu failed accepts): expected "
			  "< 20%%, i.e. no spinning on a "
			  "listening socket that stays readable" ASL_HINT(7),
			  net_backend_names[b], cpu / 1e6, wall / 1e6, errs);
		cr_assert(errs < 1000,
			  "%s: %lu failed accepts in %.0f ms: the loop retries "
			  "without pausing" ASL_HINT(7),
			  net_backend_names[b], errs, wall / 1e6);
		/* descriptors are free again: the waiting client is served, and new ones too */
		struct timeval tv = { .tv_sec = 20 };
		setsockopt(waiting, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		round_trip(waiting, 1, net_backend_names[b], 7);
		int late = net_client(ns.port);
		round_trip(late, 2, net_backend_names[b], 7);
		round_trip(early, 3, net_backend_names[b], 7);
		close(late);
		close(waiting);
		close(early);
		net_stop(&ns, 6);
	}
}

Test(echo, sigterm_finishes_in_flight_echo)
{
	size_t total = 1 << 20;
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_echo_start(&ns, b, 4096, SMALL_BUF, SMALL_BUF);
		int rc = echo_server_stop_on_signal(&ns.echo, SIGTERM, 20000);
		cr_assert_eq(rc, 0, "echo_server_stop_on_signal returned %s" ASL_HINT(8),
			     asl_test_rc(rc));
		/* the watcher blocked SIGTERM in this thread; the loop thread inherits the mask,
		 * so the signal waits for the loop's signalfd instead of killing the process */
		net_run(&ns);
		int busy = net_client(ns.port), idle = net_client(ns.port);
		tcp_set_buffers(busy, SMALL_BUF, SMALL_BUF);
		fcntl(busy, F_SETFL, O_NONBLOCK);
		/* in flight: the busy client sends without reading until the server is backed up */
		size_t sent = 0, got_before = 0;
		uint64_t end = asl_now_ns() + 20000000000ull;
		while (atomic_load(&ns.echo.stats.paused) == 0 && sent < total / 2 &&
		       asl_now_ns() < end) {
			unsigned char buf[4096];
			for (size_t i = 0; i < sizeof buf; i++)
				buf[i] = asl_test_pattern(sent + i, 3);
			ssize_t w = send(busy, buf, sizeof buf, MSG_NOSIGNAL);
			if (w > 0)
				sent += (size_t)w;
			else
				sched_yield();
		}
		cr_assert(atomic_load(&ns.echo.stats.paused) > 0,
			  "%s: the client sent %zu bytes without reading; expected the server to "
			  "pause that connection (stats.paused)" ASL_HINT(6),
			  net_backend_names[b], sent);
		cr_assert(net_wait_ul(&ns.echo.stats.accepted, 2));
		kill(getpid(), SIGTERM);
		cr_assert(net_wait_bool(&ns.echo.stats.stopping),
			  "%s: SIGTERM was sent, but the server did not start stopping" ASL_HINT(8),
			  net_backend_names[b]);
		/* the idle connection had nothing in flight: closed at once */
		cr_assert(net_closed_by_server(idle),
			  "%s: after SIGTERM the idle connection "
			  "should have been closed" ASL_HINT(8),
			  net_backend_names[b]);
		/* no new clients */
		int late = tcp_connect(ns.port, false);
		cr_assert(late == -ECONNREFUSED,
			  "%s: after SIGTERM a new connection should be "
			  "refused (listening socket closed), got %s" ASL_HINT(8),
			  net_backend_names[b], asl_test_rc(late < 0 ? late : 0));
		/* the busy one finishes: everything it sent comes back, then it closes */
		size_t got = got_before + pump_echo(busy, total, 3, &sent, total);
		cr_assert_eq(got, total,
			     "%s: SIGTERM arrived in the middle of a %zu-byte echo; "
			     "only %zu bytes came back: "
			     "in-flight data must be finished" ASL_HINT(8),
			     net_backend_names[b], total, got);
		shutdown(busy, SHUT_WR);
		fcntl(busy, F_SETFL, 0);
		struct timeval tv = { .tv_sec = 20 };
		setsockopt(busy, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		cr_assert(net_closed_by_server(busy),
			  "%s: the busy client finished and closed its "
			  "side; the server should then close" ASL_HINT(8),
			  net_backend_names[b]);
		close(busy);
		close(idle);
		/* no stop post: SIGTERM alone must bring loop_run back */
		net_join(&ns, 8);
		cr_assert_eq(asl_test_fds(), ns.fds_before, "descriptors leaked" ASL_HINT(8));
	}
}

/* A server buffer larger than its socket's send buffer: the server reads up to 64 KiB at a
 * time, so the send of what it read is cut short whenever the peer is slower, not only
 * refused.  The short count is all that left; the rest must be kept and sent later. */
Test(echo, large_reads_resume_short_sends)
{
	size_t total = 1 << 20;
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_echo_start(&ns, b, 64 * 1024, SMALL_BUF, 64 * 1024);
		net_run(&ns);
		int fd = net_client(ns.port);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		size_t sent = 0;
		size_t got = pump_echo(fd, total, 2, &sent, total);
		cr_assert_eq(got, total,
			     "%s: a 64 KiB server buffer, 16 KiB socket buffers: sent %zu "
			     "bytes, %zu came back.  send() may take only part of what was read: "
			     "count what it returned and keep the rest for LOOP_WRITE" ASL_HINT(6),
			     net_backend_names[b], sent, got);
		close(fd);
		cr_assert(net_wait_uint(&ns.echo.stats.open, 0, false),
			  "%s: the client closed but the server did not close its side" ASL_HINT(6),
			  net_backend_names[b]);
		net_stop(&ns, 6);
	}
}
