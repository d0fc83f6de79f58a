/*
 * bench_syscalls.c - what it costs to ask the kernel, measured five (six) ways.
 *
 * usage: bench_syscalls [bench options]      (bench_syscalls -h lists them)
 *
 * One dataset, 02-syscalls-cost.tsv, ns per call of:
 *   1 function call              a plain (non-inlined) call: the baseline, ~1 ns
 *   2 getpid() libc              glibc's wrapper; glibc no longer caches the pid (since 2.25),
 *                                so every call enters the kernel
 *   3 syscall(SYS_getpid)        libc's generic wrapper: same trip, a little more shuffling
 *   4 raw getpid                 step 2's sys_calls_getpid: the instruction, nothing else
 *   5 clock_gettime() vDSO       served in user space by the vDSO: no kernel entry
 *   6 syscall(SYS_clock_gettime) the same clock read, through the kernel
 * The gap between 1 and 4 is the price of crossing the user/kernel boundary and back.  How big
 * it is depends on the CPU and on the kernel's defences against speculative-execution attacks
 * (page-table isolation, retpolines, return-stack stuffing...), so the dataset's note records
 * what /sys/devices/system/cpu/vulnerabilities/ says.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "syscalls.h"

/* The baseline: a call the compiler may not inline or delete. */
__attribute__((noinline)) static long empty_fn(long x)
{
	__asm__ volatile("" : "+r"(x)); /* opaque: the call cannot be folded away */
	return x;
}

static void run_call(void *arg, uint64_t n)
{
	(void)arg;
	for (uint64_t i = 0; i < n; i++)
		bench_keep(empty_fn((long)i));
}

static void run_libc_getpid(void *arg, uint64_t n)
{
	(void)arg;
	for (uint64_t i = 0; i < n; i++)
		bench_keep(getpid());
}

static void run_syscall_getpid(void *arg, uint64_t n)
{
	(void)arg;
	for (uint64_t i = 0; i < n; i++)
		bench_keep(syscall(SYS_getpid));
}

static void run_raw_getpid(void *arg, uint64_t n)
{
	(void)arg;
	for (uint64_t i = 0; i < n; i++)
		bench_keep(sys_calls_getpid());
}

static void run_vdso_clock(void *arg, uint64_t n)
{
	struct timespec ts;
	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		bench_keep(ts.tv_nsec);
	}
}

static void run_syscall_clock(void *arg, uint64_t n)
{
	struct timespec ts;
	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
		bench_keep(ts.tv_nsec);
	}
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line summing up /sys/devices/system/cpu/vulnerabilities/: every entry that is not "Not
 * affected", then how many are.  These are the kernel's defences that may tax each system
 * call (or "vulnerabilities: unknown" where the directory does not exist). */
static void mitigations(char *buf, size_t len)
{
	static const char dir_path[] = "/sys/devices/system/cpu/vulnerabilities";
	char *names[64];
	int n = 0, unaffected = 0;
	const char *sep = "";
	size_t used = 0;
	struct dirent *d;
	DIR *dir = opendir(dir_path);

	snprintf(buf, len, "vulnerabilities: unknown");
	if (!dir)
		return;
	while ((d = readdir(dir)) && n < 64)
		if (d->d_name[0] != '.')
			names[n++] = strdup(d->d_name);
	closedir(dir);
	qsort(names, (size_t)n, sizeof names[0], cmp_name);
	used = (size_t)snprintf(buf, len, "vulnerabilities:");
	for (int i = 0; i < n; i++) {
		char path[512], state[256] = "?";
		FILE *f;
		if (!names[i])
			continue;
		snprintf(path, sizeof path, "%s/%s", dir_path, names[i]);
		if ((f = fopen(path, "r"))) {
			if (fgets(state, sizeof state, f))
				state[strcspn(state, "\n")] = '\0';
			fclose(f);
		}
		if (!strcmp(state, "Not affected"))
			unaffected++;
		else if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s %s: %s", sep, names[i],
						 state),
			    sep = " |";
		free(names[i]);
	}
	if (used < len)
		snprintf(buf + used, len - used, "%s %d more: Not affected", sep, unaffected);
	for (char *p = buf; *p; p++) /* one header line: no tabs */
		if (*p == '\t')
			*p = ' ';
}

int main(int argc, char **argv)
{
	static const struct {
		const char *series;
		bench_loop_fn fn;
	} kinds[] = {
		{ "function call", run_call },
		{ "getpid() libc", run_libc_getpid },
		{ "syscall(SYS_getpid)", run_syscall_getpid },
		{ "raw getpid", run_raw_getpid },
		{ "clock_gettime() vDSO", run_vdso_clock },
		{ "syscall(SYS_clock_gettime)", run_syscall_clock },
	};
	struct bench b;
	char note[1536];

	bench_init(&b, argc, argv, "02-syscalls",
		   "ns per call: function call vs system calls vs the vDSO");
	/* a raw getpid that does not match libc's means step 2 is not done: no data from it */
	if (sys_calls_getpid() != getpid())
		asl_die(0, "sys_calls_getpid() returned %d, getpid() %d: finish steps 1-2 first",
			(int)sys_calls_getpid(), (int)getpid());

	mitigations(note, sizeof note);
	bench_open(&b, "cost", "kind", "ns/call", note);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		bench_loop(&b, kinds[i].series, (double)(i + 1), kinds[i].fn, NULL, NULL);
	bench_close(&b);
	return 0;
}
