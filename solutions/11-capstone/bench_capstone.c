/*
 * bench_capstone - one workload, every model: when does async help, when do threads help?
 *
 * Datasets (x, series = model):
 *   io            N requests that each wait L ms on the injector: total ms vs N (1..10,000);
 *                 series "delay" is L itself, the time of a perfectly concurrent run
 *   io-threads    peak threads of the process while the model runs N waiting requests
 *   io-rss        peak resident memory above the start of the run (MiB), same runs
 *   cpu           N hash computations, fixed total work: speedup over the sequential model vs
 *                 worker threads (series "cores" holds the usable CPU count for the figure)
 *   mixed         N requests that wait L ms, then compute C ms: total ms vs N
 * and the tracer timelines (11-capstone-timeline-*.trace) of 4 mixed requests run by the loop,
 * the fibers, and lab 10's multi-threaded executor pinned to ONE CPU and free on every CPU.
 * A point that would take longer than about a second (3 s with --full: the sequential model
 * at N = 10,000 would take 200 s) is skipped and says so; --full also adds the N = 3,000 (io)
 * and N = 1,000 (mixed) points, the CPU sweep past 2 x cores and more samples.  Every model's
 * results are checked at every point.  The default run takes about a minute on two idle cores.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/trace.h"
#include "asl/util.h"
#include "capstone.h"
#include "threads.h"

static int cores;
static double ns_per_round;

/* Rows are measured point by point (all models at one N, then the next N, so that a change in
 * the machine's load hits every model alike) but written series by series, so that each
 * model's points are consecutive in the file and the figure can join them with a line. */
struct row {
	const char *series;
	double x, v[8];
	int n;
};
static struct row rows[512];
static int nrows;

static void row_add(const char *series, double x, const double *v, int n)
{
	if (nrows == (int)(sizeof rows / sizeof rows[0]))
		return;
	rows[nrows] = (struct row){ .series = series, .x = x, .n = n };
	memcpy(rows[nrows++].v, v, (size_t)n * sizeof *v);
}

static void rows_flush(struct bench *b)
{
	for (int i = 0; i < nrows; i++) {
		bool first = true;
		for (int k = 0; k < i; k++)
			first &= strcmp(rows[k].series, rows[i].series) != 0;
		for (int k = i; first && k < nrows; k++)
			if (!strcmp(rows[k].series, rows[i].series))
				bench_record(b, rows[k].series, rows[k].x, rows[k].v, rows[k].n, 1,
					     NULL);
	}
	nrows = 0;
}

static void env_open(struct cap_env *e)
{
	int rc = cap_env_open(e);
	if (rc < 0) {
		fprintf(stderr,
			"bench_capstone: the latency injector (lab 07's latency server on "
			"your lab-07 loop) did not start: %s\n",
			asl_errname(-rc));
		exit(1);
	}
}

static void env_close(struct cap_env *e)
{
	int rc = cap_env_close(e);
	if (rc < 0)
		fprintf(stderr, "bench_capstone: the injector did not stop cleanly (%s)\n",
			asl_errname(-rc));
}

/* Run a point's samples; false (with a note) if the model failed there. */
static bool run_samples(struct cap_env *e, const struct cap_model *m, const struct cap_opts *o,
			int samples, double *ms)
{
	for (int s = 0; s < samples; s++) {
		struct cap_stats st;
		int rc = cap_run(e, m, o, NULL, NULL, &st);
		if (rc < 0 || st.wrong) {
			printf("  %-8s %-5s N=%-6d failed: %s, %d wrong results: point skipped\n",
			       m->name, cap_kind_name(o->kind), o->n, rc ? asl_errname(-rc) : "0",
			       st.wrong);
			return false;
		}
		ms[s] = st.ms;
	}
	return true;
}

/* How many requests the model keeps in flight at once (for the time budget). */
static int concurrency(const struct cap_model *m, int n, int threads)
{
	if (!strcmp(m->name, "seq"))
		return 1;
	if (!strcmp(m->name, "pool"))
		return threads;
	if (!strcmp(m->name, "threads"))
		return n < WORKERS_MAX ? n : WORKERS_MAX;
	return n;
}

static uint32_t rounds_for_ms(double ms)
{
	double r = ms * 1e6 / ns_per_round;
	return r < 1 ? 1 : (uint32_t)r;
}

