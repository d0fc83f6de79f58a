/*
 * serve_http.c - run the lab's HTTP/1.1 server until SIGTERM or SIGINT.
 *
 * Prints "port N" first.  Try it:  curl -v http://127.0.0.1:N/hello   or   wrk on it.
 * SIGTERM (or SIGINT) stops it gracefully: the requests already received are answered, then
 * every connection is closed and the program exits with status 0.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "asl/util.h"
#include "http.h"
#include "tcp.h"

static const char usage[] =
    "serve_http [--backend epoll|poll] [--port N] [--timeout MS] [--grace MS]\n"
    "  HTTP/1.1 server on the loop (keep-alive, pipelining, 400/413, request deadline)\n"
    "  --port N       port on 127.0.0.1 (default 0: any free port; printed as \"port N\")\n"
    "  --timeout MS   each request must arrive within MS of the previous one (10000)\n"
    "  --grace MS     how long a graceful stop (SIGTERM) lets connections finish (5000)";

struct prog {
	struct http_server srv;
	loop_signal_t term, intr;
	uint64_t grace_ms;
};

/* SIGTERM or SIGINT: stop watching both (the loop must run out of handles) and stop gracefully */
static void on_signal(loop_signal_t *s, int signo)
{
	struct prog *pr = s->data;
	(void)signo;
	loop_signal_stop(&pr->term);
	loop_signal_stop(&pr->intr);
	http_server_stop_gracefully(&pr->srv, pr->grace_ms);
}

int main(int argc, char **argv)
{
	const char *backend = "epoll";
	long port = 0, timeout = 10000, grace = 5000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		} else if (!strcmp(a, "--backend") && v &&
			   (!strcmp(v, "epoll") || !strcmp(v, "poll"))) {
			backend = v;
		} else if (!strcmp(a, "--port") && v && asl_parse_long(v, 0, 65535, &port)) {
		} else if (!strcmp(a, "--timeout") && v &&
			   asl_parse_long(v, 1, 3600000, &timeout)) {
		} else if (!strcmp(a, "--grace") && v && asl_parse_long(v, 0, 3600000, &grace)) {
		} else {
			asl_usage_error(usage, "bad argument '%s'", a);
		}
		i++;
	}
	asl_raise_fd_limit(1 << 20);
	int p, fd = tcp_listen((int)port, 0, &p);
	if (fd < 0)
		asl_die(-fd, "listen on 127.0.0.1:%ld", port);
	loop_t *loop;
	int rc =
	    loop_create(&loop, strcmp(backend, "poll") ? LOOP_BACKEND_EPOLL : LOOP_BACKEND_POLL);
	if (rc < 0)
		asl_die(-rc, "loop_create");
	struct prog pr;
	if ((rc = http_server_start(&pr.srv, loop, fd, (uint64_t)timeout)) < 0)
		asl_die(-rc, "http_server_start");
	pr.grace_ms = (uint64_t)grace;
	pr.term = (loop_signal_t){.data = &pr};
	pr.intr = (loop_signal_t){.data = &pr};
	if ((rc = loop_signal_start(loop, &pr.term, SIGTERM, on_signal)) < 0 ||
	    (rc = loop_signal_start(loop, &pr.intr, SIGINT, on_signal)) < 0)
		asl_die(-rc, "watching SIGTERM and SIGINT");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("port %d\n", p);
	/* returns when the stop has closed the last connection: no handle is left */
	rc = loop_run(loop, LOOP_RUN_DEFAULT);
	loop_destroy(loop);
	return rc < 0 ? 1 : 0;
}
