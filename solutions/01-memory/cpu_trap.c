/*
 * cpu_trap.c - step 4: instructions the CPU refuses to run for us.
 *
 * Not every fault is about memory.  The CPU checks each instruction against the current
 * privilege level (x86 ring 3 = user, ring 0 = kernel; aarch64 EL0 = user, EL1 = kernel) and
 * some results against the rules of arithmetic.  A violation is a synchronous *exception*:
 * the CPU stops the program at that instruction and enters the kernel, which picks a signal:
 *   x86-64 `hlt` in ring 3        -> #GP (general protection)  -> SIGSEGV, si_code SI_KERNEL
 *   aarch64 `mrs` of an EL1 register at EL0 -> "undefined instruction" -> SIGILL, ILL_ILLOPC
 *   x86-64 `idiv` by zero         -> #DE (divide error)        -> SIGFPE, FPE_INTDIV
 * aarch64's `sdiv` by zero raises nothing: the architecture defines the result as 0.
 *
 * The instructions are written in inline asm because C cannot express them, and because
 * `x / 0` in C is undefined behaviour: the compiler may assume it never happens (and UBSan
 * reports it), so it proves nothing about the CPU.
 */
#include "memory.h"

#include <errno.h>

#include "asl/todo.h"

/* Execute one instruction that only the kernel may run; never returns normally in user mode.
 * arg: a uint64_t that would receive the register read on aarch64.  Run under fault_catch(). */
__attribute__((unused)) static void cpu_trap_exec_privileged(void *arg)
{
	/* BEGIN STEP 4: Make the CPU refuse: run one kernel-only instruction in user mode.
	 * Make the CPU refuse: one kernel-only instruction in inline asm (x86-64 `hlt`; aarch64
	 * `mrs` of an EL1 system register such as sctlr_el1).
	 * Checked by: cpu_trap::privileged_instruction_signals,
	 * cpu_trap::survives_and_restores_handlers
	 * stub: LAB_UNUSED(arg); LAB_TODO_ABORT(4);
	 */
	(void)arg;
#if defined(__x86_64__)
	/* Halt the CPU until the next interrupt: only ring 0 may stop a core. */
	__asm__ volatile("hlt" ::: "memory");
#elif defined(__aarch64__)
	/* Read the EL1 system control register (MMU on/off, caches...): kernel-only. */
	uint64_t v;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(v) : : "memory");
	*(uint64_t *)arg = v;
#endif
	/* END STEP 4 */
}

#if defined(__x86_64__)
/* Divide with the CPU's own integer divide.  arg: int64_t[2] = { dividend, divisor }, on
 * return { quotient, remainder }.  A zero divisor traps (#DE).  Run under fault_catch(). */
__attribute__((unused)) static void cpu_trap_exec_idiv(void *arg)
{
	/* BEGIN STEP 4: Make the CPU refuse: divide with the CPU's own integer divide.
	 * One `idivq` in inline asm: it divides rdx:rax (sign-extend rax into rdx with `cqto`
	 * first) and leaves the quotient in rax, the remainder in rdx.
	 * Checked by: cpu_trap::divide_by_zero_is_sigfpe_intdiv,
	 * cpu_trap::survives_and_restores_handlers
	 * stub: LAB_UNUSED(arg); LAB_TODO_ABORT(4);
	 */
	int64_t *v = arg, quot = v[0], rem;
	/* idiv divides rdx:rax by the operand: cqto sign-extends rax into rdx first.  The
	 * early clobber (&) keeps the divisor out of rdx, which cqto overwrites. */
	__asm__ volatile("cqto\n\tidivq %2" : "+a"(quot), "=&d"(rem) : "r"(v[1]) : "cc");
	v[0] = quot;
	v[1] = rem;
	/* END STEP 4 */
}
#endif

int cpu_trap_privileged(struct fault_info *out)
{
	/* BEGIN STEP 4: Run a kernel-only instruction in user mode under fault_catch and report
	 * the signal (x86-64 `hlt`: SIGSEGV/SI_KERNEL; aarch64 `mrs` of an EL1 register:
	 * SIGILL).  0 with *out filled; -EPROTO if nothing faulted.
	 * Checked by: cpu_trap::privileged_instruction_signals
	 * stub: LAB_UNUSED(out); return LAB_TODO(4);
	 */
	uint64_t sink = 0;
	int rc = fault_catch(cpu_trap_exec_privileged, &sink, out);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : -EPROTO;
	/* END STEP 4 */
}

int cpu_trap_divide_by_zero(struct fault_info *out)
{
	/* BEGIN STEP 4: Divide by zero with the CPU's integer divide in asm (x86-64 `idiv`)
	 * under fault_catch: expect SIGFPE/FPE_INTDIV.  aarch64 does not trap: -ENOTSUP.
	 * Checked by: cpu_trap::divide_by_zero_is_sigfpe_intdiv
	 * stub: LAB_UNUSED(out); return LAB_TODO(4);
	 */
#if defined(__x86_64__)
	int64_t v[2] = { 42, 0 };
	int rc = fault_catch(cpu_trap_exec_idiv, v, out);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : -EPROTO;
#else
	(void)out;
	return -ENOTSUP;
#endif
	/* END STEP 4 */
}
