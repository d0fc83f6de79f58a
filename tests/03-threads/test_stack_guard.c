/* Step 4: stack_guard_probe() catches a thread's stack overflow and reports the depth reached. */
#include "thr_test.h"
#include "threads.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(stack_guard, 20);

/* Fault injection into the probing thread.  Every probe registers an alternate signal stack
 * on its own thread (sigaltstack) before it recurses, so this runner's sigaltstack (it takes
 * precedence over libc's, which it then calls) runs on that thread at that moment.  Armed by a
 * test, it acts on the next registration only: INJECT_FAIL makes it fail (ENOMEM), as it can
 * when memory is short; INJECT_TRAP_PAGE registers the stack, then protects one page half way
 * down the thread's stack, so that the recursion faults there - inside the probing thread,
 * while it is armed, but far from its guard page.  (Criterion's and libc's own calls pass
 * through untouched.) */
enum inject { INJECT_NONE, INJECT_FAIL, INJECT_TRAP_PAGE };
static _Atomic int inject;

static void protect_mid_stack(void)
{
	pthread_attr_t attr;
	void *lo;
	size_t size, ps = (size_t)sysconf(_SC_PAGESIZE);
	volatile char here = 0;
	if (pthread_getattr_np(pthread_self(), &attr))
		return;
	pthread_attr_getstack(&attr, &lo, &size);
	pthread_attr_destroy(&attr);
	uintptr_t sp = (uintptr_t)&here, base = (uintptr_t)lo;
	uintptr_t mid = (base + (sp - base) / 2) & ~(uintptr_t)(ps - 1);
	mprotect((void *)mid, ps, PROT_NONE);
}

