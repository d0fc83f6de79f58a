/* asl_test_io.c - the test library's helpers for processes, signals, pipes and sockets (see
 * asl_test.h); the grading hooks themselves are in asl_test.c. */
#include "asl_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

void asl_test_pipe(int p[2])
{
	cr_assert_eq(pipe(p), 0, "pipe() failed: %s", strerror(errno));
}

void asl_test_pipe_nonblocking_read(int p[2])
{
	asl_test_pipe(p);
	cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0, "fcntl(O_NONBLOCK) failed");
}

int asl_test_capture(const char *cmd, char *out, size_t cap)
{
	char full[1024];
	size_t len = 0, n;
	snprintf(full, sizeof full, "%s 2>&1", cmd);
	out[0] = '\0';
	FILE *f = popen(full, "r");
	if (!f)
		return -1;
	/* Read to the end even past cap, so that the command never blocks on a full pipe. */
	char sink[4096];
	while ((n = fread(len + 1 < cap ? out + len : sink, 1,
			  len + 1 < cap ? cap - 1 - len : sizeof sink, f)) > 0)
		if (len + 1 < cap)
			len += n;
	out[len] = '\0';
	return pclose(f);
}

const char *asl_test_wait_status(int status)
{
	static __thread char ring[ASL_TEST_RC_SLOTS][96];
	static __thread unsigned next;
	char *buf = ring[next++ % ASL_TEST_RC_SLOTS];
	if (WIFEXITED(status))
		snprintf(buf, sizeof ring[0], "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof ring[0], "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof ring[0], "wait status %#x", status);
	return buf;
}

static void asl_test_interrupting_handler(int signo)
{
	(void)signo; /* its only job is to be there: the interrupted call returns EINTR */
}

void asl_test_interrupting_signal(int signo, struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = asl_test_interrupting_handler }; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(sigaction(signo, &sa, old), 0, "sigaction(%d) failed", signo);
}

int asl_test_listen_loopback(struct sockaddr_in *addr, int backlog)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert(l >= 0, "socket: %s", strerror(errno));
	*addr = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof *addr;
	cr_assert_eq(bind(l, (struct sockaddr *)addr, len), 0, "bind: %s", strerror(errno));
	cr_assert_eq(listen(l, backlog), 0, "listen: %s", strerror(errno));
	cr_assert_eq(getsockname(l, (struct sockaddr *)addr, &len), 0, "getsockname: %s",
		     strerror(errno));
	return l;
}

/* Receive more into rd->buf; false at the end of the connection, an error, or a full buffer. */
static bool http_reader_fill(struct asl_http_reader *rd)
{
	if (rd->len == sizeof rd->buf)
		return false;
	ssize_t n = recv(rd->fd, rd->buf + rd->len, sizeof rd->buf - rd->len, 0);
	if (n <= 0)
		return false;
	rd->len += (size_t)n;
	return true;
}

int asl_http_read_response(struct asl_http_reader *rd, char *body, size_t cap, bool *closes)
{
	char *end;
	while (!(end = memmem(rd->buf, rd->len, "\r\n\r\n", 4)))
		if (!http_reader_fill(rd))
			return 0;
	size_t head = (size_t)(end + 4 - rd->buf), blen = 0;
	int status = 0;
	if (sscanf(rd->buf, "HTTP/1.1 %d", &status) != 1)
		return 0;
	const char *cl = memmem(rd->buf, head, "Content-Length: ", 16);
	if (cl)
		blen = strtoul(cl + 16, NULL, 10);
	*closes = memmem(rd->buf, head, "Connection: close", 17) != NULL;
	while (rd->len < head + blen)
		if (!http_reader_fill(rd))
			return 0;
	size_t k = blen < cap - 1 ? blen : cap - 1;
	memcpy(body, rd->buf + head, k);
	body[k] = '\0';
	memmove(rd->buf, rd->buf + head + blen, rd->len - head - blen);
	rd->len -= head + blen;
	return status;
}
