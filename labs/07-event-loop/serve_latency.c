/*
 * serve_latency.c - run the latency injector (latency.h) until SIGTERM or SIGINT.
 *
 * Prints "port N" first.  Try it:  printf '300 slow\n10 fast\n' | nc -q1 127.0.0.1 N
 */
#include <stdio.h>
#include <string.h>

#include "asl/util.h"
#include "latency.h"
#include "serve.h"

static const char usage[] =
    "serve_latency [--backend epoll|poll] [--port N]\n"
    "  latency injector: each line \"<delay_ms>[ <tag>]\" comes back delay_ms later\n"
    "  --port N       port on 127.0.0.1 (default 0: any free port; printed as \"port N\")";

/* SIGTERM or SIGINT (serve_run) */
static void stop(void *srv)
{
	latency_server_stop(srv);
}

int main(int argc, char **argv)
{
	const char *backend = "epoll";
	long port = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		} else if (!serve_common_option(usage, a, v, &backend, &port)) {
			asl_usage_error(usage, "bad argument '%s'", a);
		}
		i++;
	}
	int bound, fd = serve_listen(port, &bound);
	loop_t *loop = serve_loop_create(usage, backend);
	struct latency_server srv;
	int rc = latency_server_start(&srv, loop, fd);
	if (rc < 0)
		asl_die(-rc, "latency_server_start");
	return serve_run(loop, bound, stop, &srv);
}
