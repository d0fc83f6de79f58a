# Mutants of lab 11-capstone: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

# Survives, unobservable: the loop model writes only after EPOLLOUT, which Linux reports for
# TCP only while a third of the send buffer is free, and a request line is < 32 bytes, so it
# always goes whole.  (A short write of so small a line needs a FULL buffer whose unsent tail
# segment has 1..len-1 bytes of room: the kernel sizes segments, no test can arrange it.)
M("loop_short_write_counted_whole", "model_loop.c",
  "the loop model takes a short write of the request line as the whole line",
  """		q->off += (int)w;
		if (q->off == q->len""",
  """		q->off = q->len;
		if (q->off == q->len""",
  unobservable="a < 32-byte line written after EPOLLOUT always goes whole on Linux TCP")

# Survives, unobservable: the model writes only after EPOLLOUT (a third of the buffer free,
# see above), and nothing else writes to its connection, so the write never meets EAGAIN.
M("loop_write_eagain_is_error", "model_loop.c",
  "EAGAIN from the request's write fails the request instead of waiting for the next callback",
  """		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (w < 0)
			return loop_req_fail(q, -errno);
		q->off += (int)w;""",
  """		if (w < 0)
			return loop_req_fail(q, -errno);
		q->off += (int)w;""",
  unobservable="written only after EPOLLOUT, by the one writer of its connection: never EAGAIN")

M("loop_done_without_stopping_watcher", "model_loop.c",
  "a finished request leaves its watcher started (the loop keeps reading a spent fd)",
  """		loop_io_stop(io);
		q->done(q);""",
  """		q->done(q);""")

# Survives, an equivalent mutant (also the fibers variant): cap_reply_add rejects a piece
# larger than the room left with -EPROTO, and the reference reaches the same -EPROTO one read
# later (a read of 0 bytes once the buffer is full).  test_peers.c sends replies a byte at a
# time (same_results), too long (41 bytes) and cut short (peer_failures_reported): both give
# the same results and errors.
M("loop_read_ignores_reply_room", "model_loop.c",
  "the loop model reads a whole buffer, not just the room left for the reply",
  """	ssize_t got = read(fd, buf, sizeof buf - q->reply.len);""",
  """	ssize_t got = read(fd, buf, sizeof buf);""",
  unobservable="equivalent: cap_reply_add rejects the oversized piece with the reference's -EPROTO")

M("offload_submit_without_ref", "model_offload.c",
  "a request handed to the pool does not keep the loop alive: loop_run returns too early",
  """	loop_ref(o->loop);
	int rc = pool_try_submit(o->pool, offload_job, q);""",
  """	int rc = pool_try_submit(o->pool, offload_job, q);""")

M("offload_done_keeps_ref", "model_offload.c",
  "the completion never drops the loop reference: loop_run never returns",
  """	struct offload *o = q->ctx;
	loop_unref(o->loop);""",
  """	struct offload *o = q->ctx;
	(void)o;""")

# Survives, unobservable: reactor_write tries the write at once, but a line of < 32 bytes is
# split only by a full buffer whose unsent tail segment has 1..len-1 bytes of room (see
# loop_short_write_counted_whole); the same for futmt_short_write_counted_whole.
M("fut_short_write_counted_whole", "model_fut.c",
  "the futures model takes a short write of the request line as the whole line",
  """				q->off += (int)r;""",
  """				q->off = q->len;""",
  unobservable="a < 32-byte line is split only by a full buffer with 1..len-1 bytes of tail room")

# Survives, an equivalent mutant: the 0 bytes then reach cap_reply_add, which says -EPROTO
# for them, the error the reference returns (peer_failures_reported's close-before-reply
# checks exactly that; a model that really retried would fail it by its watchdog).
M("fut_eof_before_reply_not_error", "model_fut.c",
  "end of file before the reply is complete is not an error: the request reads forever",
  """			if (r < 0 || (q->state == FUT_REQ_READ && r == 0))""",
  """			if (r < 0)""",
  unobservable="equivalent: the 0 bytes reach cap_reply_add, which returns the reference's -EPROTO")

