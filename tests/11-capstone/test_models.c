/* Lab 11: the same three checks for every model (cap_test.h says what each one proves).
 * test_peers.c adds peer_failures_reported to each suite.
 * Steps: 1 seq, 2 threads, 3 pool, 4 loop, 5 fibers, 6 offload, 7 fut, 8 futmt, 9 futblk. */
#include "peer_test.h"

#define CAP_SUITE(model, step, io_n, shape, min_peak, max_peak, hang)                     \
	ASL_SUITE(model, 90);                                                             \
	Test(model, same_results)                                                         \
	{                                                                                 \
		cap_check_same_results(#model, hang, ASL_HINT(step));                     \
		cap_check_pieces(#model, ASL_HINT(step));                                 \
	}                                                                                 \
	Test(model, io_many)                                                              \
	{                                                                                 \
		cap_check_io_many(#model, io_n, hang, ASL_HINT(step));                    \
	}                                                                                 \
	Test(model, where_it_runs)                                                        \
	{                                                                                 \
		cap_check_where(#model, shape, min_peak, max_peak, hang, ASL_HINT(step)); \
	}

/* hang: the likely mistake when a run does not return (cap_test_run's watchdog) */
/* the sequential model waits n x 2 ms: 50 requests keep it short, and it has no threads */
CAP_SUITE(seq, 1, 50, CAP_ONE_THREAD, 1, 1,
	  "a read that waits for more than the reply: stop reading once cap_reply_add says the "
	  "line is complete")
/* 500 threads: the grader allows 1,024 tasks for all the tests running at once */
CAP_SUITE(threads, 2, 500, CAP_PER_REQUEST, 2, 16,
	  "a request's thread still blocked: each does one request and returns, and "
	  "workers_run joins every one of them")
CAP_SUITE(pool, 3, 1000, CAP_POOL, 1, 3,
	  "pool_shutdown(POOL_DRAIN) waits for a job that never ends, or a submit blocks on a "
	  "full queue (it must hold every request)")
CAP_SUITE(loop, 4, 1000, CAP_ONE_THREAD, 2, 16,
	  "loop_run never runs out of work: a request that never finishes (its watcher not "
	  "switched to LOOP_READ once the line is written, EAGAIN taken as done, or the "
	  "watcher left started after the reply: loop_io_stop, then done)")
CAP_SUITE(fibers, 5, 1000, CAP_ONE_THREAD, 2, 16,
	  "a fiber that never finishes: fiber_read until the line is complete, then return "
	  "(fiber_sched_run returns once every fiber has)")
CAP_SUITE(offload, 6, 1000, CAP_POOL, 2, 16,
	  "loop_run never runs out of work: every loop_ref taken for the pool needs its "
	  "loop_unref, and every job must loop_post its completion back")
CAP_SUITE(fut, 7, 1000, CAP_ONE_THREAD, 2, 16,
	  "a task that never completes: FUT_PENDING returned with no waker registered (a "
	  "child future dropped before it was READY), or a request that never reaches DONE")
CAP_SUITE(futmt, 8, 1000, CAP_POOL, 2, 16,
	  "a task that never completes: FUT_PENDING returned on EAGAIN without io_bridge_wait "
	  "(nothing wakes it), or exec_mt_run waits for a task that never ends")
CAP_SUITE(futblk, 9, 1000, CAP_POOL, 2, 16,
	  "a task that never completes: the blocking_spawn future not polled until READY, or "
	  "the pool never drained")
