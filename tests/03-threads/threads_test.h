/* threads_test.h - a helper shared by the lab 03 suites. */
#ifndef LAB03_THREADS_TEST_H
#define LAB03_THREADS_TEST_H

#include <time.h>

#include "asl_test.h"

/* The thread count from /proc/self/task once it has come down to `want` (or after 2 s).
 * Why wait at all: pthread_join() returns when the kernel clears the thread's tid, which
 * happens early in the thread's exit; its /proc/self/task entry disappears a moment later.
 * A correct program can therefore show one extra entry for a few microseconds. */
static inline int threads_settled(int want)
{
	int n = asl_test_threads();
	for (int i = 0; i < 2000 && n > want; i++) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
		n = asl_test_threads();
	}
	return n;
}

#endif
