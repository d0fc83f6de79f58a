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

/* TODO step 5: One block in flight: where it is in the file, how much of it is done, and
 * whether it is being read or written.  Plus a helper to queue its next request.
 */

int64_t uring_copy(int in_fd, int out_fd, size_t chunk, unsigned depth)
{
	/* TODO step 5: Copy in_fd to out_fd through io_uring with up to depth blocks of chunk
	 * bytes in flight; resubmit short reads and writes; reap every completion you caused
	 * before returning (also on errors).  Return the bytes copied or -errno.
	 * Checked by: uring::*
	 */
	(void)in_fd; (void)out_fd; (void)chunk; (void)depth; return LAB_TODO(5);
}
