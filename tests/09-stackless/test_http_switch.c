/* Step 9: lab 07's HTTP server switched to this lab's parser (serve_http_coro: lab 07's
 * serve_http.c and http_server.c, with http_parse_coro.c behind lab 07's parser interface).
 * Lab 07's HTTP behaviours, run against that server as a process: keep-alive and pipelining,
 * requests arriving one byte at a time, malformed -> 400, oversized -> 413, and
 * Transfer-Encoding -> 501, each error followed by the server closing the connection. */
#include "asl_test.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(http_switch, 60);

#define SERVER ASL_BUILD_DIR "/serve_http_coro"

struct server {
	pid_t pid;
	int port;
};

/* Start serve_http_coro and read its "port N" line. */
static void server_start(struct server *s)
{
	int p[2];
	asl_test_pipe(p);
	fflush(NULL);
	s->pid = fork();
	cr_assert(s->pid >= 0, "fork failed");
	if (s->pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execl(SERVER, SERVER, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char line[64];
	size_t n = 0;
	while (n < sizeof line - 1) {
		ssize_t k = read(p[0], line + n, 1);
		if (k <= 0 || line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(p[0]);
	cr_assert(sscanf(line, "port %d", &s->port) == 1,
		  "%s did not print \"port N\" (got \"%s\"): is it built (make)?" ASL_HINT(9),
		  SERVER, line);
}

static void server_stop(struct server *s)
{
	int st;
	kill(s->pid, SIGTERM);
	cr_assert(waitpid(s->pid, &st, 0) == s->pid, "waitpid failed");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "serve_http_coro should exit 0 on SIGTERM, it %s" ASL_HINT(9),
		  asl_test_wait_status(st));
}

/* A blocking client socket; a reply that takes 10 s counts as none (a hang, not a speed). */
static int client(const struct server *s, bool nodelay)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0, "socket failed");
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)s->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect failed");
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	int one = 1;
	if (nodelay)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		cr_assert(n > 0, "send failed");
		data += n;
		len -= (size_t)n;
	}
}

/* After the last response: the server closes its end (recv returns 0). */
static bool closed_by_server(struct asl_http_reader *rd)
{
	char c;
	return rd->len == 0 && recv(rd->fd, &c, 1, 0) == 0;
}

Test(http_switch, keep_alive_and_pipelining)
{
	struct server s;
	server_start(&s);
	struct asl_http_reader rd = { .fd = client(&s, false) };
	char all[4096];
	size_t len = 0;
	for (int i = 0; i < 20; i++) /* one write: 20 requests, the odd ones with a body */
		len += (size_t)snprintf(all + len, sizeof all - len,
					i % 2 ? "POST /item/%d HTTP/1.1\r\nHost: t\r\n"
						"Content-Length: %d\r\n\r\n%.*s"
					      : "GET /item/%d HTTP/1.1\r\nHost: t\r\n\r\n",
					i, i, i, "0123456789abcdefghijklmnopqrstuvwxyz");
	send_all(rd.fd, all, len);
	for (int i = 0; i < 20; i++) {
		char body[256], want[128];
		bool closes = true;
		int st = asl_http_read_response(&rd, body, sizeof body, &closes);
		if (i % 2)
			snprintf(want, sizeof want, "POST /item/%d\nbody: %d bytes\n", i, i);
		else
			snprintf(want, sizeof want, "GET /item/%d\n", i);
		cr_assert(st == 200 && !strcmp(body, want) && !closes,
			  "pipelined request %d: expected 200 \"%s\" on a kept-alive connection, "
			  "got %d \"%s\"%s" ASL_HINT(9),
			  i, want, st, st ? body : "", closes ? " with Connection: close" : "");
	}
	close(rd.fd);
	server_stop(&s);
}

