/*
 * serve_echo.c - run one of the lab's echo servers until SIGTERM or SIGINT.
 *
 * Prints "port N" on its first line of output, so that a harness can start it on a free port
 * (--port 0, the default) and learn where it listens.  SIGTERM stops it gracefully: no new
 * connections, the ones with data in flight are finished (at most --grace ms), then it exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "asl/util.h"
#include "echo.h"
#include "serve.h"

static const char usage[] =
    "serve_echo [--backend epoll|poll|threads] [--port N] [--buf BYTES] [--grace MS]\n"
    "  echo server: the loop on epoll (default) or poll, or a thread per connection\n"
    "  --port N      port on 127.0.0.1 (default 0: any free port; printed as \"port N\")\n"
    "  --buf BYTES   read size and per-connection output limit of the loop server (16K)\n"
    "  --grace MS    how long a graceful stop (SIGTERM) lets connections finish (5000)";

/* how long a graceful stop lets connections finish (--grace) */
static uint64_t grace_ms;

/* SIGTERM or SIGINT (serve_run): the graceful stop */
static void stop(void *srv)
{
	echo_server_stop(srv, grace_ms);
}

static int serve_threads(int fd)
{
	struct echo_threads srv;
	sigset_t set;
	int sig, rc;
	/* block the signals before any thread exists, then wait for one synchronously */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((rc = echo_threads_start(&srv, fd, 0)) < 0)
		asl_die(-rc, "echo_threads_start");
	sigwait(&set, &sig);
	return echo_threads_stop(&srv);
}

int main(int argc, char **argv)
{
	const char *backend = "epoll";
	long port = 0, grace = 5000;
	uint64_t buf = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		} else if (serve_common_option(usage, a, v, &backend, &port)) {
		} else if (!strcmp(a, "--buf") && v && asl_parse_size(v, 64, 1 << 24, &buf)) {
		} else if (!strcmp(a, "--grace") && v && asl_parse_long(v, 0, 3600000, &grace)) {
		} else {
			asl_usage_error(usage, "bad argument '%s'", a);
		}
		i++;
	}
	if (!strcmp(backend, "threads")) {
		int bound, fd = serve_listen(port, &bound);
		setvbuf(stdout, NULL, _IOLBF, 0);
		printf("port %d\n", bound);
		return serve_threads(fd);
	}
	loop_t *loop = serve_loop_create(usage, backend);
	int bound, fd = serve_listen(port, &bound);
	struct echo_server srv;
	int rc = echo_server_start(&srv, loop, fd, buf);
	if (rc < 0)
		asl_die(-rc, "echo_server_start");
	grace_ms = (uint64_t)grace;
	return serve_run(loop, bound, stop, &srv);
}
