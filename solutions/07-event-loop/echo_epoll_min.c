/*
 * echo_epoll_min.c - the least an epoll echo server can do: the floor under bench_echo.
 *
 * No library, no callbacks, no timers: one epoll_wait loop, a read, a write back.  Whatever the
 * loop library costs on top of this (a table lookup, a function pointer call, the time cache,
 * the timer heap check per iteration) shows up as the gap between the two in the figure.  It is
 * still correct: a short write parks the rest in a per-connection buffer and waits for EPOLLOUT.
 * Prints "port N" first; exits 0 on SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/util.h"
#include "tcp.h"

static const char usage[] = "echo_epoll_min [--port N]\n"
			    "  minimal hand-written epoll echo server (comparison floor)";

struct pending { /* a short write's rest; NULL while there is none */
	size_t off, len;
	char data[];
};

int main(int argc, char **argv)
{
	long port = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		}
		if (strcmp(argv[i], "--port") || i + 1 >= argc ||
		    !asl_parse_long(argv[i + 1], 0, 65535, &port))
			asl_usage_error(usage, "bad argument '%s'", argv[i]);
		i++;
	}
	long maxfd = asl_raise_fd_limit(1 << 20);
	int p, lfd = tcp_listen((int)port, 0, &p);
	if (lfd < 0)
		asl_die(-lfd, "listen");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct pending **pend = calloc((size_t)maxfd, sizeof *pend);
	if (sfd < 0 || ep < 0 || !pend)
		asl_die(errno, "setup");
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd };
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("port %d\n", p);

	static char buf[16384];
	struct epoll_event evs[256];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == sfd)
				goto done;
			if (fd == lfd) {
				int c;
				while ((c = tcp_accept(lfd)) >= 0) {
					ev = (struct epoll_event){ .events = EPOLLIN,
								   .data.fd = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			struct pending *q = pend[fd];
			ssize_t r, w = 0;
			if (q) { /* EPOLLOUT: send the rest, then read again */
				w = send(fd, q->data + q->off, q->len - q->off, MSG_NOSIGNAL);
				if (w < 0 && errno != EAGAIN)
					goto close_it;
				if (w > 0 && (q->off += (size_t)w) == q->len) {
					free(q);
					pend[fd] = NULL;
					ev = (struct epoll_event){ .events = EPOLLIN,
								   .data.fd = fd };
					epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
				}
				continue;
			}
			r = recv(fd, buf, sizeof buf, 0);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0)
				goto close_it;
			w = send(fd, buf, (size_t)r, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN)
				goto close_it;
			if (w < r) {
				w = w < 0 ? 0 : w;
				q = malloc(sizeof *q + (size_t)(r - w));
				if (!q)
					goto close_it;
				q->off = 0;
				q->len = (size_t)(r - w);
				memcpy(q->data, buf + w, q->len);
				pend[fd] = q;
				ev = (struct epoll_event){ .events = EPOLLOUT, .data.fd = fd };
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			}
			continue;
		close_it:
			free(pend[fd]);
			pend[fd] = NULL;
			close(fd); /* closing removes it from the epoll set */
		}
	}
done:
	for (long fd = 0; fd < maxfd; fd++)
		free(pend[fd]);
	free(pend);
	return 0;
}
