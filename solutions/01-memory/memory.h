/*
 * memory.h - lab 01: what a pointer really is.
 *
 * The public API of the lab.  Every function returns 0 or a positive result on success and a
 * negative errno value on failure; none prints.  See workbook.md, chapter 01.
 */
#ifndef LAB01_MEMORY_H
#define LAB01_MEMORY_H

#include <stdint.h>

/* Step 1.  Load the 64-bit word at `p` with a single load instruction written in inline
 * assembly (x86-64 `mov`, aarch64 `ldr`), bypassing anything the compiler might do.
 * Undefined for an invalid `p`: the CPU faults and the kernel sends SIGSEGV. */
uint64_t mem_load(const uint64_t *p);

/* Step 1.  Store `v` at `p` with a single store instruction in inline assembly. */
void mem_store(uint64_t *p, uint64_t v);

#endif
