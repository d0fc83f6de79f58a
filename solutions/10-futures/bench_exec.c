/*
 * bench_exec.c - what the executors cost: per spawn, per poll, per wake+poll cycle, and the
 * memory of a task.
 *
 * Dataset "cycle" (ns per operation; x = worker threads, the single-threaded executor at 1):
 *   st-spawn  spawn a ready future, poll it, complete it, free it (one task's whole life)
 *   st-poll   one task that wakes itself and returns pending: a cooperative yield; the wake
 *             is from inside its own poll, so it costs no atomic operation (task.c)
 *   st-wake   two tasks ping-pong: each wakes the other through the waker the other left
 *             (waker_register: a counted clone of a real task waker), by reference: one
 *             thread owns both slots, so nothing is cloned per move - the notes' `wake_by_ref`.
 *             A cycle is one wake (state compare-and-swap, queue) and one poll of the woken
 *             task (state exchange, poll, compare-and-swap back to idle).
 *   mt-*      the same on the multi-threaded executor, over all its workers (throughput:
 *             wall time / operations, 400,000 of them per sample so that starting and
 *             joining the workers is amortised), for each worker count of bench_thread_counts
 * Dataset "task_bytes": the task header (sizeof) and a sleep future (allocated bytes).
 * Dataset "sleepers": RSS of a process holding N sleeping tasks (each a task + a sleep future
 * whose timer is in the loop's heap), measured in a child process per N: total MiB and bytes
 * per task.  The notes put a Rust future at ~100 bytes; targets: header <= 64 B, 1,000,000
 * sleepers <= 256 MiB.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "fut_internal.h"
#include "workloads.h"

/* ---- single-threaded ---- */

static exec_t *st_ex;

static void must(int rc, const char *what)
{
	if (rc < 0)
		asl_die(-rc, "%s", what);
}

static void st_spawn(void *arg, uint64_t iters)
{
	(void)arg;
	for (uint64_t i = 0; i < iters; i++)
		must(exec_spawn(st_ex, fut_ready(0), NULL), "exec_spawn");
	must(exec_run(st_ex), "exec_run");
}

static void st_poll(void *arg, uint64_t iters)
{
	(void)arg;
	intptr_t v;
	must(exec_block_on(st_ex, fut_yield((unsigned)iters, 0), &v), "exec_block_on");
}

/* The ping-pong pair of workloads.h: spawn both sides of pp on ex. */
static void pp_spawn(struct pingpong *pp, int (*spawn)(void *ex, fut_t *f), void *ex)
{
	for (int k = 0; k < 2; k++) {
		fut_t *side = pingpong_side(pp, k);
		if (!side)
			asl_die(ENOMEM, "malloc");
		must(spawn(ex, side), "spawn");
	}
}

static int st_spawn_fn(void *ex, fut_t *f)
{
	return exec_spawn(ex, f, NULL);
}

static void st_wake(void *arg, uint64_t iters)
{
	(void)arg;
	struct pingpong pp;
	pingpong_init(&pp, iters, false);
	pp_spawn(&pp, st_spawn_fn, st_ex);
	must(exec_run(st_ex), "exec_run");
	pingpong_destroy(&pp);
}

/* ---- multi-threaded ---- */

static int mt_workers;

static int mt_spawn_fn(void *ex, fut_t *f)
{
	return exec_mt_spawn(ex, f, NULL);
}

static exec_mt_t *mt_new(void)
{
	exec_mt_t *ex;
	must(exec_mt_create(&ex, mt_workers), "exec_mt_create");
	return ex;
}

/* The multi-threaded runs are one-shots: each starts its workers, runs a fixed number of
 * operations (enough to hide the start and join of the workers) and returns ns/operation. */
static uint64_t mt_ops;

static double mt_spawn(void *arg)
{
	(void)arg;
	exec_mt_t *ex = mt_new();
	uint64_t t0 = asl_now_ns();
	for (uint64_t i = 0; i < mt_ops; i++)
		must(exec_mt_spawn(ex, fut_ready(0), NULL), "exec_mt_spawn");
	must(exec_mt_run(ex), "exec_mt_run");
	double ns = (double)(asl_now_ns() - t0) / (double)mt_ops;
	exec_mt_destroy(ex);
	return ns;
}

static double mt_poll(void *arg)
{
	(void)arg;
	exec_mt_t *ex = mt_new();
	int tasks = 4 * mt_workers;
	uint64_t each = mt_ops / (uint64_t)tasks + 1;
	for (int t = 0; t < tasks; t++)
		must(exec_mt_spawn(ex, fut_yield((unsigned)each, 0), NULL), "exec_mt_spawn");
	uint64_t t0 = asl_now_ns();
	must(exec_mt_run(ex), "exec_mt_run");
	double ns = (double)(asl_now_ns() - t0) / (double)(each * (uint64_t)tasks);
	exec_mt_destroy(ex);
	return ns;
}

