/* Step 1: non-blocking reads and writes stop at EAGAIN and cope with short transfers. */
#include "asl_test.h"
#include "evq.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

ASL_SUITE(nbio, 10);

Test(nbio, empty_pipe_says_eagain)
{
	int fds = asl_test_fds(), p[2];
	char buf[16];
	asl_test_pipe(p);
	int rc = nbio_set_nonblock(p[0], true);
	cr_assert_eq(rc, 0, "nbio_set_nonblock(fd, true) returned %s" ASL_HINT(1), asl_test_rc(rc));
	cr_assert(fcntl(p[0], F_GETFL) & O_NONBLOCK,
		  "after nbio_set_nonblock(fd, true) the fd has no O_NONBLOCK flag" ASL_HINT(1));
	ssize_t n = nbio_read_some(p[0], buf, sizeof buf);
	cr_assert_eq(n, -EAGAIN,
		     "read of an empty non-blocking pipe: expected -11 (EAGAIN), "
		     "got %s" ASL_HINT(1),
		     asl_test_rc((int)n));
	cr_assert_eq(write(p[1], "hello", 5), 5);
	n = nbio_read_some(p[0], buf, sizeof buf);
	cr_assert_eq(n, 5, "after 5 bytes were written, read_some returned %s" ASL_HINT(1),
		     asl_test_rc((int)n));
	close(p[1]);
	n = nbio_read_some(p[0], buf, sizeof buf);
	cr_assert_eq(n, 0, "after the writer closed, expected 0 (end of file), got %s" ASL_HINT(1),
		     asl_test_rc((int)n));
	rc = nbio_set_nonblock(p[0], false);
	cr_assert(rc == 0 && !(fcntl(p[0], F_GETFL) & O_NONBLOCK),
		  "nbio_set_nonblock(fd, false) did not clear O_NONBLOCK (rc %s)" ASL_HINT(1),
		  asl_test_rc(rc));
	close(p[0]);
	/* only the one bit changes: other status flags (here O_APPEND) survive both ways */
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	int a = fileno(f);
	cr_assert_eq(fcntl(a, F_SETFL, O_APPEND), 0);
	nbio_set_nonblock(a, true);
	int on = fcntl(a, F_GETFL);
	nbio_set_nonblock(a, false);
	int off = fcntl(a, F_GETFL);
	cr_assert((on & O_APPEND) && (on & O_NONBLOCK) && (off & O_APPEND) && !(off & O_NONBLOCK),
		  "on a file opened with O_APPEND, nbio_set_nonblock must change O_NONBLOCK only: "
		  "flags after on: %#x, after off: %#x (O_APPEND is %#x)" ASL_HINT(1),
		  on, off, O_APPEND);
	fclose(f);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(1));
}

Test(nbio, full_pipe_takes_short_writes)
{
	int fds = asl_test_fds(), p[2];
	size_t cap = 1 << 20, written = 0;
	unsigned char *big = calloc(cap, 1);
	cr_assert_not_null(big);
	asl_test_pipe(p);
	cr_assert_eq(nbio_set_nonblock(p[1], true), 0, "nbio_set_nonblock failed" ASL_HINT(1));
	int rc = nbio_write_all(p[1], big, cap, &written);
	cr_assert_eq(rc, -EAGAIN,
		     "writing 1 MiB into an empty 64 KiB pipe: expected -11 (EAGAIN) "
		     "once it is full, got %s" ASL_HINT(1),
		     asl_test_rc(rc));
	cr_assert(written > 0 && written < cap,
		  "expected a partial count in *written, got %zu" ASL_HINT(1), written);
	int room = fcntl(p[1], F_GETPIPE_SZ);
	cr_assert_eq((long)written, (long)room,
		     "the pipe holds %d bytes but *written says %zu: "
		     "the loop stopped before the pipe was full" ASL_HINT(1),
		     room, written);
	ssize_t n = nbio_write_some(p[1], big, 1);
	cr_assert_eq(n, -EAGAIN,
		     "write_some on a full pipe: expected -11 (EAGAIN), got %s" ASL_HINT(1),
		     asl_test_rc((int)n));
	/* free one page of the pipe: a write bigger than the room (and than PIPE_BUF, so it
	 * need not be atomic) is cut short, not refused */
	cr_assert_eq(read(p[0], big, 4096), 4096);
	n = nbio_write_some(p[1], big, 10000);
	cr_assert(n > 0 && n < 10000,
		  "with 4096 bytes of room, write_some(10000) should write a "
		  "short count; got %s" ASL_HINT(1),
		  asl_test_rc((int)n));
	close(p[0]);
	close(p[1]);
	free(big);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(1));
}

