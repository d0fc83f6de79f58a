/*
 * stress_probe.c - a standalone driver for `make valgrind` (and `make asan`): runs the lab's
 * API many times along the paths that do NOT fault.
 *
 * Why not the faulting paths: under valgrind the program runs on a simulated CPU.  A load
 * from an unmapped address is first reported by memcheck as an "Invalid read" (an error,
 * which fails the run), and the trap instructions (hlt, idiv by zero) are emulated with
 * varying fidelity.  The faulting paths are covered by the Criterion tests and `make asan`.
 * What valgrind checks here: no leak and no invalid access in the handler install/restore
 * path of fault_catch, in the probe's successful read/write, and in page_faults_first_touch's
 * mmap/munmap bookkeeping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "asl/util.h"
#include "memory.h"

#define USAGE "stress_probe\n  exercise the non-faulting paths of lab 01 (for valgrind/asan)"

int main(int argc, char **argv)
{
	asl_no_options(argc, argv, USAGE);
	if (argc > 1)
		asl_usage_error(USAGE, "no arguments expected");

	uint64_t *words = malloc(256 * sizeof *words);
	if (!words)
		asl_die(ENOMEM, "malloc");
	for (uint64_t i = 0; i < 256; i++)
		mem_store(&words[i], i * 3);
	int probes = 0;
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 256; i += 17, probes++) {
			struct fault_info f;
			int rc = fault_probe(&words[i],
					     round % 2 ? FAULT_PROBE_WRITE : FAULT_PROBE_READ, &f);
			if (rc != FAULT_PROBE_OK || f.signo != 0)
				asl_die(0, "probe of a heap word: %s", fault_probe_result_name(rc));
			if (mem_load(&words[i]) != (uint64_t)i * 3)
				asl_die(0, "a write probe changed word %d", i);
		}
	}
	for (int round = 0; round < 20; round++) {
		struct page_faults_result r;
		enum page_faults_pages kind = round % 2 ? PAGE_FAULTS_HUGE : PAGE_FAULTS_SMALL;
		int rc = page_faults_first_touch((size_t)(round + 1) << 16, kind, &r);
		if (rc < 0 && !(rc == -ENOTSUP && round % 2))
			asl_die(-rc, "page_faults_first_touch");
		if (rc == 0 && (r.pages == 0 || r.first_faults < 0))
			asl_die(0, "page_faults_first_touch: %zu pages, %ld faults", r.pages,
				r.first_faults);
	}
	free(words);
	printf("stress_probe: %d probes and 20 first-touch counts, all consistent\n", probes);
	return 0;
}
