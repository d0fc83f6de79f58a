/*
 * callbacks.h - lab 05: don't call us, we'll call you.
 *
 * Threads are workers; asynchronous operations are tasks.  This lab separates the two:
 *   - a fixed-size thread pool runs work from a bounded queue (steps 1-2);
 *   - a completion queue delivers each operation's callback on the thread that owns the
 *     queue, never on the pool thread that did the work (step 3);
 *   - a cancellation token completes pending work with -ECANCELED exactly once (step 4);
 *   - combinators build bigger operations from small ones without nesting callbacks:
 *     timeout (step 5), sequence and fan-out (step 6), retry with backoff (step 7).
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
