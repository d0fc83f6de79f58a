/*
 * loop_io.c - io watchers: "call me when this descriptor is readable/writable".
 *
 * The loop keeps one table, ios[fd] -> watcher, and the backend reports only descriptor
 * numbers.  That split is what makes removal during dispatch safe (Redis ae.c does the same):
 *
 *   Invariant: the dispatcher never holds a watcher pointer across a callback.  For each ready
 *   descriptor it looks the watcher up in ios[] at the moment its turn comes, and stopping a
 *   watcher clears its slot at once.  So when a callback stops - and frees - any watcher, even
 *   one whose descriptor is further down the current batch, the dispatcher finds NULL there
 *   and never touches the freed memory.
 *
 * One more case: a callback stops watcher A, closes its descriptor, and opens a new one that
 * gets the same number, with a new watcher B.  The batch still says "that number is readable",
 * but that was A's readiness.  Each watcher records the batch it was started in; the
 * dispatcher skips watchers started during the batch it is dispatching.
 */
#include "loop_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"

/* Make ios[] and fired[] hold at least fd + 1 entries. */
static __attribute__((unused)) int io_table_reserve(loop_t *loop, int fd)
{
	if (fd < loop->ios_cap)
		return 0;
	int cap = loop->ios_cap ? loop->ios_cap : 64;
	while (cap <= fd)
		cap *= 2;
	loop_io_t **ios = realloc(loop->ios, (size_t)cap * sizeof *ios);
	if (!ios)
		return -ENOMEM;
	for (int i = loop->ios_cap; i < cap; i++)
		ios[i] = NULL;
	loop->ios = ios;
	/* a backend reports each descriptor at most once per wait: fd + 1 entries suffice */
	struct loop_fired *fired = realloc(loop->fired, (size_t)cap * sizeof *fired);
	/* ios grew, fired did not: ios_cap stays, so both are still valid */
	if (!fired)
		return -ENOMEM;
	loop->fired = fired;
	loop->ios_cap = cap;
	return 0;
}

static int io_start(loop_t *loop, loop_io_t *io, int fd, int events, loop_io_cb cb, bool counted)
{
	/* TODO step 1: Start watching fd: check the arguments, record the watcher in the
	 * table, tell the backend (old mask 0), and count it as active if `counted`.
	 * Errors in the order the contract lists them: -EINVAL (fd < 0, no callback, events
	 * not a non-empty subset of LOOP_READ|LOOP_WRITE), -EBUSY (io already started),
	 * -EEXIST (another watcher has fd), -ENOMEM, or the backend's error - after which
	 * nothing has changed.  Stamp io->batch with loop->batch (see the top of this file).
	 * Checked by: loop_poll::io_*, loop_epoll::io_*
	 */
	LAB_UNUSED(loop, io, fd, events, cb, counted);
	return LAB_TODO(1);
}

int loop_io_start(loop_t *loop, loop_io_t *io, int fd, int events, loop_io_cb cb)
{
	return io_start(loop, io, fd, events, cb, true);
}

/* The loop's own watchers (post eventfd, signalfd) do not keep loop_run alive. */
int loop_io_start_internal(loop_t *loop, loop_io_t *io, int fd, int events, loop_io_cb cb)
{
	return io_start(loop, io, fd, events, cb, false);
}

int loop_io_modify(loop_io_t *io, int events)
{
	/* TODO step 1: Change what a started watcher waits for (backend set with the old and
	 * new masks).  -EINVAL if io is not started or events is 0 or has other bits.
	 * Checked by: loop_poll::io_modify_switches_read_and_write, loop_epoll::io_modify_*
	 */
	LAB_UNUSED(io, events); return LAB_TODO(1);
}

int loop_io_stop(loop_io_t *io)
{
	/* TODO step 1: Stop watching (idempotent): backend set to 0, clear the table slot, no
	 * longer active.  Afterwards the loop must never touch io again, even if its fd is
	 * further down the batch being dispatched (see the top of this file).
	 * Checked by: loop_poll::io_stop_*, loop_poll::io_removal_*, loop_epoll::io_*
	 */
	LAB_UNUSED(io); return LAB_TODO(1);
}

bool loop_io_active(const loop_io_t *io)
{
	return io->events != 0;
}

int loop_io_dispatch(loop_t *loop, int n)
{
	/* TODO step 1: Run the callback of each of the n ready descriptors in loop->fired,
	 * keeping the invariant at the top of this file: look the watcher up by descriptor when
	 * its turn comes; skip a descriptor nobody watches now, or whose watcher was started
	 * during this batch; pass only the bits the watcher asked for plus LOOP_ERROR/LOOP_HUP
	 * (nothing left: no call).  Count batches in loop->batch.  Returns the callbacks run.
	 * Checked by: loop_poll::io_*, loop_epoll::io_*
	 */
	LAB_UNUSED(loop, n); return LAB_TODO(1);
}

void loop_io_fini(loop_t *loop)
{
	free(loop->ios);
	free(loop->fired);
	loop->ios = NULL;
	loop->fired = NULL;
	loop->ios_cap = 0;
}