static void io_time(struct bench *b)
{
	static const int full[] = { 1, 10, 100, 1000, 3000, 10000 },
			 dflt[] = { 1, 10, 100, 1000, 10000 }, quick[] = { 1, 10, 100 };
	const int *ns = b->quick ? quick : b->full ? full : dflt;
	int nn = b->quick ? 3 : b->full ? 6 : 5, delay = b->quick ? 5 : 20;
	double budget_ms = b->quick ? 150 : b->full ? 3000 : 1100;
	char note[200];
	snprintf(note, sizeof note,
		 "each request waits %d ms on the injector; P = %d workers "
		 "(the usable CPUs); points over %.0f ms predicted are skipped",
		 delay, cores, budget_ms);
	struct cap_env e;
	env_open(&e);
	bench_open(b, "io", "requests", "ms", note);
	for (int k = 0; k < nn; k++) {
		double d = delay;
		row_add("delay", ns[k], &d, 1);
		for (int j = 0; j < cap_nmodels; j++) {
			const struct cap_model *m = &cap_models[j];
			struct cap_opts o = {
				.kind = CAP_IO, .n = ns[k], .delay_ms = delay, .threads = cores
			};
			int c = concurrency(m, o.n, cores);
			double predicted = ceil((double)o.n / c) * delay;
			if (predicted > budget_ms) {
				printf("  %-8s io    N=%-6d skipped: about %.0f ms\n", m->name, o.n,
				       predicted);
				continue;
			}
			double ms[8];
			int samples = b->quick ? 2 : o.n >= 1000 || !b->full ? 3 : 5;
			if (run_samples(&e, m, &o, samples, ms))
				row_add(m->name, o.n, ms, samples);
		}
	}
	rows_flush(b);
	env_close(&e); /* reaped before the dataset closes: its CPU time is ours */
	bench_close(b);
}

/* One cost measurement in a child process, so that each model starts from the same memory
 * (glibc keeps the stacks of joined threads for reuse: a second run in one process would
 * look cheaper).  The child shares the open connections; the parent waits for it. */
static int cost_in_child(struct cap_env *e, const struct cap_model *m, struct cap_opts *o,
			 struct cap_stats *st)
{
	int p[2];
	if (pipe(p) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(p[0]);
		/* memory the parent freed but kept would be reused without growing the resident
		 * size: give it back first, so that the run's own memory shows */
		malloc_trim(0);
		struct cap_stats s;
		int rc = cap_run(e, m, o, NULL, NULL, &s);
		if (rc == 0 && s.wrong)
			rc = -EPROTO;
		ssize_t w1 = write(p[1], &rc, sizeof rc), w2 = write(p[1], &s, sizeof s);
		_exit(w1 == sizeof rc && w2 == sizeof s ? 0 : 1);
	}
	close(p[1]);
	int rc = -ECHILD, status;
	if (read(p[0], &rc, sizeof rc) != sizeof rc || read(p[0], st, sizeof *st) != sizeof *st)
		rc = -ECHILD;
	close(p[0]);
	waitpid(pid, &status, 0);
	return rc;
}

static void io_cost(struct bench *b)
{
	int n = b->quick ? 200 : 10000, delay = b->quick ? 20 : 200;
	double budget_ms = b->quick ? 300 : 3000;
	char note[200];
	snprintf(note, sizeof note,
		 "N requests waiting %d ms each (x = N: the models that would "
		 "take too long at N=%d run fewer); P = %d workers",
		 delay, n, cores);
	struct cap_env e;
	env_open(&e);
	struct {
		double threads, rss;
		int n;
	} got[16];
	for (int j = 0; j < cap_nmodels; j++) {
		const struct cap_model *m = &cap_models[j];
		int mn = n, c = concurrency(m, mn, cores);
		while (mn > 1 && ceil((double)mn / c) * delay > budget_ms)
			mn /= 10, c = concurrency(m, mn, cores);
		struct cap_opts o = {
			.kind = CAP_IO, .n = mn, .delay_ms = delay, .threads = cores, .sample = true
		};
		struct cap_stats st;
		/* open the connections here, so that the child only uses them */
		int rc = cap_env_connect(&e, mn, m->nonblocking);
		if (rc == 0)
			rc = cost_in_child(&e, m, &o, &st);
		got[j].n = rc == 0 ? mn : -1;
		got[j].threads = st.peak_threads;
		got[j].rss = st.peak_rss_mib;
		if (rc < 0)
			printf("  %-8s N=%-6d FAILED: %s\n", m->name, mn, asl_errname(-rc));
		else
			printf("  %-8s N=%-6d peak threads %d, peak RSS +%.1f MiB\n", m->name, mn,
			       st.peak_threads, st.peak_rss_mib);
	}
	env_close(&e);
	bench_open(b, "io-threads", "requests", "threads", note);
	for (int j = 0; j < cap_nmodels; j++)
		if (got[j].n > 0)
			bench_record(b, cap_models[j].name, got[j].n, &got[j].threads, 1, 1, NULL);
	bench_close(b);
	bench_open(b, "io-rss", "requests", "MiB", note);
	for (int j = 0; j < cap_nmodels; j++)
		if (got[j].n > 0)
			bench_record(b, cap_models[j].name, got[j].n, &got[j].rss, 1, 1, NULL);
	bench_close(b);
}

