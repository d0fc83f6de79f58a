/*
 * load_store.c - step 1: a load and a store the compiler cannot hide.
 *
 * In C, `*p` may be kept in a register, merged with other accesses or removed entirely.  In
 * inline assembly the CPU executes exactly the instruction we wrote: one memory access through
 * the address held in a register.  That instruction is where a wild pointer turns into a page
 * fault (step 2).
 *
 * One graded test compiles this file into itself, so the compiler can inline your asm and show
 * whether the "memory" clobber really orders it against C accesses: keep any helper function
 * you add here `static`, or the test runner fails to link (the name would be defined twice).
 */
#include "memory.h"

#include "asl/todo.h"

uint64_t mem_load(const uint64_t *p)
{
	/* TODO step 1: Read the 64-bit word at p with one load instruction in inline asm
	 * (x86-64 `mov`, aarch64 `ldr`); the "memory" clobber stops the compiler from
	 * caching *p across the statement.  Checked by: load_store::*
	 */
	LAB_UNUSED(p); return (uint64_t)LAB_TODO(1);
}

void mem_store(uint64_t *p, uint64_t v)
{
	/* TODO step 1: Write v to the 64-bit word at p with one store instruction.
	 * x86-64 `mov`, aarch64 `str`, with the "memory" clobber.
	 * Checked by: load_store::c_reads_what_asm_wrote, load_store::round_trip_on_heap,
	 * load_store::memory_clobber_orders_c_accesses
	 */
	LAB_UNUSED(p, v); LAB_TODO(1);
}
