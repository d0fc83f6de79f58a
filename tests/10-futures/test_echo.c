/* Step 14: the echo server on futures: one task per connection.  The clients run on a plain
 * thread with blocking sockets; the server runs on the test's executor.  A client thread ends
 * the run by closing a channel the control task waits on, which stops the server. */
#include "fut_test.h"
#include "workloads.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/resource.h>

ASL_SUITE(echo, 60);

static int client(const struct sockaddr_in *a, bool small_buffers)
{
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0)
		return -errno;
	if (small_buffers) { /* the server's writes then fill our receive buffer: partial */
		int sz = 4096;
		setsockopt(c, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
		setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	}
	if (connect(c, (const struct sockaddr *)a, sizeof *a) < 0) {
		int e = errno;
		close(c);
		return -e;
	}
	return c;
}

static bool read_all(int fd, char *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

struct writer {
	int fd;
	const char *buf;
	size_t n;
	bool ok;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	w->ok = true;
	for (size_t off = 0; off < w->n;) {
		ssize_t r = write(w->fd, w->buf + off, w->n - off);
		if (r <= 0) {
			w->ok = false;
			break;
		}
		off += (size_t)r;
	}
	return NULL;
}

/* Send and receive at the same time (a writer thread): a message larger than the socket
 * buffers would otherwise deadlock client and server, each waiting for the other to read. */
static bool echo_once(int fd, const char *out, char *in, size_t n)
{
	struct writer w = { fd, out, n, false };
	pthread_t th;
	if (pthread_create(&th, NULL, writer_main, &w) != 0)
		return false;
	bool got = read_all(fd, in, n);
	pthread_join(th, NULL);
	return got && w.ok;
}

struct clients {
	struct sockaddr_in addr;
	int n;            /* concurrent connections */
	size_t bytes;     /* per connection */
	bool reset_one;   /* first, a client that resets its connection */
	fut_chan_t *done; /* closed when the clients are finished */
	atomic_int ok, failed;
	char why[160];
};

static void *clients_main(void *arg)
{
	struct clients *c = arg;
	if (c->reset_one) {
		int s = client(&c->addr, false);
		if (s >= 0) {
			struct linger lg = { 1, 0 };
			setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			if (write(s, "x", 1) != 1)
				atomic_fetch_add(&c->failed, 1);
			close(s); /* RST */
		}
	}
	int *fd = calloc((size_t)c->n, sizeof *fd);
	char *out = malloc(c->bytes), *in = malloc(c->bytes);
	for (int i = 0; i < c->n; i++) { /* all connected at once, before any is served */
		fd[i] = client(&c->addr, c->bytes > 65536);
		if (fd[i] < 0) {
			snprintf(c->why, sizeof c->why, "connect #%d: %s", i, strerror(-fd[i]));
			atomic_fetch_add(&c->failed, 1);
		}
	}
	for (int i = 0; i < c->n; i++) {
		if (fd[i] < 0)
			continue;
		for (size_t k = 0; k < c->bytes; k++)
			out[k] = (char)(i * 31 + k);
		if (!echo_once(fd[i], out, in, c->bytes) || memcmp(in, out, c->bytes) != 0) {
			snprintf(c->why, sizeof c->why,
				 "connection #%d: the echo differs from what was sent", i);
			atomic_fetch_add(&c->failed, 1);
		} else {
			atomic_fetch_add(&c->ok, 1);
		}
	}
	for (int i = 0; i < c->n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(fd);
	free(out);
	free(in);
	fut_chan_close(c->done);
	return NULL;
}

static void run_echo(int n, size_t bytes, bool reset_one)
{
	int fds = asl_test_fds();
	exec_t *ex = ft_exec(ASL_HINT(14));
	struct clients *c = calloc(1, sizeof *c);
	int l = asl_test_listen_loopback(&c->addr, 4096);
	c->n = n;
	c->bytes = bytes;
	c->reset_one = reset_one;
	cr_assert_eq(fut_chan_create(&c->done, 1), 0);
	echo_server_t *srv = NULL;
	int rc = echo_server_start(ex, l, &srv);
	cr_assert(rc == 0 && srv, "echo_server_start: expected 0, got %s" ASL_HINT(14),
		  asl_test_rc(rc));
	/* the control task (workloads.h) stops the server once the clients close c->done */
	ft_spawn(ex, echo_control_new(srv, c->done), NULL, ASL_HINT(14));
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, clients_main, c), 0);
	rc = exec_run(ex); /* ends when the server is stopped and every connection closed */
	pthread_join(th, NULL);
	cr_assert_eq(rc, 0, "exec_run: %s" ASL_HINT(14), asl_test_rc(rc));
	cr_assert(atomic_load(&c->failed) == 0 && atomic_load(&c->ok) == n,
		  "%d concurrent "
		  "clients: %d echoed correctly, %d failed (%s)" ASL_HINT(14),
		  n, atomic_load(&c->ok), atomic_load(&c->failed), c->why);
	uint64_t acc = echo_server_accepted(srv);
	cr_assert(acc >= (uint64_t)n,
		  "the server accepted %lu connections, expected %d" ASL_HINT(14),
		  (unsigned long)acc, n);
	echo_server_destroy(srv);
	exec_destroy(ex);
	fut_chan_destroy(c->done);
	close(l);
	free(c);
	cr_assert_eq(asl_test_fds(), fds,
		     "descriptors: %d before, %d after: every connection "
		     "task must close its socket" ASL_HINT(14),
		     fds, asl_test_fds());
}

Test(echo, one_client)
{
	run_echo(1, 100, false);
}

Test(echo, thousand_concurrent_clients)
{
	/* 1000 client + 1000 server sockets, plus the rest */
	long lim = asl_raise_fd_limit(4096);
	cr_assert(lim >= 2100, "RLIMIT_NOFILE is %ld: this test needs 2100 descriptors", lim);
	run_echo(1000, 64, false);
}

Test(echo, large_messages_partial_writes)
{
	/* 256 KiB each way through 4 connections: far more than the socket buffers, so the
	 * server's writes are partial and it must wait for room */
	run_echo(4, 256 * 1024, false);
}

Test(echo, client_reset_does_not_stop_the_server)
{
	run_echo(5, 1000, true);
}
