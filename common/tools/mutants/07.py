# Mutants of lab 07-event-loop: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

M("heap_parent_off_by_one", "loop_timer.c",
  "sift-up takes i / 2 as the parent (the 1-based heap formula in a 0-based array)",
  """		size_t parent = (i - 1) / 2;""",
  """		size_t parent = i / 2;""")

M("sift_down_ignores_lone_child", "loop_timer.c",
  "sift-down stops when there is no right child, never comparing the lone left child",
  """		size_t c = 2 * i + 1;
		if (c >= loop->heap_len)""",
  """		size_t c = 2 * i + 1;
		if (c + 1 >= loop->heap_len)""")

M("timer_fires_early", "loop_timer.c",
  "a timer fires one millisecond before its deadline (< now + 1 where <= now belongs)",
  """		if (t->deadline_ms > loop->now_ms || t->seq >= first_new)""",
  """		if (t->deadline_ms > loop->now_ms + 1 || t->seq >= first_new)""")

M("timer_started_in_cb_fires_same_pass", "loop_timer.c",
  "a timer (re)started by a callback runs in the same pass: a 0 ms repeat starves the loop",
  """		if (t->deadline_ms > loop->now_ms || t->seq >= first_new)""",
  """		(void)first_new;
		if (t->deadline_ms > loop->now_ms)""")

M("repeat_rearmed_after_callback", "loop_timer.c",
  "a repeating timer is re-armed after its callback, undoing a stop made in the callback",
  """		if (t->repeat_ms > 0) {
			loop_timer_start(t, t->cb, t->repeat_ms, t->repeat_ms);
		} else {
			heap_remove(loop, t);
			loop->active--;
		}
		t->cb(t);""",
  """		heap_remove(loop, t);
		loop->active--;
		t->cb(t);
		if (t->repeat_ms > 0 && !loop_timer_active(t))
			loop_timer_start(t, t->cb, t->repeat_ms, t->repeat_ms);""")

M("restart_counts_active_twice", "loop_timer.c",
  "restarting an active timer counts it as one more active handle (the loop never ends)",
  """	if (loop_timer_active(t))
		heap_remove(loop, t);
	else
		loop->active++;""",
  """	if (loop_timer_active(t))
		heap_remove(loop, t);
	loop->active++;""")

M("dispatch_without_batch_guard", "loop_io.c",
  "dispatch runs a watcher started during this batch on a reused fd (stale event)",
  """		if (!io || io->batch == batch)""",
  """		(void)batch;
		if (!io)""")

M("dispatch_events_not_masked", "loop_io.c",
  "dispatch passes every ready event, also those the watcher no longer asks for",
  """		int events = loop->fired[i].events & (io->events | LOOP_ERROR | LOOP_HUP);""",
  """		int events = loop->fired[i].events;""")

M("stop_leaves_table_slot", "loop_io.c",
  "loop_io_stop keeps the watcher in the fd table: a freed watcher is called later",
  """	loop->ios[io->fd] = NULL;
	io->events = 0;""",
  """	io->events = 0;""")

M("io_start_no_ebusy", "loop_io.c",
  "starting an already started watcher is not refused (-EBUSY)",
  """	if (io->events)
		return -EBUSY;
	int rc = io_table_reserve(loop, fd);""",
  """	int rc = io_table_reserve(loop, fd);""")

M("epoll_modify_is_add", "backend_epoll.c",
  "a change of mask uses EPOLL_CTL_ADD (EEXIST) instead of MOD",
  """	int op = old_mask == 0 ? EPOLL_CTL_ADD : new_mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;""",
  """	(void)old_mask;
	int op = new_mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_ADD;""")

M("epoll_eintr_is_error", "backend_epoll.c",
  "a signal interrupting epoll_wait makes loop_run fail with -EINTR",
  """		return errno == EINTR ? 0 : -errno;""",
  """		return -errno;""")

M("poll_remove_slot_not_fixed", "backend_poll.c",
  "swap-remove moves the last pollfd but does not update its fd's slot",
  """	ps->slot[ps->pfds[i].fd] = i;
""",
  "")

