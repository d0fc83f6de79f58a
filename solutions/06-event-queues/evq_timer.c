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
	/* BEGIN STEP 3: Time as a descriptor: nanoseconds as a struct timespec.
	 * Whole seconds in tv_sec, the rest (0 <= tv_nsec < 1e9) in tv_nsec.
	 * Checked by: timer::one_shots_fire_in_order, timer::periodic_counts_expirations
	 * stub: LAB_UNUSED(ns); LAB_TODO_ABORT(3);
	 */
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000u),
				  .tv_nsec = (long)(ns % 1000000000u) };
	/* END STEP 3 */
}

int evq_timer_create(void)
{
	/* BEGIN STEP 3: Create a non-blocking, close-on-exec timerfd on CLOCK_MONOTONIC.
	 * (MONOTONIC: setting the wall clock must not make a timeout fire early or late.)
	 * Checked by: timer::*
	 * stub: return LAB_TODO(3);
	 */
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
	/* END STEP 3 */
}

int evq_timer_start(int fd, uint64_t first_ns, uint64_t interval_ns)
{
	/* BEGIN STEP 3: Arm fd: first expiry after first_ns (relative), then every interval_ns
	 * (0 = one-shot).  first_ns == 0 would disarm, so it is -EINVAL here.
	 * Checked by: timer::one_shots_fire_in_order, timer::periodic_counts_expirations
	 * stub: LAB_UNUSED(fd, first_ns, interval_ns); return LAB_TODO(3);
	 */
	if (first_ns == 0)
		return -EINVAL;
	struct itimerspec its = { .it_value = evq_timer_ts(first_ns),
				  .it_interval = evq_timer_ts(interval_ns) };
	if (timerfd_settime(fd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
	/* END STEP 3 */
}

int evq_timer_stop(int fd)
{
	/* BEGIN STEP 3: Disarm fd (an all-zero it_value disarms).
	 * Checked by: timer::disarm_stops_it
	 * stub: LAB_UNUSED(fd); return LAB_TODO(3);
	 */
	struct itimerspec its = { 0 };
	if (timerfd_settime(fd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
	/* END STEP 3 */
}

int evq_timer_read(int fd, uint64_t *expirations)
{
	/* BEGIN STEP 3: Read the 8-byte expiration count (-EAGAIN when none yet).
	 * Checked by: timer::periodic_counts_expirations, timer::unexpired_says_eagain
	 * stub: LAB_UNUSED(fd); *expirations = 0; return LAB_TODO(3);
	 */
	for (;;) {
		ssize_t n = read(fd, expirations, sizeof *expirations);
		if (n == (ssize_t)sizeof *expirations)
			return 0;
		if (n >= 0)
			return -EIO; /* timerfd hands out exactly 8 bytes or nothing */
		if (errno != EINTR)
			return -errno;
	}
	/* END STEP 3 */
}
