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
	/* TODO step 2: Watch descriptors with epoll: register or change one fd's interest.
	 * Validate events (not 0, no EPOLLET: the trigger mode is its own argument) and trig; build
	 * the struct epoll_event (EPOLLET added for EP_EDGE, tag in data.u64) and call epoll_ctl
	 * with op.
	 * Checked by: epoll::add_modify_remove, epoll::tags_come_back,
	 * epoll::edge_trigger_needs_draining
	 */
	LAB_UNUSED(epfd, op, fd, events, trig, tag); return LAB_TODO(2);
}

int ep_create(void)
{
	/* TODO step 2: Create an epoll instance (close-on-exec); return its fd or -errno.
	 * Checked by: epoll::*
	 */
	return LAB_TODO(2);
}

int ep_add(int epfd, int fd, uint32_t events, enum ep_trigger trig, uint64_t tag)
{
	/* TODO step 2: Register fd for events with trigger mode trig, tag in data.u64.
	 * Reject EPOLLET inside events and unknown triggers with -EINVAL.
	 * Checked by: epoll::add_modify_remove, epoll::tags_come_back
	 */
	LAB_UNUSED(epfd, fd, events, trig, tag); return LAB_TODO(2);
}

int ep_modify(int epfd, int fd, uint32_t events, enum ep_trigger trig, uint64_t tag)
{
	/* TODO step 2: Replace the interest of an already-watched fd.
	 * Checked by: epoll::add_modify_remove
	 */
	LAB_UNUSED(epfd, fd, events, trig, tag); return LAB_TODO(2);
}

int ep_remove(int epfd, int fd)
{
	/* TODO step 2: Unregister fd (-ENOENT if it was not registered).
	 * Checked by: epoll::add_modify_remove
	 */
	LAB_UNUSED(epfd, fd); return LAB_TODO(2);
}

int ep_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{
	/* TODO step 2: epoll_wait for at most max events; on EINTR wait again for the time
	 * that is left (do not return early, do not restart the full timeout).
	 * Checked by: epoll::level_trigger_reports_again, epoll::thousand_pipes_exact_ready_set
	 */
	LAB_UNUSED(epfd, evs, max, timeout_ms); return LAB_TODO(2);
}
