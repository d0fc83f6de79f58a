"""grade_hints.py - a hint for the common mistakes behind a CRASH or TIMEOUT row.

A crashed or stopped test has no assertion message of its own, so the grader adds the step,
where Criterion last logged progress, and - for mistakes that are known to end that way in
that suite - what to look at.  Rules: (suites, status, signals, hint), first match wins; a
suites entry of None matches any suite.
"""
import fnmatch

DEADLINE = ("a deadline that never comes or comes at once: is tv_nsec normalised (kept below "
            "1000000000) after adding the timeout, and is the deadline taken on the clock the "
            "wait uses (pthread_condattr_setclock(CLOCK_MONOTONIC) for a condition variable, "
            "the same clock for timerfd)? un-normalised tv_nsec / wrong clock?")

RULES = [
    (("fault_probe", "fault_catch*"), "CRASH", ("SIGSEGV", "SIGBUS"),
     "the fault escaped the probe: does the handler jump back with siglongjmp to a buffer "
     "saved by sigsetjmp(env, 1)? With 0 the signal mask is not restored, SIGSEGV stays "
     "blocked after the first fault, and the next fault kills the process."),
    (("cpu_trap",), "CRASH", ("SIGFPE", "SIGILL", "SIGSEGV"),
     "the trap escaped its handler: is the handler installed for this signal, and does it "
     "return through siglongjmp to a sigsetjmp(env, 1) buffer (the mask must be restored)?"),
    (("stack_guard",), "CRASH", ("SIGSEGV", "SIGBUS"),
     "a stack overflow can only be caught on another stack: is sigaltstack set up for the "
     "thread that overflows, and the handler installed with SA_ONSTACK?"),
    (("chan_timeout", "timeout", "timer", "cq", "chan_deadlock", "retry"), "TIMEOUT", None,
     DEADLINE),
    (None, "CRASH", ("SIGABRT",),
     "abort(): a LAB_TODO_ABORT stub still in place, an assert() that failed, or a double "
     "free (the full output says which)"),
    (None, "CRASH", ("SIGSEGV", "SIGBUS"),
     "a bad memory access: `make -C labs/{lab} asan` shows the exact one"),
    (None, "TIMEOUT", None,
     "a lost wake-up, a deadlock or an endless loop: `make -C labs/{lab} test-raw` and "
     "attach gdb to the stuck worker (gdb -p PID, then `thread apply all bt`)"),
]


def hint(lab, test_id, status, signame=None):
    suite = test_id.split("::", 1)[0]
    for suites, st, sigs, text in RULES:
        if st != status:
            continue
        if suites and not any(fnmatch.fnmatchcase(suite, s) for s in suites):
            continue
        if sigs and signame not in sigs:
            continue
        return text.replace("{lab}", lab)
    return ""
