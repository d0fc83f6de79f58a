/*
 * bench_threads - what a thread costs, and when more threads help.
 *
 * Three datasets (plots/03-threads-signature.gp, 03-threads-cost.gp):
 *   create      microseconds to create and join one thread (default and 64 KiB stack), with
 *               fork()+waitpid() of a process for comparison;
 *   cpu-bound   a fixed amount of arithmetic split by parallel_for_sum over 1, 2, 4 .. 4 x usable
 *               CPUs (the core count and one more always points): wall time and speedup over 1
 *               thread
 *               (series "speedup"; series "cores" holds the usable CPU count so the figure
 *               can mark it).  The job grows with the machine: ~60 ms per thread at N = cores;
 *   io-bound    tasks that each *sleep* (a stand-in for waiting on I/O), split over
 *               1 .. 128 threads (8 x cores on big machines): total wall time.
 * CPU-bound work stops improving at the core count; sleeping work keeps improving far past
 * it, because a sleeping thread needs no core.  That contrast is the signature figure.
 */
#include "threads.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "cpu_work.h"

/* ---- (a) create + join ---------------------------------------------------------------- */

struct create_arg {
	int reps;
	size_t stack; /* 0 = default */
};

static void *empty_thread(void *p)
{
	return p;
}

/* One sample: average microseconds per pthread_create + pthread_join of an empty thread. */
static double shot_create(void *p)
{
	struct create_arg *a = p;
	pthread_attr_t attr;
	uint64_t t0;
	pthread_attr_init(&attr);
	if (a->stack)
		pthread_attr_setstacksize(&attr, a->stack);
	t0 = asl_now_ns();
	for (int i = 0; i < a->reps; i++) {
		pthread_t t;
		int err = pthread_create(&t, &attr, empty_thread, NULL);
		if (err)
			asl_die(err, "pthread_create");
		pthread_join(t, NULL);
	}
	pthread_attr_destroy(&attr);
	return (double)(asl_now_ns() - t0) / 1e3 / a->reps;
}

