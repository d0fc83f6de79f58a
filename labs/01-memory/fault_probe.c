/*
 * fault_probe.c - step 2: ask the hardware whether an address may be read or written.
 *
 * There is no system call that answers "may I read this byte?" as truthfully as trying it.
 * The probe performs the access with the step-1 instructions inside fault_catch() and reads
 * the verdict from what the kernel said:
 *   SIGSEGV + SEGV_MAPERR  no mapping covers the address: the page-table walk found nothing
 *                          and neither did the kernel's list of mappings (VMAs);
 *   SIGSEGV + SEGV_ACCERR  a mapping exists, but without the permission (PROT_NONE, a write
 *                          to a read-only page);
 *   SIGSEGV + SI_KERNEL    x86-64 only: a non-canonical address (bits 63..47 not all equal)
 *                          raises a general-protection fault, not a page fault, so the kernel
 *                          has no faulting address to report (si_addr is 0);
 *   SIGBUS                 the mapping exists but has no page to give (file too short).
 */
#include "memory.h"

#include <errno.h>
#include <signal.h>

#include "asl/todo.h"

struct fault_probe_arg {
	const uint64_t *p;
	enum fault_probe_access how;
};

/* The probe's access itself, run under fault_catch(): arg is a struct fault_probe_arg. */
__attribute__((unused)) static void probe_access(void *arg)
{
	/* TODO step 2: Probe an address: the 8-byte access itself, run under fault_catch.
	 * Read the word at the probe_arg's p with mem_load; a write probe then stores the same
	 * value back with mem_store, so probing a live variable changes nothing (unless another
	 * thread writes it in between).
	 * Checked by: fault_probe::own_variable_is_accessible, fault_probe::null_is_unmapped,
	 * fault_probe::readonly_page_write_is_protected, fault_probe::prot_none_is_protected
	 */
	LAB_UNUSED(arg); LAB_TODO_ABORT(2);
}

int fault_probe(const void *addr, enum fault_probe_access how, struct fault_info *fault)
{
	/* TODO step 2: Classify an 8-byte access at addr: FAULT_PROBE_OK, FAULT_PROBE_UNMAPPED
	 * (MAPERR, or SI_KERNEL for x86's non-canonical addresses), FAULT_PROBE_PROTECTED (ACCERR),
	 * FAULT_PROBE_NO_BACKING (SIGBUS).  Use mem_load/mem_store inside fault_catch; fill *fault
	 * when not NULL.
	 * Checked by: fault_probe::*, demos::wild_pointer_dies_of_sigsegv
	 */
	LAB_UNUSED(addr, how, fault); return LAB_TODO(2);
}

const char *fault_probe_result_name(int result)
{
	switch (result) {
	case FAULT_PROBE_OK: return "accessible";
	case FAULT_PROBE_UNMAPPED: return "unmapped";
	case FAULT_PROBE_PROTECTED: return "protected";
	case FAULT_PROBE_NO_BACKING: return "no backing (SIGBUS)";
	default: return result < 0 ? "error" : "?";
	}
}

const char *fault_probe_code_name(int signo, int code)
{
	if (code == SI_KERNEL)
		return "SI_KERNEL";
	if (code == SI_USER)
		return "SI_USER";
	switch (signo) {
	case SIGSEGV:
		return code == SEGV_MAPERR   ? "SEGV_MAPERR"
		       : code == SEGV_ACCERR ? "SEGV_ACCERR"
					     : "?";
	case SIGBUS:
		return code == BUS_ADRERR   ? "BUS_ADRERR"
		       : code == BUS_ADRALN ? "BUS_ADRALN"
		       : code == BUS_OBJERR ? "BUS_OBJERR"
					    : "?";
	case SIGILL:
		return code == ILL_ILLOPC   ? "ILL_ILLOPC"
		       : code == ILL_PRVOPC ? "ILL_PRVOPC"
		       : code == ILL_ILLOPN ? "ILL_ILLOPN"
					    : "?";
	case SIGFPE:
		return code == FPE_INTDIV ? "FPE_INTDIV" : code == FPE_INTOVF ? "FPE_INTOVF" : "?";
	default: return "?";
	}
}
