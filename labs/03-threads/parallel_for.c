/*
 * parallel_for.c - step 3: split a CPU-bound loop over N threads (static chunks).
 *
 * The loop [0, n) is cut into `threads` contiguous chunks decided up front ("static"
 * scheduling): cheap, no coordination while running, and fine when every index costs the same.
 * Each thread reduces its own chunk into a private partial sum; the partial sums are added
 * after the join.  No thread ever writes a variable another thread writes, so there is nothing
 * to lock (lab 04 is about what happens when there is).
 *
 * Whether this is *faster* depends on the CPUs: N threads run in parallel only on N free
 * cores.  On fewer, the scheduler time-slices them - concurrency, not parallelism - and the
 * total time stays the same (plus switching).  bench_threads measures exactly that.
 */
#include "threads.h"

#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"

/* TODO step 3: One chunk's job: its range, the body, and where its partial sum goes.
 * Checked by: parallel_for::*
 */

int pfor_sum(uint64_t n, int threads, pfor_body body, void *arg, uint64_t *sum)
{
	/* TODO step 3: Split [0, n) into min(threads, n) chunks whose sizes differ by at most
	 * one, run each chunk's body on its own thread (thr_run from step 2 does the spawning
	 * and joining), add the partial results into *sum.  Bad arguments: -EINVAL.
	 * Checked by: parallel_for::*
	 */
	(void)n; (void)threads; (void)body; (void)arg; (void)sum; return LAB_TODO(3);
}
