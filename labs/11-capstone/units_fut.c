/*
 * units_fut.c - what one future costs on lab 10's single-threaded executor (bench_units).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fut.h"
#include "units_fut.h"

void units_fut_handoff(void *arg, uint64_t iters)
{
	exec_t *ex;
	(void)arg;
	if (exec_create(&ex) < 0)
		abort();
	for (int t = 0; t < 2; t++) {
		fut_t *f = fut_yield((unsigned)(iters / 2 + 1), t);
		if (!f || exec_spawn(ex, f, NULL) < 0)
			abort();
	}
	if (exec_run(ex) < 0)
		abort();
	exec_destroy(ex);
}

static long units_rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6)) {
			v = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

double units_fut_memory(int k)
{
	exec_t *ex;
	if (exec_create(&ex) < 0)
		return -1;
	long r0 = units_rss_kib();
	for (int i = 0; i < k; i++) {
		fut_t *f = fut_yield(1, i);
		if (!f || exec_spawn(ex, f, NULL) < 0)
			abort();
	}
	long r1 = units_rss_kib();
	if (exec_run(ex) < 0)
		abort();
	exec_destroy(ex);
	return (double)(r1 - r0) * 1024 / k;
}
