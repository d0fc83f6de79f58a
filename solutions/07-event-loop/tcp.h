/*
 * tcp.h - the few socket calls every server and client of lab 07 makes, each once.
 *
 * Everything is on the loopback interface (127.0.0.1): the lab measures servers, not networks.
 * Descriptors come back non-blocking and close-on-exec (a program the benchmark starts must not
 * inherit the benchmark's sockets).  Functions return a descriptor or 0 on success, -errno on
 * failure, and never print.  Any thread may call them.
 */
#ifndef TCP_H
#define TCP_H

#include <stdbool.h>
#include <stddef.h>

/* Listen on 127.0.0.1:port (0: the kernel picks a free port) with SO_REUSEADDR; the listening
 * socket is non-blocking.  backlog 0 means SOMAXCONN.  The chosen port is stored in *port_out
 * when it is not NULL.  Returns the fd or -errno. */
int tcp_listen(int port, int backlog, int *port_out);

/* The local port of a bound socket, or -errno. */
int tcp_local_port(int fd);

/* accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC (and TCP_NODELAY on the new socket), retried on EINTR
 * and on ECONNABORTED (a client that reset while queued is not an error of the server).  Returns
 * the new fd, -EAGAIN when the queue is empty, -EMFILE / -ENFILE when out of descriptors, other
 * -errno otherwise. */
int tcp_accept(int listen_fd);

/* Connect to 127.0.0.1:port.  Blocking (for tests and clients that want it) when nonblock is
 * false; otherwise the connect may still be in progress (-EINPROGRESS is not returned: the fd
 * is, and the first writability says the connection is up).  TCP_NODELAY is set: a request/
 * response benchmark must not wait for Nagle's algorithm.  Returns the fd or -errno. */
int tcp_connect(int port, bool nonblock);

/* Ask for small kernel buffers (bytes; 0 leaves one unchanged).  The kernel doubles the value
 * and enforces a minimum (about 4.5 KiB for send, 2.3 KiB for receive), so this bounds, rather
 * than sets, how much one read or write can move.  Returns 0 or -errno. */
int tcp_set_buffers(int fd, int sndbuf, int rcvbuf);

/* Abort the connection on close: SO_LINGER with a zero timeout makes close() send RST instead of
 * FIN, the way a crashed or killed client looks to the server.  Returns 0 or -errno. */
int tcp_set_reset_on_close(int fd);

#endif
