/*
 * backend_poll.c - the poll(2) backend: the whole interest list is handed to the kernel on
 * every wait, and the kernel asks every descriptor in it.  O(watched) per wait: the baseline
 * that epoll is measured against (bench_backends).
 *
 * State: a dense pollfd array (what poll() takes) and slot[fd], the index of fd's entry in it,
 * so that adding, changing and removing are O(1): removal moves the last entry into the hole.
 */
#include "loop_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "asl/todo.h"

struct poll_state {
	struct pollfd *pfds; /* pfds[0..n) are watched */
	int n, cap;
	int *slot; /* slot[fd]: index in pfds, -1 when fd is not watched */
	int slot_cap;
};

static __attribute__((unused)) short poll_mask(int mask)
{
	return (short)(((mask & LOOP_READ) ? POLLIN : 0) | ((mask & LOOP_WRITE) ? POLLOUT : 0));
}

static int poll_init(loop_t *loop)
{
	struct poll_state *ps = calloc(1, sizeof *ps);
	if (!ps)
		return -ENOMEM;
	loop->backend_state = ps;
	return 0;
}

static void poll_fini(loop_t *loop)
{
	struct poll_state *ps = loop->backend_state;
	free(ps->pfds);
	free(ps->slot);
	free(ps);
	loop->backend_state = NULL;
}

/* Room for one more entry and a slot for fd. */
static __attribute__((unused)) int poll_reserve(struct poll_state *ps, int fd)
{
	if (ps->n == ps->cap) {
		int cap = ps->cap ? 2 * ps->cap : 64;
		struct pollfd *p = realloc(ps->pfds, (size_t)cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		ps->pfds = p;
		ps->cap = cap;
	}
	if (fd >= ps->slot_cap) {
		int cap = ps->slot_cap ? ps->slot_cap : 64;
		while (cap <= fd)
			cap *= 2;
		int *s = realloc(ps->slot, (size_t)cap * sizeof *s);
		if (!s)
			return -ENOMEM;
		for (int i = ps->slot_cap; i < cap; i++)
			s[i] = -1;
		ps->slot = s;
		ps->slot_cap = cap;
	}
	return 0;
}

static int poll_set(loop_t *loop, int fd, int old_mask, int new_mask)
{
	/* TODO step 1: Add (old_mask 0), change, or remove (new_mask 0) fd's entry in the
	 * pollfd array, keeping slot[] right; removal fills the hole with the last entry.
	 * poll() cannot check a descriptor in advance: only -ENOMEM can happen here.
	 * Checked by: loop_poll::io_*
	 */
	LAB_UNUSED(loop, fd, old_mask, new_mask);
	return LAB_TODO(1);
}

static int poll_wait(loop_t *loop, int timeout_ms)
{
	/* TODO step 1: One poll() over the whole array; store each descriptor with revents in
	 * loop->fired (POLLIN -> LOOP_READ, POLLOUT -> LOOP_WRITE, POLLERR and POLLNVAL ->
	 * LOOP_ERROR, POLLHUP -> LOOP_HUP) and return how many.  EINTR is "nothing ready" (0).
	 * Checked by: loop_poll::*
	 */
	LAB_UNUSED(loop, timeout_ms); return LAB_TODO(1);
}

const struct loop_backend loop_backend_poll = {
	.name = "poll",
	.init = poll_init,
	.fini = poll_fini,
	.set = poll_set,
	.wait = poll_wait,
};
