/*
 * callbacks.h - lab 05: don't call us, we'll call you.
 *
 * Threads are workers; asynchronous operations are tasks.  This lab separates the two:
 *   - a fixed-size thread pool: workers (step 1), a bounded queue with backpressure (step 2),
 *     an immediate shutdown that cancels what is queued (step 3);
 *   - a completion queue delivers each operation's callback on the thread that owns the
 *     queue (step 4), never on the pool thread that did the work (step 5);
 *   - a cancellation token (step 6) completes pending work with -ECANCELED exactly once
 *     (step 7);
 *   - combinators build bigger operations from small ones without nesting callbacks:
 *     timeout (step 8), sequence and fan-out (step 9), retry with backoff (step 10).
 * A timer service (timers.h, timers.c) and the waiter workloads (waiters.h, waiters.c) are
 * provided.
 *
 * One header per module; this one includes them all, for the tests, the demos and the later
 * labs that use the pool (10-futures, 11-capstone).  Read them in step order: pool.h, cq.h,
 * async.h, cancel.h, timeout.h, combine.h, retry.h.
 */
#ifndef LAB05_CALLBACKS_H
#define LAB05_CALLBACKS_H

#include "async.h"
#include "cancel.h"
#include "combine.h"
#include "cq.h"
#include "pool.h"
#include "retry.h"
#include "timeout.h"
#include "timers.h"
#include "waiters.h"

#endif
