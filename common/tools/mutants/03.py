# Mutants of lab 03-threads: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text[, unobservable="why no test can see
# it"]): old must occur exactly once.

M("error_path_joins_one_too_few", "workers.c",
  "issue 11 bullet 2: the error path joins one thread too few",
  """	for (size_t i = 0; i < started; i++)
		pthread_join(ids[i], NULL);""",
  """	for (size_t i = 0; i < (err && started ? started - 1 : started); i++)
		pthread_join(ids[i], NULL);""")

M("error_path_detaches", "workers.c",
  "the error path detaches instead of joining",
  """	for (size_t i = 0; i < started; i++)
		pthread_join(ids[i], NULL);""",
  """	for (size_t i = 0; i < started; i++)
		if (err)
			pthread_detach(ids[i]);
		else
			pthread_join(ids[i], NULL);""")

M("run_one_after_another", "workers.c",
  "each thread joined right after it starts (no concurrency; double join after)",
  """		err = task_start(&ids[started], &tasks[started]);
		if (err)
			break;""",
  """		err = task_start(&ids[started], &tasks[started]);
		if (err)
			break;
		pthread_join(ids[started], NULL);""")

M("count_includes_dot_entries", "thread_count.c",
  "counts . and .. as threads",
  """		if (d->d_name[0] != '.')
			n++;""",
  """		n++;""")

M("count_leaks_dir", "thread_count.c",
  "never closes the directory (a descriptor leak)",
  """	closedir(dir);
	return n;""",
  """	return n;""")

M("no_stack_min_check", "workers.c",
  "stack sizes below PTHREAD_STACK_MIN not rejected",
  """		if (!tasks[i].fn ||
		    (tasks[i].stack_size && tasks[i].stack_size < (size_t)PTHREAD_STACK_MIN))""",
  """		if (!tasks[i].fn)""")

M("pfor_extra_off_by_one", "parallel_for.c",
  "one chunk too many gets the extra index",
  """		uint64_t len = base + (i < extra);""",
  """		uint64_t len = base + (i <= extra);""")

M("pfor_threads_not_capped", "parallel_for.c",
  "more chunks than items: empty chunks",
  """	k = (uint64_t)threads < n ? (uint64_t)threads : n; /* never an empty chunk */""",
  """	k = (uint64_t)threads;""")

M("probe_no_sa_onstack", "stack_guard.c",
  "handler runs on the overflowed stack (no SA_ONSTACK)",
  """	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };""",
  """	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };""")

M("probe_swallows_every_fault", "stack_guard.c",
  "every fault of a probing thread treated as overflow",
  """	if (stack_guard_armed && a >= guard_lo && a < guard_hi) {""",
  """	(void)a;
	if (stack_guard_armed) {""")

M("probe_sigsetjmp_no_mask", "stack_guard.c",
  "the jump does not restore the signal mask (SIGSEGV stays blocked in that thread)",
  """	if (sigsetjmp(stack_guard_jump, 1) == 0) {""",
  """	if (sigsetjmp(stack_guard_jump, 0) == 0) {""",
  unobservable=(
      "each probe runs on a fresh thread that, after the jump, only frees its alternate "
      "stack and returns: the SIGSEGV left blocked ends with that thread, and the caller's "
      "mask (which the next probe thread inherits) is never touched"))

M("probe_result_ignored", "stack_guard.c",
  "the probe thread's error is ignored",
  """	if (task.result)
		return task.result;
""",
  """""")
