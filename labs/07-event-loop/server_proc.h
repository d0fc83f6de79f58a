/*
 * server_proc.h - a server program as a child process, for the harnesses: start it pinned to
 * one CPU, learn its port from its first line of output ("port N"), read its memory, stop it.
 *
 * The servers run in processes of their own so that their memory can be read from /proc and
 * their CPU kept apart from the load client's.  Functions return 0 / -errno and never print.
 */
#ifndef SERVER_PROC_H
#define SERVER_PROC_H

#include <sys/types.h>

struct server_proc {
	pid_t pid;
	int port;
};

/* Run argv[0] (a path) with argv, pinned to `cpu` (-1: not pinned), and wait (at most 10 s) for
 * its "port N" line.  Errors: -ENOENT (no such program), -ETIMEDOUT, -EPROTO (no port line). */
int server_proc_start(struct server_proc *p, char *const argv[], int cpu);

/* Resident set size of the child (Rss of /proc/PID/smaps_rollup), in KiB, or -errno. */
long server_proc_rss_kib(const struct server_proc *p);

/* CPU time used by all threads of the child so far (sum of /proc/PID/task/TID/schedstat), in
 * ns, or -errno.  Exact to the nanosecond, unlike the tick-based times of /proc/PID/stat. */
long long server_proc_cpu_ns(const struct server_proc *p);

/* SIGTERM, then wait up to 20 s (SIGKILL after that).  Returns the exit status (0..255),
 * 128 + signal if it was killed, or -errno. */
int server_proc_stop(struct server_proc *p);

/* Run argv (a path) pinned to cpu, capture its stdout into out (NUL-terminated, truncated to
 * cap).  Returns its exit status, or -errno (-ENOENT if it cannot be started). */
int proc_run_capture(char *const argv[], int cpu, char *out, size_t cap);

/* Kernel memory that grows with connections and threads: Slab + KernelStack + PageTables from
 * /proc/meminfo, in KiB (system-wide: other activity on the machine shows up too). */
long kernel_mem_kib(void);

/* The load average over the last minute (from /proc/loadavg), or -1. */
double load_average(void);

#endif
