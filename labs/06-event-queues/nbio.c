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
	/* TODO step 1: Switch O_NONBLOCK on or off for fd, keeping the other status flags.
	 * Read the flags, change the one bit, write them back.
	 * Checked by: nbio::empty_pipe_says_eagain
	 */
	LAB_UNUSED(fd, on); return LAB_TODO(1);
}

ssize_t nbio_read_some(int fd, void *buf, size_t len)
{
	/* TODO step 1: One read: bytes (> 0), 0 at end of file, -EAGAIN when nothing is there,
	 * -errno otherwise; retry when a signal interrupts it (EINTR).
	 * Checked by: nbio::empty_pipe_says_eagain, epoll::readiness_is_only_a_hint
	 */
	LAB_UNUSED(fd, buf, len); return LAB_TODO(1);
}

int nbio_drain(int fd, void *buf, size_t cap, size_t *got)
{
	/* TODO step 1: Read until EAGAIN (NBIO_DRAINED), end of file (NBIO_EOF) or a full
	 * buffer (NBIO_FULL), counting the bytes in *got.  Only EAGAIN proves the kernel
	 * has nothing left, which edge-triggered waiting depends on.
	 * Checked by: epoll::edge_trigger_needs_draining, nbio::drain_stops_at_eagain_or_eof
	 */
	LAB_UNUSED(fd, buf, cap); *got = 0; return LAB_TODO(1);
}

ssize_t nbio_write_some(int fd, const void *buf, size_t len)
{
	/* TODO step 1: One write: bytes taken (> 0, maybe fewer than len), -EAGAIN when there
	 * is no room at all, -errno otherwise; retry on EINTR.
	 * Checked by: nbio::full_pipe_takes_short_writes
	 */
	LAB_UNUSED(fd, buf, len); return LAB_TODO(1);
}

int nbio_write_all(int fd, const void *buf, size_t len, size_t *written)
{
	/* TODO step 1: Loop over short writes until all len bytes are written (0) or the fd is
	 * full (-EAGAIN), keeping the count in *written for the caller to resume from.
	 * Checked by: nbio::full_pipe_takes_short_writes, nbio::write_all_resumes_after_eagain
	 */
	LAB_UNUSED(fd, buf, len); *written = 0; return LAB_TODO(1);
}