/* 1 MiB through a 64 KiB pipe in one thread: write until EAGAIN, drain a bit, resume. */
Test(nbio, write_all_resumes_after_eagain)
{
	int fds = asl_test_fds(), p[2];
	size_t total = (1 << 20) + 12345, off = 0, rd = 0;
	int eagains = 0;
	unsigned char *src = malloc(total), *chunk = malloc(50000);
	cr_assert(src && chunk);
	for (size_t i = 0; i < total; i++)
		src[i] = asl_test_pattern(i, 0);
	asl_test_pipe(p);
	cr_assert_eq(nbio_set_nonblock(p[1], true), 0);
	while (off < total) {
		size_t w = 0;
		int rc = nbio_write_all(p[1], src + off, total - off, &w);
		cr_assert(rc == 0 || rc == -EAGAIN, "nbio_write_all returned %s" ASL_HINT(1),
			  asl_test_rc(rc));
		cr_assert(w <= total - off, "*written = %zu, more than asked" ASL_HINT(1), w);
		off += w;
		if (rc == 0)
			break;
		cr_assert(eagains++ < 10000, "no progress after 10000 rounds" ASL_HINT(1));
		/* drain part of the pipe (never all of it), checking the bytes in order */
		ssize_t n = read(p[0], chunk, 30000);
		cr_assert(n > 0);
		for (ssize_t i = 0; i < n; i++, rd++)
			cr_assert_eq(chunk[i], asl_test_pattern(rd, 0),
				     "byte %zu corrupted: short "
				     "writes resumed from the wrong offset?" ASL_HINT(1),
				     rd);
	}
	cr_assert(eagains > 0, "1 MiB into a 64 KiB pipe never reported EAGAIN" ASL_HINT(1));
	close(p[1]);
	ssize_t n;
	while ((n = read(p[0], chunk, 50000)) > 0)
		for (ssize_t i = 0; i < n; i++, rd++)
			cr_assert_eq(chunk[i], asl_test_pattern(rd, 0),
				     "byte %zu corrupted" ASL_HINT(1), rd);
	cr_assert_eq(rd, total, "%zu bytes came out of the pipe, %zu went in" ASL_HINT(1), rd,
		     total);
	close(p[0]);
	free(src);
	free(chunk);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(1));
}

Test(nbio, drain_stops_at_eagain_or_eof)
{
	int fds = asl_test_fds(), p[2];
	char buf[256];
	size_t got = 99;
	asl_test_pipe(p);
	cr_assert_eq(nbio_set_nonblock(p[0], true), 0);
	cr_assert_eq(write(p[1], buf, 200), 200);
	int st = nbio_drain(p[0], buf, 64, &got);
	cr_assert(st == NBIO_FULL && got == 64,
		  "200 bytes into a 64-byte buffer: expected "
		  "NBIO_FULL with 64, got status %d with %zu" ASL_HINT(1),
		  st, got);
	st = nbio_drain(p[0], buf, sizeof buf, &got);
	cr_assert(st == NBIO_DRAINED && got == 136,
		  "the remaining 136 bytes: expected "
		  "NBIO_DRAINED with 136, got status %d with %zu" ASL_HINT(1),
		  st, got);
	st = nbio_drain(p[0], buf, sizeof buf, &got);
	cr_assert(st == NBIO_DRAINED && got == 0,
		  "empty pipe: expected NBIO_DRAINED with 0, got "
		  "status %d with %zu" ASL_HINT(1),
		  st, got);
	cr_assert_eq(write(p[1], buf, 10), 10);
	close(p[1]);
	st = nbio_drain(p[0], buf, sizeof buf, &got);
	cr_assert(st == NBIO_EOF && got == 10,
		  "10 bytes then the writer closed: expected NBIO_EOF "
		  "with 10, got status %d with %zu" ASL_HINT(1),
		  st, got);
	close(p[0]);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(1));
}

/* A blocking write interrupted by a signal after it moved some bytes returns a short count:
 * write_all must carry on from exactly there.  The writer (this thread) blocks on a full
 * pipe; a helper interrupts it, then drains and checks every byte. */
struct intr_reader {
	int fd;
	size_t total;
	pthread_t writer;
	atomic_int writer_tid;
	atomic_int writer_done;
	size_t rd;
	size_t bad_at; /* first corrupted offset + 1, or 0 */
	int kills;
};

