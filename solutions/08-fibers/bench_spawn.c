/*
 * bench_spawn - what it costs to start and finish a fiber: spawn + join of 100,000 fibers.
 *
 *   batch:      one fiber spawns all of them, then joins them in order: they run one after
 *               another while it waits, each taking the stack the previous one gave back;
 *   one-by-one: spawn one, join it, spawn the next;
 *   os-threads: pthread_create + pthread_join, one by one (2,000 of them, 10,000 with --full:
 *               they are slower).
 * Reported: nanoseconds per fiber (or thread); x = how many.  100,000 fibers in total time is
 * x * ns / 1e9 seconds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "fiber.h"

struct run {
	long n;
	bool batch;
};

static void *nothing(void *arg)
{
	return arg;
}

static void *spawner(void *arg)
{
	struct run *r = arg;
	fiber_t **all = r->batch ? malloc((size_t)r->n * sizeof *all) : NULL;
	fiber_t *f;
	for (long i = 0; i < r->n; i++) {
		if (fiber_spawn(fiber_self_sched(), r->batch ? &all[i] : &f, nothing, NULL))
			asl_die(ENOMEM, "fiber_spawn");
		if (!r->batch && fiber_join(f, NULL))
			asl_die(0, "fiber_join");
	}
	for (long i = 0; r->batch && i < r->n; i++)
		if (fiber_join(all[i], NULL))
			asl_die(0, "fiber_join");
	free(all);
	return NULL;
}

static double shot_fibers(void *arg)
{
	struct run *r = arg;
	fiber_sched_t *s;
	if (fiber_sched_create(&s, 0) || fiber_spawn(s, NULL, spawner, r))
		asl_die(ENOMEM, "setup");
	uint64_t t0 = asl_now_ns();
	if (fiber_sched_run(s))
		asl_die(0, "fiber_sched_run");
	uint64_t ns = asl_now_ns() - t0;
	fiber_sched_destroy(s);
	return (double)ns / (double)r->n;
}

static void *thread_nothing(void *arg)
{
	return arg;
}

static double shot_threads(void *arg)
{
	long n = *(long *)arg;
	uint64_t t0 = asl_now_ns();
	for (long i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_nothing, NULL) || pthread_join(t, NULL))
			asl_die(0, "pthread_create/join");
	}
	return (double)(asl_now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "08-fibers", "spawn + join of 100,000 fibers vs OS threads");
	/* OS threads cost ~50 us each: 2,000 of them per sample by default, 10,000 with --full */
	long nf = b.quick ? 10000 : 100000, nt = b.quick ? 1000 : b.full ? 10000 : 2000;
	bench_open(&b, "spawn", "count", "ns",
		   "ns per fiber (thread) for spawn + run + join; x = how many");
	struct run batch = { nf, true }, single = { nf, false };
	bench_shot(&b, "batch", (double)nf, shot_fibers, &batch, NULL);
	bench_shot(&b, "one-by-one", (double)nf, shot_fibers, &single, NULL);
	bench_shot(&b, "os-threads", (double)nt, shot_threads, &nt, NULL);
	bench_close(&b);
	return 0;
}
