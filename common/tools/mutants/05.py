# Mutants of lab 05-callbacks: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text[, unobservable="why no test can see
# it"]): old must occur exactly once.

M("drain_reads_fd_after_taking_list", "cq.c",
  "issue 11 bullet 5: the eventfd is read after taking the list (a post in between is lost)",
  """	uint64_t cnt;
	ssize_t n = read(q->efd, &cnt, sizeof cnt); /* EAGAIN when nothing was posted */
	(void)n;
	pthread_mutex_lock(&q->mu);
	struct cq_item *it = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);""",
  """	uint64_t cnt;
	pthread_mutex_lock(&q->mu);
	struct cq_item *it = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	ssize_t n = read(q->efd, &cnt, sizeof cnt); /* EAGAIN when nothing was posted */
	(void)n;""")

M("destroy_forgets_eventfd", "cq.c",
  "issue 11 bullet 4: cq_destroy forgets to close the eventfd",
  """	close(q->efd);
	pthread_mutex_destroy(&q->mu);""",
  """	pthread_mutex_destroy(&q->mu);""")

M("cancel_finishes_without_claiming", "async.c",
  "issue 11 bullet 8: the cancel side finishes the op without claiming it (double firing)",
  """	if (async_op_claim(op))
		async_op_finish(op, -ECANCELED);""",
  """	async_op_finish(op, -ECANCELED);""")

M("claim_not_atomic", "async.c",
  "claim as a load then a store: two claimers can both win",
  """	int expected = OP_PENDING;
	return atomic_compare_exchange_strong_explicit(&op->state, &expected, OP_CLAIMED,
						       memory_order_acq_rel, memory_order_acquire);""",
  """	if (atomic_load(&op->state) != OP_PENDING)
		return false;
	atomic_store(&op->state, OP_CLAIMED);
	return true;""")
# Not marked unobservable: the window is the two inline instructions between the load and the
# store, which no test can widen (no call to interpose or gate lies between them), yet the
# racing claimers of cancel_racing_completion hit it by chance: survived one full run, killed by
# FAIL in the next (the SURPRISE that made this mark go).  A kill by luck, not by design.

M("shutdown_joins_before_cancelling", "pool.c",
  "issue 11: shutdown joins the workers before cancelling the queue",
  """	int cancelled = pool_cancel_queued(p, how);

	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);""",
  """	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);

	int cancelled = pool_cancel_queued(p, how);""")

M("try_submit_blocks", "pool.c",
  "issue 11: a try-submit that blocks on a full queue",
  """	return pool_enqueue(p, fn, arg, false);""",
  """	return pool_enqueue(p, fn, arg, true);""")

M("worker_if_not_while", "pool.c",
  "worker waits with if, not while",
  """	while (p->count == 0 && p->state == POOL_RUNNING)
		pthread_cond_wait(&p->not_empty, &p->mu);""",
  """	if (p->count == 0 && p->state == POOL_RUNNING)
		pthread_cond_wait(&p->not_empty, &p->mu);""")

M("shutdown_no_wake_submitters", "pool.c",
  "shutdown does not wake submitters blocked on a full queue",
  """	pthread_cond_broadcast(&p->not_empty);
	pthread_cond_broadcast(&p->not_full);
	pthread_mutex_unlock(&p->mu);

	int cancelled""",
  """	pthread_cond_broadcast(&p->not_empty);
	pthread_mutex_unlock(&p->mu);

	int cancelled""")

M("cq_wait_no_retry_on_spurious", "cq.c",
  "cq_wait returns after one wake-up even if it was spurious",
  """		struct pollfd pfd = { .fd = q->efd, .events = POLLIN };
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -errno;
	}""",
  """		struct pollfd pfd = { .fd = q->efd, .events = POLLIN };
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -errno;
		int again = cq_drain(q);
		return again ? again : -ETIMEDOUT;
	}""")

M("drain_not_owner_checked", "cq.c",
  "cq_drain lets any thread drain",
  """	if (!pthread_equal(pthread_self(), q->owner))
		return -EPERM;
	uint64_t cnt;""",
  """	uint64_t cnt;""")

M("backoff_shift_overflows", "retry.c",
  "backoff computed by shifting first (overflows for large attempts)",
  """	if (k < 63 && p->base_ns <= (p->cap_ns >> k))
		e = p->base_ns << k;""",
  """	if ((p->base_ns << k) <= p->cap_ns)
		e = p->base_ns << k;""")

M("fanout_join_off_by_one", "combine.c",
  "the join fires one arrival early",
  """	if (atomic_fetch_sub_explicit(&f->left, k, memory_order_acq_rel) == k) {""",
  """	if (atomic_fetch_sub_explicit(&f->left, k, memory_order_acq_rel) == k + 1) {""")
