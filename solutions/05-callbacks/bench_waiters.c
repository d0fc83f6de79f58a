/*
 * bench_waiters.c - the waiter workload: N requests that each wait 10 ms.
 *
 * Total time and threads used for: thread per request, pool(P) whose workers block for
 * P = 1, 2, 4, ..., and pool(P) + callbacks where a timer (the kitchen) completes requests.
 * Two datasets: waiters-time (ms) and waiters-threads (peak threads in /proc/self/task).
 * A sample is one whole run of the workload; slow configurations get fewer samples (at
 * least 3) and pool(1) .. pool(4) run only with --full, so the default run takes about 20 s.
 */
#include "callbacks.h"

#include <stdio.h>
#include <stdlib.h>

#include "asl/bench.h"
#include "asl/util.h"

enum { MS = 10 };

typedef int (*model_fn)(int n, int ms, int workers, struct waiters_result *r);

static int tpr(int n, int ms, int workers, struct waiters_result *r)
{
	(void)workers;
	return waiters_thread_per_request(n, ms, r);
}

static void measure(struct bench *tb, struct bench *hb, const char *series, double x, model_fn fn,
		    int n, int workers, double expect_ms)
{
	/* A sample is a whole run, and its spread is small (the sleeps dominate): the slow
	 * configurations get fewer samples, at least 3, so the default run stays short. */
	int samples = tb->samples;
	if (expect_ms * samples > 2500)
		samples = (int)(2500 / expect_ms);
	if (samples < 3)
		samples = 3;
	double *ms = calloc((size_t)samples, sizeof *ms);
	double *th = calloc((size_t)samples, sizeof *th);
	for (int i = 0; i < samples; i++) {
		struct waiters_result r;
		int rc = fn(n, MS, workers, &r);
		if (rc < 0)
			asl_die(-rc, "%s x=%g", series, x);
		ms[i] = r.total_ms;
		th[i] = r.peak_threads;
	}
	struct bench_stats s;
	bench_record(tb, series, x, ms, samples, 1, &s);
	bench_record(hb, series, x, th, samples, 1, &s);
	free(ms);
	free(th);
}

int main(int argc, char **argv)
{
	struct bench tb;
	bench_init(&tb, argc, argv, "05-callbacks",
		   "the waiter workload: total time and threads per concurrency model");
	struct bench hb = tb; /* a second dataset open at the same time */
	int n = tb.quick ? 64 : 1000;
	char note[160];
	snprintf(note, sizeof note,
		 "%d requests x %d ms simulated I/O (sleep); "
		 "x = pool workers (thread-per-request: x = requests)",
		 n, MS);
	bench_open(&tb, "waiters-time", "workers", "ms", note);
	bench_open(&hb, "waiters-threads", "workers", "threads", note);

	measure(&tb, &hb, "thread-per-request", n, tpr, n, 0, MS * 4);
	/* pool(1) .. pool(4) take 10, 5 and 2.5 s a run: only with --full (make plots FULL=1) */
	for (int p = tb.full ? 1 : 8; p <= n / 2; p *= 2) {
		if (tb.quick && p != 4 && p != 32)
			continue;
		measure(&tb, &hb, "pool", p, waiters_pool, n, p, (double)MS * ((n + p - 1) / p));
	}
	for (int p = 1; p <= 64; p *= 4) {
		if (tb.quick && p != 4)
			continue;
		measure(&tb, &hb, "pool+callbacks", p, waiters_kitchen, n, p, MS * 2);
	}
	bench_close(&tb);
	bench_close(&hb);
	return 0;
}
