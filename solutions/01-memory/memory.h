/*
 * memory.h - lab 01: what a pointer really is.
 *
 * The public API of the lab.  Every function returns 0 or a positive result on success and a
 * negative errno value on failure; none prints.  See workbook.md, chapter 01.
 *
 * Threads: steps 2 and 4 catch signals, and a signal disposition belongs to the whole process,
 * so at most one thread at a time may be inside fault_catch()/fault_probe()/trap_*() (see
 * fault_probe.c).  Steps 1 and 3 may be called from any thread.
 */
#ifndef LAB01_MEMORY_H
#define LAB01_MEMORY_H

#include <stddef.h>
#include <stdint.h>

/* ---- Step 1: a load and a store through a pointer ------------------------------------ */

/* Load the 64-bit word at `p` with a single load instruction written in inline assembly
 * (x86-64 `mov`, aarch64 `ldr`), bypassing anything the compiler might do.
 * For an invalid `p` the CPU faults and the kernel sends SIGSEGV (or SIGBUS). */
uint64_t mem_load(const uint64_t *p);

/* Store `v` at `p` with a single store instruction in inline assembly. */
void mem_store(uint64_t *p, uint64_t v);

/* ---- Step 2: surviving a fault -------------------------------------------------------- */

/* What the kernel told us about a synchronous fault: the siginfo_t fields that matter. */
struct fault_info {
	int signo;  /* SIGSEGV, SIGBUS, SIGILL or SIGFPE; 0 when nothing faulted */
	int code;   /* si_code: SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR, FPE_INTDIV, SI_KERNEL... */
	void *addr; /* si_addr: the faulting data address (SIGSEGV/SIGBUS) or instruction
		     * address (SIGILL/SIGFPE); 0 where the hardware gives none (x86 #GP) */
};

/* Run fn(arg) with handlers for SIGSEGV, SIGBUS, SIGILL and SIGFPE installed.  If fn faults,
 * control jumps back here and the fault is described in *out.  The previous handlers are
 * restored before returning, whatever happened.
 * Returns 0 when fn returned normally (*out zeroed), 1 when a fault was caught, -errno when a
 * handler could not be installed, -EBUSY when called while another catch is in progress
 * (from a signal handler or another thread).  fn must be async-signal-safe to abandon
 * halfway: it must not hold locks or allocate (it is cut off at the faulting instruction). */
int fault_catch(void (*fn)(void *arg), void *arg, struct fault_info *out);

enum fault_probe_access { FAULT_PROBE_READ, FAULT_PROBE_WRITE };

enum fault_probe_result {
	FAULT_PROBE_OK = 0,        /* the access worked */
	FAULT_PROBE_UNMAPPED = 1,  /* nothing mapped there (SEGV_MAPERR; on x86 also a
				    * non-canonical address: SI_KERNEL) */
	FAULT_PROBE_PROTECTED = 2, /* mapped, but the permission is missing (SEGV_ACCERR) */
	FAULT_PROBE_NO_BACKING = 3 /* mapped, but nothing behind it (SIGBUS, e.g. a file
				    * mapping past the end of the file) */
};

/* Try an 8-byte access at `addr` with mem_load (FAULT_PROBE_READ) or mem_load then mem_store of
 * the same value (FAULT_PROBE_WRITE; not atomic against other threads writing that word).
 * Returns a probe_result (>= 0), with *fault (may be NULL) describing the fault, or -EINVAL
 * for a bad `how`, or a fault_catch() error. */
int fault_probe(const void *addr, enum fault_probe_access how, struct fault_info *fault);

/* "unmapped", "protected"... for messages. */
const char *fault_probe_result_name(int result);
/* "SEGV_MAPERR", "FPE_INTDIV", "SI_KERNEL"... for messages ("?" if unknown). */
const char *fault_probe_code_name(int signo, int code);

/* ---- Step 3: page faults on first touch ----------------------------------------------- */

enum page_faults_pages {
	PAGE_FAULTS_SMALL, /* base pages only: madvise(MADV_NOHUGEPAGE) */
	PAGE_FAULTS_HUGE   /* ask for transparent huge pages: madvise(MADV_HUGEPAGE), 2 MiB
			    * aligned */
};

struct page_faults_result {
	size_t page_size;  /* base page size (sysconf), the stride of the touches */
	size_t pages;      /* base pages touched (bytes rounded up to page_size) */
	long first_faults; /* minor faults during the first touch of every page */
	long major_faults; /* major faults during the first touch (expected 0) */
	uint64_t first_ns; /* time of the first-touch pass */
	long again_faults; /* minor faults during a second pass over the same pages */
	uint64_t again_ns; /* time of the second pass (memory now resident) */
};

/* mmap `bytes` of fresh private anonymous memory, write one word in every base page (first
 * touch), then write every page again (resident), counting this thread's minor/major faults
 * (getrusage RUSAGE_THREAD) and timing both passes; munmap it and fill *out.
 * Returns 0, -EINVAL for bytes == 0 or a bad kind, -ENOMEM, or -ENOTSUP for PAGE_FAULTS_HUGE where
 * the kernel has no transparent huge pages (madvise fails).  Whether huge pages were really used
 * shows in first_faults (about pages / 512 instead of pages). */
int page_faults_first_touch(size_t bytes, enum page_faults_pages kind,
			    struct page_faults_result *out);

/* ---- Step 4: the CPU refuses -------------------------------------------------------- */

/* Execute an instruction reserved for the kernel (x86-64 `hlt`; aarch64 `mrs x, sctlr_el1`)
 * in user mode and report the signal the kernel turned the CPU exception into.
 * Returns 0 with *out filled, -EPROTO if the instruction did not fault, or a fault_catch()
 * error. */
int cpu_trap_privileged(struct fault_info *out);

/* Divide an integer by zero with the CPU's divide instruction (x86-64 `idiv`), written in
 * asm because `/ 0` in C is undefined behaviour.  Returns 0 with *out filled (SIGFPE,
 * FPE_INTDIV), -EPROTO if it did not fault, or -ENOTSUP on aarch64, whose `sdiv` does not
 * trap (it returns 0). */
int cpu_trap_divide_by_zero(struct fault_info *out);

#endif
