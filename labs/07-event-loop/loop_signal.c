/*
 * loop_signal.c - signals as ordinary events (signalfd).
 *
 * A signal handler runs in the middle of whatever the thread was doing, so it may touch
 * almost nothing (only async-signal-safe calls, only volatile sig_atomic_t flags).  A
 * signalfd turns a signal into data instead: the signal is blocked, so it stays pending, and
 * the signalfd becomes readable with one record per pending signal.  The loop watches that
 * descriptor like any other and calls the watchers of the signal from its own thread, where
 * they may do anything a callback may do - for instance stop the listener and let the
 * in-flight work finish (a graceful stop).
 *
 * The process-wide part: blocking is per thread.  A signal sent to the process goes to any
 * thread that does not block it, so every thread must block it - hence "start the watchers
 * before creating threads" (new threads inherit the mask).
 */
#include "loop_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "asl/todo.h"

/* Call every watcher of signo once.  Never keeps a watcher pointer across a callback (which
 * may stop or free any watcher): after each call it rescans from the head for the next
 * watcher of signo not yet called for this delivery. */
static void signal_deliver(loop_t *loop, int signo)
{
	uint64_t delivery = ++loop->signal_delivery;
	for (;;) {
		loop_signal_t *s = loop->signals;
		while (s && (s->signo != signo || s->delivery == delivery))
			s = s->next;
		if (!s)
			return;
		s->delivery = delivery;
		s->cb(s, signo);
	}
}

static void signal_io_cb(loop_io_t *io, int events)
{
	/* TODO step 5: Read the signalfd one record (struct signalfd_siginfo) at a time until
	 * it says EAGAIN, and deliver each record's ssi_signo (signal_deliver).
	 * Checked by: loop_poll::signal_*, loop_epoll::signal_*
	 */
	(void)io; (void)events; (void)signal_deliver; LAB_TODO_ABORT(5);
}

/* Point the signalfd at loop->signal_mask, creating it (and its watcher) the first time. */
static int signal_fd_update(loop_t *loop)
{
	if (loop->signal_fd >= 0)
		return signalfd(loop->signal_fd, &loop->signal_mask, 0) < 0 ? -errno : 0;
	int fd = signalfd(-1, &loop->signal_mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = loop_io_start_internal(loop, &loop->signal_io, fd, LOOP_READ, signal_io_cb);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	loop->signal_fd = fd;
	return 0;
}

static bool signal_watched(const loop_t *loop, int signo)
{
	for (const loop_signal_t *s = loop->signals; s; s = s->next)
		if (s->signo == signo)
			return true;
	return false;
}

int loop_signal_start(loop_t *loop, loop_signal_t *s, int signo, loop_signal_cb cb)
{
	/* TODO step 5: Validate (-EINVAL: signo outside 1..NSIG-1, SIGKILL, SIGSTOP, no cb;
	 * -EBUSY: s started).  For the first watcher of signo: remember whether the calling
	 * thread already blocked it (loop->signal_was_blocked), block it, add it to
	 * loop->signal_mask and update the signalfd (signal_fd_update); undo on failure.  Then
	 * append s to loop->signals (start order) and count it as active.
	 * Checked by: loop_poll::signal_*, loop_epoll::signal_*
	 */
	(void)loop; (void)s; (void)signo; (void)cb; (void)signal_fd_update;
	(void)signal_watched; return LAB_TODO(5);
}

int loop_signal_stop(loop_signal_t *s)
{
	/* TODO step 5: Unlink s (idempotent) and count it inactive.  If it was the last
	 * watcher of its signal: take the signal out of the signalfd's mask and, unless it was
	 * blocked before the first watcher, unblock it in the calling thread.
	 * Checked by: loop_poll::signal_*, loop_epoll::signal_*
	 */
	(void)s; return LAB_TODO(5);
}

void loop_signals_fini(loop_t *loop)
{
	if (loop->signal_fd < 0)
		return;
	loop_io_stop(&loop->signal_io);
	close(loop->signal_fd);
	loop->signal_fd = -1;
}
