# Mutants of lab 04-sync: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text[, unobservable="why no test can see
# it"]): old must occur exactly once.

M("close_without_the_lock", "chan.c",
  "issue 11 bullet 3: close sets the flag and wakes without the lock (lost wake-up)",
  """	pthread_mutex_lock(ch->mu);
	if (ch->closed)
		rc = CHAN_CLOSED;
	ch->closed = true;
	chan_wake_all(ch);
	pthread_mutex_unlock(ch->mu);
	return rc;""",
  """	if (ch->closed)
		rc = CHAN_CLOSED;
	ch->closed = true;
	chan_wake_all(ch);
	return rc;""")

M("close_flag_after_unlock", "chan.c",
  "close checks under the lock, then sets the flag and wakes after unlocking",
  """	pthread_mutex_lock(ch->mu);
	if (ch->closed)
		rc = CHAN_CLOSED;
	ch->closed = true;
	chan_wake_all(ch);
	pthread_mutex_unlock(ch->mu);
	return rc;""",
  """	pthread_mutex_lock(ch->mu);
	if (ch->closed)
		rc = CHAN_CLOSED;
	pthread_mutex_unlock(ch->mu);
	ch->closed = true;
	chan_wake_all(ch);
	return rc;""")

M("close_wakes_one_receiver", "chan.c",
  "issue 11: close wakes one receiver instead of all",
  """void chan_wake_all(struct chan *ch)
{
	pthread_cond_broadcast(&ch->can_recv);""",
  """void chan_wake_all(struct chan *ch)
{
	pthread_cond_signal(&ch->can_recv);""")

M("deadline_on_realtime", "chan.c",
  "issue 11: deadline on CLOCK_REALTIME, condvar on MONOTONIC (sleeps ~forever)",
  """	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;""",
  """	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;""")

M("condvar_default_clock", "chan.c",
  "issue 11: condvar left on CLOCK_REALTIME, deadline on MONOTONIC (returns at once)",
  """	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
""",
  """""")

M("deadline_not_normalised", "chan.c",
  "issue 11: tv_nsec not normalised (EINVAL, the wait spins)",
  """	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
	return 0;""",
  """	return 0;""")

M("deadlock_count_off_by_one", "chan_group.c",
  "issue 11: off-by-one in the deadlock count (never fires)",
  """	return g->entered > 0 && stuck >= g->entered;""",
  """	return g->entered > 0 && stuck > g->entered;""")

M("deadlock_count_off_by_one_early", "chan_group.c",
  "off-by-one the other way (false alarms)",
  """	return g->entered > 0 && stuck >= g->entered;""",
  """	return g->entered > 0 && stuck >= g->entered - 1;""")

M("recv_if_not_while", "chan.c",
  "receiver waits with if, not while",
  """	while (!ch->closed && ch->count == 0) {
		if (rc)
			goto out;
		rc = chan_wait(ch, &ch->can_recv, CHAN_WAIT_VALUE, 0, deadline);
	}""",
  """	if (!ch->closed && ch->count == 0) {
		if (rc)
			goto out;
		rc = chan_wait(ch, &ch->can_recv, CHAN_WAIT_VALUE, 0, deadline);
	}""")

M("unbuffered_no_withdraw", "chan.c",
  "a failed unbuffered send leaves its value in the slot",
  """		ch->count = 0;
		ch->sent--;
		pthread_cond_broadcast(&ch->can_send); /* the slot is free for other senders */""",
  """		pthread_cond_broadcast(&ch->can_send); /* the slot is free for other senders */""")

M("send_signal_not_broadcast", "chan.c",
  "send signals one receiver (a timed-out one may swallow it)",
  """	pthread_cond_broadcast(&ch->can_recv);
	rc = CHAN_OK;
	if (ch->cap > 0)""",
  """	pthread_cond_signal(&ch->can_recv);
	rc = CHAN_OK;
	if (ch->cap > 0)""",
  unobservable=(
      "equivalent with this chan_recv: one value satisfies one receiver, "
      "pthread_cond_signal wakes at least one, and a woken receiver takes a value it finds "
      "even after a timeout, deadlock or close status, so no signalled receiver leaves the "
      "value to a sleeper"))

M("timed_wait_counted_as_stuck", "chan.c",
  "timed waits in a group go to the untimed group sleep (counted as stuck)",
  """	if (deadline) {
""",
  """	if (deadline && !ch->group) {
""")

M("spinlock_unlock_relaxed_plain", "spinlock.c",
  "unlock with relaxed order (x86-64: no observable difference)",
  """	atomic_store_explicit(&s->locked, false, memory_order_release);""",
  """	atomic_store_explicit(&s->locked, false, memory_order_relaxed);""",
  unobservable=(
      "gcc emits the same `movb $0` for both on x86-64 (TSO: every store is a release "
      "store) and sinks no critical-section store past it; only a weakly ordered CPU "
      "(aarch64: stlrb vs strb) or TSan can tell them apart"))

M("spinlock_test_not_set", "spinlock.c",
  "spin on a load, then take the lock without an atomic exchange",
  """	while (atomic_exchange_explicit(&s->locked, true, memory_order_acquire)) {""",
  """	while (atomic_load_explicit(&s->locked, memory_order_acquire)) {""")

M("pipeline_last_worker_off_by_one", "pipeline.c",
  "the second-last worker closes results (results lost or a send on a closed channel)",
  """	if (atomic_fetch_sub(&p->workers_left, 1) == 1)""",
  """	if (atomic_fetch_sub(&p->workers_left, 1) == 2)""")

M("pipeline_producer_never_closes", "pipeline.c",
  "the producer never closes jobs: workers wait forever",
  """	chan_close(p->jobs);
	return NULL;""",
  """	return NULL;""")
