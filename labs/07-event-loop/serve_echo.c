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
#include "tcp.h"

static const char usage[] =
    "serve_echo [--backend epoll|poll|threads] [--port N] [--buf BYTES] [--grace MS]\n"
    "  echo server: the loop on epoll (default) or poll, or a thread per connection\n"
    "  --port N      port on 127.0.0.1 (default 0: any free port; printed as \"port N\")\n"
    "  --buf BYTES   read size and per-connection output limit of the loop server (16K)\n"
    "  --grace MS    how long a graceful stop (SIGTERM) lets connections finish (5000)";

struct prog {
	struct echo_server srv;
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
	echo_server_stop(&pr->srv, pr->grace_ms);
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
		} else if (!strcmp(a, "--backend") && v) {
			backend = v;
		} else if (!strcmp(a, "--port") && v && asl_parse_long(v, 0, 65535, &port)) {
		} else if (!strcmp(a, "--buf") && v && asl_parse_size(v, 64, 1 << 24, &buf)) {
		} else if (!strcmp(a, "--grace") && v && asl_parse_long(v, 0, 3600000, &grace)) {
		} else {
			asl_usage_error(usage, "bad argument '%s'", a);
		}
		i++;
	}
	bool threads = !strcmp(backend, "threads");
	if (!threads && strcmp(backend, "epoll") && strcmp(backend, "poll"))
		asl_usage_error(usage, "unknown backend '%s'", backend);
	asl_raise_fd_limit(1 << 20);
	int p, fd = tcp_listen((int)port, 0, &p);
	if (fd < 0)
		asl_die(-fd, "listen on 127.0.0.1:%ld", port);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("port %d\n", p);
	if (threads)
		return serve_threads(fd);

	loop_t *loop;
	int rc =
	    loop_create(&loop, strcmp(backend, "poll") ? LOOP_BACKEND_EPOLL : LOOP_BACKEND_POLL);
	if (rc < 0)
		asl_die(-rc, "loop_create");
	struct prog pr = {.grace_ms = (uint64_t)grace};
	if ((rc = echo_server_start(&pr.srv, loop, fd, buf)) < 0)
		asl_die(-rc, "echo_server_start");
	pr.term.data = pr.intr.data = &pr;
	if ((rc = loop_signal_start(loop, &pr.term, SIGTERM, on_signal)) < 0 ||
	    (rc = loop_signal_start(loop, &pr.intr, SIGINT, on_signal)) < 0)
		asl_die(-rc, "watching SIGTERM and SIGINT");
	/* returns when the stop has closed the last connection: no handle is left */
	rc = loop_run(loop, LOOP_RUN_DEFAULT);
	loop_destroy(loop);
	return rc < 0 ? 1 : 0;
}
