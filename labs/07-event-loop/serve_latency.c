/*
 * serve_latency.c - run the latency injector (latency.h) until SIGTERM or SIGINT.
 *
 * Prints "port N" first.  Try it:  printf '300 slow\n10 fast\n' | nc -q1 127.0.0.1 N
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "asl/util.h"
#include "latency.h"
#include "tcp.h"

static const char usage[] =
    "serve_latency [--backend epoll|poll] [--port N]\n"
    "  latency injector: each line \"<delay_ms>[ <tag>]\" comes back delay_ms later\n"
    "  --port N       port on 127.0.0.1 (default 0: any free port; printed as \"port N\")";

struct prog {
	struct latency_server srv;
	loop_signal_t term, intr;
};

static void on_signal(loop_signal_t *s, int signo)
{
	struct prog *pr = s->data;
	(void)signo;
	loop_signal_stop(&pr->term);
	loop_signal_stop(&pr->intr);
	latency_server_stop(&pr->srv);
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
		} else if (!strcmp(a, "--backend") && v &&
			   (!strcmp(v, "epoll") || !strcmp(v, "poll"))) {
			backend = v;
		} else if (!strcmp(a, "--port") && v && asl_parse_long(v, 0, 65535, &port)) {
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
	if ((rc = latency_server_start(&pr.srv, loop, fd)) < 0)
		asl_die(-rc, "latency_server_start");
	pr.term = (loop_signal_t){.data = &pr};
	pr.intr = (loop_signal_t){.data = &pr};
	if ((rc = loop_signal_start(loop, &pr.term, SIGTERM, on_signal)) < 0 ||
	    (rc = loop_signal_start(loop, &pr.intr, SIGINT, on_signal)) < 0)
		asl_die(-rc, "watching SIGTERM and SIGINT");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("port %d\n", p);
	rc = loop_run(loop, LOOP_RUN_DEFAULT);
	loop_destroy(loop);
	return rc < 0 ? 1 : 0;
}