int sigaltstack(const stack_t *ss, stack_t *old)
{
	static int (*real)(const stack_t *, stack_t *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sigaltstack");
	int what = INJECT_NONE;
	if (ss && !(ss->ss_flags & SS_DISABLE))
		what = atomic_exchange(&inject, INJECT_NONE);
	if (what == INJECT_FAIL) {
		errno = ENOMEM;
		return -1;
	}
	int rc = real(ss, old);
	if (rc == 0 && what == INJECT_TRAP_PAGE)
		protect_mid_stack();
	return rc;
}

/* stack_bytes is what the thread really got (glibc may hand out a larger cached stack, never
 * a much smaller one), and an overflowing recursion of depth d used at least d levels of
 * STACK_GUARD_FRAME_PAD bytes of it. */
static void check_stack_bytes(const struct stack_guard_report *rep, size_t stack)
{
	cr_assert(
	    rep->stack_bytes >= stack / 2,
	    "stack of %zu bytes requested: the report says "
	    "stack_bytes = %zu (read the thread's real stack with pthread_getattr_np)" ASL_HINT(4),
	    stack, rep->stack_bytes);
	cr_assert(!rep->overflowed || rep->depth * STACK_GUARD_FRAME_PAD <= rep->stack_bytes,
		  "overflow at depth %llu x %d bytes per level does not fit in the reported "
		  "stack_bytes = %zu" ASL_HINT(4),
		  (unsigned long long)rep->depth, STACK_GUARD_FRAME_PAD, rep->stack_bytes);
}

static struct stack_guard_report probe(size_t stack, uint64_t max_depth)
{
	struct stack_guard_report rep = { 0 };
	int before = asl_test_threads();
	int rc = stack_guard_probe(stack, max_depth, &rep);
	cr_assert_eq(rc, 0, "stack_guard_probe(%zu KiB) returned %s, expected 0" ASL_HINT(4),
		     stack >> 10, asl_test_rc(rc));
	cr_assert_eq(asl_test_threads_settled(before), before,
		     "the probe's thread was not joined" ASL_HINT(4));
	check_stack_bytes(&rep, stack);
	return rep;
}

Test(stack_guard, overflow_is_caught_and_reported)
{
	size_t small = threads_small_stack(); /* 64 KiB (128 KiB on aarch64) */
	struct stack_guard_report r = probe(small, 0);
	cr_assert(r.overflowed,
		  "%zu KiB stack, no depth limit: expected overflowed = true" ASL_HINT(4),
		  small >> 10);
	/* each level keeps at least STACK_GUARD_FRAME_PAD bytes, and the stack holds some of
	 * them */
	cr_assert(r.depth > 20 && r.depth < small / STACK_GUARD_FRAME_PAD,
		  "%zu KiB stack: depth %llu, expected between 20 and %zu" ASL_HINT(4), small >> 10,
		  (unsigned long long)r.depth, small / STACK_GUARD_FRAME_PAD);
}

Test(stack_guard, depth_grows_with_stack_size)
{
	size_t s = threads_small_stack(); /* 64 KiB, 256 KiB, 1 MiB (x2 on aarch64) */
	struct stack_guard_report small = probe(s, 0), mid = probe(4 * s, 0);
	struct stack_guard_report big = probe(16 * s, 0);
	cr_assert(small.overflowed && mid.overflowed && big.overflowed,
		  "every unlimited probe must overflow" ASL_HINT(4));
	cr_assert(mid.depth > 2 * small.depth && big.depth > 2 * mid.depth,
		  "depths %zu KiB: %llu, 4x: %llu, 16x: %llu - expected each 4x stack to "
		  "give more than 2x depth" ASL_HINT(4),
		  s >> 10, (unsigned long long)small.depth, (unsigned long long)mid.depth,
		  (unsigned long long)big.depth);
}

Test(stack_guard, limited_recursion_does_not_overflow)
{
	struct stack_guard_report r = probe(1 << 20, 100);
	cr_assert(!r.overflowed, "1 MiB stack, 100 levels: expected no overflow" ASL_HINT(4));
	cr_assert_eq(r.depth, 100, "depth %llu, expected 100" ASL_HINT(4),
		     (unsigned long long)r.depth);
}

static int probe_task(void *arg)
{
	struct stack_guard_report *r = arg;
	return stack_guard_probe(r->stack_bytes, 0, r);
}

Test(stack_guard, concurrent_probes_each_catch_their_own)
{
	/* two threads probing at once: the handler must use the faulting thread's guard page */
	struct stack_guard_report r[2] = { { .stack_bytes = threads_small_stack() },
					   { .stack_bytes = 8 * threads_small_stack() } };
	struct workers_task t[2] = { { .fn = probe_task, .arg = &r[0] },
				     { .fn = probe_task, .arg = &r[1] } };
	int rc = workers_run(t, 2);
	cr_assert(rc == 0 && t[0].result == 0 && t[1].result == 0,
		  "workers_run %s, probes %s and %s" ASL_HINT(4), asl_test_rc(rc),
		  asl_test_rc(t[0].result), asl_test_rc(t[1].result));
	cr_assert(r[0].overflowed && r[1].overflowed && r[1].depth > 4 * r[0].depth,
		  "concurrent probes: depths %llu (small stack) and %llu (8x)" ASL_HINT(4),
		  (unsigned long long)r[0].depth, (unsigned long long)r[1].depth);
}

/* Many probes at once, started together: each thread's overflow must be matched against ITS
 * OWN guard page and jump back into ITS OWN recursion (per-thread state: __thread), whatever
 * the others are doing at that moment. */
enum { PROBERS = 4, PROBE_ROUNDS = 40 };
static struct meeting probe_start;

static int probe_rounds(void *arg)
{
	struct stack_guard_report *r = arg; /* r->stack_bytes: the size to ask for */
	size_t stack = r->stack_bytes;
	for (int i = 0; i < PROBE_ROUNDS; i++) {
		if (!meeting_wait(&probe_start))
			return -ETIMEDOUT;
		int rc = stack_guard_probe(stack, 0, r);
		if (rc)
			return rc;
		if (!r->overflowed || r->depth * STACK_GUARD_FRAME_PAD > r->stack_bytes ||
		    r->depth < stack / (16 * STACK_GUARD_FRAME_PAD))
			return -ERANGE;
	}
	return 0;
}

Test(stack_guard, many_concurrent_probes)
{
	struct stack_guard_report r[PROBERS];
	struct workers_task t[PROBERS];
	int before = asl_test_threads();
	meeting_init(&probe_start, PROBERS, 2 * ASL_WATCHDOG_MS);
	for (int i = 0; i < PROBERS; i++) {
		r[i] = (struct stack_guard_report){ .stack_bytes = (size_t)(32 << 10) << (i % 3) };
		t[i] = (struct workers_task){ .fn = probe_rounds, .arg = &r[i] };
	}
	int rc = workers_run(t, PROBERS);
	meeting_destroy(&probe_start);
	cr_assert_eq(rc, 0, "workers_run returned %s" ASL_HINT(4), asl_test_rc(rc));
	for (int i = 0; i < PROBERS; i++)
		cr_assert_neq(
		    t[i].result, -ETIMEDOUT,
		    "%d probing threads meet before each of %d "
		    "rounds, but they never all ran at once within %d s: does "
		    "workers_run (step 2) start every thread before joining any?" ASL_HINT(4),
		    PROBERS, PROBE_ROUNDS, 2 * ASL_WATCHDOG_MS / 1000);
	for (int i = 0; i < PROBERS; i++)
		cr_assert_eq(
		    t[i].result, 0,
		    "%d threads probing at once, %d rounds: a probe of "
		    "%zu KiB returned %s (-34 (ERANGE): no overflow, or a depth that does not"
		    " fit its stack - the handler mixed up two threads?)" ASL_HINT(4),
		    PROBERS, PROBE_ROUNDS, ((size_t)(32 << 10) << (i % 3)) >> 10,
		    asl_test_rc(t[i].result));
	cr_assert_eq(asl_test_threads_settled(before), before, "threads left behind" ASL_HINT(4));
}

Test(stack_guard, rejects_bad_arguments)
{
	struct stack_guard_report r;
	int rc = stack_guard_probe(threads_small_stack(), 0, NULL);
	cr_assert_eq(rc, -EINVAL,
		     "stack_guard_probe(rep=NULL): expected -22 (EINVAL), got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	rc = stack_guard_probe(1024, 0, &r);
	cr_assert_eq(rc, -EINVAL,
		     "stack_guard_probe(1 KiB stack): expected -EINVAL, got %s" ASL_HINT(4),
		     asl_test_rc(rc));
}

/* The handler must not run on the stack that just ran out: without SA_ONSTACK (or without an
 * alternate stack registered on the probing thread) the kernel cannot push its frame, and the
 * process dies of the SIGSEGV instead of catching it.  In a child, so that this test can say
 * which. */
Test(stack_guard, handler_runs_on_the_alternate_stack)
{
	int status;
	size_t stack = threads_small_stack();
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		struct stack_guard_report r = { 0 };
		int rc = stack_guard_probe(stack, 0, &r);
		_exit(rc ? 3 : r.overflowed ? 0 : 4);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid, "waitpid failed");
	cr_assert(!WIFSIGNALED(status),
		  "a probe of %zu KiB with no depth limit: expected the overflow to be caught, "
		  "but the process died of signal %d (%s).  The handler needs a stack of its own: "
		  "register an alternate signal stack on the probing thread (sigaltstack) and "
		  "install the handler with SA_ONSTACK" ASL_HINT(4),
		  stack >> 10, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		  strsignal(WIFSIGNALED(status) ? WTERMSIG(status) : 0));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "a probe of %zu KiB with no depth limit, in a child: expected a caught overflow "
		  "(exit 0), got exit %d (3: stack_guard_probe returned an error, 4: it reported "
		  "no overflow)" ASL_HINT(4),
		  stack >> 10, WEXITSTATUS(status));
}

