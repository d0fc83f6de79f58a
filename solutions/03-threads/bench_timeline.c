/*
 * bench_timeline - see concurrency vs parallelism: the same CPU-bound tasks, traced.
 *
 * Four tasks, each CHUNKS pieces of arithmetic, each piece recorded by the tracer
 * (asl/trace.h) as one span.  Three ways:
 *   1thread  ONE thread runs all four, a chunk of each in turn: concurrency with no
 *            parallelism at all - what an event loop or a fiber scheduler does, cooperatively;
 *   1cpu     four threads pinned to one CPU: the kernel time-slices them - preemptive
 *            concurrency; at any instant exactly one of them runs;
 *   ncpu     the same threads free to use every usable CPU: parallelism, as far as there are
 *            cores.
 * Files: 03-threads-timeline-{1thread,1cpu,ncpu}.trace (plots/03-threads-timeline-*.gp).
 * Also the dataset "trace-cost": nanoseconds per begin/end pair, tracer off and on.
 */
#include "threads.h"

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>

#include "asl/bench.h"
#include "asl/trace.h"
#include "asl/util.h"
#include "cpu_work.h"

enum { TASKS = 4 };

struct worker {
	int task;
	int pin; /* CPU to pin to, or -1 */
	int chunks;
	uint64_t rounds; /* cpu_work rounds per chunk */
	uint64_t result;
};

static int worker_main(void *p)
{
	struct worker *w = p;
	char name[16];
	uint64_t acc = (uint64_t)w->task;

	if (w->pin >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(w->pin, &set);
		if (sched_setaffinity(0, sizeof set, &set)) /* 0: this thread only */
			return -1;
	}
	snprintf(name, sizeof name, "thread %d", w->task);
	trace_thread_name(name);
	for (int c = 0; c < w->chunks; c++) {
		trace_tok t = trace_begin((uint32_t)w->task);
		acc = cpu_work(acc, w->rounds);
		trace_end(t);
	}
	w->result = acc;
	return 0;
}

/* The cooperative scheduler in miniature: one thread, the tasks take turns chunk by chunk.
 * Nothing preempts a chunk; a task only "yields" by returning from its chunk. */
static int turns_main(void *p)
{
	struct worker *w = p; /* w[0..TASKS-1]: the tasks' state; this thread runs them all */
	uint64_t acc[TASKS];

	if (w->pin >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(w->pin, &set);
		if (sched_setaffinity(0, sizeof set, &set))
			return -1;
	}
	trace_thread_name("thread 0");
	for (int t = 0; t < TASKS; t++)
		acc[t] = (uint64_t)t;
	for (int c = 0; c < w->chunks; c++) {
		for (int t = 0; t < TASKS; t++) {
			trace_tok tok = trace_begin((uint32_t)t);
			acc[t] = cpu_work(acc[t], w[t].rounds);
			trace_end(tok);
		}
	}
	for (int t = 0; t < TASKS; t++)
		w[t].result = acc[t];
	return 0;
}

/* cpu_work rounds that take about `us` microseconds on this machine. */
static uint64_t calibrate_rounds(double us)
{
	uint64_t rounds = 1 << 16, t0 = asl_now_ns();
	bench_keep(cpu_work(1, rounds));
	double ns = (double)(asl_now_ns() - t0);
	return (uint64_t)(us * 1e3 / (ns / (double)rounds)) + 1;
}

/* Run the four tasks on one thread taking turns (one_thread) or on a thread each. */
static void timeline(struct bench *b, const char *name, bool one_thread, int pin, int chunks,
		     uint64_t rounds)
{
	struct worker w[TASKS];
	struct workers_task tasks[TASKS];
	char path[600];
	int rc, nthreads = one_thread ? 1 : TASKS;

	for (int i = 0; i < TASKS; i++) {
		w[i] = (struct worker){ .task = i, .pin = pin, .chunks = chunks, .rounds = rounds };
		tasks[i] = (struct workers_task){ .fn = worker_main, .arg = &w[i] };
	}
	if (one_thread)
		tasks[0] = (struct workers_task){ .fn = turns_main, .arg = w };
	trace_reset(); /* forget the previous run's spans and threads; time origin = now */
	trace_enable(4096);
	rc = workers_run(tasks, nthreads);
	trace_disable();
	if (rc)
		asl_die(-rc, "workers_run");
	for (int i = 0; i < nthreads; i++)
		if (tasks[i].result)
			asl_die(0, "cannot pin a thread to CPU %d", pin);
	snprintf(path, sizeof path, "%s/03-threads-timeline-%s.trace", b->out_dir, name);
	rc = trace_dump(path);
	if (rc)
		asl_die(-rc, "cannot write %s", path);
	printf("# wrote %s (%zu spans)\n", path, trace_count(NULL));
}

/* One sample of the tracer's cost: ns per empty begin/end pair, over `spans` pairs.  Each
 * sample starts from an empty buffer (all spans fit), so every enabled pair is a real record. */
static double shot_spans(void *arg)
{
	uint64_t spans = *(const uint64_t *)arg, t0;
	trace_reset();
	t0 = asl_now_ns();
	for (uint64_t i = 0; i < spans; i++) {
		trace_tok t = trace_begin(7);
		bench_clobber();
		trace_end(t);
	}
	return (double)(asl_now_ns() - t0) / (double)spans;
}

static void measure_cost(struct bench *b)
{
	uint64_t spans = b->quick ? 1000 : 50000;
	bench_open(b, "trace-cost", "state", "ns/span",
		   "x=0 tracer disabled, x=1 enabled: "
		   "one empty trace_begin/trace_end pair");
	trace_disable();
	bench_shot(b, "disabled", 0, shot_spans, &spans, NULL);
	trace_enable(1 << 16);
	bench_shot(b, "enabled", 1, shot_spans, &spans, NULL);
	trace_disable();
	bench_close(b);
}

int main(int argc, char **argv)
{
	struct bench b;
	cpu_set_t set;
	int first = 0, chunks;
	uint64_t rounds;

	bench_init(&b, argc, argv, "03-threads",
		   "tracer timelines of 4 CPU-bound tasks on one thread, on one CPU and on all "
		   "CPUs; tracer cost");
	if (!sched_getaffinity(0, sizeof set, &set))
		while (first < CPU_SETSIZE - 1 && !CPU_ISSET(first, &set))
			first++;
	/* chunks of ~100 us: many per scheduler time slice, so the slices are visible */
	rounds = calibrate_rounds(100);
	chunks = b.quick ? 10 : 150;
	timeline(&b, "1thread", true, first, chunks, rounds);
	timeline(&b, "1cpu", false, first, chunks, rounds);
	timeline(&b, "ncpu", false, -1, chunks, rounds);
	measure_cost(&b);
	trace_free();
	return 0;
}
