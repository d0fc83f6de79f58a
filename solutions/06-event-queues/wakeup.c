/*
 * wakeup.c - step 4: another thread's "wake up!" as a descriptor (eventfd).
 *
 * A thread asleep in epoll_wait can be woken only by one of its descriptors becoming ready.
 * An eventfd is a 64-bit counter inside the kernel that is readable while non-zero: another
 * thread adds to it (write) and the sleeper wakes; the sleeper takes the whole count (read)
 * and it is quiet again.  Several signals before one read add up into one wake-up, which is
 * what a loop wants: "there is work", not one event per piece of work.
 */
#include "evq.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "asl/todo.h"

int wakeup_create(void)
{
	/* BEGIN STEP 4: Create a non-blocking, close-on-exec eventfd with counter 0.
	 * Checked by: wakeup::*
	 * stub: return LAB_TODO(4);
	 */
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
	/* END STEP 4 */
}

int wakeup_signal(int fd, uint64_t n)
{
	/* BEGIN STEP 4: Add n (>= 1) to the counter with one 8-byte write.
	 * Checked by: wakeup::signals_coalesce, wakeup::wakes_thread_blocked_in_epoll_wait
	 * stub: LAB_UNUSED(fd, n); return LAB_TODO(4);
	 */
	if (n == 0)
		return -EINVAL;
	for (;;) {
		if (write(fd, &n, sizeof n) == (ssize_t)sizeof n)
			return 0;
		/* EAGAIN only if the counter would pass 2^64-2: the reader is far behind */
		if (errno != EINTR)
			return -errno;
	}
	/* END STEP 4 */
}

int wakeup_consume(int fd, uint64_t *count)
{
	/* BEGIN STEP 4: Read the whole counter (resets it); -EAGAIN when it is 0.
	 * Checked by: wakeup::signals_coalesce, wakeup::many_threads_no_lost_signal
	 * stub: LAB_UNUSED(fd); *count = 0; return LAB_TODO(4);
	 */
	for (;;) {
		ssize_t n = read(fd, count, sizeof *count);
		if (n == (ssize_t)sizeof *count)
			return 0;
		if (n >= 0)
			return -EIO;
		if (errno != EINTR)
			return -errno;
	}
	/* END STEP 4 */
}