/* After a probe installed the handler, a real bug must still kill the process.  The crash
 * happens in a child process, so this test itself returns normally. */
Test(stack_guard, other_faults_still_crash)
{
	int status;
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		struct stack_guard_report r;
		/* volatile: the compiler can neither see the address nor drop the store */
		volatile int *volatile wild = (volatile int *)(uintptr_t)64;
		if (stack_guard_probe(threads_small_stack(), 0, &r) || !r.overflowed)
			_exit(3);
		*wild = 1; /* a wild write on the main thread, not a stack overflow */
		_exit(4);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid, "waitpid failed");
	cr_assert(
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 3),
	    "in the child, stack_guard_probe(64 KiB) did not report a caught overflow" ASL_HINT(4));
#if defined(__SANITIZE_ADDRESS__)
	/* under AddressSanitizer the fault reaches ASan's handler, which reports and exits 1 */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return;
#endif
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		  "after a probe, a write to address 64 must still die of SIGSEGV; the child %s %d "
		  "(the handler must pass on faults that are not stack overflows)" ASL_HINT(4),
		  WIFSIGNALED(status) ? "died of signal" : "exited with status",
		  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* An error inside the probing thread (here: its sigaltstack fails, the test's doing) must reach
 * the caller; the report is then meaningless. */
Test(stack_guard, error_in_the_probing_thread_is_returned)
{
#if defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer registers an alternate stack of its own on every new thread, through
	 * this same sigaltstack, and aborts when that fails */
	cr_skip_test("the injected sigaltstack failure would hit AddressSanitizer's own call");
#endif
	struct stack_guard_report r = { 0 };
	atomic_store(&inject, INJECT_FAIL);
	int rc = stack_guard_probe(threads_small_stack(), 0, &r);
	bool registered = atomic_exchange(&inject, INJECT_NONE) == INJECT_NONE;
	cr_assert(registered,
		  "stack_guard_probe returned %s without ever registering an alternate signal "
		  "stack (sigaltstack) on the probing thread" ASL_HINT(4),
		  asl_test_rc(rc));
	cr_assert(rc < 0,
		  "sigaltstack failed on the probing thread (ENOMEM, the test's doing): expected "
		  "stack_guard_probe to return that error (-12), got %s with overflowed = %d, "
		  "depth %llu - the thread's result must reach the caller" ASL_HINT(4),
		  asl_test_rc(rc), r.overflowed, (unsigned long long)r.depth);
}

/* A fault in the probing thread itself, while it recurses, but not in its guard page (the test
 * protected a page half way down its stack): not an overflow, so it must not be swallowed.
 * In a child process, as for other_faults_still_crash. */
Test(stack_guard, other_fault_in_the_probing_thread_still_crashes)
{
	int status;
	size_t stack = 8 * threads_small_stack();
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		struct stack_guard_report r = { 0 };
		atomic_store(&inject, INJECT_TRAP_PAGE);
		int rc = stack_guard_probe(stack, 0, &r);
		if (atomic_load(&inject) != INJECT_NONE)
			_exit(5);
		_exit(rc ? 3 : r.overflowed ? 4 : 6);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid, "waitpid failed");
	cr_assert(!(WIFEXITED(status) && WEXITSTATUS(status) == 5),
		  "in the child, stack_guard_probe never registered an alternate signal stack "
		  "(sigaltstack) on the probing thread" ASL_HINT(4));
#if defined(__SANITIZE_ADDRESS__)
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return; /* AddressSanitizer's handler reported the fault */
#endif
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		  "a probe of %zu KiB whose recursion faults half way down its stack, far above "
		  "its guard page: expected the process to die of SIGSEGV, but %s %d%s.  Only a "
		  "fault inside the probing thread's own guard page is an overflow; check si_addr "
		  "against it and pass every other fault on" ASL_HINT(4),
		  stack >> 10, WIFSIGNALED(status) ? "it died of signal" : "the child exited with",
		  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		  WIFEXITED(status) && WEXITSTATUS(status) == 4
		      ? " (stack_guard_probe reported the fault as an overflow)"
		      : "");
}
