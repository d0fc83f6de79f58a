/*
 * demo_wild_pointer.c - the notes' crash: a pointer set to a made-up number, dereferenced.
 *
 * First the fault probe (step 2) tries the address with a handler installed and prints what
 * the kernel reported; then the demo dereferences it for real with mem_load (step 1) and no
 * handler, and the kernel kills the process with exactly that signal.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/util.h"
#include "memory.h"

#define USAGE                                                                                     \
	"demo_wild_pointer [ADDRESS]\n"                                                           \
	"  dereference ADDRESS (decimal or 0x hex; default 1111111111111111, the notes' value)\n" \
	"  and die of the signal the kernel sends"

/* x86-64 (4-level paging) and aarch64 (48-bit VA) user addresses fit in 47 bits; on x86-64 an
 * address whose bits 63..47 are not all equal is "non-canonical" and never reaches the page
 * tables. */
static const char *kind_of_address(uint64_t a)
{
	uint64_t top = a >> 47;
	if (top == 0)
		return "a user-space address";
	if (top == 0x1ffff)
		return "a kernel-space address";
	return "a non-canonical address (bits 63..47 differ)";
}

int main(int argc, char **argv)
{
	uint64_t addr = 1111111111111111ull;
	struct fault_info f;
	int rc;

	asl_no_options(argc, argv, USAGE);
	if (argc > 2)
		asl_usage_error(USAGE, "too many arguments");
	if (argc == 2) {
		char *end;
		errno = 0;
		addr = strtoull(argv[1], &end, 0);
		if (errno || !*argv[1] || *end)
			asl_usage_error(USAGE, "'%s' is not an address", argv[1]);
	}

	printf("A pointer is only a number.  This one is %" PRIu64 " = %#" PRIx64 ",\n%s.\n", addr,
	       addr, kind_of_address(addr));
	rc = fault_probe((const void *)(uintptr_t)addr, FAULT_PROBE_READ, &f);
	if (rc < 0) {
		printf("The fault probe failed: %s.  Finish step 2 first.\n", strerror(-rc));
		return 1;
	}
	if (rc == FAULT_PROBE_OK) {
		printf("The probe could read it: this address is valid, nothing to crash on.\n");
		return 0;
	}
	printf("Probe (with a handler installed): %s.\nThe kernel will say: SIG%s, si_code %s, "
	       "si_addr %p\n",
	       fault_probe_result_name(rc), sigabbrev_np(f.signo),
	       fault_probe_code_name(f.signo, f.code), f.addr);
	if (f.signo == SIGSEGV && f.code == SI_KERNEL)
		printf("  (a general-protection fault, not a page fault: no page-table walk "
		       "happened,\n   so the kernel has no faulting address to report)\n");
	else
		printf("  (the page-table walk for %p found %s)\n", f.addr,
		       rc == FAULT_PROBE_UNMAPPED ? "no mapping"
						  : "a mapping without the permission");

	printf("\nNow the real thing: mem_load(%p) with no handler installed...\n",
	       (void *)(uintptr_t)addr);
	fflush(stdout); /* the process is about to die: nothing buffered may be lost */
	uint64_t v = mem_load((const uint64_t *)(uintptr_t)addr);
	printf("...and it returned %#" PRIx64 "?  The CPU should have faulted.\n", v);
	return 1;
}
