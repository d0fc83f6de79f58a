/*
 * tcp.c - sockets on 127.0.0.1, made the way every lab-07 server and client needs them.
 *
 * Not a student step: the calls are plain POSIX, and putting them in one place keeps the
 * servers about the event loop rather than about sockaddr_in.
 */
#include "tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int tcp_local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -errno;
	return ntohs(a.sin_port);
}

int tcp_listen(int port, int backlog, int *port_out)
{
	if (port < 0 || port > 65535 || backlog < 0)
		return -EINVAL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1, err;
	struct sockaddr_in a = loopback(port);
	/* a restarted server must not wait for the old connections' TIME_WAIT to expire */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(fd, backlog ? backlog : SOMAXCONN) < 0)
		goto fail;
	if (port_out) {
		int p = tcp_local_port(fd);
		if (p < 0) {
			errno = -p;
			goto fail;
		}
		*port_out = p;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

int tcp_accept(int listen_fd)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		if (fd >= 0) {
			/* request/response traffic: do not hold a small answer back (Nagle) */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			return fd;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

int tcp_connect(int port, bool nonblock)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	int one = 1, err;
	struct sockaddr_in a = loopback(port);
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		goto fail;
	while (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		if (errno == EINPROGRESS && nonblock)
			break; /* writability will say when it is up (or SO_ERROR why not) */
		if (errno != EINTR)
			goto fail;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

int tcp_set_buffers(int fd, int sndbuf, int rcvbuf)
{
	if (sndbuf < 0 || rcvbuf < 0)
		return -EINVAL;
	if (sndbuf && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0)
		return -errno;
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
		return -errno;
	return 0;
}

int tcp_set_reset_on_close(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0 ? -errno : 0;
}
