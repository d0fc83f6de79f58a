/*
 * serve.c - the serve_* programs' common part (serve.h).
 */
#include "serve.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "asl/util.h"
#include "tcp.h"

bool serve_common_option(const char *usage, const char *a, const char *v, const char **backend,
			 long *port)
{
	if (!strcmp(a, "--backend") && v) {
		*backend = v;
		return true;
	}
	if (!strcmp(a, "--port") && v) {
		if (!asl_parse_long(v, 0, 65535, port))
			asl_usage_error(usage, "--port needs a number 0..65535, not '%s'", v);
		return true;
	}
	return false;
}

int serve_listen(long port, int *bound)
{
	asl_raise_fd_limit(1 << 20);
	int fd = tcp_listen((int)port, 0, bound);
	if (fd < 0)
		asl_die(-fd, "listen on 127.0.0.1:%ld", port);
	return fd;
}

loop_t *serve_loop_create(const char *usage, const char *backend)
{
	enum loop_backend_kind be;
	if (!strcmp(backend, "epoll"))
		be = LOOP_BACKEND_EPOLL;
	else if (!strcmp(backend, "poll"))
		be = LOOP_BACKEND_POLL;
	else
		asl_usage_error(usage, "unknown backend '%s'", backend);
	loop_t *loop;
	int rc = loop_create(&loop, be);
	if (rc < 0)
		asl_die(-rc, "loop_create");
	return loop;
}

struct serve_signals {
	loop_signal_t term, intr;
	void (*stop)(void *arg);
	void *arg;
};

/* SIGTERM or SIGINT: stop watching both (the loop must run out of handles), then the server */
static void on_signal(loop_signal_t *s, int signo)
{
	struct serve_signals *sig = s->data;
	(void)signo;
	loop_signal_stop(&sig->term);
	loop_signal_stop(&sig->intr);
	sig->stop(sig->arg);
}

int serve_run(loop_t *loop, int port, void (*stop)(void *arg), void *arg)
{
	struct serve_signals sig = { .stop = stop, .arg = arg };
	int rc;
	sig.term.data = sig.intr.data = &sig;
	if ((rc = loop_signal_start(loop, &sig.term, SIGTERM, on_signal)) < 0 ||
	    (rc = loop_signal_start(loop, &sig.intr, SIGINT, on_signal)) < 0)
		asl_die(-rc, "watching SIGTERM and SIGINT");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("port %d\n", port);
	/* returns when the stop has closed the last connection: no handle is left */
	rc = loop_run(loop, LOOP_RUN_DEFAULT);
	loop_destroy(loop);
	return rc < 0 ? 1 : 0;
}
