/* bench.c - the shared timing harness; see asl/bench.h for the method. */
#include "asl/bench.h"
#include "asl/util.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef ASL_CFLAGS
#define ASL_CFLAGS "?"
#endif

#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "cc"
#endif

/* ---- is the machine busy? ----------------------------------------------------------------
 * A figure measured while other programs compete for the CPUs teaches the wrong lesson (a
 * "2x" speedup that shows 1.0x), so every dataset records two views of the load:
 *   - the load averages at open and close (what `uptime` says; the 1-minute figure includes
 *     this harness's own threads once it has run a while, so it is context, not the verdict);
 *   - the CPU time OTHER processes used while the dataset was measured: all non-idle time in
 *     /proc/stat minus this process's own (and its reaped children's) CPU time.  A harness that
 *     starts helper processes must reap them before bench_close(), or they count as others.
 * The dataset is marked busy when the others used more than a quarter of the usable CPUs on
 * average (or, for a dataset too short to measure that, when the load at open exceeded them).
 * plots/render.sh prints the warning on the figure. */
static void load_averages(double la[3])
{
	la[0] = la[1] = la[2] = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f)
		return;
	if (fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
		la[0] = la[1] = la[2] = -1;
	fclose(f);
}

/* Non-idle CPU seconds of the whole machine since boot (-1 if /proc/stat is unreadable). */
static double machine_busy_s(void)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 4)
		return -1;
	/* user nice system idle iowait irq softirq steal (guest time is already in user) */
	unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds used by this process and its reaped children. */
static double own_cpu_s(void)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
			kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
			kids.ru_stime.tv_usec) /
		   1e6;
}

static void load_mark(struct bench_load *l)
{
	load_averages(l->loadavg);
	l->machine_s = machine_busy_s();
	l->own_s = own_cpu_s();
	l->wall_ns = asl_now_ns();
}

/* Fills *verdict with one line and returns true when the machine was busy between a and b.
 * A dataset written in an instant (one derived from the measurement before it) is too short
 * to measure the others' CPU time: then the whole run so far (run .. b) decides; a run that
 * short too watches the others for a tenth of a second.  The load average decides only where
 * /proc/stat cannot be read: it lags by a minute and may still count the threads of the
 * harness before (a 10,000-thread server pushes it past 60). */
static bool load_verdict(const struct bench_load *a, const struct bench_load *b,
			 const struct bench_load *run, char *verdict, size_t len)
{
	int cpus = bench_usable_cpus();
	double wall = (double)(b->wall_ns - a->wall_ns) / 1e9;
	if (wall <= 0.05 && run && (double)(b->wall_ns - run->wall_ns) / 1e9 > 0.05) {
		a = run;
		wall = (double)(b->wall_ns - a->wall_ns) / 1e9;
	}
	struct bench_load w0, w1;
	if (wall <= 0.05) {
		/* a whole run this short (a program that only computes sizes) cannot measure the
		 * others in its own time: watch them for a tenth of a second now instead, which
		 * says more than a load average that still counts the harness before this one */
		struct timespec tenth = { 0, 100000000L };
		load_mark(&w0);
		nanosleep(&tenth, NULL);
		load_mark(&w1);
		w0.loadavg[0] = a->loadavg[0];
		w1.loadavg[0] = b->loadavg[0];
		a = &w0;
		b = &w1;
		wall = (double)(b->wall_ns - a->wall_ns) / 1e9;
	}
	double others = -1;
	if (a->machine_s >= 0 && b->machine_s >= 0 && wall > 0.05) {
		others = ((b->machine_s - a->machine_s) - (b->own_s - a->own_s)) / wall;
		if (others < 0)
			others = 0; /* clock-tick rounding */
	}
	/* the load average lags by a minute (a build that just ended still counts), so when the
	 * other programs' CPU time could be measured it decides; the load decides only without */
	bool busy = others >= 0 ? others > 0.25 * cpus : a->loadavg[0] > cpus;
	if (others < 0)
		snprintf(verdict, len, "%s: load %.2f at start, %.2f at end (%d usable CPUs)",
			 busy ? "BUSY" : "idle", a->loadavg[0], b->loadavg[0], cpus);
	else
		snprintf(verdict, len,
			 "%s: load %.2f at start, %.2f at end; other programs used "
			 "%.2f of %d usable CPUs",
			 busy ? "BUSY" : "idle", a->loadavg[0], b->loadavg[0], others, cpus);
	return busy;
}

