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
	/* TODO step 2: Create the epoll instance (close-on-exec) and the state that holds it.
	 * Errors: -ENOMEM, or epoll_create1's (-EMFILE ...) with nothing left allocated.
	 * Checked by: loop_epoll::*
	 */
	LAB_UNUSED(loop); return LAB_TODO(2);
}

static void epoll_fini(loop_t *loop)
{
	/* TODO step 2: Close the epoll descriptor and free the state.
	 * Checked by: loop_epoll::* (each test counts open descriptors at its end)
	 */
	LAB_UNUSED(loop); LAB_TODO_ABORT(2);
}

static int epoll_set(loop_t *loop, int fd, int old_mask, int new_mask)
{
	/* TODO step 2: One epoll_ctl: ADD when old_mask is 0, DEL when new_mask is 0, else
	 * MOD; LOOP_READ is EPOLLIN, LOOP_WRITE is EPOLLOUT (level-triggered).  Returns 0 or
	 * -errno (-EPERM for a regular file, -EBADF).
	 * Checked by: loop_epoll::io_*
	 */
	LAB_UNUSED(loop, fd, old_mask, new_mask); return LAB_TODO(2);
}

static int epoll_wait_fired(loop_t *loop, int timeout_ms)
{
	/* TODO step 2: One epoll_wait for at most loop->ios_cap events (grow the event array
	 * when the loop's table has grown); translate each into loop->fired (EPOLLIN ->
	 * LOOP_READ, EPOLLOUT -> LOOP_WRITE, EPOLLERR -> LOOP_ERROR, EPOLLHUP -> LOOP_HUP).
	 * EINTR is "nothing ready" (0).
	 * Checked by: loop_epoll::*
	 */
	LAB_UNUSED(loop, timeout_ms); return LAB_TODO(2);
}

const struct loop_backend loop_backend_epoll = {
	.name = "epoll",
	.init = epoll_init,
	.fini = epoll_fini,
	.set = epoll_set,
	.wait = epoll_wait_fired,
};
