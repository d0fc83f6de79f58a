/*
 * demo_waiters.c - the waiter analogy: 1,000 requests that each wait 10 ms.
 *
 * Thread per request: fast, but a thousand threads (a thousand stacks, a thousand entries
 * for the scheduler).  A pool of P threads that block while they wait: few threads, but the
 * total time is (requests / P) x 10 ms - the waiters stand at the tables.  A pool whose
 * workers hand the order to the kitchen (a timer) and move on: few threads *and* ~10 ms.
 */
#include "callbacks.h"

#include <stdio.h>
#include <stdlib.h>

#include "asl/util.h"

static const char usage[] = "usage: demo_waiters [-h] [REQUESTS [POOL_THREADS]]\n"
			    "  REQUESTS 10 ms requests (default 1000), POOL_THREADS (default 16)";

int main(int argc, char **argv)
{
	asl_no_options(argc, argv, usage);
	long n = 1000, p = 16;
	if (argc > 3)
		asl_usage_error(usage, "too many arguments");
	if (argc > 1 && !asl_parse_long(argv[1], 1, 20000, &n))
		asl_usage_error(usage, "REQUESTS must be 1..20000, not '%s'", argv[1]);
	if (argc > 2 && !asl_parse_long(argv[2], 1, 1024, &p))
		asl_usage_error(usage, "POOL_THREADS must be 1..1024, not '%s'", argv[2]);

	printf("%ld requests, each waiting 10 ms (a sleep standing in for I/O).\n"
	       "threads counted in /proc/self/task, main thread included\n\n",
	       n);
	printf("%-34s %12s %12s\n", "model", "total (ms)", "peak threads");
	struct waiters_result r;
	int rc = waiters_thread_per_request((int)n, 10, &r);
	if (rc < 0)
		asl_die(-rc, "thread per request");
	printf("%-34s %12.1f %12d\n", "thread per request", r.total_ms, r.peak_threads);
	char label[64];
	snprintf(label, sizeof label, "pool(%ld), workers block", p);
	if ((rc = waiters_pool((int)n, 10, (int)p, &r)) < 0)
		asl_die(-rc, "pool");
	printf("%-34s %12.1f %12d\n", label, r.total_ms, r.peak_threads);
	double pool_ms = r.total_ms;
	snprintf(label, sizeof label, "pool(%d) + kitchen callbacks", 2);
	if ((rc = waiters_kitchen((int)n, 10, 2, &r)) < 0)
		asl_die(-rc, "kitchen");
	printf("%-34s %12.1f %12d\n", label, r.total_ms, r.peak_threads);
	double kitchen_ms = r.total_ms;
	printf("\nexpected: thread per request finishes fast but creates %ld threads (the peak "
	       "counts those alive\nat once: early ones end while later ones are still being "
	       "created); pool(%ld) takes about\n%ld x 10 ms = %ld ms with %ld+1 threads; the "
	       "kitchen takes ~10 ms with 4 threads (main,\n2 workers, 1 timer).  Waiting costs "
	       "a thread only if a thread does the waiting.\n",
	       n, p, (n + p - 1) / p, (n + p - 1) / p * 10, p);
	/* The kitchen waits for all requests at once: it should finish in a few waits, far
	 * ahead of a pool that waits for them P at a time - unless the CPUs were taken. */
	if (n > p && kitchen_ms > pool_ms / 2) {
		double load = 0;
		getloadavg(&load, 1);
		printf(
		    "\nThis run did not show it: the kitchen took %.0f ms, not far below the "
		    "blocking pool's\n%.0f ms.  Its few threads were kept from running (load %.2f "
		    "now): rerun on an idle\nmachine, or with more requests (e.g. %s 4000).\n",
		    kitchen_ms, pool_ms, load, argv[0]);
	}
	return 0;
}