static double mt_wake(void *arg)
{
	(void)arg;
	exec_mt_t *ex = mt_new();
	int pairs = mt_workers;
	struct pingpong *pp = calloc((size_t)pairs, sizeof *pp);
	if (!pp)
		asl_die(ENOMEM, "calloc");
	for (int i = 0; i < pairs; i++) {
		pingpong_init(&pp[i], mt_ops / 4 / (uint64_t)pairs + 1, true);
		pp_spawn(&pp[i], mt_spawn_fn, ex);
	}
	uint64_t t0 = asl_now_ns();
	must(exec_mt_run(ex), "exec_mt_run");
	double ns = (double)(asl_now_ns() - t0) / (double)(pp[0].rounds * (uint64_t)pairs);
	exec_mt_destroy(ex);
	for (int i = 0; i < pairs; i++)
		pingpong_destroy(&pp[i]);
	free(pp);
	return ns;
}

/* ---- memory ---- */

/* In a child: RSS growth for n tasks sleeping 10 minutes, each polled once (timer armed).
 * The child exits without freeing them: 1,000,000 tasks, the kernel frees them faster. */
static int sleepers_main(void *arg, double *grew)
{
	long n = *(long *)arg;
	exec_t *ex;
	intptr_t v;
	must(exec_create(&ex), "exec_create");
	must(exec_block_on(ex, fut_ready(0), &v), "exec_block_on"); /* warm up */
	long before = bench_status_kib("VmRSS");
	for (long i = 0; i < n; i++)
		must(exec_spawn(ex, reactor_sleep(ex, 600000), NULL), "exec_spawn");
	/* spawned last, polled after every sleeper has been polled once */
	must(exec_block_on(ex, fut_ready(0), &v), "exec_block_on");
	*grew = (double)(bench_status_kib("VmRSS") - before);
	return 0;
}

static double sleepers_rss_kib(long n)
{
	double kib;
	bench_in_child("the sleepers child", sleepers_main, &n, &kib, 1);
	return kib;
}

int main(int argc, char **argv)
{
	struct bench b;
	struct bench_stats st;
	bench_init(&b, argc, argv, "10-futures",
		   "ns per spawn / poll / wake+poll, single- and multi-threaded; bytes per task");
	/* first, while this process's heap is still small: each child starts from it, and
	 * memory freed by the other measurements would be reused without growing the RSS */
	bench_open(&b, "sleepers", "tasks", "bytes/task",
		   "RSS growth per sleeping task (task + sleep future + timer heap slot)");
	static const long full_n[] = { 1000, 10000, 100000, 1000000 };
	static const long quick_n[] = { 1000, 10000 };
	const long *ns = b.quick ? quick_n : full_n;
	int nn = b.quick ? 2 : 4;
	for (int i = 0; i < nn; i++) {
		double kib = sleepers_rss_kib(ns[i]);
		double per = kib * 1024.0 / (double)ns[i];
		bench_record(&b, "rss-per-task", (double)ns[i], &per, 1, 1, &st);
		printf("# %ld sleeping tasks: RSS grew %.1f MiB\n", ns[i], kib / 1024.0);
	}
	bench_close(&b);
	must(exec_create(&st_ex), "exec_create");

	bench_open(&b, "cycle", "workers", "ns/op",
		   "st-*: single-threaded executor (x = 1); mt-*: multi-threaded, x workers");
	bench_loop(&b, "st-spawn", 1, st_spawn, NULL, &st);
	bench_loop(&b, "st-poll", 1, st_poll, NULL, &st);
	bench_loop(&b, "st-wake", 1, st_wake, NULL, &st);
	int counts[16], cores = bench_usable_cpus();
	int nc = bench_thread_counts(cores, b.quick ? 1 : 2, counts, 16);
	mt_ops = b.quick ? 20000 : 400000;
	for (int i = 0; i < nc; i++) {
		mt_workers = counts[i];
		bench_shot(&b, "mt-spawn", counts[i], mt_spawn, NULL, &st);
		bench_shot(&b, "mt-poll", counts[i], mt_poll, NULL, &st);
		bench_shot(&b, "mt-wake", counts[i], mt_wake, NULL, &st);
	}
	bench_close(&b);

	bench_open(&b, "task_bytes", "kind", "bytes",
		   "x = 1: task header (sizeof); x = 2: a sleep future (malloc_usable_size)");
	double hdr = (double)sizeof(task_t);
	fut_t *s = reactor_sleep(st_ex, 1);
	double sleep_bytes = (double)malloc_usable_size(s);
	fut_drop(s);
	bench_record(&b, "task-header", 1, &hdr, 1, 1, &st);
	bench_record(&b, "sleep-future", 2, &sleep_bytes, 1, 1, &st);
	bench_close(&b);

	exec_destroy(st_ex);
	return 0;
}
