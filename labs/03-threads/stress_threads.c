/*
 * stress_threads - workers_run and parallel_for_sum in loops, with the tracer on, for `make tsan`
 * (data races) and `make valgrind` (leaks).  Exits 0 when every result was right and no thread was
 * left behind; prints what went wrong otherwise.
 */
#include "threads.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "asl/trace.h"
#include "asl/util.h"

static const char usage[] = "usage: stress_threads [ROUNDS]\n"
			    "  spawn/join and parallel_for in loops (default 100 rounds)";

static _Atomic uint64_t shared_total; /* the one thing tasks share, atomically */

static int task(void *arg)
{
	uint64_t v = (uint64_t)(uintptr_t)arg;
	trace_tok t = trace_begin((uint32_t)v % 8);
	atomic_fetch_add(&shared_total, v);
	trace_end(t);
	return (int)v;
}

static uint64_t body(void *arg, uint64_t begin, uint64_t end)
{
	uint64_t acc = 0;
	trace_tok t = trace_begin(1);
	(void)arg;
	for (uint64_t i = begin; i < end; i++)
		acc += i;
	trace_end(t);
	return acc;
}

int main(int argc, char **argv)
{
	long rounds = 100;
	int before, after;
	uint64_t want_total = 0;

	asl_no_options(argc, argv, usage);
	if (argc > 2 || (argc == 2 && !asl_parse_long(argv[1], 1, 1000000, &rounds)))
		asl_usage_error(usage, "ROUNDS must be a whole number 1..1000000");
	{
		/* warm-up: ThreadSanitizer starts a helper thread of its own at the first
		 * pthread_create; count only after that, so it is not taken for a leak */
		struct workers_task warm = { .fn = task, .arg = NULL };
		if (workers_run(&warm, 1))
			asl_die(0, "warm-up workers_run failed");
	}
	before = thread_count_live();
	trace_enable(256);
	for (long r = 0; r < rounds; r++) {
		struct workers_task t[6];
		uint64_t n = (uint64_t)(r * 37 % 1000), sum;
		int threads = (int)(r % 9) + 1, rc;

		for (int i = 0; i < 6; i++) {
			t[i] = (struct workers_task){ .fn = task,
						      .arg = (void *)(uintptr_t)(r + i),
						      .stack_size = i % 2 ? threads_small_stack()
									  : 0 };
			want_total += (uint64_t)(r + i);
		}
		rc = workers_run(t, 6);
		if (rc)
			asl_die(-rc, "workers_run (round %ld)", r);
		for (int i = 0; i < 6; i++)
			if (t[i].result != (int)(r + i))
				asl_die(0, "round %ld: task %d returned %d", r, i, t[i].result);
		rc = parallel_for_sum(n, threads, body, NULL, &sum);
		if (rc)
			asl_die(-rc, "parallel_for_sum (round %ld)", r);
		if (sum != n * (n ? n - 1 : 0) / 2)
			asl_die(0, "round %ld: parallel_for_sum(%llu, %d) = %llu", r,
				(unsigned long long)n, threads, (unsigned long long)sum);
		(void)trace_count(NULL); /* read the buffers while nobody writes: acquire side */
		if (r % 16 == 15)
			trace_reset(); /* frees the buffers of the threads that have exited */
	}
	trace_free();
	/* pthread_join returns a moment before the kernel drops the thread from /proc/self/task
	 * (the tid is cleared early in its exit): give the bookkeeping up to 2 s to catch up */
	after = thread_count_live();
	for (int i = 0; i < 2000 && after > before; i++) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
		after = thread_count_live();
	}
	if (atomic_load(&shared_total) != want_total)
		asl_die(0, "tasks added %llu, expected %llu",
			(unsigned long long)atomic_load(&shared_total),
			(unsigned long long)want_total);
	/* More threads than before is a leak.  Fewer is not ours: under qemu-user the emulator's
	 * own helper thread (counted in /proc/self/task) may have ended meanwhile. */
	if (after > before)
		asl_die(0, "%d threads before, %d after: a thread leaked", before, after);
	printf("stress_threads: %ld rounds, every result right, %d thread(s) before and after\n",
	       rounds, after);
	return 0;
}
