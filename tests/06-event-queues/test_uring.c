/* Steps 5-7: a file copy through io_uring submissions and completions: setting it up (5), the
 * loop for whole transfers (6), short transfers resumed (7). */
#include "asl_test.h"
#include "evq.h"

#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(uring, 20);

/* Ask the kernel directly, before any student code runs: only a refusal by the kernel or
 * sandbox skips a test; an unfinished step fails like any other. */
static void require_io_uring(void)
{
	struct io_uring ring;
	int rc = io_uring_queue_init(4, &ring, 0);
	if (rc == 0) {
		io_uring_queue_exit(&ring);
		return;
	}
	if (rc == -EPERM || rc == -ENOSYS || rc == -EACCES || rc == -ENOMEM)
		cr_skip_test(
		    "io_uring is refused on this machine: io_uring_queue_init -> %s. Check "
		    "cat /proc/sys/kernel/io_uring_disabled (0 = allowed), uname -r (5.6+), "
		    "and container seccomp profiles; see workbook chapter 06",
		    asl_test_rc(rc));
	cr_assert_fail("io_uring_queue_init failed unexpectedly: %s", asl_test_rc(rc));
}

static int temp_file(void)
{
	char path[] = "/tmp/asl-06-uring-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp failed");
	unlink(path);
	return fd;
}

