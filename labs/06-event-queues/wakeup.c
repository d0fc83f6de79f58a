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
	/* TODO step 4: Create a non-blocking, close-on-exec eventfd with counter 0.
	 * Checked by: wakeup::*
	 */
	return LAB_TODO(4);
}

int wakeup_signal(int fd, uint64_t n)
{
	/* TODO step 4: Add n (>= 1) to the counter with one 8-byte write.
	 * Checked by: wakeup::signals_coalesce, wakeup::wakes_thread_blocked_in_epoll_wait
	 */
	LAB_UNUSED(fd, n); return LAB_TODO(4);
}

int wakeup_consume(int fd, uint64_t *count)
{
	/* TODO step 4: Read the whole counter (resets it); -EAGAIN when it is 0.
	 * Checked by: wakeup::signals_coalesce, wakeup::many_threads_no_lost_signal
	 */
	LAB_UNUSED(fd); *count = 0; return LAB_TODO(4);
}
