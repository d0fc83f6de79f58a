/* bench_sys.c - what the harnesses ask of the system: usable CPUs, the thread counts of a
 * sweep, a process's memory, a measurement in a child process, room for descriptors (see
 * asl/bench.h). */
#include "asl/bench.h"
#include "asl/util.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int bench_usable_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set))
		return (int)sysconf(_SC_NPROCESSORS_ONLN);
	return CPU_COUNT(&set);
}

int bench_thread_counts(int cores, int max_factor, int *out, int cap)
{
	int n = 0, max = cores * max_factor;
	if (cores < 1)
		cores = 1;
	for (int t = 1; t <= max && n < cap; t++) {
		bool pow2 = (t & (t - 1)) == 0,
		     multiple = t % cores == 0 && ((t / cores) & (t / cores - 1)) == 0;
		if (pow2 || multiple)
			out[n++] = t;
	}
	return n;
}

long bench_status_kib(const char *key)
{
	char line[256];
	long v = -1;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

void bench_in_child(const char *what, int (*fn)(void *arg, double *out), void *arg, double *out,
		    int n)
{
	int p[2], st;
	if (n < 1 || n > 64)
		asl_die(EINVAL, "bench_in_child(%s): %d values", what, n);
	if (pipe(p) < 0)
		asl_die(errno, "pipe");
	fflush(NULL); /* or the child would print the parent's buffered output again */
	pid_t pid = fork();
	if (pid < 0)
		asl_die(errno, "fork");
	if (pid == 0) {
		double v[64];
		close(p[0]);
		int rc = fn(arg, v);
		_exit(rc || write(p[1], v, (size_t)n * sizeof v[0]) != (ssize_t)(n * sizeof v[0]));
	}
	close(p[1]);
	ssize_t got = read(p[0], out, (size_t)n * sizeof out[0]);
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) ||
	    got != (ssize_t)(n * sizeof out[0]))
		asl_die(0, "%s failed", what);
}

int bench_fd_room(int want, int spare)
{
	long lim = asl_raise_fd_limit((long)want + spare);
	if (lim < 0)
		asl_die((int)-lim, "setrlimit(RLIMIT_NOFILE)");
	long room = lim - spare;
	return room < want ? (int)(room < 0 ? 0 : room) : want;
}