static const char *usage_line(const char *prog)
{
	static char buf[1024];
	snprintf(buf, sizeof buf, "%s " BENCH_USAGE, prog);
	return buf;
}

void bench_init(struct bench *b, int argc, char **argv, const char *harness, const char *what)
{
	const char *usage = usage_line(argv[0]);
	bool samples_set = false, min_set = false;
	long v;

	memset(b, 0, sizeof *b);
	b->harness = harness;
	b->samples = 15;
	b->min_time_s = 0.02;
	b->pin_cpu = -1;
	b->out_dir = ".";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s: %s\nusage: %s\n", harness, what, usage);
			exit(0);
		} else if (!strcmp(a, "--quick")) {
			b->quick = true;
		} else if (!strcmp(a, "--full")) {
			b->full = true;
		} else if (!strcmp(a, "--samples")) {
			if (!asl_parse_long(val, 1, 100000, &v))
				asl_usage_error(usage, "--samples needs a whole number 1..100000");
			b->samples = (int)v;
			samples_set = true;
			i++;
		} else if (!strcmp(a, "--min-time")) {
			char *end;
			double t = val ? strtod(val, &end) : -1;
			if (!val || *end || !(t > 0 && t <= 60))
				asl_usage_error(usage, "--min-time needs seconds in (0, 60]");
			b->min_time_s = t;
			min_set = true;
			i++;
		} else if (!strcmp(a, "--pin")) {
			if (!asl_parse_long(val, 0, CPU_SETSIZE - 1, &v))
				asl_usage_error(usage, "--pin needs a CPU number");
			b->pin_cpu = (int)v;
			i++;
		} else if (!strcmp(a, "--out")) {
			if (!val || !*val)
				asl_usage_error(usage, "--out needs a directory");
			b->out_dir = val;
			i++;
		} else {
			asl_usage_error(usage, "unknown argument '%s'", a);
		}
	}
	if (b->quick && b->full)
		asl_usage_error(usage, "--quick and --full exclude each other");
	if (b->quick) {
		if (!samples_set)
			b->samples = 3;
		if (!min_set)
			b->min_time_s = 0.001;
	}
	if (b->pin_cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(b->pin_cpu, &set);
		if (sched_setaffinity(0, sizeof set, &set))
			asl_die(errno, "--pin %d", b->pin_cpu);
	}
	if (mkdir(b->out_dir, 0777) && errno != EEXIST)
		asl_die(errno, "cannot create output directory %s", b->out_dir);
	load_mark(&b->run_start);
	printf("# %s: %s\n# %s%s\n# load average at start: %.2f %.2f %.2f (%d usable CPUs)%s\n",
	       harness, what, bench_stamp(),
	       b->quick ? " (quick mode: numbers are NOT meaningful)" : "", b->run_start.loadavg[0],
	       b->run_start.loadavg[1], b->run_start.loadavg[2], bench_usable_cpus(),
	       b->run_start.loadavg[0] > bench_usable_cpus()
		   ? "\n# note: the load average is above the usable CPUs.  It lags by a minute "
		     "(a harness that just ran still counts);\n# each dataset below says whether "
		     "other programs really competed, and a busy one is marked on its figure"
		   : "");
	fflush(stdout);
}

/* Which tree was built: the student's (labs/) or the reference (solutions/). */
static const char *tree_measured(void)
{
#ifdef ASL_BUILD_DIR
	if (strstr(ASL_BUILD_DIR, "/labs/"))
		return "labs (your code)";
	if (strstr(ASL_BUILD_DIR, "/solutions/"))
		return "solutions (the reference)";
#endif
	return "unknown";
}

