/* Step 9: the thread-per-connection echo server, the comparison point for C10K. */
#include "net_test.h"

ASL_SUITE(echo_threads, 60);

struct threads_fixture {
	struct echo_threads srv;
	int port, fds_before, threads_before;
};

static void start(struct threads_fixture *f)
{
	f->fds_before = asl_test_fds();
	f->threads_before = asl_test_threads();
	int fd = tcp_listen(0, 0, &f->port);
	cr_assert(fd >= 0);
	int rc = echo_threads_start(&f->srv, fd, 0);
	cr_assert_eq(rc, 0, "echo_threads_start returned %s" ASL_HINT(9), asl_test_rc(rc));
}

/* clients: client descriptors the test still holds */
static void stop(struct threads_fixture *f, int clients)
{
	echo_threads_stop(&f->srv);
	int t = asl_test_threads_settled(f->threads_before);
	cr_assert_eq(t, f->threads_before,
		     "after echo_threads_stop %d threads run, %d before the "
		     "server started: every connection's thread must end" ASL_HINT(9),
		     t, f->threads_before);
	int fds = asl_test_fds() - clients;
	cr_assert_eq(fds, f->fds_before,
		     "descriptors leaked: %d before the server, %d after its "
		     "stop" ASL_HINT(9),
		     f->fds_before, fds);
}

Test(echo_threads, one_thread_per_connection)
{
	enum { N = 100 };
	struct threads_fixture f;
	int fd[N];
	start(&f);
	for (int i = 0; i < N; i++)
		fd[i] = net_client(f.port);
	for (int i = 0; i < N; i++) {
		char msg[32], got[32];
		int len = snprintf(msg, sizeof msg, "thread client %d\n", i);
		net_send_all(fd[i], msg, (size_t)len);
		size_t g = net_recv_all(fd[i], got, (size_t)len);
		cr_assert(g == (size_t)len && !memcmp(got, msg, (size_t)len),
			  "client %d: expected its %d bytes echoed, got %zu" ASL_HINT(9), i, len,
			  g);
	}
	/* every connection is waiting in its own blocking recv(): a thread each */
	int t = asl_test_threads();
	cr_assert(t >= f.threads_before + N,
		  "%d connections open but only %d threads (%d before "
		  "the server): expected one thread per connection" ASL_HINT(9),
		  N, t, f.threads_before);
	for (int i = 0; i < N; i++)
		close(fd[i]);
	cr_assert(net_wait_ul(&f.srv.stats.closed, N),
		  "the clients closed but the server's "
		  "threads did not notice (stats.closed = %lu)" ASL_HINT(9),
		  atomic_load(&f.srv.stats.closed));
	stop(&f, 0);
}

Test(echo_threads, large_message_and_stop_with_clients_connected)
{
	struct threads_fixture f;
	static char msg[1 << 20], got[1 << 20];
	start(&f);
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (char)(i * 7 + (i >> 11));
	int fd = net_client(f.port), idle = net_client(f.port);
	/* 1 MiB in 64 KiB pieces, each read back before the next: nothing can deadlock */
	for (size_t off = 0; off < sizeof msg; off += 65536) {
		net_send_all(fd, msg + off, 65536);
		size_t g = net_recv_all(fd, got + off, 65536);
		cr_assert_eq(g, (size_t)65536, "expected 65536 bytes echoed, got %zu" ASL_HINT(9),
			     g);
	}
	cr_assert(!memcmp(msg, got, sizeof msg),
		  "the echoed MiB differs from what was sent" ASL_HINT(9));
	cr_assert(net_wait_uint(&f.srv.stats.open, 2, false));
	/* stop while both are still connected: their threads must be woken and end */
	stop(&f, 2);
	cr_assert(net_closed_by_server(idle), "the idle client's connection was not closed by "
					      "the stop" ASL_HINT(9));
	close(fd);
	close(idle);
}
