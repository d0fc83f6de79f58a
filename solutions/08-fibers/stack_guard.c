/*
 * stack_guard.c - step 5: a fiber that overflows its stack is reported by name, not left to
 * corrupt memory silently.
 *
 * The guard page below each stack turns an overflow into a SIGSEGV.  Reporting it needs:
 *   1. a SIGSEGV handler - a process-wide disposition, so this file keeps the handler it
 *      replaced (global state, because signal dispositions are global) and passes on every
 *      fault that is not an overflow;
 *   2. a stack for the handler to run on: the fiber's stack is exactly what is full, so the
 *      scheduler's thread gets an alternate signal stack (sigaltstack) for the run and the
 *      handler is installed with SA_ONSTACK;
 *   3. a way to tell an overflow from any other bad access: the faulting address lies in the
 *      guard page of the fiber that is running (sched_current->current).
 * Then the handler writes "fiber N overflowed its 16 KiB stack" with write(2) - printf is not
 * async-signal-safe - restores the default action and returns: the instruction faults again
 * and the process dies of SIGSEGV.  It does not try to rescue the fiber: the overflowing call
 * stopped half-way through, holding who knows which locks or half-updated structures, and the
 * only honest end for it is the end of the process (Go does the same: "goroutine stack
 * exceeds limit" is fatal).
 *
 * A frame larger than the guard page can jump over it into the next mapping down; compilers
 * defend against that with -fstack-clash-protection, which probes every page of a big frame.
 */
#include "fiber_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "asl/todo.h"

#define ALT_STACK_BYTES (64 * 1024)

static struct sigaction previous;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_err;

static void pass_on(int sig, siginfo_t *si, void *ctx)
{
	if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction) {
		previous.sa_sigaction(sig, si, ctx);
	} else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
		signal(sig, SIG_DFL); /* returning re-executes the fault, which now kills us */
	} else {
		previous.sa_handler(sig);
	}
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	/* BEGIN STEP 5: If the fault address lies in the guard page of the running fiber,
	 * write "fiber N overflowed its K KiB stack\n" to stderr (async-signal-safe calls only)
	 * and restore the default action so that returning kills the process with SIGSEGV.
	 * Any other fault goes to pass_on (the previous handler, or the default action).
	 * Checked by: overflow::*
	 * stub: pass_on(sig, si, ctx);
	 */
	struct fiber_sched *s = sched_current;
	struct fiber *f = s ? s->current : NULL;
	uintptr_t a = (uintptr_t)si->si_addr;
	if (f && f->stack.map && a >= (uintptr_t)f->stack.map && a < (uintptr_t)f->stack.lo) {
		/* "fiber N overflowed its K KiB stack\n", the numbers formatted by hand */
		static const char *const part[] = { "fiber ", " overflowed its ", " KiB stack\n" };
		uint64_t num[] = { f->id, ((uintptr_t)f->stack.hi - (uintptr_t)f->stack.lo) >> 10 };
		char msg[128], *p = msg;
		for (int k = 0; k < 3; k++) {
			size_t len = strlen(part[k]);
			memcpy(p, part[k], len);
			p += len;
			if (k == 2)
				break;
			char digits[24];
			int n = 0;
			do
				digits[n++] = (char)('0' + num[k] % 10);
			while (num[k] /= 10);
			while (n)
				*p++ = digits[--n];
		}
		ssize_t w = write(STDERR_FILENO, msg, (size_t)(p - msg));
		(void)w;
		signal(sig, SIG_DFL);
		return;
	}
	pass_on(sig, si, ctx);
	/* END STEP 5 */
}

/* Called once per process (pthread_once): install on_segv, keeping the previous handler. */
static void install_handler(void)
{
	/* SA_SIGINFO: the handler needs the fault address; SA_ONSTACK: it runs on the
	 * alternate stack, since the fiber's own stack is the one that is full. */
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous))
		install_err = -errno;
}

int stack_guard_enter(struct stack_guard_alt *alt)
{
	alt->mem = NULL;
	alt->had_old = false;
	pthread_once(&install_once, install_handler);
	if (install_err)
		return install_err;
	/* BEGIN STEP 5: Give this thread an alternate signal stack of ALT_STACK_BYTES for the
	 * run (unless it has one of that size already), keeping the one it had in alt->old for
	 * stack_guard_leave.  0 or -errno.
	 * Checked by: overflow::*
	 * stub: (void)LAB_TODO(5); return 0;
	 */
	_Static_assert(sizeof(stack_t) <= sizeof alt->old, "stack_guard_alt.old too small");
	stack_t old, ss;
	if (sigaltstack(NULL, &old))
		return -errno;
	if (!(old.ss_flags & SS_DISABLE) && old.ss_size >= ALT_STACK_BYTES)
		return 0; /* this thread already has a usable one: keep it */
	void *m = mmap(NULL, ALT_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (m == MAP_FAILED)
		return -ENOMEM;
	ss = (stack_t){ .ss_sp = m, .ss_size = ALT_STACK_BYTES, .ss_flags = 0 };
	if (sigaltstack(&ss, NULL)) {
		int err = -errno;
		munmap(m, ALT_STACK_BYTES);
		return err;
	}
	alt->mem = m;
	alt->len = ALT_STACK_BYTES;
	alt->had_old = true;
	memcpy(alt->old, &old, sizeof old);
	return 0;
	/* END STEP 5 */
}

void stack_guard_leave(struct stack_guard_alt *alt)
{
	if (!alt->mem)
		return;
	stack_t old;
	memcpy(&old, alt->old, sizeof old);
	if (old.ss_flags & SS_DISABLE)
		old = (stack_t){ .ss_flags = SS_DISABLE };
	sigaltstack(&old, NULL);
	munmap(alt->mem, alt->len);
	alt->mem = NULL;
}
