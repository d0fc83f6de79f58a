/*
 * uring_copy.c - step 5: completion instead of readiness (io_uring).
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
	uint64_t off;  /* file offset of the block */
	size_t len;    /* block length */
	size_t done;   /* bytes of the current phase already transferred */
	bool writing;
};

/* Queue (not yet submit) the next request for blk: the part of its current phase not yet
 * done, a read from in_fd or a write to out_fd.  0, or -EBUSY when the ring has no free
 * submission slot. */
__attribute__((unused)) static int uring_copy_queue(struct io_uring *ring,
						   struct uring_copy_blk *blk, int in_fd,
						   int out_fd)
{
	/* TODO step 5: Copy with io_uring: queue the next request of a block.
	 * Get an SQE, prepare a read or write of the bytes still missing at off + done, and set blk
	 * as its user_data: it travels through the kernel untouched and is how the completion finds
	 * its block.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 */
	LAB_UNUSED(ring, blk, in_fd, out_fd); return LAB_TODO(5);
}

int64_t uring_copy(int in_fd, int out_fd, size_t chunk, unsigned depth)
{
	/* TODO step 5: Copy in_fd to out_fd through io_uring with up to depth blocks of chunk
	 * bytes in flight; resubmit short reads and writes; reap every completion you caused
	 * before returning (also on errors).  Return the bytes copied or -errno.
	 * Checked by: uring::*
	 */
	LAB_UNUSED(in_fd, out_fd, chunk, depth); return LAB_TODO(5);
}
