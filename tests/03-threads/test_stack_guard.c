/* Step 4: stack_guard_probe() catches a thread's stack overflow and reports the depth reached. */
#include "thr_test.h"
#include "threads.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(stack_guard, 20);

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