static double shot_fork(void *p)
{
	struct create_arg *a = p;
	uint64_t t0 = asl_now_ns();
	for (int i = 0; i < a->reps; i++) {
		pid_t pid = fork();
		if (pid < 0)
			asl_die(errno, "fork");
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	return (double)(asl_now_ns() - t0) / 1e3 / a->reps;
}

static void measure_create(struct bench *b)
{
	struct create_arg def = { b->quick ? 5 : 300, 0 };
	struct create_arg small = { def.reps, threads_small_stack() };
	struct create_arg proc = { b->quick ? 2 : 60, 0 };
	bench_open(b, "create", "kind", "us",
		   "x=1 thread (default stack), x=2 thread (64 KiB "
		   "stack), x=3 process (fork+waitpid)");
	bench_shot(b, "thread", 1, shot_create, &def, NULL);
	bench_shot(b, "thread-64k", 2, shot_create, &small, NULL);
	bench_shot(b, "process", 3, shot_fork, &proc, NULL);
	bench_close(b);
}

/* ---- (b) CPU-bound speedup ------------------------------------------------------------ */

struct cpu_arg {
	uint64_t rounds; /* per index */
};

static uint64_t cpu_body(void *p, uint64_t begin, uint64_t end)
{
	const struct cpu_arg *a = p;
	uint64_t acc = 0;
	for (uint64_t i = begin; i < end; i++)
		acc += cpu_work(i, a->rounds);
	return acc;
}

/* Wall milliseconds for the whole loop on `threads` threads; checks the sum never changes. */
static double time_cpu(uint64_t n, int threads, struct cpu_arg *a, uint64_t *expect)
{
	uint64_t sum, t0 = asl_now_ns();
	int rc = parallel_for_sum(n, threads, cpu_body, a, &sum);
	double ms = (double)(asl_now_ns() - t0) / 1e6;
	if (rc)
		asl_die(-rc, "parallel_for_sum(%d threads)", threads);
	if (*expect && sum != *expect)
		asl_die(0, "parallel_for_sum gave %llu with %d threads, %llu before",
			(unsigned long long)sum, threads, (unsigned long long)*expect);
	*expect = sum;
	return ms;
}

/* The size of the CPU-bound job: enough indexes that one thread needs `target_ms`.  Timed,
 * not guessed, because a fixed job that takes 100 ms here is 10 ms per thread on a 16-core
 * machine, where thread start-up and the last straggler dominate and the speedup looks poor. */
static uint64_t size_cpu_job(struct cpu_arg *a, double target_ms)
{
	uint64_t n = 1 << 10, expect = 0;
	for (;;) {
		double ms = time_cpu(n, 1, a, &expect);
		expect = 0;
		if (ms >= target_ms / 8 || n >= (1ull << 40))
			return (uint64_t)((double)n * target_ms / (ms > 0 ? ms : 1e-3)) + 1;
		n *= 4;
	}
}

static void measure_cpu(struct bench *b)
{
	int cores = bench_usable_cpus(), xs[65];
	int nt = bench_thread_counts(cores, 4, xs, 64);
	/* plus cores + 1: one thread more than cores shows what an equal split into N fixed
	 * chunks costs when N does not divide evenly over the cores (question 4) */
	int at = 0;
	while (at < nt && xs[at] < cores + 1)
		at++;
	if (at < nt && xs[at] != cores + 1) {
		memmove(&xs[at + 1], &xs[at], sizeof xs[0] * (size_t)(nt - at));
		xs[at] = cores + 1;
		nt++;
	}
	struct cpu_arg a = { 200 };
	/* At N = cores every thread gets at least ~60 ms of work, and the total grows with the
	 * machine: 150 ms on 1-2 cores, 60 ms x cores beyond.  Fewer samples on big machines keep
	 * the whole sweep near half a minute everywhere. */
	double target_ms = b->quick ? 2 : (cores * 60.0 > 150 ? cores * 60.0 : 150);
	int samples = b->quick ? 2 : (target_ms > 1000 ? 5 : (b->samples < 9 ? b->samples : 9));
	uint64_t n = size_cpu_job(&a, target_ms), expect = 0;
	double v[16], sp[65][16], c = cores;
	struct bench_stats one;
	char note[200];

	snprintf(note, sizeof note, "fixed total work (%.0f ms on one thread) split over N threads",
		 target_ms);
	bench_open(b, "cpu-bound", "threads", "ms | speedup", note);
	/* all "time" rows first, then all "speedup" rows: a series must be one block of rows
	 * for gnuplot to join its points with lines */
	for (int j = 0; j < nt; j++) {
		for (int i = 0; i < samples; i++)
			v[i] = time_cpu(n, xs[j], &a, &expect);
		bench_record(b, "time", xs[j], v, samples, 1, j == 0 ? &one : NULL);
		for (int i = 0; i < samples; i++)
			sp[j][i] = one.median / v[i]; /* over the 1-thread median */
	}
	for (int j = 0; j < nt; j++)
		bench_record(b, "speedup", xs[j], sp[j], samples, 1, NULL);
	bench_record(b, "cores", cores, &c, 1, 1, NULL);
	bench_close(b);
}

/* ---- (c) I/O-bound (sleeping) tasks ---------------------------------------------------- */

struct io_arg {
	long sleep_ns; /* per task */
};

static uint64_t io_body(void *p, uint64_t begin, uint64_t end)
{
	const struct io_arg *a = p;
	for (uint64_t i = begin; i < end; i++) {
		struct timespec ts = { 0, a->sleep_ns };
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return end - begin;
}

static void measure_io(struct bench *b)
{
	/* sleeping threads need no core: the sweep goes to 128 threads, or 8 x cores on a big
	 * machine, with one task per thread at the top */
	int cores = bench_usable_cpus(), samples = b->quick ? 2 : 5;
	int max_threads = b->quick ? 16 : (8 * cores > 128 ? 8 * cores : 128);
	uint64_t tasks = (uint64_t)max_threads;
	struct io_arg a = { b->quick ? 1000000L : 5000000L };
	char note[160];
	double v[16];

	snprintf(note, sizeof note, "%llu tasks each sleeping %.0f ms, split over N threads",
		 (unsigned long long)tasks, a.sleep_ns / 1e6);
	bench_open(b, "io-bound", "threads", "ms", note);
	for (int t = 1; t <= max_threads; t *= 2) {
		for (int i = 0; i < samples; i++) {
			uint64_t done, t0 = asl_now_ns();
			int rc = parallel_for_sum(tasks, t, io_body, &a, &done);
			if (rc || done != tasks)
				asl_die(rc < 0 ? -rc : 0, "parallel_for_sum(io, %d threads)", t);
			v[i] = (double)(asl_now_ns() - t0) / 1e6;
		}
		bench_record(b, "sleep", t, v, samples, 1, NULL);
	}
	for (int t = 1; t <= max_threads; t *= 2) {
		/* the best possible: each thread sleeps ceil(tasks / t) times, back to back */
		double ideal = (double)((tasks + (uint64_t)t - 1) / (uint64_t)t) * a.sleep_ns / 1e6;
		bench_record(b, "ideal", t, &ideal, 1, 1, NULL);
	}
	bench_close(b);
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "03-threads",
		   "thread create+join cost; CPU-bound speedup and I/O-bound time vs threads");
	measure_create(&b);
	measure_cpu(&b);
	measure_io(&b);
	return 0;
}
