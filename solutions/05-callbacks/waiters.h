/*
 * waiters.h - provided: the waiter workloads.  You do not change this file (nor waiters.c).
 *
 * The waiter analogy as three runnable models, for demo_waiters and bench_waiters.
 */
#ifndef LAB05_WAITERS_H
#define LAB05_WAITERS_H

struct waiters_result {
	double total_ms;  /* first request submitted -> last completion seen */
	int peak_threads; /* most threads seen in /proc/self/task during the run */
};

/* n requests that each wait ms milliseconds (simulated I/O: a sleep) ... */
/* ... one thread per request (the waiter who stands at the table); */
int waiters_thread_per_request(int n, int ms, struct waiters_result *r);
/* ... on a pool of `workers` threads, each request holding its worker while it waits; */
int waiters_pool(int n, int ms, int workers, struct waiters_result *r);
/* ... on a pool of `workers` that only take the order: a timer (the kitchen) completes it
 * after ms and the completion is delivered on the calling thread's completion queue. */
int waiters_kitchen(int n, int ms, int workers, struct waiters_result *r);
/* Threads in this process now (entries of /proc/self/task), -errno on error. */
int waiters_count_threads(void);

#endif
