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

/* One chunk's job: its range, the body, and where its partial sum goes. */
struct parallel_for_chunk {
	parallel_for_body body;
	void *arg;
	uint64_t begin, end;
	uint64_t partial;
};

/* The thread function of one chunk (a struct parallel_for_chunk): reduce its range into
 * c->partial. */
__attribute__((unused)) static int chunk_main(void *p)
{
	/* TODO step 3: Split a loop over threads: one chunk reduces its own range.
	 * Run the chunk's body over [begin, end) and keep its result in the chunk's `partial`: only
	 * this thread writes it, so no lock is needed.
	 * Checked by: parallel_for::sums_exactly_for_many_splits,
	 * parallel_for::more_threads_than_items, parallel_for::huge_ranges_split_exactly
	 */
	LAB_UNUSED(p); return LAB_TODO(3);
}

int parallel_for_sum(uint64_t n, int threads, parallel_for_body body, void *arg, uint64_t *sum)
{
	/* TODO step 3: Split [0, n) into min(threads, n) chunks whose sizes differ by at most
	 * one, run each chunk's body on its own thread (workers_run from step 2 does the spawning
	 * and joining), add the partial results into *sum.  Bad arguments: -EINVAL.
	 * Checked by: parallel_for::*
	 */
	LAB_UNUSED(n, threads, body, arg, sum); return LAB_TODO(3);
}
