/*
 * uring_copy.c - steps 5-7: completion instead of readiness (io_uring).
 *
 * epoll answers "which descriptors could I read now?"; the program then does the read itself.
 * io_uring takes the read itself: the program puts requests ("read 64 KiB of fd 5 at offset
 * 1 MiB into this buffer") on a submission queue shared with the kernel, and later finds
 * results ("done, 65536 bytes") on a completion queue.  Between the two the program needs no
 * thread of its own waiting: the request is a piece of memory the kernel finishes.
 *
 * The copy keeps up to `depth` blocks in flight.  A block is a small state machine:
 *   READING  --read completes (all bytes)-->  WRITING  --write completes (all)-->  free
 * and a short read or short write resubmits the same state for the bytes still missing.
 *
 * Step 5 sets the copy up and tears it down (arguments, blocks, ring); step 6 is the loop of
 * submissions and completions for blocks whose transfers complete whole; step 7 handles the
 * rest: short transfers, transient errors and failures.
 */
#include "evq.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "asl/todo.h"

/* One block in flight: where it is in the file, how much of it is done, and whether it is
 * being read or written. */
struct uring_copy_blk {
	char *buf;
	uint64_t off; /* file offset of the block */
	size_t len;   /* block length */
	size_t done;  /* bytes of the current phase already transferred */
	bool writing;
};

/* One copy: the ring, its blocks, and how far the file has been handed out to them. */
struct uring_copy {
	struct io_uring ring;
	struct uring_copy_blk *blks;
	unsigned depth;
	unsigned inflight; /* requests queued or submitted whose completion is not reaped yet */
	int in_fd, out_fd;
	size_t chunk;
	uint64_t size;   /* the file's size at the start: the copy is planned on it */
	uint64_t next;   /* offset of the first byte no block has taken yet */
	uint64_t copied; /* bytes of the blocks whose write completed */
	int err;         /* the first failure; after it, only what is in flight is reaped */
};

/* Check the arguments, size in_fd and allocate c's blocks (depth buffers of chunk bytes) and
 * ring (depth entries: a slot per block).  0, or -errno with nothing left allocated. */
__attribute__((unused)) static int uring_copy_open(struct uring_copy *c, int in_fd, int out_fd,
						   size_t chunk, unsigned depth)
{
	/* TODO step 5: Copy with io_uring: check the arguments, allocate blocks and ring.
	 * -EINVAL for chunk outside 1 B..1 GiB, depth outside 1..64, or an in_fd that is not a
	 * regular file (its size and offsets are what the copy is planned on).  On a failure free
	 * what was allocated; io_uring_queue_init already returns -errno.
	 * Checked by: uring::rejects_bad_arguments
	 */
	LAB_UNUSED(c, in_fd, out_fd, chunk, depth); return LAB_TODO(5);
}

/* Free the ring and the blocks of an open copy (every completion must have been reaped). */
__attribute__((unused)) static void uring_copy_close(struct uring_copy *c)
{
	/* TODO step 5: Copy with io_uring: tear down what uring_copy_open made.
	 * Checked by: uring::rejects_bad_arguments
	 */
	LAB_UNUSED(c); LAB_TODO_ABORT(5);
}

/* Give blk the next piece of the file (at most chunk bytes), to be read: false when the whole
 * file is handed out already. */
__attribute__((unused)) static bool uring_copy_take(struct uring_copy *c,
						    struct uring_copy_blk *blk)
{
	/* TODO step 6: Copy with io_uring: hand a block the next piece of the file.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 */
	LAB_UNUSED(c, blk); LAB_TODO_ABORT(6);
}

/* Queue (not yet submit) the next request for blk: the part of its current phase not yet
 * done, a read from in_fd or a write to out_fd; it counts as in flight from now on.  0, or
 * -EBUSY when the ring has no free submission slot. */
__attribute__((unused)) static int uring_copy_queue(struct uring_copy *c,
						    struct uring_copy_blk *blk)
{
	/* TODO step 6: Copy with io_uring: queue the next request of a block.
	 * Get an SQE, prepare a read or write of the bytes still missing at off + done, and set blk
	 * as its user_data: it travels through the kernel untouched and is how the completion finds
	 * its block.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 */
	LAB_UNUSED(c, blk); return LAB_TODO(6);
}

/* A completion that did not transfer all that blk's request asked for: res is a short count,
 * 0, or -errno.  0: blk->done is updated and the rest must be asked for again; -errno: the
 * copy fails with it (-EIO for a read at end of file: the file shrank). */
__attribute__((unused)) static int uring_copy_partial(struct uring_copy_blk *blk, int res)
{
	/* TODO step 7: Copy with io_uring: short transfers, transient errors and failures.
	 * -EINTR and -EAGAIN are transient (ask again for the same bytes); other negative results
	 * are failures; a read that returns 0 met the end of the file early; any other count is
	 * progress.
	 * Checked by: uring::short_writes_into_a_pipe_are_resumed
	 */
	LAB_UNUSED(blk, res); return LAB_TODO(7);
}

/* One completion of blk's request with result res: move blk on (the rest of its phase, its
 * write, its next piece, or retire it) and queue its next request. */
__attribute__((unused)) static void uring_copy_complete(struct uring_copy *c,
							struct uring_copy_blk *blk, int res)
{
	/* TODO step 6: Copy with io_uring: a block's state machine, one completion.
	 * A result of exactly the bytes asked for finishes the phase; anything else goes to
	 * uring_copy_partial (step 7), whose error fails the copy.  A finished read becomes a
	 * write; a finished write counts as copied and takes the next piece or retires.  After a
	 * failure queue nothing more.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 */
	LAB_UNUSED(c, blk, res); LAB_TODO_ABORT(6);
}

/* Prime one read per block, then submit and reap until nothing is in flight.  Returns 0 or
 * the first failure (c->err); every completion caused has been reaped unless the ring itself
 * failed. */
__attribute__((unused)) static int uring_copy_run(struct uring_copy *c)
{
	/* TODO step 6: Copy with io_uring: the submission and completion loop.
	 * Give each block a piece and queue its read; then, while requests are in flight, submit
	 * and wait for at least one completion, and hand every completion that is ready to
	 * uring_copy_complete (user_data is the block).  Reap them all, also after a failure.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths,
	 * uring::demo_there_is_no_thread
	 */
	LAB_UNUSED(c); return LAB_TODO(6);
}

int64_t uring_copy(int in_fd, int out_fd, size_t chunk, unsigned depth)
{
	/* TODO step 5: Copy with io_uring: open the copy, run it (step 6), close it.
	 * Return the bytes copied or -errno.
	 * Checked by: uring::rejects_bad_arguments
	 */
	LAB_UNUSED(in_fd, out_fd, chunk, depth); return LAB_TODO(5);
}
