/*
 * ep.c - step 2: an epoll interest list.
 *
 * select() and poll() take the whole list of descriptors on every call, and the kernel checks
 * each one: the cost grows with what you watch.  epoll splits that in two.  epoll_ctl()
 * registers interest once; the kernel then hooks each watched file's wait queue, and a file
 * that becomes ready puts itself on the instance's ready list.  epoll_wait() only looks at
 * that list: the cost grows with what is ready.
 *
 * The events travel in the system's own struct epoll_event.  Its layout differs between
 * architectures (packed on x86-64, naturally aligned on aarch64): a hand-written copy of the
 * struct is how a prior version of this exercise broke on ARM.
 */
#include "evq.h"

#include <errno.h>
#include <unistd.h>

#include "asl/todo.h"
#include "asl/util.h"

/* The common part of ep_add and ep_modify: epoll_ctl(epfd, op, fd, ...) with the interest
 * described by events, trig and tag; 0 or -errno (-EINVAL for a bad events or trig). */
__attribute__((unused)) static int ep_ctl(int epfd, int op, int fd, uint32_t events,
					  enum ep_trigger trig, uint64_t tag)
{
	/* BEGIN STEP 2: Watch descriptors with epoll: register or change one fd's interest.
	 * Validate events (not 0, no EPOLLET: the trigger mode is its own argument) and trig; build
	 * the struct epoll_event (EPOLLET added for EP_EDGE, tag in data.u64) and call epoll_ctl
	 * with op.
	 * Checked by: epoll::add_modify_remove, epoll::tags_come_back,
	 * epoll::edge_trigger_needs_draining
	 * stub: LAB_UNUSED(epfd, op, fd, events, trig, tag); return LAB_TODO(2);
	 */
	/* the trigger mode is a separate argument, so a stray EPOLLET in events is a bug */
	if ((events & EPOLLET) || (trig != EP_LEVEL && trig != EP_EDGE) || events == 0)
		return -EINVAL;
	struct epoll_event ev = { .events = events | (trig == EP_EDGE ? EPOLLET : 0) };
	ev.data.u64 = tag;
	if (epoll_ctl(epfd, op, fd, &ev) < 0)
		return -errno;
	return 0;
	/* END STEP 2 */
}

int ep_create(void)
{
	/* BEGIN STEP 2: Create an epoll instance (close-on-exec); return its fd or -errno.
	 * Checked by: epoll::*
	 * stub: return LAB_TODO(2);
	 */
	int fd = epoll_create1(EPOLL_CLOEXEC);
	return fd < 0 ? -errno : fd;
	/* END STEP 2 */
}

int ep_add(int epfd, int fd, uint32_t events, enum ep_trigger trig, uint64_t tag)
{
	/* BEGIN STEP 2: Register fd for events with trigger mode trig, tag in data.u64.
	 * Reject EPOLLET inside events and unknown triggers with -EINVAL.
	 * Checked by: epoll::add_modify_remove, epoll::tags_come_back
	 * stub: LAB_UNUSED(epfd, fd, events, trig, tag); return LAB_TODO(2);
	 */
	return ep_ctl(epfd, EPOLL_CTL_ADD, fd, events, trig, tag);
	/* END STEP 2 */
}

int ep_modify(int epfd, int fd, uint32_t events, enum ep_trigger trig, uint64_t tag)
{
	/* BEGIN STEP 2: Replace the interest of an already-watched fd.
	 * Checked by: epoll::add_modify_remove
	 * stub: LAB_UNUSED(epfd, fd, events, trig, tag); return LAB_TODO(2);
	 */
	return ep_ctl(epfd, EPOLL_CTL_MOD, fd, events, trig, tag);
	/* END STEP 2 */
}

int ep_remove(int epfd, int fd)
{
	/* BEGIN STEP 2: Unregister fd (-ENOENT if it was not registered).
	 * Checked by: epoll::add_modify_remove
	 * stub: LAB_UNUSED(epfd, fd); return LAB_TODO(2);
	 */
	/* Linux before 2.6.9 insisted on a non-NULL event even for DEL; pass one anyway. */
	struct epoll_event unused = { 0 };
	if (epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused) < 0)
		return -errno;
	return 0;
	/* END STEP 2 */
}

int ep_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{
	/* BEGIN STEP 2: epoll_wait for at most max events; on EINTR wait again for the time
	 * that is left (do not return early, do not restart the full timeout).
	 * Checked by: epoll::level_trigger_reports_again, epoll::thousand_pipes_exact_ready_set
	 * stub: LAB_UNUSED(epfd, evs, max, timeout_ms); return LAB_TODO(2);
	 */
	/* Only a positive timeout needs a deadline; a zero-timeout look stays one system call. */
	uint64_t deadline = timeout_ms > 0 ? asl_now_ns() + (uint64_t)timeout_ms * 1000000u : 0;
	if (max <= 0)
		return -EINVAL;
	for (;;) {
		int n = epoll_wait(epfd, evs, max, timeout_ms);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
		if (timeout_ms > 0) { /* resume with what is left, rounded up */
			uint64_t now = asl_now_ns();
			timeout_ms = now >= deadline ? 0
						     : (int)((deadline - now + 999999) / 1000000);
		}
	}
	/* END STEP 2 */
}
