/*
 * stack_guard.c - step 4: a thread's stack is fixed; overflow it and live to tell.
 *
 * glibc gives every thread a stack of a fixed size (default: `ulimit -s`, usually 8 MiB,
 * or what pthread_attr_setstacksize asked for) and maps an inaccessible guard page just below
 * it.  A recursion that goes too deep writes into the guard page; the CPU faults and the
 * kernel sends SIGSEGV.  Normally that kills the process - stack overflow.
 *
 * To catch it we need three things:
 *   1. a SIGSEGV handler (process-wide: signal dispositions belong to the process);
 *   2. somewhere for that handler to run: the faulting thread's stack is exactly what is full,
 *      so the thread first registers an *alternate signal stack* (sigaltstack, per thread)
 *      and the handler is installed with SA_ONSTACK;
 *   3. a way out: the handler checks that the fault address lies in *this thread's* guard
 *      page and siglongjmp()s back to a point saved before the recursion, abandoning every
 *      frame of it.  Any other fault is a real bug: it goes to the previous handler (or the
 *      default action, which kills the process as it should).
 */
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "asl/todo.h"

#define ALT_STACK_BYTES (64 * 1024)

/* Per probing thread: where to jump back to and which addresses are our guard page
 * ("unused": the skeleton's stubs do not touch them yet). */
__attribute__((unused)) static __thread sigjmp_buf stack_guard_jump;
static __thread volatile sig_atomic_t stack_guard_armed;
__attribute__((unused)) static __thread uintptr_t guard_lo, guard_hi;
static __thread volatile uint64_t stack_guard_depth;

/* Global because a signal disposition is process-wide: the handler we replaced, to pass on
 * faults that are not ours.  Written once, under pthread_once, before any probe arms. */
__attribute__((unused)) static struct sigaction previous;
__attribute__((unused)) static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_err;

/* The SIGSEGV handler (SA_SIGINFO | SA_ONSTACK): runs on the alternate stack. */
__attribute__((unused)) static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	/* BEGIN STEP 4: Catch a stack overflow: the SIGSEGV handler, on the alternate stack.
	 * A fault inside this thread's guard page while a probe is armed: disarm and siglongjmp
	 * back to stack_guard_jump.  Anything else is not ours to swallow: call the previous
	 * handler, or restore SIG_DFL and return (the faulting instruction runs again and now kills
	 * the process).
	 * Checked by: stack_guard::overflow_is_caught_and_reported,
	 * stack_guard::concurrent_probes_each_catch_their_own,
	 * stack_guard::other_faults_still_crash
	 * stub: LAB_UNUSED(sig, si, ctx); LAB_TODO_ABORT(4);
	 */
	uintptr_t a = (uintptr_t)si->si_addr;

	if (stack_guard_armed && a >= guard_lo && a < guard_hi) {
		stack_guard_armed = 0;
		/* back into stack_guard_main, on the thread's own stack */
		siglongjmp(stack_guard_jump, 1);
	}
	/* Not an overflow of a probing thread: not ours to swallow. */
	if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction) {
		previous.sa_sigaction(sig, si, ctx);
	} else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
		/* Returning re-executes the faulting instruction, which now kills us. */
		signal(sig, SIG_DFL);
	} else {
		previous.sa_handler(sig);
	}
	/* END STEP 4 */
}

/* Install on_segv once for the process (pthread_once); a failure is left in install_err. */
__attribute__((unused)) static void install_handler(void)
{
	/* BEGIN STEP 4: Catch a stack overflow: install on_segv once for the process.
	 * sigaction(SIGSEGV) with SA_SIGINFO | SA_ONSTACK, saving the old disposition in
	 * `previous`.
	 * Checked by: stack_guard::overflow_is_caught_and_reported,
	 * stack_guard::other_faults_still_crash
	 * stub: install_err = LAB_TODO(4);
	 */
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous))
		install_err = -errno;
	/* END STEP 4 */
}

