# Mutants of lab 10-futures: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

M("waker_clone_takes_no_ref", "waker.c",
  "cloning a task waker does not count a reference: the task is freed while still woken",
  """	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return (fut_waker_t){ &task_waker_vtable, t };""",
  """	return (fut_waker_t){ &task_waker_vtable, t };""")

M("wake_by_value_keeps_ref", "waker.c",
  "waking by value does not release the waker's reference (every such wake leaks the task)",
  """	task_wake(data);
	task_release(data);""",
  """	task_wake(data);""")

M("wake_queues_scheduled_task_twice", "task.c",
  "a wake of a task that is already queued queues it a second time",
  """		if (s & (TASK_COMPLETE | TASK_SCHEDULED | TASK_NOTIFIED))""",
  """		if (s & (TASK_COMPLETE | TASK_NOTIFIED))""")

M("wake_while_running_lost", "task.c",
  "a wake that arrives while the task is being polled is dropped (lost wake-up)",
  """		next = (s & TASK_RUNNING) ? s | TASK_NOTIFIED : TASK_SCHEDULED;""",
  """		next = (s & TASK_RUNNING) ? s : TASK_SCHEDULED;""")

M("self_wake_ignored", "task.c",
  "a task that wakes itself during its own poll is not queued again",
  """	if (t->self_woken) {
		t->self_woken = false;
		t->sched->schedule(t->sched, t);
		return;
	}""",
  """	t->self_woken = false;""")

M("notified_task_not_rescheduled", "task.c",
  "a poll that ends with a wake pending (NOTIFIED) parks the task instead of requeueing it",
  """	atomic_exchange_explicit(&t->state, TASK_SCHEDULED, memory_order_acq_rel);
	t->sched->schedule(t->sched, t);""",
  """	atomic_exchange_explicit(&t->state, 0, memory_order_acq_rel);""")

M("join_waker_dropped_not_woken", "task.c",
  "completing a task drops the joiner's waker instead of waking it",
  """	join_unlock(t);
	waker_wake(&w);""",
  """	join_unlock(t);
	waker_drop(&w);""")

M("run_queue_starves_reactor", "exec.c",
  "the executor runs tasks until the queue is empty: a task that requeues itself starves I/O",
  """		for (int i = 0; i < EXEC_BUDGET && ex->run_head; i++)""",
  """		while (ex->run_head)""")

M("remote_schedule_posts_every_time", "exec.c",
  "every wake from another thread posts to the loop (the remote_posted flag is ignored)",
  """	bool post = !ex->remote_posted;""",
  """	bool post = true;""")

M("select_loser_not_cancelled", "combine.c",
  "select drops only the winner: the losing futures keep running (never cancelled)",
  """		for (size_t j = 0; j < f->n; j++) {
			fut_drop(f->futs[j]);
			f->futs[j] = NULL;
		}""",
  """		fut_drop(f->futs[i]);
		f->futs[i] = NULL;""")

M("join_all_polls_finished_child", "combine.c",
  "join_all keeps a finished child and polls it again",
  """			f->outs[i] = v;
			fut_drop(f->futs[i]);
			f->futs[i] = NULL;
			f->left--;""",
  """			f->outs[i] = v;
			f->left--;""")

M("timeout_checked_before_inner", "combine.c",
  "timeout polls the sleep first: a result ready at the deadline is reported as -ETIMEDOUT",
  """	if (fut_poll(f->inner, cx, &v) == FUT_READY) {
		*out = v;
	} else if (fut_poll(f->sleep, cx, &v) == FUT_READY) {
		*out = -ETIMEDOUT;
	} else {""",
  """	if (fut_poll(f->sleep, cx, &v) == FUT_READY) {
		*out = -ETIMEDOUT;
	} else if (fut_poll(f->inner, cx, &v) == FUT_READY) {
		*out = v;
	} else {""")

# Survives, equivalent: a sender waits only while the buffer is full (or others wait ahead of
# it), and a receive that frees a slot refills it from the first waiting sender in the same
# locked step; so while the channel is open, ch->len < ch->cap and a non-empty wait list never
# hold together, and the dropped `!ch->wait_head` can never decide anything (a closed channel
# is handled before this branch).
M("chan_send_overtakes_waiters", "fut_chan.c",
  "a new send goes into a freed buffer slot ahead of senders already waiting (not FIFO)",
  """	} else if (s->state == SEND_NEW && ch->len < ch->cap && !ch->wait_head) {""",
  """	} else if (s->state == SEND_NEW && ch->len < ch->cap) {""",
  unobservable="equivalent: a receive refills the freed slot from the first waiting sender")

M("chan_send_forgets_receiver", "fut_chan.c",
  "a buffered send does not wake the receiver waiting on the empty channel",
  """		rx = ch->receiver;
		ch->receiver = (fut_waker_t){ 0 };""",
  """		(void)rx;""")

# Survives the suite, unobservable by a deterministic test: it misbehaves only when the victim
# pops between the thief's unlocked read of v->len and its lock (take then exceeds len), a
# window of a few instructions.  No test can hold a worker's deque lock or pause a thief inside
# steal(): struct worker is private to exec_mt.c, which has no hook, and a stress loop hits
# the window only by chance.  The unlocked read is itself a data race, which TSan reports on
# every run of the stress driver (`make tsan`).
M("steal_len_read_unlocked", "exec_mt.c",
  "a thief computes how much to steal before taking the victim's lock (a pop race)",
  """		pthread_mutex_lock(&v->lock);
		size_t take = (v->len + 1) / 2;""",
  """		size_t take = (v->len + 1) / 2;
		pthread_mutex_lock(&v->lock);""",
  unobservable="a data race a few instructions wide inside exec_mt.c, with no hook a test can reach (make tsan)")

# Survives the suite, unobservable by a deterministic test: the wake-up is lost only when a
# task is pushed after the worker's last failed scan (worker_turn) and before park() reads the
# epoch - then mt_notify saw sleepers == 0 and signalled nobody, and the epoch the worker waits
# on has already moved past.  That window is a few instructions wide and lies wholly inside
# exec_mt.c (no test code runs in it, no lock of it is reachable from a test), so only chance
# hits it; mt::no_lost_wakeup_under_stress would then fail by its watchdog, not every run.
M("park_without_rechecking_queues", "exec_mt.c",
  "a worker parks without looking at the queues after announcing itself (lost wake-up)",
  """	if (!any_queued(ex))
		while""",
  """	while""",
  unobservable="a lost-wake-up window of a few instructions inside exec_mt.c, not openable deterministically")

M("mt_schedule_no_notify", "exec_mt.c",
  "scheduling a task on the multi-threaded executor wakes no parked worker",
  """	if (rc < 0)
		inject(ex, t);
	mt_notify(ex);""",
  """	if (rc < 0)
		inject(ex, t);""")
