/* Step 4: the CPU refuses privileged instructions and division by zero; the kernel says so
 * with a signal, which the process survives through fault_catch(). */
#include "asl_test.h"
#include "memory.h"

#include <signal.h>

ASL_SUITE(cpu_trap, 10);

static void expect_signal(const char *what, const struct fault_info *f, int signo, int code)
{
	cr_assert(f->signo == signo && f->code == code,
		  "%s: expected %s with si_code %s, got "
		  "signal %d (%s) with si_code %s (%d)" ASL_HINT(4),
		  what, strsignal(signo), fault_probe_code_name(signo, code), f->signo,
		  f->signo ? strsignal(f->signo) : "none", fault_probe_code_name(f->signo, f->code),
		  f->code);
}

Test(cpu_trap, privileged_instruction_signals)
{
	struct fault_info f = { 0 };
	int rc = cpu_trap_privileged(&f);
	cr_assert_eq(rc, 0, "cpu_trap_privileged: expected 0, got %s" ASL_HINT(4), asl_test_rc(rc));
#if defined(__x86_64__)
	/* #GP has no faulting address: the kernel says SI_KERNEL and si_addr 0 */
	expect_signal("hlt in ring 3", &f, SIGSEGV, SI_KERNEL);
#elif defined(__aarch64__)
	expect_signal("mrs sctlr_el1 at EL0", &f, SIGILL, ILL_ILLOPC);
#endif
}

Test(cpu_trap, divide_by_zero_is_sigfpe_intdiv)
{
	struct fault_info f = { 0 };
	int rc = cpu_trap_divide_by_zero(&f);
#if defined(__aarch64__)
	if (rc == -ENOTSUP)
		cr_skip_test("aarch64: sdiv by zero does not trap (the result is 0)");
#endif
	cr_assert_eq(rc, 0, "cpu_trap_divide_by_zero: expected 0, got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	expect_signal("idiv by zero", &f, SIGFPE, FPE_INTDIV);
	cr_assert_not_null(f.addr, "SIGFPE: si_addr should be the address of the idiv "
				   "instruction, got NULL" ASL_HINT(4));
}

Test(cpu_trap, survives_and_restores_handlers)
{
	struct sigaction before[3], after;
	static const int sigs[3] = { SIGSEGV, SIGILL, SIGFPE };
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], NULL, &before[i]);
	for (int i = 0; i < 100; i++) {
		struct fault_info f = { 0 };
		int rc = cpu_trap_privileged(&f);
		cr_assert_eq(rc, 0, "cpu_trap_privileged, round %d: expected 0, got %s" ASL_HINT(4),
			     i, asl_test_rc(rc));
		rc = cpu_trap_divide_by_zero(&f);
		cr_assert(rc == 0 || rc == -ENOTSUP,
			  "cpu_trap_divide_by_zero, round %d: got %s" ASL_HINT(4), i,
			  asl_test_rc(rc));
	}
	for (int i = 0; i < 3; i++) {
		sigaction(sigs[i], NULL, &after);
		cr_assert(after.sa_handler == before[i].sa_handler,
			  "the %s disposition was not "
			  "restored after the traps" ASL_HINT(4),
			  strsignal(sigs[i]));
	}
}
