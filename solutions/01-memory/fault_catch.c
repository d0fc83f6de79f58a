/*
 * fault_catch.c - step 2: survive a fault by catching the signal and jumping back.
 *
 * When an instruction faults, the CPU raises an exception, the kernel's handler decides the
 * process is at fault and turns the exception into a signal: SIGSEGV for a bad memory
 * access, SIGBUS for a mapping with nothing behind it, SIGILL for a forbidden instruction,
 * SIGFPE for a division by zero.  The default action kills the process.  A handler installed
 * with SA_SIGINFO receives a siginfo_t saying what the kernel saw (si_code, si_addr).
 *
 * Returning from the handler would re-execute the faulting instruction and fault again,
 * forever.  So the handler leaves with siglongjmp() to a point saved before the risky call;
 * the faulting instruction is abandoned.
 *
 * Global state, by necessity: a signal disposition belongs to the whole process, and the
 * handler receives no user argument, so what it needs (where to jump, the previous
 * handlers) must live in static storage.  Consequences, documented in memory.h:
 *   - one catch at a time in the whole process (a second caller gets -EBUSY);
 *   - the jump target and the "armed" flag are per thread (_Thread_local), so a fault in
 *     *another* thread during our catch is not mistaken for ours: it is handed on to the
 *     handler that was installed before us.
 */
#include "memory.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "asl/todo.h"

static const int fault_catch_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
enum { CATCH_NSIG = sizeof fault_catch_signals / sizeof fault_catch_signals[0] };

/* The state of the catch ("unused": the skeleton's stubs do not touch it yet). */
/* one catch at a time */
__attribute__((unused)) static atomic_flag fault_catch_busy = ATOMIC_FLAG_INIT;
/* the dispositions to restore at the end */
__attribute__((unused)) static struct sigaction fault_catch_prev[CATCH_NSIG];
/* where the handler jumps back to */
__attribute__((unused)) static _Thread_local sigjmp_buf fault_catch_env;
static _Thread_local volatile sig_atomic_t fault_catch_armed; /* this thread is inside fn() */
__attribute__((unused)) static _Thread_local struct fault_info fault_catch_fault; /* what it saw */

/* A fault we did not ask for (signo, as the kernel described it in *si): hand it to the
 * disposition that was in force before us.  Runs in the signal handler. */
__attribute__((unused)) static void fault_catch_pass_on(int signo, const siginfo_t *si)
{
	/* BEGIN STEP 2: Catch a fault: one that is not ours goes back to the previous handler.
	 * Put back the previous disposition of signo (fault_catch_prev) and let the fault happen
	 * again under it: returning re-executes the faulting instruction.  A signal sent by
	 * kill()/raise() (si_code <= 0) is not re-executed, so send it again.
	 * Checked by: fault_probe::other_threads_fault_is_not_ours
	 * stub: LAB_UNUSED(signo, si); LAB_TODO_ABORT(2);
	 */
	for (int i = 0; i < CATCH_NSIG; i++)
		if (fault_catch_signals[i] == signo)
			sigaction(signo, &fault_catch_prev[i], NULL);
	if (si->si_code <= 0)
		raise(signo);
	/* END STEP 2 */
}

/* The SA_SIGINFO handler of every caught signal: records the fault of the armed thread and
 * jumps back into fault_catch_run; any other fault goes to fault_catch_pass_on. */
__attribute__((unused)) static void fault_catch_handler(int signo, siginfo_t *si, void *uctx)
{
	/* BEGIN STEP 2: Catch a fault: the handler records what the kernel saw and jumps back.
	 * Not armed in this thread: not ours, pass it on.  Otherwise disarm, record signo, si_code
	 * and si_addr in fault_catch_fault and siglongjmp back to fault_catch_env.
	 * Checked by: fault_probe::fault_catch_contract,
	 * fault_probe::si_addr_is_the_probed_address, fault_probe::survives_repeated_faults,
	 * fault_probe::other_threads_fault_is_not_ours
	 * stub: LAB_UNUSED(signo, si, uctx); LAB_TODO_ABORT(2);
	 */
	(void)uctx;
	if (!fault_catch_armed) {
		fault_catch_pass_on(signo, si);
		return;
	}
	fault_catch_armed = 0;
	fault_catch_fault.signo = signo;
	fault_catch_fault.code = si->si_code;
	fault_catch_fault.addr = si->si_addr;
	/* Leave the handler for good.  siglongjmp (not longjmp) restores the signal mask saved
	 * by sigsetjmp(..., 1): the kernel blocked `signo` while the handler runs, and without
	 * the restore the next fault would find it blocked and kill the process. */
	siglongjmp(fault_catch_env, 1);
	/* END STEP 2 */
}

/* Run fn(arg) armed: 0 if it returned, 1 if the handler jumped back from a fault.  Kept apart
 * from fault_catch so that no local variable of the caller lives across the
 * sigsetjmp/siglongjmp pair (their values would be indeterminate after the jump). */
__attribute__((unused)) static int fault_catch_run(void (*fn)(void *), void *arg)
{
	/* BEGIN STEP 2: Catch a fault: save the way back with sigsetjmp, then run fn armed.
	 * Save the return point with sigsetjmp(fault_catch_env, 1) (1: also the signal mask), arm,
	 * call fn, disarm.
	 * Checked by: fault_probe::fault_catch_contract, fault_probe::survives_repeated_faults
	 * stub: LAB_UNUSED(fn, arg); return LAB_TODO(2);
	 */
	if (sigsetjmp(fault_catch_env, 1) != 0)
		return 1; /* arrived here from fault_catch_handler */
	fault_catch_armed = 1;
	fn(arg);
	fault_catch_armed = 0;
	return 0;
	/* END STEP 2 */
}

int fault_catch(void (*fn)(void *arg), void *arg, struct fault_info *out)
{
	/* BEGIN STEP 2: Run fn(arg); if it faults, jump back and describe the fault in *out.
	 * Install a SA_SIGINFO handler for SIGSEGV, SIGBUS, SIGILL and SIGFPE (saving the old
	 * ones), remember where to come back with sigsetjmp, and restore every old handler
	 * before returning.  0 = no fault, 1 = fault caught, -errno on failure, -EBUSY when a
	 * catch is already running.  Checked by: fault_probe::*, and step 4 builds on it.
	 * stub: LAB_UNUSED(fn, arg, out); return LAB_TODO(2);
	 */
	struct sigaction sa;
	int installed = 0, rc;

	if (!fn || !out)
		return -EINVAL;
	if (atomic_flag_test_and_set(&fault_catch_busy))
		return -EBUSY;
	memset(out, 0, sizeof *out);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fault_catch_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (; installed < CATCH_NSIG; installed++) {
		if (sigaction(fault_catch_signals[installed], &sa, &fault_catch_prev[installed])) {
			rc = -errno;
			goto restore;
		}
	}
	rc = fault_catch_run(fn, arg);
	if (rc == 1)
		*out = fault_catch_fault;
restore:
	while (installed-- > 0)
		sigaction(fault_catch_signals[installed], &fault_catch_prev[installed], NULL);
	atomic_flag_clear(&fault_catch_busy);
	return rc;
	/* END STEP 2 */
}
