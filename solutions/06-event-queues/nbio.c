/*
 * nbio.c - step 1: reads and writes that never put the thread to sleep.
 *
 * A blocking read on an empty pipe parks the calling thread in the kernel until data arrives.
 * With O_NONBLOCK the same read returns at once with EAGAIN ("try again later"), and the thread
 * is free to wait for many descriptors at once (step 2).  The price: every transfer may be
 * partial.  A read returns what is there, a write takes what fits, and only EAGAIN says
 * "nothing more for now".
 */
#include "evq.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "asl/todo.h"

int nbio_set_nonblock(int fd, bool on)
{
	/* BEGIN STEP 1: Switch O_NONBLOCK on or off for fd, keeping the other status flags.
	 * Read the flags, change the one bit, write them back.
	 * Checked by: nbio::empty_pipe_says_eagain
	 * stub: LAB_UNUSED(fd, on); return LAB_TODO(1);
	 */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	/* the flag lives on the open file description: every dup of fd sees the change */
	if (fcntl(fd, F_SETFL, flags) < 0)
		return -errno;
	return 0;
	/* END STEP 1 */
}

ssize_t nbio_read_some(int fd, void *buf, size_t len)
{
	/* BEGIN STEP 1: One read: bytes (> 0), 0 at end of file, -EAGAIN when nothing is there,
	 * -errno otherwise; retry when a signal interrupts it (EINTR).
	 * Checked by: nbio::empty_pipe_says_eagain, epoll::readiness_is_only_a_hint
	 * stub: LAB_UNUSED(fd, buf, len); return LAB_TODO(1);
	 */
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			/* EWOULDBLOCK == EAGAIN on Linux; report one name */
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	/* END STEP 1 */
}

int nbio_drain(int fd, void *buf, size_t cap, size_t *got)
{
	/* BEGIN STEP 1: Read until EAGAIN (NBIO_DRAINED), end of file (NBIO_EOF) or a full
	 * buffer (NBIO_FULL), counting the bytes in *got.  Only EAGAIN proves the kernel
	 * has nothing left, which edge-triggered waiting depends on.
	 * Checked by: epoll::edge_trigger_needs_draining, nbio::drain_stops_at_eagain_or_eof
	 * stub: LAB_UNUSED(fd, buf, cap); *got = 0; return LAB_TODO(1);
	 */
	char *p = buf;
	*got = 0;
	while (*got < cap) {
		ssize_t n = nbio_read_some(fd, p + *got, cap - *got);
		if (n == -EAGAIN)
			return NBIO_DRAINED;
		if (n < 0)
			return (int)n;
		if (n == 0)
			return NBIO_EOF;
		*got += (size_t)n;
	}
	/* A full buffer proves nothing about the descriptor: there may be more behind it. */
	return NBIO_FULL;
	/* END STEP 1 */
}

ssize_t nbio_write_some(int fd, const void *buf, size_t len)
{
	/* BEGIN STEP 1: One write: bytes taken (> 0, maybe fewer than len), -EAGAIN when there
	 * is no room at all, -errno otherwise; retry on EINTR.
	 * Checked by: nbio::full_pipe_takes_short_writes
	 * stub: LAB_UNUSED(fd, buf, len); return LAB_TODO(1);
	 */
	for (;;) {
		ssize_t n = write(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	/* END STEP 1 */
}

int nbio_write_all(int fd, const void *buf, size_t len, size_t *written)
{
	/* BEGIN STEP 1: Loop over short writes until all len bytes are written (0) or the fd is
	 * full (-EAGAIN), keeping the count in *written for the caller to resume from.
	 * Checked by: nbio::full_pipe_takes_short_writes, nbio::write_all_resumes_after_eagain
	 * stub: LAB_UNUSED(fd, buf, len); *written = 0; return LAB_TODO(1);
	 */
	const char *p = buf;
	*written = 0;
	while (*written < len) {
		ssize_t n = nbio_write_some(fd, p + *written, len - *written);
		if (n < 0)
			return (int)n; /* -EAGAIN included: the caller waits for EPOLLOUT */
		*written += (size_t)n;
	}
	return 0;
	/* END STEP 1 */
}