static void *intr_reader_main(void *arg)
{
	struct intr_reader *r = arg;
	unsigned char buf[20000];
	while (r->rd < r->total) {
		if (r->kills < 8 && asl_test_wait_asleep(&r->writer_tid, &r->writer_done)) {
			pthread_kill(r->writer, SIGUSR1); /* cut the blocked write short */
			r->kills++;
		}
		ssize_t n = read(r->fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++, r->rd++)
			if (!r->bad_at && buf[i] != asl_test_pattern(r->rd, 0))
				r->bad_at = r->rd + 1;
	}
	return NULL;
}

/* The read helper retries EINTR too.  On a blocking pipe with nothing in it, read sleeps; a
 * signal (no SA_RESTART) ends that sleep with EINTR, which is not an error and not "no
 * data": nbio_read_some must read again and return the byte written afterwards. */
struct intr_writer {
	int fd;
	pthread_t reader;
	atomic_int reader_tid;
	atomic_int reader_done;
	int kills;
};

static void *intr_writer_main(void *arg)
{
	struct intr_writer *w = arg;
	while (w->kills < 3 && asl_test_wait_asleep(&w->reader_tid, &w->reader_done)) {
		pthread_kill(w->reader, SIGUSR1);
		w->kills++;
	}
	/* then the data (if the reader already gave up, it stays in the pipe) */
	if (write(w->fd, "!", 1) != 1)
		w->kills = -1;
	return NULL;
}

Test(nbio, read_some_retries_when_interrupted)
{
	int fds = asl_test_fds(), p[2];
	char c = 0;
	struct sigaction old;
	asl_test_interrupting_signal(SIGUSR1, &old);
	asl_test_pipe(p); /* both ends blocking */
	struct intr_writer w = { .fd = p[1], .reader = pthread_self() };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, intr_writer_main, &w), 0);
	atomic_store(&w.reader_tid, asl_test_gettid());
	ssize_t n = nbio_read_some(p[0], &c, 1);
	atomic_store(&w.reader_done, 1);
	pthread_join(t, NULL);
	sigaction(SIGUSR1, &old, NULL);
	close(p[0]);
	close(p[1]);
	cr_assert(n == 1 && c == '!',
		  "nbio_read_some on a blocking pipe, interrupted by %d "
		  "signal(s) while it waited: returned %s; expected 1 (the byte written after the "
		  "signals).  EINTR only says a signal came: read again" ASL_HINT(1),
		  w.kills, asl_test_rc((int)n));
	cr_assert(w.kills > 0, "the reader was never seen blocked in read()");
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(1));
}

Test(nbio, write_all_survives_interrupted_short_writes)
{
	int fds = asl_test_fds(), p[2];
	size_t total = (1 << 20) + 4321, w = 0;
	unsigned char *src = malloc(total);
	cr_assert_not_null(src);
	for (size_t i = 0; i < total; i++)
		src[i] = asl_test_pattern(i, 0);
	struct sigaction old;
	asl_test_interrupting_signal(SIGUSR1, &old);
	asl_test_pipe(p); /* both ends blocking */
	struct intr_reader r = { .fd = p[0], .total = total, .writer = pthread_self() };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, intr_reader_main, &r), 0);
	atomic_store(&r.writer_tid, asl_test_gettid());
	int rc = nbio_write_all(p[1], src, total, &w);
	atomic_store(&r.writer_done, 1);
	close(p[1]); /* lets the reader see end of file if the writer stopped early */
	pthread_join(t, NULL);
	sigaction(SIGUSR1, &old, NULL);
	cr_assert_eq(rc, 0,
		     "a blocking nbio_write_all interrupted by signals returned %s: a "
		     "short count or EINTR is not the end, carry on with the rest" ASL_HINT(1),
		     asl_test_rc(rc));
	cr_assert_eq(w, total, "*written = %zu, expected %zu" ASL_HINT(1), w, total);
	cr_assert(r.kills > 0, "the writer was never seen blocked in write()");
	cr_assert_eq(r.bad_at, 0,
		     "byte %zu arrived corrupted: after a short write, resume at "
		     "buf + written with len - written" ASL_HINT(1),
		     r.bad_at - 1);
	cr_assert_eq(r.rd, total, "%zu bytes came out of the pipe, %zu went in" ASL_HINT(1), r.rd,
		     total);
	close(p[0]);
	free(src);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(1));
}