# Survives, equivalent here: loop_run (loop.c, no step region) does not sleep while the post
# list is non-empty, so the consumed wake-up is never needed.
M("post_reads_fd_after_taking_list", "loop_post.c",
  "drain takes the list before resetting the eventfd: a post in between loses its wake-up",
  """	while (read(loop->post_fd, &count, sizeof count) < 0 && errno == EINTR)
		;
	loop_post_t *lifo = atomic_exchange_explicit(&loop->posts, NULL, memory_order_acquire);""",
  """	loop_post_t *lifo = atomic_exchange_explicit(&loop->posts, NULL, memory_order_acquire);
	while (read(loop->post_fd, &count, sizeof count) < 0 && errno == EINTR)
		;""",
  unobservable="equivalent: loop_run does not sleep while a post is pending, so the late eventfd read loses nothing")

M("post_not_counted_pending", "loop_post.c",
  "a post does not keep the loop alive: loop_run may return with posts still queued",
  """	atomic_fetch_add(&loop->posts_pending, 1);
""",
  """	atomic_fetch_add(&loop->posts_pending, 0);
""")

M("post_runs_lifo", "loop_post.c",
  "drain runs the posts newest first (the Treiber stack is not reversed)",
  """	loop_post_t *fifo = NULL;
	while (lifo) {
		loop_post_t *next = lifo->next;
		lifo->next = fifo;
		fifo = lifo;
		lifo = next;
	}""",
  """	loop_post_t *fifo = lifo;""")

M("defer_stop_not_uncounted", "loop_defer.c",
  "stopping a queued defer leaves it counted active (loop_run never returns)",
  """	d->next = NULL;
	loop->active--;
	return 0;""",
  """	d->next = NULL;
	return 0;""")

M("signal_unblocks_caller_blocked", "loop_signal.c",
  "stopping the last watcher of a signal unblocks it even though the caller had it blocked",
  """		if (!sigismember(&loop->signal_was_blocked, signo)) {
			sigset_t one;""",
  """		{
			sigset_t one;""")

M("echo_send_assumes_all_sent", "echo_server.c",
  "echo counts a short send as complete: the rest of the data is lost",
  """		sent += (size_t)w;""",
  """		sent = (size_t)n;""")

M("echo_eagain_is_error", "echo_server.c",
  "EAGAIN from send (a full socket buffer) closes the connection instead of waiting",
  """		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
""",
  "")

# Survives, unobservable: the server's fds are its own (no test holds a dup), so close()
# drops the epoll registration at once, and the stop after it only gets EBADF or ENOENT from
# epoll_ctl, which loop_io_stop ignores by contract (the poll backend just clears its slot).
# Only the loop's thread accepts, so the number cannot come back to this loop in between; a
# test's client socket on another thread may take the number at once, but it is not
# registered with this loop, so the late EPOLL_CTL_DEL fails (ENOENT) and changes nothing.
M("echo_close_before_stop", "echo_server.c",
  "a connection's fd is closed before its watcher is stopped",
  """	loop_io_stop(&c->io);
	close(c->fd);
	list_remove(&s->conns, c);""",
  """	close(c->fd);
	loop_io_stop(&c->io);
	list_remove(&s->conns, c);""",
  unobservable="closing the fd removes it from epoll/poll at once: no later event can reach the freed watcher")

M("graceful_stop_closes_busy", "echo_server.c",
  "a graceful stop closes connections that still have data to send",
  """		if (!conn_busy(c))
			conn_close(c, false);""",
  """		conn_close(c, false);""")

M("http_split_crlf", "http_parse.c",
  "a CRLF split across two reads is rejected: the LF's CR is looked for only in new bytes",
  """		if (i == 0 || buf[i - 1] != '\\r')""",
  """		if (i == p->scanned || buf[i - 1] != '\\r')""")

M("http_body_not_awaited", "http_parse.c",
  "a request is complete once its head is: the body still in flight is not waited for",
  """	if (len - head_len < req->body_len)
		return 0;""",
  """	if (len < head_len)
		return 0;""")
