/*
 * asl/bench.h - the one timing harness every lab's bench_*.c program is built on.
 *
 * A measurement is a set of samples.  Each sample is either
 *   - a loop: the harness calls fn(arg, iters) and divides the elapsed time by iters, after
 *     calibrating iters so that one sample lasts at least --min-time seconds; or
 *   - a one-shot: fn(arg) does its own setup and timing and returns the value of one sample
 *     (for costs that cannot be repeated in place, like the first touch of a fresh page).
 * Before the samples there is warm-up (the calibration runs, plus one untimed sample).  The
 * result is the distribution of the samples: min, quartiles, median, p90, max and the median
 * absolute deviation (a spread that one outlier cannot blow up).
 *
 * Every harness accepts the same options (see BENCH_USAGE), prints a readable table on stdout
 * and writes one TSV data file per dataset whose '#' header stamps the machine, kernel, CPU,
 * core count, compiler, flags and date.  --quick makes every harness run in a fraction of a
 * second so CI can check that the data is well formed (common/tools/check_tsv.py).  The default
 * run is sized so that `make plots` stays within a few minutes on a small machine; --full adds
 * the sweeps that take long (the biggest connection or thread counts), for `make plots FULL=1`.
 */
#ifndef ASL_BENCH_H
#define ASL_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_USAGE                                                                          \
	"[--quick | --full] [--samples N] [--min-time SECONDS] [--pin CPU] [--out DIR]\n"    \
	"  --quick          tiny run that only checks the harness works (CI)\n"              \
	"  --full           also the long sweeps (e.g. 10,000 threads): make plots FULL=1\n" \
	"  --samples N      samples per measurement (default 15, quick 3)\n"                 \
	"  --min-time S     minimum seconds per loop sample (default 0.02, quick 0.001)\n"   \
	"  --pin CPU        pin the measuring thread to one CPU\n"                           \
	"  --out DIR        directory for the .tsv data files (default: current directory)"

/* A snapshot of how busy the machine is (see bench.c). */
struct bench_load {
	double loadavg[3]; /* 1, 5, 15 minutes; -1 if unknown */
	double machine_s;  /* non-idle CPU seconds of the machine since boot */
	double own_s;      /* CPU seconds of this process and its reaped children */
	uint64_t wall_ns;
};

struct bench {
	const char *harness; /* e.g. "01-memory" */
	bool quick;
	bool full; /* --full: the long sweeps too (a harness decides what they are) */
	int samples;
	double min_time_s;
	int pin_cpu; /* -1: not pinned */
	const char *out_dir;
	FILE *tsv; /* the dataset being written, or NULL */
	char tsv_path[512];
	char tmp_path[530]; /* tsv_path + ".partial" while the dataset is written */
	struct bench_load run_start, set_start;
	const char *unit; /* unit of the current dataset's values */
	int rows;
};

struct bench_stats {
	int n;          /* samples */
	uint64_t iters; /* iterations per sample (1 for one-shots) */
	double min, q1, median, q3, p90, max, mad;
};

/* Parse the common options (exits 2 with BENCH_USAGE on anything else, 0 on --help).
 * `what` is one line saying what the harness measures.  Applies --pin. */
void bench_init(struct bench *b, int argc, char **argv, const char *harness, const char *what);

/* Start dataset `name` (file <out_dir>/<harness>-<name>.tsv).  x_label names the x column
 * ("bytes", "threads", "kind"), unit the measured values ("ns/op", "us", "MiB").
 * `note` is one free-text line of context recorded in the header (may be NULL).
 * Exits the program on I/O errors: a harness without its data file is useless. */
void bench_open(struct bench *b, const char *name, const char *x_label, const char *unit,
		const char *note);

typedef void (*bench_loop_fn)(void *arg, uint64_t iters);
typedef double (*bench_shot_fn)(void *arg);

/* Measure ns per iteration of fn; records row (series, x) in the open dataset. */
void bench_loop(struct bench *b, const char *series, double x, bench_loop_fn fn, void *arg,
		struct bench_stats *st);
/* Collect samples from a one-shot fn (value in the dataset's unit); records the row. */
void bench_shot(struct bench *b, const char *series, double x, bench_shot_fn fn, void *arg,
		struct bench_stats *st);
/* Record a row from values the caller measured itself (n >= 1). */
void bench_record(struct bench *b, const char *series, double x, const double *values, int n,
		  uint64_t iters, struct bench_stats *st);

/* Finish the dataset and print where it went. */
void bench_close(struct bench *b);

/* Thread counts for a sweep: 1, 2, 4, ... (doubling), plus `cores` itself and its multiples
 * 2x, 4x ... up to max_factor x cores, sorted, without repeats.  Returns how many were written
 * to out (at most cap).  Every thread-count sweep uses it, so the core count is always a point
 * and the sweep goes past it on any machine. */
int bench_thread_counts(int cores, int max_factor, int *out, int cap);

/* The machine stamp ("AMD EPYC, 2/2 CPUs, Linux 6.1, gcc 12.2 -O2, 2026-11-21"). */
const char *bench_stamp(void);
/* CPUs this process may run on (sched_getaffinity), which is what parallel code gets. */
int bench_usable_cpus(void);

/* For a sweep over N idle descriptors: raise RLIMIT_NOFILE (asl_raise_fd_limit) so that `want`
 * of them fit beside `spare` others (stdio, pipes, the loop's own); returns how many of want fit
 * (fewer when the hard limit is lower: the caller drops the larger N and says so). */
int bench_fd_room(int want, int spare);

/* Run fn(arg, out) in a forked copy of this process and bring back the n doubles it wrote to out
 * (n at most 64): memory measured there starts from this process's state and dies with the
 * child, so one measurement cannot inflate the next.  fn returns 0, or nonzero on failure.
 * Exits through asl_die ("<what> failed") when the child fails or dies. */
void bench_in_child(const char *what, int (*fn)(void *arg, double *out), void *arg, double *out,
		    int n);

/* A "Key:" line of /proc/self/status in kB ("VmRSS", "VmSize", "VmStk"): what memory benches
 * report beside their timings.  -1 if the file or the key is missing. */
long bench_status_kib(const char *key);

/* Keep the compiler from deleting a computation whose result is unused. */
#define bench_keep(v) __asm__ volatile("" : : "g"(v) : "memory")
#define bench_clobber() __asm__ volatile("" : : : "memory")

#endif
