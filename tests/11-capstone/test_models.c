/* Lab 11: the same three checks for every model (cap_test.h says what each one proves).
 * Steps: 1 seq, 2 threads, 3 pool, 4 loop, 5 fibers, 6 offload, 7 fut, 8 futmt, 9 futblk. */
#include "cap_test.h"

#define CAP_SUITE(model, step, io_n, shape, min_peak, max_peak)                     \
	ASL_SUITE(model, 90);                                                       \
	Test(model, same_results)                                                   \
	{                                                                           \
		cap_check_same_results(#model, ASL_HINT(step));                     \
	}                                                                           \
	Test(model, io_many)                                                        \
	{                                                                           \
		cap_check_io_many(#model, io_n, ASL_HINT(step));                    \
	}                                                                           \
	Test(model, where_it_runs)                                                  \
	{                                                                           \
		cap_check_where(#model, shape, min_peak, max_peak, ASL_HINT(step)); \
	}

/* the sequential model waits n x 2 ms: 50 requests keep it short, and it has no threads */
CAP_SUITE(seq, 1, 50, CAP_ONE_THREAD, 1, 1)
/* 500 threads: the grader allows 1,024 tasks for all the tests running at once */
CAP_SUITE(threads, 2, 500, CAP_PER_REQUEST, 2, 16)
CAP_SUITE(pool, 3, 1000, CAP_POOL, 1, 3)
CAP_SUITE(loop, 4, 1000, CAP_ONE_THREAD, 2, 16)
CAP_SUITE(fibers, 5, 1000, CAP_ONE_THREAD, 2, 16)
CAP_SUITE(offload, 6, 1000, CAP_POOL, 2, 16)
CAP_SUITE(fut, 7, 1000, CAP_ONE_THREAD, 2, 16)
CAP_SUITE(futmt, 8, 1000, CAP_POOL, 2, 16)
CAP_SUITE(futblk, 9, 1000, CAP_POOL, 2, 16)
