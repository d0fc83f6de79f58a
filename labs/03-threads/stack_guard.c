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

/* TODO step 4: The handler's view of "its" thread (thread-local, read in the handler), the
 * handler, and its one-time installation.  Checked by: stack_guard::*
 */

int stk_probe(size_t stack_size, uint64_t max_depth, struct stk_report *rep)
{
	/* TODO step 4: Run the recursion on a thread with a stack_size-byte stack; catch its
	 * overflow (SIGSEGV in that thread's guard page) on an alternate signal stack and
	 * siglongjmp back; report the depth reached.  Other faults must still crash.
	 * -EINVAL for rep NULL or stack_size < PTHREAD_STACK_MIN.  Checked by: stack_guard::*
	 */
	(void)stack_size; (void)max_depth; (void)rep; return LAB_TODO(4);
}
