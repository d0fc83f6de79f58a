/*
 * serve_http.c - run the lab's HTTP/1.1 server until SIGTERM or SIGINT.
 *
 * Prints "port N" first.  Try it:  curl -v http://127.0.0.1:N/hello   or   wrk on it.
 * SIGTERM (or SIGINT) stops it gracefully: the requests already received are answered, then
 * every connection is closed and the program exits with status 0.
 */
#include <stdio.h>
#include <string.h>

#include "asl/util.h"
#include "http.h"
#include "serve.h"

static const char usage[] =
    "serve_http [--backend epoll|poll] [--port N] [--timeout MS] [--grace MS]\n"
    "  HTTP/1.1 server on the loop (keep-alive, pipelining, 400/413, request deadline)\n"
    "  --port N       port on 127.0.0.1 (default 0: any free port; printed as \"port N\")\n"
    "  --timeout MS   each request must arrive within MS of the previous one (10000)\n"
    "  --grace MS     how long a graceful stop (SIGTERM) lets connections finish (5000)";

/* how long a graceful stop lets connections finish (--grace) */
static uint64_t grace_ms;

/* SIGTERM or SIGINT (serve_run): the graceful stop */
static void stop(void *srv)
{
	http_server_stop_gracefully(srv, grace_ms);
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
		} else if (serve_common_option(usage, a, v, &backend, &port)) {
		} else if (!strcmp(a, "--timeout") && v &&
			   asl_parse_long(v, 1, 3600000, &timeout)) {
		} else if (!strcmp(a, "--grace") && v && asl_parse_long(v, 0, 3600000, &grace)) {
		} else {
			asl_usage_error(usage, "bad argument '%s'", a);
		}
		i++;
	}
	int bound, fd = serve_listen(port, &bound);
	loop_t *loop = serve_loop_create(usage, backend);
	struct http_server srv;
	int rc = http_server_start(&srv, loop, fd, (uint64_t)timeout);
	if (rc < 0)
		asl_die(-rc, "http_server_start");
	grace_ms = (uint64_t)grace;
	return serve_run(loop, bound, stop, &srv);
}
