/*
 * bench_cpu.c - CPU-bound work in async code: the notes' "async doesn't help CPU-bound work",
 * measured.
 *
 * The same job - T tasks, each hashing for a fixed number of rounds - is run three ways, and
 * the speedup is the single-threaded executor's time divided by the way's time:
 *   st        all tasks on the single-threaded executor: each poll computes its whole share,
 *             one after another on one thread, whatever x says: no speedup, ever;
 *   mt        the multi-threaded executor with x workers: up to the core count;
 *   blocking  the single-threaded executor hands each task's work to lab 05's pool of x
 *             threads (blocking_spawn) and only awaits the results: up to the core count.
 * The job is sized so that each thread has ~60 ms of work at x = cores: enough to hide the
 * start of the workers and the executor's own overheads (with 30 ms the work-stealing
 * executor showed 1.7x at 2 workers on an idle machine, 1.83x with 60), while the default
 * run (9 paired samples at 3 worker counts, each sample 4 runs) stays around 12 s on 2 cores.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "callbacks.h"
#include "fut.h"

enum { TASKS = 64 };

static uint64_t rounds_per_task;

static intptr_t work(void *arg)
{
	uint64_t x = (uint64_t)(uintptr_t)arg | 1;
	for (uint64_t i = 0; i < rounds_per_task; i++) { /* xorshift: a dependent chain */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return (intptr_t)(x & 0xffff);
}

struct cpu_task {
	fut_t base;
	int id;
};

static enum fut_poll cpu_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	(void)cx;
	*out = work((void *)(intptr_t)((struct cpu_task *)self)->id);
	return FUT_READY;
}

static void free_self(fut_t *self)
{
	free(self);
}

static const struct fut_vtable cpu_vtable = { .poll = cpu_poll, .drop = free_self };

static fut_t *cpu_task(int id)
{
	struct cpu_task *t = malloc(sizeof *t);
	if (!t)
		asl_die(ENOMEM, "malloc");
	*t = (struct cpu_task){ { &cpu_vtable }, id };
	return &t->base;
}

static void must(int rc, const char *what)
{
	if (rc < 0)
		asl_die(-rc, "%s", what);
}

static double run_st(void)
{
	exec_t *ex;
	must(exec_create(&ex), "exec_create");
	uint64_t t0 = asl_now_ns();
	for (int i = 0; i < TASKS; i++)
		must(exec_spawn(ex, cpu_task(i), NULL), "exec_spawn");
	must(exec_run(ex), "exec_run");
	double s = (double)(asl_now_ns() - t0) / 1e9;
	exec_destroy(ex);
	return s;
}

static double run_mt(int workers)
{
	exec_mt_t *ex;
	must(exec_mt_create(&ex, workers), "exec_mt_create");
	uint64_t t0 = asl_now_ns();
	for (int i = 0; i < TASKS; i++)
		must(exec_mt_spawn(ex, cpu_task(i), NULL), "exec_mt_spawn");
	must(exec_mt_run(ex), "exec_mt_run");
	double s = (double)(asl_now_ns() - t0) / 1e9;
	exec_mt_destroy(ex);
	return s;
}

static double run_blocking(int threads)
{
	exec_t *ex;
	struct pool *p;
	fut_t *f[TASKS];
	intptr_t outs[TASKS], v;
	must(exec_create(&ex), "exec_create");
	must(pool_create(&p, threads, TASKS), "pool_create");
	uint64_t t0 = asl_now_ns();
	for (int i = 0; i < TASKS; i++)
		f[i] = blocking_spawn(p, work, (void *)(intptr_t)i);
	must(exec_block_on(ex, combine_join_all(f, TASKS, outs), &v), "exec_block_on");
	double s = (double)(asl_now_ns() - t0) / 1e9;
	pool_shutdown(p, POOL_DRAIN);
	exec_destroy(ex);
	return s;
}

int main(int argc, char **argv)
{
	struct bench b;
	struct bench_stats st;
	bench_init(&b, argc, argv, "10-futures",
		   "speedup of CPU-bound tasks: single-threaded executor, multi-threaded, "
		   "spawn_blocking on lab 05's pool");
	int cores = bench_usable_cpus(), counts[16];
	int nc = bench_thread_counts(cores, b.quick ? 1 : 2, counts, 16);
	/* calibrate: the whole job about 60 ms per core at x = cores (quick: 10 ms in all) */
	rounds_per_task = 1u << 16;
	double t = run_st();
	double want_s = b.quick ? 0.01 : 0.06 * cores;
	rounds_per_task = (uint64_t)((double)rounds_per_task * want_s / t) + 1;
	/* On a big machine one single-threaded run is long (60 ms x cores: 3.8 s on 64 cores):
	 * fewer samples there, and one single-threaded run per sample instead of two, keep the
	 * default run within a minute or two; on small machines the paired runs are cheap. */
	bool big = want_s > 0.3;
	int samples = b.quick ? 3 : big && b.samples > 3 ? 3 : b.samples > 9 ? 9 : b.samples;
	double *ref = malloc(sizeof *ref * (size_t)samples);
	double *v = malloc(sizeof *v * (size_t)samples);
	if (!ref || !v)
		asl_die(ENOMEM, "malloc");
	for (int i = 0; i < samples; i++)
		ref[i] = run_st();
	double base = 0; /* for the note only: the speedups are paired (below) */
	for (int i = 0; i < samples; i++)
		base += ref[i] / samples;
	printf("# single-threaded executor: %d tasks, %.1f ms in all\n", TASKS, base * 1e3);

	char note[160];
	snprintf(note, sizeof note,
		 "%d tasks, %.1f ms of work in all; speedup = st time (paired "
		 "runs) / time; %d usable CPUs",
		 TASKS, base * 1e3, cores);
	bench_open(&b, "cpu", "workers", "speedup", note);
	double c = cores; /* the figure marks it */
	bench_record(&b, "cores", cores, &c, 1, 1, &st);
	/* Each sample is paired: the single-threaded run is repeated around the two others and
	 * their speedups are taken against the mean of the two, so that a change in the
	 * machine's load during the sweep does not pass for a speedup (st's own "speedup" is
	 * the ratio of its two runs: 1 up to noise). */
	double *vm = malloc(sizeof *vm * (size_t)samples);
	double *vb = malloc(sizeof *vb * (size_t)samples);
	if (!vm || !vb)
		asl_die(ENOMEM, "malloc");
	for (int k = 0; k < nc; k++) {
		int w = counts[k];
		for (int i = 0; i < samples; i++) {
			double a = run_st(), m = run_mt(w), bl = run_blocking(w);
			double d = big ? a : run_st();
			v[i] = a / d;
			vm[i] = (a + d) / 2 / m;
			vb[i] = (a + d) / 2 / bl;
		}
		bench_record(&b, "st", w, v, samples, 1, &st);
		bench_record(&b, "mt", w, vm, samples, 1, &st);
		bench_record(&b, "blocking", w, vb, samples, 1, &st);
	}
	free(vm);
	free(vb);
	bench_close(&b);
	free(ref);
	free(v);
	return 0;
}