static void cpu_model(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		/* x86 says "model name", many aarch64 kernels only "CPU part"/"Hardware" */
		if (!strncmp(line, "model name", 10) || !strncmp(line, "Hardware", 8)) {
			char *v = strchr(line, ':');
			if (v) {
				v += strspn(v + 1, " \t") + 1;
				v[strcspn(v, "\n")] = '\0';
				snprintf(buf, len, "%s", v);
			}
			break;
		}
	}
	fclose(f);
}

static void today(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
}

const char *bench_stamp(void)
{
	static char stamp[512];
	if (!stamp[0]) {
		char cpu[256], date[64];
		struct utsname u;
		uname(&u);
		cpu_model(cpu, sizeof cpu);
		today(date, sizeof date);
		/* A stamp cut short is still a stamp; the check keeps -Wformat-truncation quiet. */
		if (snprintf(stamp, sizeof stamp, "%s, %d/%ld CPUs usable, Linux %s %s, %s %s, %s",
			     cpu, bench_usable_cpus(), sysconf(_SC_NPROCESSORS_ONLN), u.release,
			     u.machine, COMPILER, ASL_CFLAGS, date) >= (int)sizeof stamp)
			stamp[sizeof stamp - 1] = '\0';
	}
	return stamp;
}

void bench_open(struct bench *b, const char *name, const char *x_label, const char *unit,
		const char *note)
{
	struct utsname u;
	char cpu[256], date[64];

	if (b->tsv)
		bench_close(b);
	if (snprintf(b->tsv_path, sizeof b->tsv_path, "%s/%s-%s.tsv", b->out_dir, b->harness,
		     name) >= (int)sizeof b->tsv_path)
		asl_die(ENAMETOOLONG, "--out %s", b->out_dir);
	/* written under a temporary name and renamed by bench_close(): an interrupted harness
	 * leaves no truncated data file behind for a figure to draw */
	if (snprintf(b->tmp_path, sizeof b->tmp_path, "%s.partial", b->tsv_path) >=
	    (int)sizeof b->tmp_path)
		asl_die(ENAMETOOLONG, "--out %s", b->out_dir);
	b->tsv = fopen(b->tmp_path, "w");
	if (!b->tsv)
		asl_die(errno, "cannot write %s", b->tmp_path);
	load_mark(&b->set_start);
	b->unit = unit;
	b->rows = 0;
	uname(&u);
	cpu_model(cpu, sizeof cpu);
	today(date, sizeof date);
	fprintf(b->tsv,
		"# harness: %s\n# dataset: %s\n# unit: %s\n# x: %s\n# note: %s\n"
		"# mode: %s\n# samples: %d\n# min_time_s: %g\n# pinned_cpu: %d\n"
		"# cpu: %s\n# cpus_online: %ld\n# cpus_usable: %d\n# kernel: %s %s %s\n"
		"# compiler: %s\n# cflags: %s\n# date: %s\n# stamp: %s\n# tree: %s\n"
		"# load_start: %.2f %.2f %.2f\n",
		b->harness, name, unit, x_label, note ? note : "",
		b->quick  ? "quick"
		: b->full ? "full"
			  : "default",
		b->samples, b->min_time_s, b->pin_cpu, cpu, sysconf(_SC_NPROCESSORS_ONLN),
		bench_usable_cpus(), u.sysname, u.release, u.machine, COMPILER, ASL_CFLAGS, date,
		bench_stamp(), tree_measured(), b->set_start.loadavg[0], b->set_start.loadavg[1],
		b->set_start.loadavg[2]);
	fprintf(b->tsv, "series\tx\tn\titers\tmin\tq1\tmedian\tq3\tp90\tmax\tmad\n");
	printf("\n## %s  (%s; values in %s)\n%-22s %12s %12s %12s %12s %12s\n", name,
	       note ? note : x_label, unit, "series", x_label, "median", "q1", "q3", "p90");
}