M("futmt_short_write_counted_whole", "model_futmt.c",
  "the multi-threaded futures model takes a short write as the whole line",
  """			q->off += w > 0 ? (int)w : 0;""",
  """			q->off = q->len;""",
  unobservable="a < 32-byte line is split only by a full buffer with 1..len-1 bytes of tail room")

M("futmt_read_eagain_is_error", "model_futmt.c",
  "EAGAIN on the reply's read fails the request instead of waiting on the bridge",
  """			if (got < 0 && errno == EAGAIN) {
				io_bridge_wait(q->bridge, &q->wait, fd, LOOP_READ, cx);
				return FUT_PENDING;
			}""",
  "")

M("fibers_read_ignores_reply_room", "model_fibers.c",
  "the fiber model reads a whole buffer, not just the room left for the reply",
  """			ssize_t got = fiber_read(fd, buf, sizeof buf - r.len);""",
  """			ssize_t got = fiber_read(fd, buf, sizeof buf);""",
  unobservable="equivalent: cap_reply_add rejects the oversized piece with the reference's -EPROTO")

# Killed by threads::peer_failures_reported (the peer resets the LAST request's connection:
# its ECONNRESET must be the run's result).
M("threads_last_result_unchecked", "model_threads.c",
  "the thread model checks every task's result but the last of each wave",
  """		for (int k = first; rc == 0 && k < first + wave; k++)""",
  """		for (int k = first; rc == 0 && k < first + wave - 1; k++)""")

# Killed by pool::peer_failures_reported (its last run: one worker, request 0 is reset, then
# the last request gets another one's line; the run must return ECONNRESET, the first).
M("pool_last_error_wins", "model_pool.c",
  "the pool model records the last error instead of the first",
  """		int none = 0;
		atomic_compare_exchange_strong(&p->job->error, &none, rc);""",
  """		atomic_store(&p->job->error, rc);""")

# ---- mistakes only a misbehaving peer shows (tests/11-capstone/peer_test.h, test_peers.c)

# Killed by loop::same_results (its last run: every reply arrives a byte at a time).
M("loop_first_read_is_reply", "model_loop.c",
  "the loop model takes whatever the first read returned as the whole reply",
  """	if (rc == 1) {
		loop_io_stop(io);
		q->done(q);""",
  """	if (rc >= 0) {
		loop_io_stop(io);
		q->done(q);""")

# Killed by loop::peer_failures_reported, through its watchdog (end of file before the reply:
# the connection stays readable and the loop spins on it).
M("loop_eof_waits_for_more", "model_loop.c",
  "the loop model takes end of file as 'nothing yet' and waits for the next callback",
  """	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got < 0)
		return loop_req_fail(q, -errno);""",
  """	if (got == 0 || (got < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	if (got < 0)
		return loop_req_fail(q, -errno);""")

# Killed by fibers::peer_failures_reported, through its watchdog (end of file: the fiber
# reads 0 bytes forever and never yields).
M("fibers_eof_reads_again", "model_fibers.c",
  "the fiber model reads again after end of file instead of failing the request",
  """			rc = got < 0 ? (int)got : cap_reply_add(&r, buf, (size_t)got);""",
  """			rc = got <= 0 ? (int)got : cap_reply_add(&r, buf, (size_t)got);""")

# Killed by futmt::peer_failures_reported (a reset: the retried read then sees end of file and
# the run returns EPROTO instead of ECONNRESET).
M("futmt_read_error_retried", "model_futmt.c",
  "the multi-threaded futures model retries any read error, as it should only EINTR",
  """			if (got < 0 && errno == EINTR)
				continue;""",
  """			if (got < 0 && errno != EAGAIN)
				continue;""")

# Killed by pool::peer_failures_reported (a reset: nobody records the request's I/O error).
M("pool_io_error_not_recorded", "model_pool.c",
  "the pool job records only a non-zero status, not the request's own I/O error",
  """	if (rc < 0) {
		int none = 0;
		atomic_compare_exchange_strong(&p->job->error, &none, rc);""",
  """	if (rc < 0 && status != 0) {
		int none = 0;
		atomic_compare_exchange_strong(&p->job->error, &none, rc);""")