/* A file of `size` patterned bytes. */
static int source_file(size_t size)
{
	int fd = temp_file();
	unsigned char buf[8192];
	for (size_t off = 0; off < size;) {
		size_t n = size - off < sizeof buf ? size - off : sizeof buf;
		for (size_t i = 0; i < n; i++)
			buf[i] = asl_test_pattern(off + i, 0);
		cr_assert_eq(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
		off += n;
	}
	return fd;
}

/* Copy with uring_copy and compare every byte. */
static void copy_and_compare(size_t size, size_t chunk, unsigned depth)
{
	int in = source_file(size), out = temp_file();
	int64_t rc = uring_copy(in, out, chunk, depth);
	cr_assert_eq(rc, (int64_t)size,
		     "uring_copy(%zu bytes, chunk %zu, depth %u) returned %s" ASL_HINT(6), size,
		     chunk, depth, asl_test_rc((int)rc));
	struct stat st;
	cr_assert_eq(fstat(out, &st), 0);
	cr_assert_eq((size_t)st.st_size, size,
		     "the copy has %lld bytes, the source %zu" ASL_HINT(6), (long long)st.st_size,
		     size);
	unsigned char *buf = malloc(size ? size : 1);
	cr_assert_not_null(buf);
	cr_assert_eq(pread(out, buf, size, 0), (ssize_t)size);
	for (size_t i = 0; i < size; i++)
		cr_assert_eq(buf[i], asl_test_pattern(i, 0),
			     "byte %zu of the copy differs (chunk "
			     "%zu, depth %u): a block written at the wrong offset, or a short "
			     "transfer not resumed?" ASL_HINT(6),
			     i, chunk, depth);
	free(buf);
	close(in);
	close(out);
}

Test(uring, copies_a_few_mib)
{
	require_io_uring();
	int fds = asl_test_fds();
	copy_and_compare((3u << 20) + 777, 64 * 1024, 8);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked (the ring's fd?)" ASL_HINT(6));
}

/* Odd sizes make the last read short; tiny chunks make many blocks cycle through the ring. */
Test(uring, odd_sizes_and_depths)
{
	require_io_uring();
	int fds = asl_test_fds();
	copy_and_compare(0, 4096, 4);
	copy_and_compare(1, 4096, 4);
	copy_and_compare(100000, 4096, 1);
	copy_and_compare(100001, 3000, 3);
	copy_and_compare(65536, 65536, 64);
	copy_and_compare(123457, 1 << 20, 2);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked (the ring's fd?)" ASL_HINT(6));
}

/* Into a pipe whose write end is non-blocking, with blocks bigger than the pipe holds,
 * io_uring completes writes short (res = what fitted) or with -EAGAIN (nothing fitted): the
 * resubmit path carries on from blk->done.  A reader thread drains and checks the stream.
 * Depth 1: a pipe has no offsets, so only one block in flight keeps the bytes in order. */
struct pipe_reader {
	int fd;
	size_t got;
	size_t bad_at; /* first wrong byte + 1, or 0 */
};

static void *pipe_reader_main(void *arg)
{
	struct pipe_reader *r = arg;
	static unsigned char buf[16384];
	for (ssize_t n; (n = read(r->fd, buf, sizeof buf)) > 0;)
		for (ssize_t i = 0; i < n; i++, r->got++)
			if (!r->bad_at && buf[i] != asl_test_pattern(r->got, 0))
				r->bad_at = r->got + 1;
	return NULL;
}

struct copy_call {
	int in, out;
	size_t chunk;
	unsigned depth;
	int64_t rc;
};

static int copy_main(void *arg)
{
	struct copy_call *c = arg;
	c->rc = uring_copy(c->in, c->out, c->chunk, c->depth);
	return 0;
}

Test(uring, short_writes_into_a_pipe_are_resumed)
{
	require_io_uring();
	size_t size = (2u << 20) + 12345;
	int p[2];
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	struct pipe_reader r = { .fd = p[0] };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, pipe_reader_main, &r), 0);
	struct copy_call c = {
		.in = source_file(size), .out = p[1], .chunk = 256 * 1024, .depth = 1
	};
	struct asl_call *call = asl_call_start(copy_main, &c);
	if (!asl_call_wait(call, ASL_WATCHDOG_MS, NULL)) {
		close(p[0]); /* the reader gets EOF... after the writer, which may be stuck */
		cr_assert_fail("uring_copy into a non-blocking pipe (a reader drains it) still "
			       "running after %d s: a write completion with -EAGAIN or a short "
			       "count must be resubmitted for the bytes still missing" ASL_HINT(7),
			       ASL_WATCHDOG_MS / 1000);
	}
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
	close(c.in);
	cr_assert_eq(c.rc, (int64_t)size,
		     "uring_copy(%zu bytes into a non-blocking pipe, chunk "
		     "256 KiB) returned %s" ASL_HINT(7),
		     size, asl_test_rc((int)c.rc));
	cr_assert_eq(r.bad_at, 0,
		     "byte %zu that came out of the pipe differs: a write that "
		     "completed short must be resubmitted from where it stopped (buf + done, at "
		     "off + done)" ASL_HINT(7),
		     r.bad_at - 1);
	cr_assert_eq(r.got, size,
		     "%zu bytes came out of the pipe, the file has %zu: writes that "
		     "completed short (res < len) must be resubmitted for the rest" ASL_HINT(7),
		     r.got, size);
}

Test(uring, rejects_bad_arguments)
{
	require_io_uring();
	int fds = asl_test_fds(), p[2];
	int in = source_file(1000), out = temp_file();
	int64_t rc = uring_copy(in, out, 0, 4);
	cr_assert_eq(rc, -EINVAL, "chunk 0: expected -22 (EINVAL), got %s" ASL_HINT(5),
		     asl_test_rc((int)rc));
	rc = uring_copy(in, out, 4096, 0);
	cr_assert_eq(rc, -EINVAL, "depth 0: expected -22 (EINVAL), got %s" ASL_HINT(5),
		     asl_test_rc((int)rc));
	cr_assert_eq(pipe(p), 0);
	rc = uring_copy(p[0], out, 4096, 4);
	cr_assert_eq(rc, -EINVAL,
		     "a pipe as source (no offsets, no size): expected -22 (EINVAL), "
		     "got %s" ASL_HINT(5),
		     asl_test_rc((int)rc));
	rc = uring_copy(in, p[0], 4096, 4);
	cr_assert(rc < 0, "writing into a pipe's read end must fail, got %s" ASL_HINT(5),
		  asl_test_rc((int)rc));
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(5));
}

/* The demo runs to the end and shows the one-thread process. */
Test(uring, demo_there_is_no_thread)
{
	require_io_uring();
	char out[8192];
	int st = asl_test_capture(ASL_BUILD_DIR "/demo_there_is_no_thread", out, sizeof out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "demo_there_is_no_thread failed:\n%s" ASL_HINT(6), out);
	cr_assert(strstr(out, "completion: res = 12") && strstr(out, "copied "),
		  "the demo did not complete its read and its copy:\n%s" ASL_HINT(6), out);
}