Test(http_switch, one_byte_at_a_time)
{
	static const char req[] = "POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
				  "GET /next HTTP/1.0\r\n\r\n";
	struct server s;
	server_start(&s);
	struct asl_http_reader rd = { .fd = client(&s, true) };
	for (size_t i = 0; i < sizeof req - 1; i++)
		send_all(rd.fd, req + i, 1);
	char body[256];
	bool closes = true;
	int st = asl_http_read_response(&rd, body, sizeof body, &closes);
	cr_assert(
	    st == 200 && !strcmp(body, "POST /form\nbody: 5 bytes\n") && !closes,
	    "a request sent one byte per send(): expected 200 \"POST /form\\nbody: 5 bytes\\n\","
	    " got %d \"%s\"" ASL_HINT(9),
	    st, st ? body : "");
	st = asl_http_read_response(&rd, body, sizeof body, &closes);
	cr_assert(st == 200 && !strcmp(body, "GET /next\n") && closes,
		  "the HTTP/1.0 request after it: expected 200 \"GET /next\" with Connection: "
		  "close, got %d \"%s\"" ASL_HINT(9),
		  st, st ? body : "");
	cr_assert(closed_by_server(&rd),
		  "the server should close after an HTTP/1.0 response" ASL_HINT(9));
	close(rd.fd);
	server_stop(&s);
}

/* Send raw, expect a first response with status want and then the connection closed. */
static void expect_error(const struct server *s, const char *raw, size_t len, int want)
{
	struct asl_http_reader rd = { .fd = client(s, false) };
	send_all(rd.fd, raw, len);
	char body[256];
	bool closes = false;
	int st = asl_http_read_response(&rd, body, sizeof body, &closes);
	cr_assert(st == want && closes,
		  "request \"%.40s...\": expected %d with Connection: close, "
		  "got %d%s" ASL_HINT(9),
		  raw, want, st, closes ? "" : " without Connection: close");
	cr_assert(closed_by_server(&rd),
		  "request \"%.40s...\": the server should close the "
		  "connection after the %d" ASL_HINT(9),
		  raw, want);
	close(rd.fd);
}

Test(http_switch, malformed_gets_400_and_close)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\nHost: t\r\n\r\n",    /* a bare LF */
		"GET  / HTTP/1.1\r\nHost: t\r\n\r\n", /* two spaces */
		"GET / HTTP/2.0\r\nHost: t\r\n\r\n",  /* not HTTP/1.x */
		"GET / HTTP/1.1\r\nHost : t\r\n\r\n", /* a space before the colon */
		"GET / HTTP/1.1\r\n\r\n",             /* 1.1 without Host */
		"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: x1\r\n\r\n",
	};
	struct server s;
	server_start(&s);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_error(&s, bad[i], strlen(bad[i]), 400);
	/* a good request first, then a malformed one on the same connection */
	static const char two[] = "GET /ok HTTP/1.1\r\nHost: t\r\n\r\nGET /\x01 HTTP/1.1\r\n\r\n";
	struct asl_http_reader rd = { .fd = client(&s, false) };
	send_all(rd.fd, two, sizeof two - 1);
	char body[256];
	bool closes;
	int st1 = asl_http_read_response(&rd, body, sizeof body, &closes);
	int st2 = asl_http_read_response(&rd, body, sizeof body, &closes);
	cr_assert(st1 == 200 && st2 == 400,
		  "a good request, then a malformed one: expected 200 "
		  "then 400, got %d then %d" ASL_HINT(9),
		  st1, st2);
	close(rd.fd);
	server_stop(&s);
}

Test(http_switch, oversized_gets_413_and_te_gets_501)
{
	struct server s;
	server_start(&s);
	size_t n = 10000;
	char *big = malloc(n + 64);
	cr_assert_not_null(big);
	int k = snprintf(big, 64, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ");
	memset(big + k, 'a', n - (size_t)k);
	expect_error(&s, big, n, 413); /* a head past 8 KiB, never finished */
	free(big);
	static const char body[] = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n";
	expect_error(&s, body, sizeof body - 1, 413);
	static const char te[] = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
	expect_error(&s, te, sizeof te - 1, 501);
	server_stop(&s);
}
