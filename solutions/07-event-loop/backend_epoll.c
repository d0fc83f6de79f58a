/*
 * backend_epoll.c - the epoll(7) backend: the interest list lives in the kernel (epoll_ctl
 * once per change), and a wait only takes entries off the kernel's ready list.  O(ready) per
 * wait, however many descriptors are watched.  Level-triggered, like poll: a descriptor that
 * stays ready is reported again, so a callback may read just part of what is there.
 */
#include "loop_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h> /* the system's struct epoll_event: packed on x86-64 only */
#include <unistd.h>

#include "asl/todo.h"

struct epoll_state {
	int epfd;
	struct epoll_event *events; /* what epoll_wait fills; as many as loop->fired holds */
	int cap;
};

static int epoll_init(loop_t *loop)
{
	/* BEGIN STEP 2: Create the epoll instance (close-on-exec) and the state that holds it.
	 * Errors: -ENOMEM, or epoll_create1's (-EMFILE ...) with nothing left allocated.
	 * Checked by: loop_epoll::*
	 * stub: LAB_UNUSED(loop); return LAB_TODO(2);
	 */
	struct epoll_state *es = calloc(1, sizeof *es);
	if (!es)
		return -ENOMEM;
	es->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (es->epfd < 0) {
		int err = errno;
		free(es);
		return -err;
	}
	loop->backend_state = es;
	return 0;
	/* END STEP 2 */
}

static void epoll_fini(loop_t *loop)
{
	/* BEGIN STEP 2: Close the epoll descriptor and free the state.
	 * Checked by: loop_epoll::* (each test counts open descriptors at its end)
	 * stub: LAB_UNUSED(loop); LAB_TODO_ABORT(2);
	 */
	struct epoll_state *es = loop->backend_state;
	close(es->epfd);
	free(es->events);
	free(es);
	loop->backend_state = NULL;
	/* END STEP 2 */
}

static int epoll_set(loop_t *loop, int fd, int old_mask, int new_mask)
{
	/* BEGIN STEP 2: One epoll_ctl: ADD when old_mask is 0, DEL when new_mask is 0, else
	 * MOD; LOOP_READ is EPOLLIN, LOOP_WRITE is EPOLLOUT (level-triggered).  Returns 0 or
	 * -errno (-EPERM for a regular file, -EBADF).
	 * Checked by: loop_epoll::io_*
	 * stub: LAB_UNUSED(loop, fd, old_mask, new_mask); return LAB_TODO(2);
	 */
	struct epoll_state *es = loop->backend_state;
	struct epoll_event ev = {
		.events = ((new_mask & LOOP_READ) ? EPOLLIN : 0u) |
			  ((new_mask & LOOP_WRITE) ? EPOLLOUT : 0u),
		.data.fd = fd,
	};
	int op = old_mask == 0 ? EPOLL_CTL_ADD : new_mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
	return epoll_ctl(es->epfd, op, fd, &ev) < 0 ? -errno : 0;
	/* END STEP 2 */
}

static int epoll_wait_fired(loop_t *loop, int timeout_ms)
{
	/* BEGIN STEP 2: One epoll_wait for at most loop->ios_cap events (grow the event array
	 * when the loop's table has grown); translate each into loop->fired (EPOLLIN ->
	 * LOOP_READ, EPOLLOUT -> LOOP_WRITE, EPOLLERR -> LOOP_ERROR, EPOLLHUP -> LOOP_HUP).
	 * EINTR is "nothing ready" (0).
	 * Checked by: loop_epoll::*
	 * stub: LAB_UNUSED(loop, timeout_ms); return LAB_TODO(2);
	 */
	struct epoll_state *es = loop->backend_state;
	if (es->cap < loop->ios_cap) {
		struct epoll_event *e = realloc(es->events, (size_t)loop->ios_cap * sizeof *e);
		if (!e)
			return -ENOMEM;
		es->events = e;
		es->cap = loop->ios_cap;
	}
	int n = epoll_wait(es->epfd, es->events, es->cap, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		uint32_t re = es->events[i].events;
		loop->fired[i] = (struct loop_fired){
			.fd = es->events[i].data.fd,
			.events = ((re & EPOLLIN) ? LOOP_READ : 0) |
				  ((re & EPOLLOUT) ? LOOP_WRITE : 0) |
				  ((re & EPOLLERR) ? LOOP_ERROR : 0) |
				  ((re & EPOLLHUP) ? LOOP_HUP : 0),
		};
	}
	return n;
	/* END STEP 2 */
}

const struct loop_backend loop_backend_epoll = {
	.name = "epoll",
	.init = epoll_init,
	.fini = epoll_fini,
	.set = epoll_set,
	.wait = epoll_wait_fired,
};