/* Does the model's thread count follow P?  Not for one-thread models, nor for a thread per
 * request (always one thread per request, whatever P says). */
static bool sized_by_p(const struct cap_model *m)
{
	return m->parallel && strcmp(m->name, "threads") != 0;
}

static void cpu_speedup(struct bench *b)
{
	int n = b->quick ? 8 : 64, samples = b->quick ? 2 : b->full ? 5 : 3, xs[64];
	/* past the core count to 2x cores (4x with --full): the plateau shows by then */
	int nt = bench_thread_counts(cores, b->full ? 4 : 2, xs, 64);
	/* At least 20 ms per thread at P = cores (thread start-up is tens of microseconds), and
	 * the total grows with the machine: 200 ms of work on 1-10 cores, 20 ms x cores above.
	 * The models whose threads do not depend on P (one thread, or a thread per request) are
	 * measured at the ends of the sweep only: their speedup is the same at every P, and on
	 * 64 cores measuring them at every point would take minutes. */
	double total_ms = b->quick ? 4 : (cores * 20.0 > 200 ? cores * 20.0 : 200);
	struct cap_opts o = { .kind = CAP_CPU, .n = n, .rounds = rounds_for_ms(total_ms / n) };
	char note[200];
	snprintf(note, sizeof note,
		 "%d hash computations of %u rounds (%.0f ms of work in all); "
		 "x = worker threads P; speedup = time of a sequential run made just before / "
		 "time",
		 n, o.rounds, total_ms);
	double sp[16][8], c = cores;
	const struct cap_model *seq = cap_model_find("seq");
	bench_open(b, "cpu", "threads", "speedup", note);
	for (int k = 0; k < nt; k++) {
		/* each sample pairs a sequential run with one run of every model, moments apart:
		 * a change in the machine's load then hits both sides of a ratio alike */
		o.threads = xs[k];
		for (int s = 0; s < samples; s++) {
			double base;
			if (!run_samples(NULL, seq, &o, 1, &base))
				exit(1);
			for (int j = 0; j < cap_nmodels; j++) {
				double ms = base;
				const struct cap_model *m = &cap_models[j];
				if (m == seq || (!sized_by_p(m) && k != 0 && k != nt - 1))
					continue;
				if (!run_samples(NULL, m, &o, 1, &ms))
					exit(1);
				sp[j][s] = base / ms;
			}
		}
		for (int j = 0; j < cap_nmodels; j++) {
			const struct cap_model *m = &cap_models[j];
			if (m != seq && (sized_by_p(m) || k == 0 || k == nt - 1))
				row_add(m->name, xs[k], sp[j], samples);
		}
	}
	rows_flush(b);
	bench_record(b, "cores", cores, &c, 1, 1, NULL);
	bench_close(b);
}

