/*
 * threads.h - lab 03: OS threads and their stacks.
 *
 * The public API of the lab.  Every function returns 0 (or a count) on success and a negative
 * errno value on failure; none prints, none leaves a thread behind.  See workbook.md, ch. 03.
 * All functions may be called from any thread, concurrently.
 */
#ifndef LAB03_THREADS_H
#define LAB03_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <pthread.h>

/* The smallest stack this lab asks for: 64 KiB, or the C library's minimum where that is
 * larger.  glibc on aarch64 refuses stacks under 128 KiB (PTHREAD_STACK_MIN there, because
 * pages may be 64 KiB), and since glibc 2.34 the minimum is a run-time value, hence a
 * function and not a constant. */
static inline size_t threads_small_stack(void)
{
	size_t min = (size_t)PTHREAD_STACK_MIN;
	return min > (64u << 10) ? min : (64u << 10);
}

/* Most threads one call may start: a guard against a typo that would ask for millions. */
#define WORKERS_MAX 4096

/* Step 1.  Number of threads of this process alive right now, counted from the entries of
 * /proc/self/task (one directory per thread).  Returns the count (>= 1) or -errno. */
int thread_count_live(void);

/* One unit of work for workers_run(): fn(arg) runs on a thread of its own, whose stack has
 * stack_size bytes (0 = the default, from `ulimit -s`); fn's return value lands in result. */
struct workers_task {
	int (*fn)(void *arg);
	void *arg;
	size_t stack_size;
	int result;
};

/* Step 2.  Run tasks[0..n) each on its own thread, all at the same time, and join them all.
 * On success every tasks[i].result holds what tasks[i].fn returned, and 0 is returned.
 * If creating the thread of task k fails, the k threads already started are joined (their
 * results are stored), no further task starts, and the creation error is returned as -errno
 * (e.g. -EAGAIN); tasks[k..n) keep their result untouched.
 * -EINVAL: tasks NULL, n == 0, n > WORKERS_MAX, a NULL fn, or a non-zero stack_size below
 * PTHREAD_STACK_MIN.  Returns only when no thread it started is still running. */
int workers_run(struct workers_task *tasks, size_t n);

/* The body of a parallel loop: handles indexes [begin, end) and returns its partial sum. */
typedef uint64_t (*parallel_for_body)(void *arg, uint64_t begin, uint64_t end);

/* Step 3.  Split [0, n) into `threads` contiguous chunks of nearly equal size (sizes differ
 * by at most 1), run body on each chunk on its own thread, and store the sum of the partial
 * results (wrapping modulo 2^64) in *sum.  More threads than items is fine: no thread ever
 * gets an empty chunk (n == 0 gives *sum = 0 and starts nothing).
 * -EINVAL: body or sum NULL, threads < 1 or > WORKERS_MAX.  Creation errors as workers_run(). */
int parallel_for_sum(uint64_t n, int threads, parallel_for_body body, void *arg, uint64_t *sum);

/* What one stack-overflow probe found. */
struct stack_guard_report {
	uint64_t depth;     /* deepest recursion level reached (1 = the first call) */
	bool overflowed;    /* true: the stack ran out and the fault was caught */
	size_t stack_bytes; /* usable stack the thread actually got (below its guard page) */
};

/* Bytes of locals each level of the probe's recursion keeps on the stack (plus the call's
 * own frame): so depth * (STACK_GUARD_FRAME_PAD + frame) is roughly the stack size. */
#define STACK_GUARD_FRAME_PAD 256

/* Step 4.  On a new thread with a stack of stack_size bytes, recurse until max_depth levels
 * (0 = no limit) or until the stack overflows into the guard page below it.  The overflow's
 * SIGSEGV is caught on an alternate signal stack of that thread and turned into a report:
 * rep->overflowed = true, rep->depth = the depth reached.  Faults that are not an overflow of
 * that thread's stack are not swallowed: they still kill the process.  The thread is joined
 * before returning.
 * -EINVAL: rep NULL, or stack_size < PTHREAD_STACK_MIN.  Creation errors as workers_run(). */
int stack_guard_probe(size_t stack_size, uint64_t max_depth, struct stack_guard_report *rep);

#endif