void bench_close(struct bench *b)
{
	struct bench_load end;
	char verdict[256];
	if (!b->tsv)
		return;
	load_mark(&end);
	bool busy = load_verdict(&b->set_start, &end, &b->run_start, verdict, sizeof verdict);
	/* trailing '#' lines: gnuplot and check_tsv.py skip them like the header */
	fprintf(b->tsv, "# load_end: %.2f %.2f %.2f\n# load: %s\n", end.loadavg[0], end.loadavg[1],
		end.loadavg[2], verdict);
	if (fclose(b->tsv))
		asl_die(errno, "writing %s", b->tmp_path);
	b->tsv = NULL;
	if (rename(b->tmp_path, b->tsv_path))
		asl_die(errno, "renaming %s", b->tmp_path);
	printf("# wrote %s (%d rows)\n# %s\n", b->tsv_path, b->rows, verdict);
	if (busy)
		printf(
		    "# WARNING: the machine was busy while this was measured; the figure will say "
		    "so. Rerun on an idle machine for numbers you can trust.\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Quantile by linear interpolation between closest ranks (sorted input). */
static double quantile(const double *s, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)pos;
	if (lo >= n - 1)
		return s[n - 1];
	return s[lo] + (pos - lo) * (s[lo + 1] - s[lo]);
}

void bench_record(struct bench *b, const char *series, double x, const double *values, int n,
		  uint64_t iters, struct bench_stats *st)
{
	struct bench_stats s = { .n = n, .iters = iters };
	double *v = malloc(sizeof *v * (size_t)n), *dev = malloc(sizeof *dev * (size_t)n);
	if (!v || !dev || n < 1)
		asl_die(ENOMEM, "bench_record");
	memcpy(v, values, sizeof *v * (size_t)n);
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.q1 = quantile(v, n, 0.25);
	s.median = quantile(v, n, 0.5);
	s.q3 = quantile(v, n, 0.75);
	s.p90 = quantile(v, n, 0.9);
	for (int i = 0; i < n; i++)
		dev[i] = fabs(v[i] - s.median);
	qsort(dev, (size_t)n, sizeof *dev, cmp_double);
	s.mad = quantile(dev, n, 0.5);
	free(v);
	free(dev);

	if (b->tsv) {
		/* x exactly as given (sizes like 1048576 stay whole numbers, never 1.04858e+06) */
		fprintf(b->tsv, "%s\t%.15g\t%d\t%llu\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\n",
			series, x, s.n, (unsigned long long)s.iters, s.min, s.q1, s.median, s.q3,
			s.p90, s.max, s.mad);
		b->rows++;
	}
	printf("%-22s %12.15g %12.4g %12.4g %12.4g %12.4g\n", series, x, s.median, s.q1, s.q3,
	       s.p90);
	fflush(stdout);
	if (st)
		*st = s;
}

static double time_loop(bench_loop_fn fn, void *arg, uint64_t iters)
{
	uint64_t t0 = asl_now_ns();
	fn(arg, iters);
	return (double)(asl_now_ns() - t0);
}

void bench_loop(struct bench *b, const char *series, double x, bench_loop_fn fn, void *arg,
		struct bench_stats *st)
{
	double target = b->min_time_s * 1e9;
	uint64_t iters = 1;
	double *v = malloc(sizeof *v * (size_t)b->samples);
	if (!v)
		asl_die(ENOMEM, "bench_loop");
	/* Calibrate (this is also the warm-up): double iters until one sample is long enough. */
	for (;;) {
		double t = time_loop(fn, arg, iters);
		if (t >= target || iters >= (1ull << 40))
			break;
		/* jump close to the target once the timing is no longer dominated by noise */
		if (t > target / 16)
			iters = (uint64_t)((double)iters * target / t * 1.1) + 1;
		else
			iters *= 2;
	}
	time_loop(fn, arg, iters); /* one more untimed run at the final size */
	for (int i = 0; i < b->samples; i++)
		v[i] = time_loop(fn, arg, iters) / (double)iters;
	bench_record(b, series, x, v, b->samples, iters, st);
	free(v);
}

void bench_shot(struct bench *b, const char *series, double x, bench_shot_fn fn, void *arg,
		struct bench_stats *st)
{
	double *v = malloc(sizeof *v * (size_t)b->samples);
	if (!v)
		asl_die(ENOMEM, "bench_shot");
	fn(arg); /* warm-up: code and allocator paths, discarded */
	for (int i = 0; i < b->samples; i++)
		v[i] = fn(arg);
	bench_record(b, series, x, v, b->samples, 1, st);
	free(v);
}
