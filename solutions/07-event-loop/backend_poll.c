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
	/* BEGIN STEP 1: Add (old_mask 0), change, or remove (new_mask 0) fd's entry in the
	 * pollfd array, keeping slot[] right; removal fills the hole with the last entry.
	 * poll() cannot check a descriptor in advance: only -ENOMEM can happen here.
	 * Checked by: loop_poll::io_*
	 * stub: LAB_UNUSED(loop, fd, old_mask, new_mask);
	 * stub: return LAB_TODO(1);
	 */
	struct poll_state *ps = loop->backend_state;
	if (old_mask == 0) {
		int rc = poll_reserve(ps, fd);
		if (rc < 0)
			return rc;
		ps->slot[fd] = ps->n;
		ps->pfds[ps->n++] = (struct pollfd){ .fd = fd, .events = poll_mask(new_mask) };
		return 0;
	}
	int i = ps->slot[fd];
	if (new_mask != 0) {
		ps->pfds[i].events = poll_mask(new_mask);
		return 0;
	}
	ps->pfds[i] = ps->pfds[--ps->n];
	ps->slot[ps->pfds[i].fd] = i;
	ps->slot[fd] = -1;
	return 0;
	/* END STEP 1 */
}

static int poll_wait(loop_t *loop, int timeout_ms)
{
	/* BEGIN STEP 1: One poll() over the whole array; store each descriptor with revents in
	 * loop->fired (POLLIN -> LOOP_READ, POLLOUT -> LOOP_WRITE, POLLERR and POLLNVAL ->
	 * LOOP_ERROR, POLLHUP -> LOOP_HUP) and return how many.  EINTR is "nothing ready" (0).
	 * Checked by: loop_poll::*
	 * stub: LAB_UNUSED(loop, timeout_ms); return LAB_TODO(1);
	 */
	struct poll_state *ps = loop->backend_state;
	int ready = poll(ps->pfds, (nfds_t)ps->n, timeout_ms);
	if (ready < 0)
		return errno == EINTR ? 0 : -errno;
	int n = 0;
	for (int i = 0; i < ps->n && n < ready && n < loop->ios_cap; i++) {
		short re = ps->pfds[i].revents;
		if (!re)
			continue;
		loop->fired[n++] = (struct loop_fired){
			.fd = ps->pfds[i].fd,
			.events = ((re & POLLIN) ? LOOP_READ : 0) |
				  ((re & POLLOUT) ? LOOP_WRITE : 0) |
				  ((re & (POLLERR | POLLNVAL)) ? LOOP_ERROR : 0) |
				  ((re & POLLHUP) ? LOOP_HUP : 0),
		};
	}
	return n;
	/* END STEP 1 */
}

const struct loop_backend loop_backend_poll = {
	.name = "poll",
	.init = poll_init,
	.fini = poll_fini,
	.set = poll_set,
	.wait = poll_wait,
};
