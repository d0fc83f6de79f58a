/* Steps 11-13: the HTTP/1.1 server: keep-alive, pipelining, errors, deadlines, graceful stop.
 * Both backends. */
#include "net_test.h"

#include <signal.h>

#include "server_proc.h"

ASL_SUITE(http, 60);

static struct asl_http_reader *reader_new(int port)
{
	struct asl_http_reader *rd = calloc(1, sizeof *rd);
	cr_assert_not_null(rd);
	rd->fd = net_client(port);
	return rd;
}

static void reader_free(struct asl_http_reader *rd)
{
	close(rd->fd);
	free(rd);
}

Test(http, keep_alive_serves_many)
{
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_http_start(&ns, b, 0);
		net_run(&ns);
		struct asl_http_reader *rd = reader_new(ns.port);
		for (int i = 0; i < 100; i++) {
			char req[128], body[256], want[64];
			bool closes;
			int len = snprintf(req, sizeof req,
					   "GET /item/%d HTTP/1.1\r\nHost: test\r\n\r\n", i);
			net_send_all(rd->fd, req, (size_t)len);
			int st = asl_http_read_response(rd, body, sizeof body, &closes);
			snprintf(want, sizeof want, "GET /item/%d\n", i);
			cr_assert(
			    st == 200 && !strcmp(body, want) && !closes,
			    "%s: request %d on one keep-alive connection: expected 200 \"%s\" "
			    "without Connection: close, got %d \"%s\"%s" ASL_HINT(11),
			    net_backend_names[b], i, want, st, body, closes ? " (closes)" : "");
		}
		/* a body arrives in pieces: the server waits for all of Content-Length */
		static char post[70000];
		int hl =
		    snprintf(post, sizeof post,
			     "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 65536\r\n\r\n");
		memset(post + hl, 'x', 65536);
		for (int off = 0; off < hl + 65536; off += 1000)
			net_send_all(rd->fd, post + off,
				     off + 1000 < hl + 65536 ? 1000 : (size_t)(hl + 65536 - off));
		char body[256];
		bool closes;
		int st = asl_http_read_response(rd, body, sizeof body, &closes);
		cr_assert(
		    st == 200 && strstr(body, "body: 65536 bytes"),
		    "%s: a POST with a 65536-byte body sent in 1000-byte pieces: expected 200 "
		    "naming the body's 65536 bytes, got %d \"%s\"" ASL_HINT(11),
		    net_backend_names[b], st, body);
		cr_assert_eq(atomic_load(&ns.web.stats.accepted), 1ul,
			     "%s: expected every request on one connection" ASL_HINT(11),
			     net_backend_names[b]);
		reader_free(rd);
		net_stop(&ns, 11);
	}
}

Test(http, pipelined_answers_in_order)
{
	enum { N = 200 };
	static char all[N * 64];
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_http_start(&ns, b, 0);
		net_run(&ns);
		struct asl_http_reader *rd = reader_new(ns.port);
		size_t len = 0;
		for (int i = 0; i < N; i++)
			len += (size_t)snprintf(all + len, sizeof all - len,
						"GET /p%d HTTP/1.1\r\nHost: t\r\n\r\n", i);
		/* all requests before reading any answer, cut at odd places */
		for (size_t off = 0; off < len; off += 777)
			net_send_all(rd->fd, all + off, off + 777 < len ? 777 : len - off);
		for (int i = 0; i < N; i++) {
			char body[256], want[32];
			bool closes;
			int st = asl_http_read_response(rd, body, sizeof body, &closes);
			snprintf(want, sizeof want, "GET /p%d\n", i);
			cr_assert(
			    st == 200 && !strcmp(body, want),
			    "%s: pipelined answer %d of %d: expected 200 \"%s\", got %d \"%s\" "
			    "(answers must come in request order)" ASL_HINT(11),
			    net_backend_names[b], i, N, want, st, body);
		}
		reader_free(rd);
		net_stop(&ns, 11);
	}
}

/* Send raw, expect one response with `want` status, then the server closes. */
static void expect_error(int port, const char *backend, const char *raw, size_t len, int want,
			 const char *what)
{
	struct asl_http_reader *rd = reader_new(port);
	net_send_all(rd->fd, raw, len);
	char body[256];
	bool closes = false;
	int st = asl_http_read_response(rd, body, sizeof body, &closes);
	cr_assert(st == want && closes,
		  "%s: %s: expected %d with Connection: close, got %d%s" ASL_HINT(11), backend,
		  what, want, st, closes ? "" : " (no Connection: close)");
	cr_assert(net_closed_by_server(rd->fd),
		  "%s: %s: after the %d the server must close the "
		  "connection" ASL_HINT(11),
		  backend, what, want);
	reader_free(rd);
}

