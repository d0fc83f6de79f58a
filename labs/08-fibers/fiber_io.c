/*
 * fiber_io.c - step 7: blocking-style I/O that parks the fiber on the lab-07 loop.
 *
 * fiber_read looks like read(2) to its caller, and that is the point: the echo server in
 * demo_echo.c is the plain loop a thread-per-connection server would run, yet thousands of
 * its fibers share one thread.  Underneath, every call is the non-blocking system call; where
 * the kernel says EAGAIN, the fiber asks the loop to watch the descriptor and parks.  The
 * watcher's callback (run by loop_run inside fiber_sched_run, when no fiber is runnable) wakes
 * the fiber, which retries the call.  The callbacks of lab 07 are all still there; they have
 * just moved under the library, where the application no longer sees them.
 *
 * One optimisation, because a busy connection waits on the same descriptor over and over: a
 * fiber's watcher stays started after its wait ends (starting and stopping an epoll watcher
 * is a system call each).  If the loop reports it while the fiber is not waiting on it, the
 * callback stops it then (lazily), so a descriptor nobody waits on cannot keep the loop busy.
 * fiber_close and the end of the fiber stop it for good.
 */
#include "fiber_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "asl/todo.h"

/* The loop's call: wake the fiber that waits on this descriptor, or retire the watcher. */
void fiber_io_ready(loop_io_t *io, int events)
{
	(void)events; /* the retried system call reports errors and hang-ups itself */
	struct fiber *f = container_of(io, struct fiber, io);
	if (f->loop_waiting) {
		f->loop_waiting = false;
		f->sched->loop_waiters--;
		sched_wake(f);
	} else {
		loop_io_stop(io);
	}
}

void fiber_timer_done(loop_timer_t *t)
{
	struct fiber *f = container_of(t, struct fiber, timer);
	f->loop_waiting = false;
	f->sched->loop_waiters--;
	sched_wake(f);
}

void fiber_io_release(struct fiber *f)
{
	if (loop_io_active(&f->io))
		loop_io_stop(&f->io);
	if (f->timer_ready && loop_timer_active(&f->timer))
		loop_timer_stop(&f->timer);
}

/* Park the running fiber until fd is ready for `events` (LOOP_READ or LOOP_WRITE). */
static int fiber_wait_fd(int fd, int events)
{
	/* TODO step 7: Make this fiber's own watcher (f->io) watch fd for events - reuse it
	 * if it already watches fd (modify if the events differ), move it if it watches another
	 * descriptor - then park as a loop waiter (f->loop_waiting, s->loop_waiters) until
	 * fiber_io_ready wakes it.  -EPERM outside a fiber; -EBUSY if another watcher has fd; loop
	 * errors (lab 07) as they are.
	 * Checked by: io::*
	 */
	LAB_UNUSED(fd, events); return LAB_TODO(7);
}

int fiber_sleep(uint64_t ms)
{
	/* TODO step 7: Park the running fiber on a one-shot loop timer of ms milliseconds (its
	 * own f->timer, set up once with loop_timer_init), counted from now (the loop's cached
	 * time may be old).  Sleeps of equal length end in the order they began.  -EPERM
	 * outside a fiber; loop errors (lab 07) as they are.
	 * Checked by: io::sleep_*
	 */
	LAB_UNUSED(ms); return LAB_TODO(7);
}

ssize_t fiber_read(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		int rc = fiber_wait_fd(fd, LOOP_READ);
		if (rc)
			return rc;
	}
}

ssize_t fiber_write(int fd, const void *buf, size_t len)
{
	/* TODO step 7: Like fiber_read, for writing - but a blocking-style write writes ALL
	 * len bytes: after a short write, carry on with the rest.  Returns len or -errno.
	 * Checked by: io::*
	 */
	LAB_UNUSED(fd, buf, len); return LAB_TODO(7);
}

int fiber_accept(int listen_fd)
{
	/* TODO step 7: accept4 a connection as a non-blocking, close-on-exec descriptor,
	 * parking while none is pending.  The new fd or -errno.
	 * Checked by: io::*
	 */
	LAB_UNUSED(listen_fd); return LAB_TODO(7);
}

int fiber_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	/* TODO step 7: A non-blocking connect: EINPROGRESS means "park until writable, then
	 * read the outcome with getsockopt(SO_ERROR)".  0 or -errno.
	 * Checked by: io::*
	 */
	LAB_UNUSED(fd, addr, len); return LAB_TODO(7);
}

int fiber_close(int fd)
{
	struct fiber *f = fiber_self();
	if (f && loop_io_active(&f->io) && f->io.fd == fd)
		loop_io_stop(&f->io);
	return close(fd) ? -errno : 0;
}
