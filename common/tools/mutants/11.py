# Mutants of lab 11-capstone: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

# Survives, unobservable: request lines are < 100 bytes and Linux never splits such a write
# to a socket (it fits whole or fails with EAGAIN); the same for the fut and futmt variants.
M("loop_short_write_counted_whole", "model_loop.c",
  "the loop model takes a short write of the request line as the whole line",
  """		q->off += (int)w;
		if (q->off == q->len""",
  """		q->off = q->len;
		if (q->off == q->len""")

# Survives, unobservable: the line is the first write on a fresh connection (empty buffer).
M("loop_write_eagain_is_error", "model_loop.c",
  "EAGAIN from the request's write fails the request instead of waiting for the next callback",
  """		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (w < 0)
			return loop_req_fail(q, -errno);
		q->off += (int)w;""",
  """		if (w < 0)
			return loop_req_fail(q, -errno);
		q->off += (int)w;""")

M("loop_done_without_stopping_watcher", "model_loop.c",
  "a finished request leaves its watcher started (the loop keeps reading a spent fd)",
  """		loop_io_stop(io);
		q->done(q);""",
  """		q->done(q);""")

# Survives, unobservable with this injector: it sends exactly one line per request (also the
# fibers variant), and never closes early (fut_eof_before_reply_not_error).
M("loop_read_ignores_reply_room", "model_loop.c",
  "the loop model reads a whole buffer, not just the room left for the reply",
  """	ssize_t got = read(fd, buf, sizeof buf - q->reply.len);""",
  """	ssize_t got = read(fd, buf, sizeof buf);""")

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

M("fut_short_write_counted_whole", "model_fut.c",
  "the futures model takes a short write of the request line as the whole line",
  """				q->off += (int)r;""",
  """				q->off = q->len;""")

M("fut_eof_before_reply_not_error", "model_fut.c",
  "end of file before the reply is complete is not an error: the request reads forever",
  """			if (r < 0 || (q->state == FUT_REQ_READ && r == 0))""",
  """			if (r < 0)""")

M("futmt_short_write_counted_whole", "model_futmt.c",
  "the multi-threaded futures model takes a short write as the whole line",
  """			q->off += w > 0 ? (int)w : 0;""",
  """			q->off = q->len;""")

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
  """			ssize_t got = fiber_read(fd, buf, sizeof buf);""")

# Survives: no workload makes a request fail; needs an error-injecting job (course code).
M("threads_last_result_unchecked", "model_threads.c",
  "the thread model checks every task's result but the last of each wave",
  """		for (int k = first; rc == 0 && k < first + wave; k++)""",
  """		for (int k = first; rc == 0 && k < first + wave - 1; k++)""")

M("pool_last_error_wins", "model_pool.c",
  "the pool model records the last error instead of the first",
  """		int none = 0;
		atomic_compare_exchange_strong(&p->job->error, &none, rc);""",
  """		atomic_store(&p->job->error, rc);""")
