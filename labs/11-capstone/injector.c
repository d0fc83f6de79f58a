/*
 * injector.c - the latency injector in a child process, and the connections to it.
 *
 * The injector is lab 07's latency server (latency.h) on lab 07's loop, so it needs lab 07
 * finished.  It runs in a CHILD process rather than a thread: the figures count the threads,
 * descriptors and memory of the model under test, and the injector's own (one socket per
 * request, a timer each) would otherwise be added to every model's bill.
 *
 * The connections are opened before a run and kept across runs, as keep-alive clients would
 * be: a run times the waiting and the computing, not ten thousand TCP handshakes.  They are
 * closed with a reset (SO_LINGER 0), so that a harness that opens and closes hundreds of
 * thousands of them never runs out of ports to TIME_WAIT.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capstone.h"
#include "latency.h"
#include "loop.h"
#include "tcp.h"

#include "asl/util.h"

struct injector {
	loop_t *loop;
	struct latency_server srv;
	loop_io_t stop_io;
};

/* The parent closed its end of the stop pipe (or died): shut everything so loop_run returns. */
static void injector_stop_cb(loop_io_t *io, int events)
{
	struct injector *in = io->data;
	(void)events;
	latency_server_stop(&in->srv);
	loop_io_stop(io);
}

/* The child's whole life: serve until told to stop.  Reports 0 or -errno on ready_fd first. */
static int injector_main(int listen_fd, int stop_fd, int ready_fd)
{
	struct injector in = { 0 };
	int rc = loop_create(&in.loop, LOOP_BACKEND_EPOLL);
	if (rc == 0 && (rc = latency_server_start(&in.srv, in.loop, listen_fd)) == 0) {
		in.stop_io.data = &in;
		rc = loop_io_start(in.loop, &in.stop_io, stop_fd, LOOP_READ, injector_stop_cb);
		if (rc < 0)
			latency_server_stop(&in.srv);
	}
	if (write(ready_fd, &rc, sizeof rc) != sizeof rc)
		rc = rc ? rc : -EPIPE;
	close(ready_fd);
	if (rc == 0)
		rc = loop_run(in.loop, LOOP_RUN_DEFAULT);
	if (in.loop)
		loop_destroy(in.loop);
	return rc;
}

int cap_env_open(struct cap_env *e)
{
	int stop[2] = { -1, -1 }, ready[2] = { -1, -1 }, rc, lfd;
	memset(e, 0, sizeof *e);
	e->stop_fd = -1;
	if ((lfd = tcp_listen(0, 0, &e->port)) < 0)
		return lfd;
	if (pipe2(stop, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	pid_t pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto fail;
	}
	if (pid == 0) {
		close(stop[1]);
		close(ready[0]);
		/* _exit: the parent's atexit handlers, stdio buffers and test hooks are not ours */
		_exit(injector_main(lfd, stop[0], ready[1]) == 0 ? 0 : 1);
	}
	close(lfd);
	close(stop[0]);
	close(ready[1]);
	e->child = pid;
	e->stop_fd = stop[1];
	ssize_t got;
	do
		got = read(ready[0], &rc, sizeof rc);
	while (got < 0 && errno == EINTR);
	close(ready[0]);
	if (got != sizeof rc)
		rc = -ECHILD;
	if (rc < 0)
		cap_env_close(e);
	return rc;
fail:
	close(lfd);
	for (int k = 0; k < 2; k++) {
		if (stop[k] >= 0)
			close(stop[k]);
		if (ready[k] >= 0)
			close(ready[k]);
	}
	return rc;
}

static int cap_env_mode(int fd, bool nonblocking)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	int want = nonblocking ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	if (want != fl && fcntl(fd, F_SETFL, want) < 0)
		return -errno;
	return 0;
}

int cap_env_connect(struct cap_env *e, int n, bool nonblocking)
{
	if (n > e->nfds) {
		long lim = asl_raise_fd_limit((long)n + 64);
		if (lim < 0)
			return (int)lim;
		if (lim < (long)n + 16)
			return -EMFILE;
		int *fds = realloc(e->fds, (size_t)n * sizeof *fds);
		if (!fds)
			return -ENOMEM;
		e->fds = fds;
		while (e->nfds < n) {
			int fd = tcp_connect(e->port, false);
			if (fd < 0)
				return fd;
			tcp_set_reset_on_close(fd);
			e->fds[e->nfds++] = fd;
		}
	}
	for (int i = 0; i < n; i++) {
		int rc = cap_env_mode(e->fds[i], nonblocking);
		if (rc < 0)
			return rc;
	}
	e->nonblocking = nonblocking;
	return 0;
}

void cap_env_disconnect(struct cap_env *e)
{
	for (int i = 0; i < e->nfds; i++)
		close(e->fds[i]);
	free(e->fds);
	e->fds = NULL;
	e->nfds = 0;
}

int cap_env_close(struct cap_env *e)
{
	int rc = 0, status;
	cap_env_disconnect(e);
	if (e->stop_fd >= 0)
		close(e->stop_fd);
	e->stop_fd = -1;
	if (e->child > 0) {
		while (waitpid(e->child, &status, 0) < 0)
			if (errno != EINTR)
				return -errno;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = -ECHILD;
	}
	e->child = 0;
	return rc;
}
