/*
 * evq.h - lab 06: let the kernel tell you (event queues).
 *
 * Four ways for one thread to wait for many things without a thread per thing:
 *   nbio_*  non-blocking reads and writes that stop at EAGAIN instead of sleeping;
 *   ep_*    an epoll interest list: "wake me when any of these descriptors is ready";
 *   tmr_*   timers as descriptors (timerfd), wake_* wake-ups as descriptors (eventfd),
 *           so that time and other threads can be waited for by the same epoll_wait;
 *   uring_* io_uring: not "tell me when I may read" but "do the read, tell me when done".
 *
 * Every function returns 0 or a non-negative result on success and a negative errno value on
 * failure; none prints.  All of them may be called from any thread; a descriptor's users must
 * agree among themselves who reads it.  See workbook.md, chapter 06.
 */
#ifndef LAB06_EVQ_H
#define LAB06_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h> /* the system's struct epoll_event: never re-declare it by hand */
#include <sys/types.h>

/* ---- Step 1: non-blocking reads and writes (nbio.c) ------------------------------------ */

/* Turn O_NONBLOCK on (on = true) or off for fd, keeping its other status flags.
 * Errors: -EBADF and whatever fcntl reports. */
int nbio_set_nonblock(int fd, bool on);

/* One read of at most len bytes.  Returns the bytes read (> 0; may be fewer than len: a short
 * read is normal), 0 at end of file, -EAGAIN when a non-blocking fd has nothing to read right
 * now, or another -errno.  Retries by itself when a signal interrupts it (EINTR). */
ssize_t nbio_read_some(int fd, void *buf, size_t len);

/* What nbio_drain() stopped at. */
enum nbio_drain_status {
	NBIO_DRAINED = 0, /* the kernel said EAGAIN: nothing left; safe to wait again */
	NBIO_EOF = 1,     /* the writer is gone (read returned 0) */
	NBIO_FULL = 2,    /* buf is full and more may be waiting: call again before waiting */
};

/* Read from a non-blocking fd until it has nothing more to give (EAGAIN), reaches end of
 * file, or buf (cap bytes) is full.  *got receives the bytes stored in buf, also on error.
 * Returns an nbio_drain_status, or -errno (bytes read before the error are in *got).
 * This is the only safe way to consume an edge-triggered readiness event. */
int nbio_drain(int fd, void *buf, size_t cap, size_t *got);

/* One write of at most len bytes: the bytes written (> 0, may be short), -EAGAIN when a
 * non-blocking fd has no room at all, or another -errno.  Retries on EINTR. */
ssize_t nbio_write_some(int fd, const void *buf, size_t len);

/* Write all len bytes, looping over short writes.  *written receives the bytes written, also
 * when it stops early.  Returns 0 when everything was written, -EAGAIN when a non-blocking fd
 * filled up first (wait for EPOLLOUT, then call again with the rest), or another -errno. */
int nbio_write_all(int fd, const void *buf, size_t len, size_t *written);

/* ---- Step 2: an epoll wrapper (ep.c) --------------------------------------------------- */

enum ep_trigger {
	EP_LEVEL, /* reported on every wait while the condition holds */
	EP_EDGE,  /* reported when the kernel sees new activity; the reader must drain */
};

/* A new epoll instance (close-on-exec).  Returns its descriptor or -errno. */
int ep_create(void);

/* Watch fd for `events` (EPOLLIN, EPOLLOUT, EPOLLRDHUP, ... but not EPOLLET: the trigger says
 * that) with the given trigger mode.  `tag` comes back untouched in data.u64 of each event.
 * Errors: -EINVAL (bad events or trigger), -EEXIST (already watched), -EPERM (fd cannot be
 * watched: a regular file is always "ready"), -EBADF. */
int ep_add(int epfd, int fd, uint32_t events, enum ep_trigger trig, uint64_t tag);

/* Replace what fd is watched for (events, trigger and tag).  -ENOENT when not watched. */
int ep_modify(int epfd, int fd, uint32_t events, enum ep_trigger trig, uint64_t tag);

/* Stop watching fd.  -ENOENT when it was not watched. */
int ep_remove(int epfd, int fd);

/* Wait up to timeout_ms (0: just look, -1: forever) for at most max events, stored in evs.
 * Returns how many were stored (0 on timeout) or -errno.  An interrupting signal does not
 * end the wait early: it resumes with the time that is left. */
int ep_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms);

/* ---- Step 3: timers as descriptors (evq_timer.c) --------------------------------------- */

/* A new non-blocking, close-on-exec timerfd on CLOCK_MONOTONIC, disarmed.  fd or -errno. */
int evq_timer_create(void);

/* Arm fd to expire first after first_ns (> 0) and then every interval_ns (0: one-shot).
 * Re-arming replaces the previous setting.  -EINVAL for first_ns == 0. */
int evq_timer_start(int fd, uint64_t first_ns, uint64_t interval_ns);

/* Disarm fd; pending expirations not yet read are discarded. */
int evq_timer_stop(int fd);

/* Read how many times the timer expired since the last read into *expirations (>= 1) and
 * reset that count.  -EAGAIN when it has not expired since (the fd is non-blocking). */
int evq_timer_read(int fd, uint64_t *expirations);

/* ---- Step 4: wake-ups as descriptors (wakeup.c) ---------------------------------------- */

/* A new non-blocking, close-on-exec eventfd with its counter at 0.  fd or -errno. */
int wakeup_create(void);

/* Add n (>= 1) to the counter, making the fd readable: wakes any thread waiting on it.
 * Safe from any thread.  -EINVAL for n == 0. */
int wakeup_signal(int fd, uint64_t n);

/* Take the whole counter into *count (>= 1) and reset it to 0.  -EAGAIN when it is 0.
 * Several signals before one consume add up: wake-ups coalesce, they are not queued. */
int wakeup_consume(int fd, uint64_t *count);

/* ---- Steps 5-7: completion-based I/O with io_uring (uring_copy.c) ---------------------- */

/* Copy the regular file in_fd (from offset 0 to its size at the start) to out_fd (written at
 * the same offsets) with io_uring: up to `depth` (1..64) blocks of `chunk` bytes (>= 1) are in
 * flight at once, each a read then a write, submitted as requests and finished from the
 * completion queue.  Short reads and short writes are resubmitted for the rest.
 * Returns the bytes copied (the file's size) or -errno: -EINVAL for bad arguments or a
 * non-regular in_fd, -EIO if the file shrank, and -EPERM / -ENOSYS when the kernel refuses
 * io_uring (see the workbook for how to check).  Uses no threads of its own. */
int64_t uring_copy(int in_fd, int out_fd, size_t chunk, unsigned depth);

#endif
