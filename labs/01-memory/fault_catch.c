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

/* TODO step 2: Catch a fault and survive it - the handler and the state it needs.
 * The handler must record signo, si_code and si_addr, then siglongjmp back to fault_catch.
 * A fault that is not ours (not armed in this thread) goes to the previous handler.
 */

int fault_catch(void (*fn)(void *arg), void *arg, struct fault_info *out)
{
	/* TODO step 2: Run fn(arg); if it faults, jump back and describe the fault in *out.
	 * Install a SA_SIGINFO handler for SIGSEGV, SIGBUS, SIGILL and SIGFPE (saving the old
	 * ones), remember where to come back with sigsetjmp, and restore every old handler
	 * before returning.  0 = no fault, 1 = fault caught, -errno on failure, -EBUSY when a
	 * catch is already running.  Checked by: fault_probe::*, and step 4 builds on it.
	 */
	(void)fn; (void)arg; (void)out; return LAB_TODO(2);
}
