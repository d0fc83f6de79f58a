/*
 * bench_latency.c - how long from pool_submit() until the job starts running?
 *
 * Each job carries the monotonic time of its submission and records (start - submit).
 *   idle:    one job at a time into an idle pool - the cost of waking a sleeping worker
 *            (condition-variable signal, futex wake, scheduler) - the floor of the pool;
 *   burst:   JOBS jobs submitted back to back - adds the time spent queued behind others.
 * Per-job latencies go to bench_record: median, quartiles and p90 of the jobs.
 */
#include "callbacks.h"

#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

#include "asl/bench.h"
#include "asl/util.h"

struct stamp {
	uint64_t submit_ns;
	double *lat_us; /* where to record */
	sem_t *done;
};

static void job_stamp(void *arg, int status)
{
	struct stamp *s = arg;
	uint64_t now = asl_now_ns();
	if (status == 0)
		*s->lat_us = (double)(now - s->submit_ns) / 1e3;
	sem_post(s->done);
}

static void run(struct bench *b, const char *series, int workers, int jobs, bool burst)
{
	struct pool *p;
	int rc = pool_create(&p, workers, (size_t)jobs);
	if (rc < 0)
		asl_die(-rc, "pool_create");
	double *lat = calloc((size_t)jobs, sizeof *lat);
	struct stamp *st = calloc((size_t)jobs, sizeof *st);
	sem_t done;
	sem_init(&done, 0, 0);
	for (int i = 0; i < jobs; i++) {
		st[i] = (struct stamp){ 0, &lat[i], &done };
		st[i].submit_ns = asl_now_ns();
		if ((rc = pool_submit(p, job_stamp, &st[i])) < 0)
			asl_die(-rc, "pool_submit");
		if (!burst)
			sem_wait(&done);
	}
	if (burst)
		for (int i = 0; i < jobs; i++)
			sem_wait(&done);
	pool_shutdown(p, POOL_DRAIN);
	struct bench_stats s;
	bench_record(b, series, workers, lat, jobs, 1, &s);
	sem_destroy(&done);
	free(lat);
	free(st);
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "05-callbacks",
		   "submit -> run latency of the thread pool (per job, us)");
	int jobs = b.quick ? 200 : 4000;
	static const int ws[] = { 1, 2, 4, 8, 16 };
	int nw = b.quick ? 2 : 5;
	bench_open(&b, "latency", "workers", "us",
		   "submit->run per job; idle: one at a time, burst: all submitted at once");
	for (int i = 0; i < nw; i++) {
		run(&b, "idle", ws[i], jobs, false);
		run(&b, "burst", ws[i], jobs, true);
	}
	bench_close(&b);
	return 0;
}
