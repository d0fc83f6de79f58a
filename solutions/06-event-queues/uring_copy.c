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
	/* BEGIN STEP 5: Copy with io_uring: queue the next request of a block.
	 * Get an SQE, prepare a read or write of the bytes still missing at off + done, and set blk
	 * as its user_data: it travels through the kernel untouched and is how the completion finds
	 * its block.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 * stub: LAB_UNUSED(ring, blk, in_fd, out_fd); return LAB_TODO(5);
	 */
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	if (!sqe)
		return -EBUSY; /* cannot happen: the ring has a slot per block */
	if (blk->writing)
		io_uring_prep_write(sqe, out_fd, blk->buf + blk->done, (unsigned)(blk->len - blk->done),
				    blk->off + blk->done);
	else
		io_uring_prep_read(sqe, in_fd, blk->buf + blk->done, (unsigned)(blk->len - blk->done),
				   blk->off + blk->done);
	/* user_data travels through the kernel untouched: it is how a completion finds its block */
	io_uring_sqe_set_data(sqe, blk);
	return 0;
	/* END STEP 5 */
}

int64_t uring_copy(int in_fd, int out_fd, size_t chunk, unsigned depth)
{
	/* BEGIN STEP 5: Copy in_fd to out_fd through io_uring with up to depth blocks of chunk
	 * bytes in flight; resubmit short reads and writes; reap every completion you caused
	 * before returning (also on errors).  Return the bytes copied or -errno.
	 * Checked by: uring::*
	 * stub: LAB_UNUSED(in_fd, out_fd, chunk, depth); return LAB_TODO(5);
	 */
	struct stat st;
	struct io_uring ring;
	struct uring_copy_blk *blks;
	uint64_t size, next = 0, copied = 0;
	unsigned inflight = 0;
	int err = 0;

	if (chunk == 0 || chunk > (1u << 30) || depth == 0 || depth > 64)
		return -EINVAL;
	if (fstat(in_fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL; /* offsets mean nothing on a pipe or socket */
	size = (uint64_t)st.st_size;

	blks = calloc(depth, sizeof *blks);
	if (!blks)
		return -ENOMEM;
	for (unsigned i = 0; i < depth; i++)
		if (!(blks[i].buf = malloc(chunk))) {
			err = -ENOMEM;
			goto out_free;
		}
	err = io_uring_queue_init(depth, &ring, 0); /* liburing returns -errno itself */
	if (err < 0)
		goto out_free;

	/* Prime: one read per block, as far as the file goes. */
	for (unsigned i = 0; i < depth && next < size; i++) {
		blks[i] = (struct uring_copy_blk){ .buf = blks[i].buf, .off = next,
					      .len = size - next < chunk ? size - next : chunk };
		next += blks[i].len;
		uring_copy_queue(&ring, &blks[i], in_fd, out_fd);
		inflight++;
	}

	while (inflight > 0) {
		struct io_uring_cqe *cqe;
		/* one system call both hands the kernel the new requests and waits for a result */
		int rc = io_uring_submit_and_wait(&ring, 1);
		if (rc < 0 && rc != -EINTR) {
			err = rc;
			break; /* nothing more can be learned from the ring */
		}
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			struct uring_copy_blk *blk = io_uring_cqe_get_data(cqe);
			int res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
			inflight--;
			if (res == -EINTR || res == -EAGAIN) {
				res = 0; /* transient: ask again for the same bytes */
			} else if (res < 0 || (res == 0 && !blk->writing)) {
				/* a failure, or end of file before the size we saw: the file
				 * shrank */
				if (!err)
					err = res < 0 ? res : -EIO;
				continue;
			}
			blk->done += (size_t)res;
			if (blk->done == blk->len) {
				if (blk->writing) {
					copied += blk->len;
					if (next >= size || err)
						continue; /* block retires */
					/* reuse the block for the next piece of the file */
					blk->off = next;
					blk->len = size - next < chunk ? size - next : chunk;
					next += blk->len;
				}
				blk->writing = !blk->writing;
				blk->done = 0;
			}
			if (err)
				continue; /* after a failure, only wait for what is in flight */
			uring_copy_queue(&ring, blk, in_fd, out_fd); /* next phase, or the rest */
			inflight++;
		}
	}
	io_uring_queue_exit(&ring);
out_free:
	for (unsigned i = 0; i < depth; i++)
		free(blks[i].buf);
	free(blks);
	return err ? err : (int64_t)copied;
	/* END STEP 5 */
}
