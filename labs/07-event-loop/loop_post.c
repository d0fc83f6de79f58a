/*
 * loop_post.c - posts: the one way for another thread to get code run on the loop's thread.
 *
 * Producers push onto a lock-free LIFO (a Treiber stack: one compare-and-swap on the head);
 * the loop takes the whole stack with one atomic exchange and reverses it, which restores the
 * order of the pushes - so posts from one thread run in the order posted.
 *
 * The wake-up: a producer whose push found the stack EMPTY writes the eventfd; pushes onto a
 * non-empty stack need not, because that earlier push's write is still pending or its
 * batch has not been taken yet.  The loop reads (resets) the eventfd BEFORE it takes the
 * stack.  Why that order loses nothing: a push that the exchange missed came after it, found
 * the stack empty and writes the eventfd after the loop's read, so the eventfd is readable
 * again and the next wait returns at once.  (Read after the exchange instead, and that write
 * could be consumed by the read while its post sits in the stack: a lost wake-up.)
 */
#include "loop_internal.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "asl/todo.h"

int loop_post(loop_t *loop, loop_post_t *req, loop_post_cb cb)
{
	/* TODO step 5: From any thread: count the post as pending (keeps the loop alive), push
	 * req with a release compare-and-swap on loop->posts, and write 1 to loop->post_fd if
	 * the stack was empty before this push.  Returns 0.
	 * Checked by: loop_poll::post_*, loop_epoll::post_*
	 */
	LAB_UNUSED(loop, req, cb); return LAB_TODO(5);
}

int loop_posts_run(loop_t *loop)
{
	/* TODO step 5: Reset the eventfd (read it; -EAGAIN just means it was 0), then take the
	 * whole stack with an acquire exchange, reverse it into posting order, and call each
	 * request - reading req->next before the call, since cb may free req - and count it as
	 * no longer pending.  Returns how many ran.
	 * Checked by: loop_poll::post_*, loop_epoll::post_*
	 */
	LAB_UNUSED(loop); return LAB_TODO(5);
}

static void post_io_cb(loop_io_t *io, int events)
{
	(void)events;
	loop_posts_run(io->loop);
}

int loop_posts_init(loop_t *loop)
{
	loop->post_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->post_fd < 0)
		return -errno;
	int rc = loop_io_start_internal(loop, &loop->post_io, loop->post_fd, LOOP_READ, post_io_cb);
	if (rc < 0) {
		close(loop->post_fd);
		loop->post_fd = -1;
	}
	return rc;
}

void loop_posts_fini(loop_t *loop)
{
	loop_io_stop(&loop->post_io);
	close(loop->post_fd);
	loop->post_fd = -1;
}