/* Recurse until max_depth (0: forever), recording each level in stack_guard_depth. */
__attribute__((unused, noinline)) static uint64_t recurse(uint64_t level, uint64_t max_depth)
{
	/* BEGIN STEP 4: Catch a stack overflow: the recursion that overflows the stack.
	 * Each level keeps STACK_GUARD_FRAME_PAD bytes of locals alive across the next call:
	 * volatile, so the compiler can neither drop them nor turn the recursion into a loop.
	 * Checked by: stack_guard::depth_grows_with_stack_size,
	 * stack_guard::limited_recursion_does_not_overflow
	 * stub: LAB_UNUSED(level, max_depth); LAB_TODO_ABORT(4);
	 */
	volatile char pad[STACK_GUARD_FRAME_PAD];
	pad[0] = (char)level;
	pad[STACK_GUARD_FRAME_PAD - 1] = (char)level;
	stack_guard_depth = level;
	if (max_depth && level >= max_depth)
		return level;
	return recurse(level + 1, max_depth) + (uint64_t)pad[0] +
	       (uint64_t)pad[STACK_GUARD_FRAME_PAD - 1];
	/* END STEP 4 */
}

struct probe {
	uint64_t max_depth;
	struct stack_guard_report rep;
};

/* The thread function of one probe (a struct probe), on the thread with the small stack:
 * 0 with pr->rep filled, or -errno. */
__attribute__((unused)) static int stack_guard_main(void *p)
{
	/* BEGIN STEP 4: Catch a stack overflow: one probe, on the thread with the small stack.
	 * Find this thread's stack and guard page (pthread_getattr_np), register an alternate
	 * signal stack, sigsetjmp, arm, recurse; on the way back (normally or through on_segv)
	 * report the depth, then unregister and free the alternate stack.
	 * Checked by: stack_guard::overflow_is_caught_and_reported,
	 * stack_guard::depth_grows_with_stack_size, stack_guard::many_concurrent_probes
	 * stub: LAB_UNUSED(p); return LAB_TODO(4);
	 */
	struct probe *pr = p;
	pthread_attr_t attr;
	void *lo;
	size_t size, guard;
	stack_t alt = { .ss_size = ALT_STACK_BYTES }, off = { .ss_flags = SS_DISABLE };

	/* Where is my stack?  [lo, lo + size) is usable; the guard page lies right below lo. */
	if (pthread_getattr_np(pthread_self(), &attr))
		return -EINVAL;
	pthread_attr_getstack(&attr, &lo, &size);
	pthread_attr_getguardsize(&attr, &guard);
	pthread_attr_destroy(&attr);
	if (!guard)
		guard = (size_t)sysconf(_SC_PAGESIZE);
	guard_lo = (uintptr_t)lo - guard;
	guard_hi = (uintptr_t)lo;
	pr->rep.stack_bytes = size;

	alt.ss_sp = malloc(ALT_STACK_BYTES);
	if (!alt.ss_sp)
		return -ENOMEM;
	if (sigaltstack(&alt, NULL)) {
		free(alt.ss_sp);
		return -errno;
	}
	stack_guard_depth = 0;
	if (sigsetjmp(stack_guard_jump, 1) == 0) { /* 1: the jump also restores the signal mask */
		stack_guard_armed = 1;
		recurse(1, pr->max_depth);
		stack_guard_armed = 0;
		pr->rep.overflowed = false;
	} else {
		pr->rep.overflowed = true; /* arrived here from on_segv */
	}
	pr->rep.depth = stack_guard_depth;
	sigaltstack(&off, NULL); /* before freeing the memory it points to */
	free(alt.ss_sp);
	return 0;
	/* END STEP 4 */
}

int stack_guard_probe(size_t stack_size, uint64_t max_depth, struct stack_guard_report *rep)
{
	/* BEGIN STEP 4: Run the recursion on a thread with a stack_size-byte stack; catch its
	 * overflow (SIGSEGV in that thread's guard page) on an alternate signal stack and
	 * siglongjmp back; report the depth reached.  Other faults must still crash.
	 * -EINVAL for rep NULL or stack_size < PTHREAD_STACK_MIN.  Checked by: stack_guard::*
	 * stub: LAB_UNUSED(stack_size, max_depth, rep); return LAB_TODO(4);
	 */
	struct probe pr = { .max_depth = max_depth };
	struct workers_task task = { .fn = stack_guard_main, .arg = &pr, .stack_size = stack_size };
	int err;

	if (!rep || stack_size < (size_t)PTHREAD_STACK_MIN)
		return -EINVAL;
	pthread_once(&install_once, install_handler);
	if (install_err)
		return install_err;
	err = workers_run(&task, 1);
	if (err)
		return err;
	if (task.result)
		return task.result;
	*rep = pr.rep;
	return 0;
	/* END STEP 4 */
}
