/* Step 5: a fiber that overflows its stack is reported by number (stack_guard.c).  The fault
 * kills the process, so each case runs in a child process and the test reads its stderr. */
#include "fiber_test.h"

#include <signal.h>
#include <sys/wait.h>

ASL_SUITE(overflow, 30);

/* Each frame keeps 256 bytes alive across the next call: volatile, so the compiler can
 * neither drop them nor turn the recursion into a loop. */
static volatile uint64_t limit = UINT64_MAX; /* never reached; the compiler cannot know */

__attribute__((noinline)) static uint64_t recurse(uint64_t n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	if (n == limit)
		return 0;
	uint64_t r = recurse(n + 1) + pad[0];
	pad[1] = (char)r;
	return r + pad[1];
}

static void *overflower(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)recurse(0);
}

static void *null_writer(void *arg)
{
	(void)arg;
	volatile int *volatile p = NULL;
	*p = 42;
	return NULL;
}

/* Did this thread have on_segv installed (SA_ONSTACK) and an alternate stack, inside a fiber? */
static void *check_installed(void *arg)
{
	struct sigaction sa;
	stack_t ss;
	int *ok = arg;
	*ok = sigaction(SIGSEGV, NULL, &sa) == 0 && (sa.sa_flags & SA_ONSTACK) &&
	      (sa.sa_flags & SA_SIGINFO) && sigaltstack(NULL, &ss) == 0 &&
	      !(ss.ss_flags & SS_DISABLE) && ss.ss_size >= 16384;
	return NULL;
}

struct outcome {
	int status;
	char err[4096];
};

/* Run `bad` as fiber 2 (after the checking fiber 1) with 16 KiB stacks in a child process; the
 * child exits 3 if the overflow handler was not installed when fiber 1 ran. */
static struct outcome run_child(fiber_fn bad)
{
	struct outcome o = { 0 };
	int p[2];
	cr_assert(pipe(p) == 0, "pipe failed");
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		fiber_sched_t *s;
		int ok = 0;
		if (fiber_sched_create(&s, 16 << 10) ||
		    fiber_spawn(s, NULL, check_installed, &ok) || fiber_spawn(s, NULL, bad, NULL))
			_exit(4);
		int rc = fiber_sched_run(s);
		_exit(!ok ? 3 : rc ? 5 : 0);
	}
	close(p[1]);
	size_t n = 0;
	ssize_t r;
	while (n < sizeof o.err - 1 && (r = read(p[0], o.err + n, sizeof o.err - 1 - n)) > 0)
		n += (size_t)r;
	o.err[n] = 0;
	close(p[0]);
	waitpid(pid, &o.status, 0);
	return o;
}

static void describe(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with status %d%s", WEXITSTATUS(status),
			 WEXITSTATUS(status) == 3 ? " (no SA_ONSTACK SIGSEGV handler and "
						    "alternate signal stack while fibers ran)"
						  : "");
}

Test(overflow, reported_with_the_fiber_number_then_the_process_dies)
{
	struct outcome o = run_child(overflower);
	char how[160];
	describe(o.status, how, sizeof how);
	cr_assert(strstr(o.err, "fiber 2 overflowed its 16 KiB stack"),
		  "fiber 2 recursed "
		  "without end on a 16 KiB stack: expected \"fiber 2 overflowed its 16 KiB "
		  "stack\" on stderr; the process %s and wrote: \"%.300s\"" ASL_HINT(5),
		  how, o.err);
	cr_assert(!(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0),
		  "after an overflow the "
		  "process must not carry on as if nothing happened" ASL_HINT(5));
}

Test(overflow, other_faults_are_not_called_overflows)
{
	struct outcome o = run_child(null_writer);
	char how[160];
	describe(o.status, how, sizeof how);
	/* died of the fault: SIGSEGV, or in `make asan` the sanitizers' report and status 1 */
	bool died = (WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGSEGV) ||
		    (WIFEXITED(o.status) && WEXITSTATUS(o.status) == 1 &&
		     (strstr(o.err, "AddressSanitizer") || strstr(o.err, "runtime error")));
	cr_assert(died,
		  "a fiber wrote through a NULL pointer, with the overflow handler "
		  "installed: expected the process to die of SIGSEGV (the handler passes faults "
		  "that are not overflows on); it %s" ASL_HINT(5),
		  how);
	cr_assert_null(strstr(o.err, "overflowed"),
		       "a NULL pointer write is not a stack "
		       "overflow, but stderr says: \"%.300s\"" ASL_HINT(5),
		       o.err);
}

Test(overflow, alternate_stack_only_while_running)
{
	int ok = 0;
	stack_t before, ss;
	sigaltstack(NULL, &before);
	ft_run(check_installed, &ok, 0, ASL_HINT(5));
	cr_assert(ok, "inside a fiber, SIGSEGV must be handled with SA_SIGINFO | SA_ONSTACK "
		      "and the thread must have an alternate "
		      "signal stack of at least 16 KiB" ASL_HINT(5));
	sigaltstack(NULL, &ss);
	cr_assert(ss.ss_sp == before.ss_sp && ss.ss_flags == before.ss_flags,
		  "after "
		  "fiber_sched_run the thread's previous alternate stack (%p, flags %d) must be "
		  "back; found %p, flags %d" ASL_HINT(5),
		  before.ss_sp, before.ss_flags, ss.ss_sp, ss.ss_flags);
}
