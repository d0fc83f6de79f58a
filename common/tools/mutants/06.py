# Mutants of lab 06-event-queues: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

M("uring_short_write_counted_whole", "uring_copy.c",
  "issue 11 bullet 7: a short io_uring transfer is counted as the whole block",
  """	blk->done += (size_t)res;
""",
  """	blk->done = res > 0 ? blk->len : blk->done;
""")

M("ep_wait_restarts_full_timeout", "ep.c",
  "issue 11 bullet 6: after EINTR the epoll wait restarts with the full timeout",
  """		if (timeout_ms > 0) { /* resume with what is left, rounded up */
			uint64_t now = asl_now_ns();
			timeout_ms = now >= deadline ? 0
						     : (int)((deadline - now + 999999) / 1000000);
		}""",
  """		(void)deadline;""")

M("read_some_no_eintr_retry", "nbio.c",
  "issue 11 bullet 6: the non-blocking read helper does not retry EINTR",
  """		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			/* EWOULDBLOCK == EAGAIN on Linux; report one name */
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;""",
  """		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;""")

M("ep_wait_returns_on_eintr", "ep.c",
  "ep_wait returns -EINTR",
  """		if (errno != EINTR)
			return -errno;
		if (timeout_ms > 0) {""",
  """		if (errno != EINTR || 1)
			return -errno;
		if (timeout_ms > 0) {""")

M("drain_full_buffer_is_drained", "nbio.c",
  "a full buffer reported as drained",
  """	/* A full buffer proves nothing about the descriptor: there may be more behind it. */
	return NBIO_FULL;""",
  """	return NBIO_DRAINED;""")

M("write_all_no_advance", "nbio.c",
  "write_all resumes from the start of the buffer after a short write",
  """		ssize_t n = nbio_write_some(fd, p + *written, len - *written);""",
  """		ssize_t n = nbio_write_some(fd, p, len - *written);""")

M("timer_realtime", "evq_timer.c",
  "timerfd on CLOCK_REALTIME (unobservable unless the clock is set)",
  """	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);""",
  """	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);""")

M("timer_blocking", "evq_timer.c",
  "timerfd without TFD_NONBLOCK: evq_timer_read blocks",
  """	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);""",
  """	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);""")

M("wake_consume_reads_4_bytes", "wakeup.c",
  "eventfd read with a 4-byte buffer (EINVAL)",
  """		ssize_t n = read(fd, count, sizeof *count);
		if (n == (ssize_t)sizeof *count)
			return 0;
		if (n >= 0)
			return -EIO;""",
  """		*count = 0;
		ssize_t n = read(fd, count, 4);
		if (n == 4)
			return 0;
		if (n >= 0)
			return -EIO;""")

M("wake_signal_zero_allowed", "wakeup.c",
  "wakeup_signal(0) not refused",
  """	if (n == 0)
		return -EINVAL;
	for (;;) {
		if (write(fd, &n,""",
  """	for (;;) {
		if (write(fd, &n,""")

M("uring_cqe_not_seen", "uring_copy.c",
  "completions never marked seen (the same one is reaped forever)",
  """			io_uring_cqe_seen(&c->ring, cqe);
""",
  """""")
