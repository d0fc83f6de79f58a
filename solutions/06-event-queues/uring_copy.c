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
	/* BEGIN STEP 5: Copy with io_uring: check the arguments, allocate blocks and ring.
	 * -EINVAL for chunk outside 1 B..1 GiB, depth outside 1..64, or an in_fd that is not a
	 * regular file (its size and offsets are what the copy is planned on).  On a failure free
	 * what was allocated; io_uring_queue_init already returns -errno.
	 * Checked by: uring::rejects_bad_arguments
	 * stub: LAB_UNUSED(c, in_fd, out_fd, chunk, depth); return LAB_TODO(5);
	 */
	struct stat st;
	if (chunk == 0 || chunk > (1u << 30) || depth == 0 || depth > 64)
		return -EINVAL;
	if (fstat(in_fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL; /* offsets mean nothing on a pipe or socket */
	*c = (struct uring_copy){ .depth = depth,
				  .in_fd = in_fd,
				  .out_fd = out_fd,
				  .chunk = chunk,
				  .size = (uint64_t)st.st_size };
	c->blks = calloc(depth, sizeof *c->blks);
	if (!c->blks)
		return -ENOMEM;
	int err = 0;
	for (unsigned i = 0; i < depth && !err; i++)
		if (!(c->blks[i].buf = malloc(chunk)))
			err = -ENOMEM;
	if (!err)
		err = io_uring_queue_init(depth, &c->ring, 0);
	if (err < 0) {
		for (unsigned i = 0; i < depth; i++)
			free(c->blks[i].buf);
		free(c->blks);
	}
	return err;
	/* END STEP 5 */
}

/* Free the ring and the blocks of an open copy (every completion must have been reaped). */
__attribute__((unused)) static void uring_copy_close(struct uring_copy *c)
{
	/* BEGIN STEP 5: Copy with io_uring: tear down what uring_copy_open made.
	 * Checked by: uring::rejects_bad_arguments
	 * stub: LAB_UNUSED(c); LAB_TODO_ABORT(5);
	 */
	io_uring_queue_exit(&c->ring);
	for (unsigned i = 0; i < c->depth; i++)
		free(c->blks[i].buf);
	free(c->blks);
	/* END STEP 5 */
}

/* Give blk the next piece of the file (at most chunk bytes), to be read: false when the whole
 * file is handed out already. */
__attribute__((unused)) static bool uring_copy_take(struct uring_copy *c,
						    struct uring_copy_blk *blk)
{
	/* BEGIN STEP 6: Copy with io_uring: hand a block the next piece of the file.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 * stub: LAB_UNUSED(c, blk); LAB_TODO_ABORT(6);
	 */
	if (c->next >= c->size)
		return false;
	blk->off = c->next;
	blk->len = c->size - c->next < c->chunk ? c->size - c->next : c->chunk;
	blk->done = 0;
	blk->writing = false;
	c->next += blk->len;
	return true;
	/* END STEP 6 */
}

/* Queue (not yet submit) the next request for blk: the part of its current phase not yet
 * done, a read from in_fd or a write to out_fd; it counts as in flight from now on.  0, or
 * -EBUSY when the ring has no free submission slot. */
__attribute__((unused)) static int uring_copy_queue(struct uring_copy *c,
						    struct uring_copy_blk *blk)
{
	/* BEGIN STEP 6: Copy with io_uring: queue the next request of a block.
	 * Get an SQE, prepare a read or write of the bytes still missing at off + done, and set blk
	 * as its user_data: it travels through the kernel untouched and is how the completion finds
	 * its block.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 * stub: LAB_UNUSED(c, blk); return LAB_TODO(6);
	 */
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	if (!sqe)
		return -EBUSY; /* cannot happen: the ring has a slot per block */
	unsigned n = (unsigned)(blk->len - blk->done);
	if (blk->writing)
		io_uring_prep_write(sqe, c->out_fd, blk->buf + blk->done, n, blk->off + blk->done);
	else
		io_uring_prep_read(sqe, c->in_fd, blk->buf + blk->done, n, blk->off + blk->done);
	io_uring_sqe_set_data(sqe, blk);
	c->inflight++;
	return 0;
	/* END STEP 6 */
}

/* A completion that did not transfer all that blk's request asked for: res is a short count,
 * 0, or -errno.  0: blk->done is updated and the rest must be asked for again; -errno: the
 * copy fails with it (-EIO for a read at end of file: the file shrank). */
__attribute__((unused)) static int uring_copy_partial(struct uring_copy_blk *blk, int res)
{
	/* BEGIN STEP 7: Copy with io_uring: short transfers, transient errors and failures.
	 * -EINTR and -EAGAIN are transient (ask again for the same bytes); other negative results
	 * are failures; a read that returns 0 met the end of the file early; any other count is
	 * progress.
	 * Checked by: uring::short_writes_into_a_pipe_are_resumed
	 * stub: LAB_UNUSED(blk, res); return LAB_TODO(7);
	 */
	if (res == -EINTR || res == -EAGAIN)
		return 0;
	if (res < 0)
		return res;
	if (res == 0 && !blk->writing)
		return -EIO;
	blk->done += (size_t)res;
	return 0;
	/* END STEP 7 */
}

/* One completion of blk's request with result res: move blk on (the rest of its phase, its
 * write, its next piece, or retire it) and queue its next request. */
__attribute__((unused)) static void uring_copy_complete(struct uring_copy *c,
							struct uring_copy_blk *blk, int res)
{
	/* BEGIN STEP 6: Copy with io_uring: a block's state machine, one completion.
	 * A result of exactly the bytes asked for finishes the phase; anything else goes to
	 * uring_copy_partial (step 7), whose error fails the copy.  A finished read becomes a
	 * write; a finished write counts as copied and takes the next piece or retires.  After a
	 * failure queue nothing more.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths
	 * stub: LAB_UNUSED(c, blk, res); LAB_TODO_ABORT(6);
	 */
	c->inflight--;
	if (res >= 0 && (size_t)res == blk->len - blk->done) {
		blk->done = blk->len;
	} else {
		int rc = uring_copy_partial(blk, res);
		if (rc < 0) {
			if (!c->err)
				c->err = rc;
			return;
		}
	}
	if (blk->done == blk->len) {
		if (blk->writing) {
			c->copied += blk->len;
			if (c->err || !uring_copy_take(c, blk))
				return; /* the block retires */
		} else {
			blk->writing = true;
			blk->done = 0;
		}
	}
	if (c->err)
		return;                    /* after a failure, only wait for what is in flight */
	int rc = uring_copy_queue(c, blk); /* its next phase, or the rest of this one */
	if (rc < 0 && !c->err)
		c->err = rc;
	/* END STEP 6 */
}

/* Prime one read per block, then submit and reap until nothing is in flight.  Returns 0 or
 * the first failure (c->err); every completion caused has been reaped unless the ring itself
 * failed. */
__attribute__((unused)) static int uring_copy_run(struct uring_copy *c)
{
	/* BEGIN STEP 6: Copy with io_uring: the submission and completion loop.
	 * Give each block a piece and queue its read; then, while requests are in flight, submit
	 * and wait for at least one completion, and hand every completion that is ready to
	 * uring_copy_complete (user_data is the block).  Reap them all, also after a failure.
	 * Checked by: uring::copies_a_few_mib, uring::odd_sizes_and_depths,
	 * uring::demo_there_is_no_thread
	 * stub: LAB_UNUSED(c); return LAB_TODO(6);
	 */
	for (unsigned i = 0; i < c->depth && uring_copy_take(c, &c->blks[i]); i++) {
		int rc = uring_copy_queue(c, &c->blks[i]);
		if (rc < 0) {
			c->err = rc;
			break;
		}
	}
	while (c->inflight > 0) {
		/* one system call both hands the kernel the new requests and waits for a result */
		int rc = io_uring_submit_and_wait(&c->ring, 1);
		if (rc < 0 && rc != -EINTR) {
			if (!c->err)
				c->err = rc;
			break; /* nothing more can be learned from the ring */
		}
		struct io_uring_cqe *cqe;
		while (io_uring_peek_cqe(&c->ring, &cqe) == 0) {
			struct uring_copy_blk *blk = io_uring_cqe_get_data(cqe);
			int res = cqe->res;
			io_uring_cqe_seen(&c->ring, cqe);
			uring_copy_complete(c, blk, res);
		}
	}
	return c->err;
	/* END STEP 6 */
}

int64_t uring_copy(int in_fd, int out_fd, size_t chunk, unsigned depth)
{
	/* BEGIN STEP 5: Copy with io_uring: open the copy, run it (step 6), close it.
	 * Return the bytes copied or -errno.
	 * Checked by: uring::rejects_bad_arguments
	 * stub: LAB_UNUSED(in_fd, out_fd, chunk, depth); return LAB_TODO(5);
	 */
	struct uring_copy c;
	int err = uring_copy_open(&c, in_fd, out_fd, chunk, depth);
	if (err < 0)
		return err;
	err = uring_copy_run(&c);
	uring_copy_close(&c);
	return err < 0 ? err : (int64_t)c.copied;
	/* END STEP 5 */
}
