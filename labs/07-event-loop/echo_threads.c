/*
 * echo_threads.c - step 9: the server C10K was about: one thread per connection.
 *
 * The code is the easiest to read in the lab: accept, start a thread, and in that thread read and
 * write with plain blocking calls until the client goes away.  Every connection costs a thread:
 * a kernel task, a kernel stack, and a user stack of which only the touched pages are resident.
 * bench_rss and bench_echo put numbers on that cost beside the loop's.
 */
#include "echo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/todo.h"
#include "list.h"

/* One connection's thread and descriptor, listed so that stop can shut them down. */
struct echo_thread_conn {
	struct echo_threads *srv;
	int fd;
	struct echo_thread_conn *prev, *next;
};

/* Echo on fd with blocking calls until end of file or an error.  Returns 0 at a clean end of
 * file, -errno (ECONNRESET, EPIPE, ...) otherwise. */
static int echo_blocking(struct echo_stats *st, int fd)
{
	/* TODO step 9: Echo with blocking calls: read what arrives, write ALL of it back (a write
	 * may be short even when blocking, e.g. after a signal), until read returns 0 (the client
	 * closed: return 0) or fails (return -errno).  MSG_NOSIGNAL keeps a client that vanished
	 * from killing the process with SIGPIPE.  Count the bytes in st->bytes.
	 * Checked by: echo_threads::*
	 */
	LAB_UNUSED(st, fd); return LAB_TODO(9);
}

static __attribute__((unused)) void *conn_main(void *arg)
{
	struct echo_thread_conn *c = arg;
	struct echo_threads *s = c->srv;
	int rc = echo_blocking(&s->stats, c->fd);
	if (rc == -ECONNRESET || rc == -EPIPE)
		atomic_fetch_add_explicit(&s->stats.resets, 1, memory_order_relaxed);
	pthread_mutex_lock(&s->lock);
	list_remove(&s->conns, c);
	close(c->fd);
	atomic_fetch_sub_explicit(&s->stats.open, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->stats.closed, 1, memory_order_relaxed);
	s->live--;
	pthread_cond_broadcast(&s->gone);
	pthread_mutex_unlock(&s->lock);
	free(c);
	return NULL;
}

/* Start a detached thread serving fd.  Returns 0 or -errno (then fd is closed). */
static int spawn_conn(struct echo_threads *s, int fd)
{
	/* TODO step 9: Give the connection its own detached thread running conn_main, listed in
	 * s->conns with s->live counted (under s->lock) so that stop can find and wait for it.
	 * Use s->stack_size when it is not 0.  On failure close fd and return -errno.
	 * Checked by: echo_threads::*
	 */
	LAB_UNUSED(s); close(fd); return LAB_TODO(9);
}

static void *acceptor_main(void *arg)
{
	struct echo_threads *s = arg;
	while (!atomic_load(&s->stop)) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (atomic_load(&s->stop))
				break; /* shutdown() of the listening socket woke us */
			atomic_fetch_add_explicit(&s->stats.accept_errors, 1, memory_order_relaxed);
			/* out of descriptors or threads: a blocking accept has no better place to
			 * wait than the next try, so back off instead of spinning */
			usleep(ECHO_ACCEPT_RETRY_MS * 1000);
			continue;
		}
		atomic_fetch_add_explicit(&s->stats.accepted, 1, memory_order_relaxed);
		if (spawn_conn(s, fd) < 0)
			atomic_fetch_add_explicit(&s->stats.accept_errors, 1, memory_order_relaxed);
	}
	return NULL;
}

int echo_threads_start(struct echo_threads *s, int listen_fd, size_t stack_size)
{
	int rc;
	*s = (struct echo_threads){ .listen_fd = listen_fd, .stack_size = stack_size };
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->gone, NULL);
	/* the acceptor waits in accept() itself */
	fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) & ~O_NONBLOCK);
	atomic_store(&s->stats.accepting, true);
	rc = pthread_create(&s->acceptor, NULL, acceptor_main, s);
	if (rc) {
		pthread_cond_destroy(&s->gone);
		pthread_mutex_destroy(&s->lock);
		return -rc;
	}
	return 0;
}

int echo_threads_stop(struct echo_threads *s)
{
	atomic_store(&s->stop, true);
	atomic_store(&s->stats.stopping, true);
	atomic_store(&s->stats.accepting, false);
	/* on Linux, shutting a listening socket down wakes a thread blocked in accept() */
	shutdown(s->listen_fd, SHUT_RDWR);
	pthread_join(s->acceptor, NULL);
	close(s->listen_fd);
	pthread_mutex_lock(&s->lock);
	/* wakes each thread's blocking recv() with end of file; each thread closes its own fd */
	for (struct echo_thread_conn *c = s->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
	while (s->live)
		pthread_cond_wait(&s->gone, &s->lock);
	pthread_mutex_unlock(&s->lock);
	pthread_cond_destroy(&s->gone);
	pthread_mutex_destroy(&s->lock);
	return 0;
}
