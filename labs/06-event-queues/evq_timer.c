/*
 * evq_timer.c - step 3: time as a descriptor (timerfd).
 *
 * A loop that waits in epoll_wait cannot also sit in nanosleep.  A timerfd turns "this much
 * time has passed" into "this descriptor is readable", so timers join the same wait as
 * sockets and pipes.  Reading it returns an 8-byte count of expirations since the last read:
 * a periodic timer that the loop was too busy to service is not lost, it is counted.
 */
#include "evq.h"

#include <errno.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "asl/todo.h"

/* ns nanoseconds as a struct timespec, for timerfd_settime. */
__attribute__((unused)) static struct timespec evq_timer_ts(uint64_t ns)
{
	/* TODO step 3: Time as a descriptor: nanoseconds as a struct timespec.
	 * Whole seconds in tv_sec, the rest (0 <= tv_nsec < 1e9) in tv_nsec.
	 * Checked by: timer::one_shots_fire_in_order, timer::periodic_counts_expirations
	 */
	LAB_UNUSED(ns); LAB_TODO_ABORT(3);
}

int evq_timer_create(void)
{
	/* TODO step 3: Create a non-blocking, close-on-exec timerfd on CLOCK_MONOTONIC.
	 * (MONOTONIC: setting the wall clock must not make a timeout fire early or late.)
	 * Checked by: timer::*
	 */
	return LAB_TODO(3);
}

int evq_timer_start(int fd, uint64_t first_ns, uint64_t interval_ns)
{
	/* TODO step 3: Arm fd: first expiry after first_ns (relative), then every interval_ns
	 * (0 = one-shot).  first_ns == 0 would disarm, so it is -EINVAL here.
	 * Checked by: timer::one_shots_fire_in_order, timer::periodic_counts_expirations
	 */
	LAB_UNUSED(fd, first_ns, interval_ns); return LAB_TODO(3);
}

int evq_timer_stop(int fd)
{
	/* TODO step 3: Disarm fd (an all-zero it_value disarms).
	 * Checked by: timer::disarm_stops_it
	 */
	LAB_UNUSED(fd); return LAB_TODO(3);
}

int evq_timer_read(int fd, uint64_t *expirations)
{
	/* TODO step 3: Read the 8-byte expiration count (-EAGAIN when none yet).
	 * Checked by: timer::periodic_counts_expirations, timer::unexpired_says_eagain
	 */
	LAB_UNUSED(fd); *expirations = 0; return LAB_TODO(3);
}