Test(http, malformed_gets_400_and_close)
{
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_http_start(&ns, b, 0);
		net_run(&ns);
		const char *n = net_backend_names[b];
		const char *garbage = "HELLO THERE\r\n\r\n";
		expect_error(ns.port, n, garbage, strlen(garbage), 400,
			     "a request line of garbage");
		/* a good request first, then a bad one: the good one is still answered */
		const char
		    *two = "GET /ok HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost t\r\n\r\n";
		struct asl_http_reader *rd = reader_new(ns.port);
		net_send_all(rd->fd, two, strlen(two));
		char body[256];
		bool closes;
		int st1 = asl_http_read_response(rd, body, sizeof body, &closes);
		int st2 = asl_http_read_response(rd, body, sizeof body, &closes);
		cr_assert(st1 == 200 && st2 == 400 && closes,
			  "%s: a good request pipelined before a "
			  "bad one: expected 200 then 400 (close), got %d then %d" ASL_HINT(11),
			  n, st1, st2);
		reader_free(rd);
		net_stop(&ns, 11);
	}
}

Test(http, oversized_gets_413)
{
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_http_start(&ns, b, 0);
		net_run(&ns);
		const char *n = net_backend_names[b];
		size_t big = HTTP_MAX_HEAD * 2;
		char *s = malloc(big);
		cr_assert_not_null(s);
		memset(s, 'a', big);
		memcpy(s, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ", 33);
		expect_error(ns.port, n, s, big, 413, "a 16 KiB header");
		free(s);
		char hdr[128];
		int len =
		    snprintf(hdr, sizeof hdr,
			     "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999\r\n\r\n");
		expect_error(ns.port, n, hdr, (size_t)len, 413, "a Content-Length of 999999999");
		net_stop(&ns, 11);
	}
}

Test(http, idle_connection_is_closed)
{
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_http_start(&ns, b, 200);
		net_run(&ns);
		int idle = net_client(ns.port);
		struct asl_http_reader *rd = reader_new(ns.port);
		/* one request answered, then silence: the deadline counts from the answer */
		net_send_all(rd->fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27);
		char body[64];
		bool closes;
		cr_assert_eq(asl_http_read_response(rd, body, sizeof body, &closes), 200);
		cr_assert(net_closed_by_server(idle),
			  "%s: a client that connected and sent nothing "
			  "should be closed after the 200 ms timeout (waited 20 s)" ASL_HINT(12),
			  net_backend_names[b]);
		cr_assert(net_closed_by_server(rd->fd),
			  "%s: a keep-alive client that went quiet "
			  "after its request should be closed after the timeout" ASL_HINT(12),
			  net_backend_names[b]);
		cr_assert(net_wait_ul(&ns.web.stats.timeouts, 2),
			  "%s: expected 2 timeouts counted" ASL_HINT(12), net_backend_names[b]);
		close(idle);
		reader_free(rd);
		net_stop(&ns, 11);
	}
}

Test(http, slowloris_is_closed)
{
	const char
	    *req = "GET /slow HTTP/1.1\r\nHost: t\r\nX-Padding: "
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "\r\n\r\n";
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_http_start(&ns, b, 300);
		net_run(&ns);
		int slow = net_client(ns.port);
		/* one byte, then wait up to 50 ms for the server to hang up, then the next byte:
		 * the whole head would take about 10 s, the server allows 300 ms per request */
		size_t sent = 0;
		bool closed = false;
		while (sent < strlen(req) && !closed) {
			if (send(slow, req + sent, 1, MSG_NOSIGNAL) != 1) {
				closed = true;
				break;
			}
			sent++;
			struct pollfd p = { .fd = slow, .events = POLLIN };
			if (poll(&p, 1, 50) > 0)
				closed = net_closed_by_server(slow);
		}
		cr_assert(closed,
			  "%s: a client trickling its header one byte per 50 ms sent all %zu "
			  "bytes without being closed: the deadline must not restart on every byte "
			  "(timeout 300 ms)" ASL_HINT(12),
			  net_backend_names[b], sent);
		/* while it trickled, others were served normally */
		struct asl_http_reader *rd = reader_new(ns.port);
		net_send_all(rd->fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27);
		char body[64];
		bool closes;
		cr_assert_eq(asl_http_read_response(rd, body, sizeof body, &closes), 200);
		reader_free(rd);
		close(slow);
		net_stop(&ns, 11);
	}
}

/* The test's SIGTERM watcher: the way serve_http stops its server. */
static void http_on_sigterm(loop_signal_t *sig, int signo)
{
	struct net_server *ns = sig->data;
	(void)signo;
	loop_signal_stop(sig);
	http_server_stop_gracefully(&ns->web, 20000);
}

