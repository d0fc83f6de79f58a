/* bench.c - the shared timing harness; see asl/bench.h for the method. */
#include "asl/bench.h"
#include "asl/util.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
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
	printf("# %s: %s\n# %s%s\n", harness, what, bench_stamp(),
	       b->quick ? " (quick mode: numbers are NOT meaningful)" : "");
}

int bench_usable_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set))
		return (int)sysconf(_SC_NPROCESSORS_ONLN);
	return CPU_COUNT(&set);
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
	b->tsv = fopen(b->tsv_path, "w");
	if (!b->tsv)
		asl_die(errno, "cannot write %s", b->tsv_path);
	b->unit = unit;
	b->rows = 0;
	uname(&u);
	cpu_model(cpu, sizeof cpu);
	today(date, sizeof date);
	fprintf(b->tsv,
		"# harness: %s\n# dataset: %s\n# unit: %s\n# x: %s\n# note: %s\n"
		"# mode: %s\n# samples: %d\n# min_time_s: %g\n# pinned_cpu: %d\n"
		"# cpu: %s\n# cpus_online: %ld\n# cpus_usable: %d\n# kernel: %s %s %s\n"
		"# compiler: %s\n# cflags: %s\n# date: %s\n# stamp: %s\n",
		b->harness, name, unit, x_label, note ? note : "", b->quick ? "quick" : "full",
		b->samples, b->min_time_s, b->pin_cpu, cpu, sysconf(_SC_NPROCESSORS_ONLN),
		bench_usable_cpus(), u.sysname, u.release, u.machine, COMPILER, ASL_CFLAGS, date,
		bench_stamp());
	fprintf(b->tsv, "series\tx\tn\titers\tmin\tq1\tmedian\tq3\tp90\tmax\tmad\n");
	printf("\n## %s  (%s; values in %s)\n%-22s %12s %12s %12s %12s %12s\n", name,
	       note ? note : x_label, unit, "series", x_label, "median", "q1", "q3", "p90");
}

void bench_close(struct bench *b)
{
	if (!b->tsv)
		return;
	if (fclose(b->tsv))
		asl_die(errno, "writing %s", b->tsv_path);
	b->tsv = NULL;
	printf("# wrote %s (%d rows)\n", b->tsv_path, b->rows);
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
		fprintf(b->tsv, "%s\t%g\t%d\t%llu\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\n",
			series, x, s.n, (unsigned long long)s.iters, s.min, s.q1, s.median, s.q3,
			s.p90, s.max, s.mad);
		b->rows++;
	}
	printf("%-22s %12g %12.4g %12.4g %12.4g %12.4g\n", series, x, s.median, s.q1, s.q3,
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
