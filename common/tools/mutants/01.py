# Mutants of lab 01-memory: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text[, unobservable="why no test can see
# it"]): old must occur exactly once.

M("sigsetjmp_no_mask", "fault_catch.c",
  "sigsetjmp without saving the mask: the next fault finds the signal blocked",
  """	if (sigsetjmp(fault_catch_env, 1) != 0)""",
  """	if (sigsetjmp(fault_catch_env, 0) != 0)""")

M("handlers_not_restored", "fault_catch.c",
  "the previous handlers are never restored",
  """	while (installed-- > 0)
		sigaction(fault_catch_signals[installed], &fault_catch_prev[installed], NULL);
""",
  """""")

M("busy_flag_not_cleared", "fault_catch.c",
  "the busy flag stays set: every later catch is -EBUSY",
  """	atomic_flag_clear(&fault_catch_busy);
	return rc;""",
  """	return rc;""")

M("handler_not_thread_checked", "fault_catch.c",
  "another thread's fault is taken as ours",
  """	if (!fault_catch_armed) {
		fault_catch_pass_on(signo, si);
		return;
	}""",
  """	(void)fault_catch_pass_on;""")

M("accerr_as_unmapped", "fault_probe.c",
  "every SIGSEGV reported as unmapped",
  """		if (f.code == SEGV_MAPERR || f.code == SI_KERNEL)
			return FAULT_PROBE_UNMAPPED;
		/* SEGV_ACCERR, and the rarer SEGV_PKUERR and friends */
		return FAULT_PROBE_PROTECTED;""",
  """		return FAULT_PROBE_UNMAPPED;""")

M("noncanonical_as_protected", "fault_probe.c",
  "SI_KERNEL (non-canonical) reported as protected",
  """		if (f.code == SEGV_MAPERR || f.code == SI_KERNEL)""",
  """		if (f.code == SEGV_MAPERR)""")

M("write_probe_only_reads", "fault_probe.c",
  "a write probe only reads",
  """	if (pa->how == FAULT_PROBE_WRITE)
		mem_store((uint64_t *)(uintptr_t)pa->p, v);""",
  """	(void)v;""")

M("rusage_self", "page_faults.c",
  "counts the whole process's faults",
  """	if (getrusage(RUSAGE_THREAD, &ru))""",
  """	if (getrusage(RUSAGE_SELF, &ru))""")

M("partial_page_rounds_down", "page_faults.c",
  "a partial page is not counted",
  """	len = (bytes + ps - 1) / ps * ps;""",
  """	len = bytes / ps * ps;""")

M("load_without_memory_clobber", "load_store.c",
  "mem_load without the memory clobber",
  """	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(p) : "memory");""",
  """	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(p));""")

M("trap_no_fault_is_ok", "cpu_trap.c",
  "no fault still reported as success",
  """	int rc = fault_catch(cpu_trap_exec_privileged, &sink, out);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : -EPROTO;""",
  """	int rc = fault_catch(cpu_trap_exec_privileged, &sink, out);
	if (rc < 0)
		return rc;
	return 0;""",
  unobservable=(
      "hlt in ring 3 always raises #GP (SIGSEGV) on x86-64, so fault_catch never returns 0 "
      "here: the branch that reports 'nothing faulted' cannot be reached by any input"))
