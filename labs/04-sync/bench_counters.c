/*
 * bench_counters - throughput of the racy, mutex, atomic and spinlock counters vs threads.
 *
 * T threads (1, 2, 4 .. 4 x usable CPUs, the core count always included) hammer one counter;
 * a sample is T x iters increments and its value is millions of increments per second for
 * all threads together.  One cache line holds the counter, so more threads cannot add
 * throughput: the plot shows what each way of sharing costs, and what happens to the spinlock
 * once threads outnumber cores.
 */
#include "sync.h"

#include "asl/bench.h"
#include "asl/util.h"

#include <stdio.h>

struct job {
	counter_add_fn add;
	int threads;
	long iters;
};

/* One sample: Mops/s. */
static double sample(void *arg)
{
	struct job *j = arg;
	struct counter c;
	uint64_t ns = 0;
	int rc = counter_init(&c);
	if (!rc)
		rc = counter_hammer(j->add, &c, j->threads, j->iters, &ns);
	counter_destroy(&c);
	if (rc)
		asl_die(-rc, "counter_hammer");
	return (double)j->threads * (double)j->iters / ((double)ns / 1e9) / 1e6;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		counter_add_fn add;
	} kinds[] = {
		{ "racy (wrong)", counter_racy_add },
		{ "mutex", counter_mutex_add },
		{ "atomic", counter_atomic_add },
		{ "spinlock", counter_spin_add },
	};
	struct bench b;
	bench_init(&b, argc, argv, "04-sync",
		   "counter throughput (Mops/s, all threads together) vs threads");
	int cpus = bench_usable_cpus(), xs[64];
	/* 1, 2, 4, ... and the core count, up to 4 x cores: a few points per doubling is all
	 * the shape needs, and it keeps a 64-core sweep as short as a 2-core one */
	int nt = b.quick ? 2 : bench_thread_counts(cpus, 4, xs, 64);
	if (b.quick)
		xs[0] = 1, xs[1] = 2;
	char note[160];
	snprintf(note, sizeof note,
		 "T threads each add 1 iters times to one shared counter; "
		 "series 'cores' marks the %d usable CPUs",
		 cpus);
	bench_open(&b, "counters", "threads", "Mops/s", note);
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		for (int x = 0; x < nt; x++) {
			int t = xs[x];
			struct job j = { kinds[k].add, t, 1000 };
			/* calibrate: a sample must last at least min_time */
			for (;;) {
				uint64_t t0 = asl_now_ns();
				sample(&j);
				if ((double)(asl_now_ns() - t0) >= b.min_time_s * 1e9 ||
				    j.iters > (1L << 30))
					break;
				j.iters *= 2;
			}
			bench_shot(&b, kinds[k].name, t, sample, &j, NULL);
		}
	}
	double one = 1;
	bench_record(&b, "cores", cpus, &one, 1, 1, NULL);
	bench_close(&b);
	return 0;
}
