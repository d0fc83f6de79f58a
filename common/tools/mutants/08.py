# Mutants of lab 08-fibers: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

M("r13_not_saved", "ctx_switch_x86_64.S",
  "the switch pushes r14 where r13 belongs: a callee-saved register is not preserved",
  """	pushq	%r13""",
  """	pushq	%r14""")

M("mxcsr_not_restored", "ctx_switch_x86_64.S",
  "the switch saves MXCSR but never loads the other context's (FP rounding leaks across)",
  """	ldmxcsr	(%rsp)
""",
  "")

M("first_frame_misaligned", "ctx.c",
  "the first frame puts ctx_start at sp = top - 8: the ABI's 16-byte alignment is broken",
  """	struct ctx_frame *f = (struct ctx_frame *)(top - 16 - sizeof(struct ctx_frame));""",
  """	struct ctx_frame *f = (struct ctx_frame *)(top - 8 - sizeof(struct ctx_frame));""")

M("guard_page_missing", "stack.c",
  "the stack's lowest page is never made PROT_NONE: an overflow corrupts memory silently",
  """	if (mprotect(m, p->page, PROT_NONE)) {""",
  """	if (mprotect(m, p->page, PROT_READ | PROT_WRITE)) {""")

M("pool_keeps_one_too_many", "stack.c",
  "the stack pool keeps max_free + 1 stacks (<= where < belongs)",
  """	struct stack *s = p->nfree < p->max_free ? malloc(sizeof *s) : NULL;""",
  """	struct stack *s = p->nfree <= p->max_free ? malloc(sizeof *s) : NULL;""")

M("chan_close_wakes_one_receiver", "chan.c",
  "close wakes only the first waiting receiver; the others sleep forever",
  """	while ((f = fiber_queue_pop(&c->receivers))) {""",
  """	if ((f = fiber_queue_pop(&c->receivers))) {""")

M("chan_recv_leaves_sender_waiting", "chan.c",
  "a receive from a full buffer does not move the first waiting sender's value in",
  """		if ((s = fiber_queue_pop(&c->senders))) {
			c->buf[(c->head + c->count++) % c->cap] = s->xfer;
			s->xfer_rc = 0;
			sched_wake(s);
		}
		return 0;""",
  """		return 0;""")

M("chan_send_to_closed_ok", "chan.c",
  "a send on a closed channel is accepted into the buffer",
  """	if (c->closed)
		return -EPIPE;
	struct fiber *r = fiber_queue_pop(&c->receivers);""",
  """	struct fiber *r = fiber_queue_pop(&c->receivers);""")

M("mutex_unlock_no_handoff", "mutex.c",
  "unlock frees the mutex and wakes a waiter that then assumes it owns it",
  """	m->owner = next;""",
  """	m->owner = NULL;""")

M("exit_forgets_joiner", "sched.c",
  "a finishing fiber does not wake the fiber that joins it",
  """	fiber_io_release(f);
	if (f->joiner)
		sched_wake(f->joiner);""",
  """	fiber_io_release(f);""")

M("yield_not_requeued", "sched.c",
  "yield switches away without putting the fiber back on the run queue",
  """	f->state = FIBER_RUNNABLE;
	fiber_queue_push(&f->sched->runq, f);
	sched_leave(f, false);""",
  """	f->state = FIBER_RUNNABLE;
	sched_leave(f, false);""")

M("fiber_write_returns_short", "fiber_io.c",
  "fiber_write returns after a short write instead of writing all of it",
  """			done += (size_t)n;
			continue;""",
  """			return n;""")

M("wait_fd_keeps_old_watcher", "fiber_io.c",
  "waiting on a new fd keeps the watcher of the previous one (waits on the wrong fd)",
  """	if (loop_io_active(&f->io) && f->io.fd != fd)
		loop_io_stop(&f->io);
""",
  "")

M("sleep_from_stale_time", "fiber_io.c",
  "fiber_sleep counts from the loop's cached time: sleeps end early",
  """	loop_update_time(loop); /* count from now, not from the loop's last wake-up */
""",
  "")

M("connect_ignores_so_error", "fiber_io.c",
  "a non-blocking connect reports success once writable, without reading SO_ERROR",
  """	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		return -errno;
	return -err;""",
  """	(void)elen;
	return -err;""")

M("accept_eagain_is_error", "fiber_io.c",
  "accept returns -EAGAIN instead of parking until a connection arrives",
  """		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		int rc = fiber_wait_fd(listen_fd, LOOP_READ);""",
  """		return -errno;
		int rc = fiber_wait_fd(listen_fd, LOOP_READ);""")