Test(http, sigterm_finishes_in_flight_responses)
{
	/* 2,000 pipelined requests (64 KB) ask for about 140 KB of responses: more than the
	 * server's output limit (HTTP_OUT_HIGH) and the small socket buffers hold together, so
	 * while the client reads nothing, most of them are in flight or not yet answered */
	enum { N = 2000, SMALL = 4096 };
	static char all[N * 40];
	NET_FOR_EACH_BACKEND(b)
	{
		struct net_server ns;
		net_http_start_buffers(&ns, b, 60000, SMALL, 0);
		loop_signal_t term = { .data = &ns };
		int rc = loop_signal_start(ns.loop, &term, SIGTERM, http_on_sigterm);
		cr_assert_eq(rc, 0, "loop_signal_start(SIGTERM) returned %s" ASL_HINT(5),
			     asl_test_rc(rc));
		/* SIGTERM is now blocked in this thread; the loop thread inherits the mask */
		net_run(&ns);
		const char *n = net_backend_names[b];
		/* an idle keep-alive client: answered once, then quiet */
		struct asl_http_reader *idle = reader_new(ns.port);
		net_send_all(idle->fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27);
		char body[256];
		bool closes;
		cr_assert_eq(asl_http_read_response(idle, body, sizeof body, &closes), 200);
		/* the slow-drain client: a tiny receive buffer, every request sent first */
		struct asl_http_reader *slow = reader_new(ns.port);
		tcp_set_buffers(slow->fd, 0, SMALL);
		size_t len = 0;
		for (int i = 0; i < N; i++)
			len += (size_t)snprintf(all + len, sizeof all - len,
						"GET /%d HTTP/1.1\r\nHost: t\r\n\r\n", i);
		net_send_all(slow->fd, all, len);
		/* handshakes, not sleeps: every request byte has reached the server's socket, and
		 * the server is busy answering them (500 cannot fill its output limit) */
		cr_assert(net_wait_acked(slow->fd),
			  "%s: the server's socket did not "
			  "take the %zu bytes of requests" ASL_HINT(11),
			  n, len);
		cr_assert(net_wait_ul(&ns.web.stats.requests, 1 + 500),
			  "%s: expected the server to answer pipelined requests" ASL_HINT(11), n);
		kill(getpid(), SIGTERM);
		/* the idle connection had nothing in flight: closed at once, and no new clients */
		cr_assert(net_closed_by_server(idle->fd),
			  "%s: after SIGTERM the idle keep-alive connection should be closed "
			  "(waited 20 s)" ASL_HINT(13),
			  n);
		int late = tcp_connect(ns.port, false);
		cr_assert(late == -ECONNREFUSED,
			  "%s: after SIGTERM a new connection should be refused (listening socket "
			  "closed), got %s" ASL_HINT(13),
			  n, asl_test_rc(late < 0 ? late : 0));
		/* every request received before the signal is answered, in order, then EOF */
		for (int i = 0; i < N; i++) {
			char want[32];
			int st = asl_http_read_response(slow, body, sizeof body, &closes);
			snprintf(want, sizeof want, "GET /%d\n", i);
			cr_assert(st == 200 && !strcmp(body, want),
				  "%s: SIGTERM arrived while %d pipelined requests were being "
				  "answered; "
				  "answer %d: expected 200 \"%s\", got %d \"%s\" (status 0: the "
				  "connection ended first): requests already received must be "
				  "answered before the connection closes" ASL_HINT(13),
				  n, N, i, want, st, body);
		}
		cr_assert(slow->len == 0 && net_closed_by_server(slow->fd),
			  "%s: after the last answer the server should close the connection (end "
			  "of file)" ASL_HINT(13),
			  n);
		reader_free(slow);
		reader_free(idle);
		/* no stop post: the signal alone must bring loop_run back, nothing left open */
		net_join(&ns, 13);
		int fds = asl_test_fds();
		cr_assert_eq(fds, ns.fds_before,
			     "%s: descriptors leaked: %d open before the server started, %d after "
			     "the graceful stop" ASL_HINT(13),
			     n, ns.fds_before, fds);
	}
}

Test(http, serve_http_exits_0_on_sigterm)
{
	NET_FOR_EACH_BACKEND(b)
	{
		const char *n = net_backend_names[b];
		char path[512];
		snprintf(path, sizeof path, "%s/serve_http", ASL_BUILD_DIR);
		char *args[] = { path, "--backend", (char *)n, NULL };
		struct server_proc sp;
		int rc = server_proc_start(&sp, args, -1);
		cr_assert_eq(rc, 0,
			     "%s: serve_http did not start and print its port: %s" ASL_HINT(11), n,
			     asl_test_rc(rc));
		/* a keep-alive client after its answer, and one with half a request sent */
		struct asl_http_reader *idle = reader_new(sp.port);
		net_send_all(idle->fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27);
		char body[64];
		bool closes;
		cr_assert_eq(asl_http_read_response(idle, body, sizeof body, &closes), 200);
		int half = net_client(sp.port);
		net_send_all(half, "GET /half HTTP/1.1\r\n", 20);
		/* SIGTERM, then wait for the exit (SIGKILL after 20 s) */
		int status = server_proc_stop(&sp);
		cr_assert_eq(status, 0,
			     "%s: serve_http got SIGTERM with two clients connected; expected "
			     "it to close them and exit with status 0 by itself, got status %d "
			     "(128 + 9: it had to be killed after 20 s)" ASL_HINT(13),
			     n, status);
		cr_assert(net_closed_by_server(idle->fd) && net_closed_by_server(half),
			  "%s: after serve_http exited its "
			  "clients should see end of file" ASL_HINT(13),
			  n);
		close(half);
		reader_free(idle);
	}
}