static void mixed_time(struct bench *b)
{
	static const int full[] = { 1, 10, 100, 300, 1000 }, dflt[] = { 1, 10, 100, 300 },
			 quick[] = { 1, 10 };
	const int *ns = b->quick ? quick : b->full ? full : dflt;
	int nn = b->quick ? 2 : b->full ? 5 : 4, delay = b->quick ? 5 : 20;
	double c_ms = b->quick ? 0.1 : 0.5;
	double budget_ms = b->quick ? 150 : b->full ? 3000 : 1100;
	uint32_t rounds = rounds_for_ms(c_ms);
	char note[200];
	snprintf(note, sizeof note,
		 "each request waits %d ms, then hashes %u rounds (about %.1f "
		 "ms); P = %d workers (pool, offload, futmt, futblk)",
		 delay, rounds, c_ms, cores);
	struct cap_env e;
	env_open(&e);
	bench_open(b, "mixed", "requests", "ms", note);
	for (int k = 0; k < nn; k++) {
		for (int j = 0; j < cap_nmodels; j++) {
			const struct cap_model *m = &cap_models[j];
			struct cap_opts o = { .kind = CAP_MIXED,
					      .n = ns[k],
					      .delay_ms = delay,
					      .rounds = rounds,
					      .threads = cores };
			int c = concurrency(m, o.n, cores);
			double waits = ceil((double)o.n / c) * delay;
			double computes = (m->parallel ? ceil((double)o.n / cores) : o.n) * c_ms;
			if (waits + computes > budget_ms) {
				printf("  %-8s mixed N=%-6d skipped: about %.0f ms\n", m->name, o.n,
				       waits + computes);
				continue;
			}
			double ms[8];
			int samples = b->quick ? 2 : b->full ? 5 : 3;
			if (run_samples(&e, m, &o, samples, ms))
				row_add(m->name, o.n, ms, samples);
		}
	}
	rows_flush(b);
	env_close(&e);
	bench_close(b);
}

/* One traced run: 4 mixed requests; cpus = 1 pins the run (and the threads it starts) to the
 * first usable CPU, 0 leaves it free. */
static void timeline(struct bench *b, struct cap_env *e, const char *model, const char *file,
		     int one_cpu)
{
	const struct cap_model *m = cap_model_find(model);
	/* 4 requests (the timeline's four task colours), and as many workers as CPUs (2 to 4) */
	struct cap_opts o = { .kind = CAP_MIXED,
			      .n = 4,
			      .delay_ms = b->quick ? 2 : 10,
			      .rounds = rounds_for_ms(b->quick ? 0.5 : 8),
			      .threads = cores < 2   ? 2
					 : cores > 4 ? 4
						     : cores };
	cpu_set_t all, one;
	CPU_ZERO(&one);
	sched_getaffinity(0, sizeof all, &all);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all)) {
			CPU_SET(c, &one);
			break;
		}
	if (one_cpu)
		sched_setaffinity(0, sizeof one, &one);
	struct cap_stats st;
	trace_reset();
	trace_thread_name("caller");
	trace_enable(0);
	int rc = cap_run(e, m, &o, NULL, NULL, &st);
	trace_disable();
	if (one_cpu)
		sched_setaffinity(0, sizeof all, &all);
	char path[600];
	snprintf(path, sizeof path, "%s/11-capstone-%s.trace", b->out_dir, file);
	if (rc < 0 || trace_dump(path) < 0) {
		fprintf(stderr, "bench_capstone: timeline %s failed (%s)\n", file,
			asl_errname(-rc));
		exit(1);
	}
	printf("  timeline %-14s %.1f ms -> %s\n", file, st.ms, path);
}

static void timelines(struct bench *b)
{
	struct cap_env e;
	env_open(&e);
	timeline(b, &e, "loop", "timeline-loop", 0);
	timeline(b, &e, "fibers", "timeline-fibers", 0);
	timeline(b, &e, "futmt", "timeline-futmt-1cpu", 1);
	timeline(b, &e, "futmt", "timeline-futmt", 0);
	env_close(&e);
	trace_free();
}

static double calibrate(void)
{
	uint64_t t0 = asl_now_ns();
	bench_keep(cap_hash(1, 20000));
	return (double)(asl_now_ns() - t0) / 20000;
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "11-capstone",
		   "one workload (I/O-bound, CPU-bound, mixed) run by every model of the course");
	cores = bench_usable_cpus();
	ns_per_round = calibrate();
	for (int k = 0; k < 3; k++) {
		double again = calibrate();
		ns_per_round = again < ns_per_round ? again : ns_per_round;
	}
	printf("hash: %.1f ns per round; %d usable CPUs\n", ns_per_round, cores);
	io_cost(&b); /* first: a fresh heap (see cost_in_child) */
	io_time(&b);
	cpu_speedup(&b);
	mixed_time(&b);
	timelines(&b);
	return 0;
}
