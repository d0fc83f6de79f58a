/*
 * bench_echo.c - echo requests/s against the number of concurrent connections, 1 ... 10,000,
 * for five servers measured in the same run:
 *
 *   loop-epoll   the lab's loop on epoll (serve_echo)      threads    a thread per connection
 *   loop-poll    the lab's loop on poll                    libuv      echo_uv (if built)
 *   epoll-min    echo_epoll_min: the floor, no library at all
 *
 * Each server is a child process pinned to one CPU; the load client (loadgen, one thread,
 * 64-byte messages, closed loop) runs here pinned to another, so with two CPUs the server has
 * one core to itself and its speed is what is measured.  The runs go round the servers in
 * turn (run 1 of each server, then run 2 of each, ...; not one server's whole curve, then the
 * next) so that a change in the machine's load hits them all alike.  Each value is the median
 * of several runs; the bars are their quartiles.
 * Besides requests/s it records the server's CPU time per request (its threads' schedstat
 * over exactly the measured time): on a machine shared with other work, requests/s says how
 * much of a core the server got, CPU per request says how much work each request cost it.
 *
 * Sizes: --quick 1 and 100 connections, one short run each (CI).  The default run (what `make
 * plots` runs, well under a minute on two idle cores) measures 1, 10, 100, 1,000 and 10,000
 * connections, but stops the thread-per-connection server and the loop on poll at 1,000:
 * their larger points take minutes (thousands of threads to start, a poll over every
 * descriptor per wakeup).  --full (make plots FULL=1) measures every server at 1, 3, 10, ...
 * 10,000 connections, with more and longer runs.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "loadgen.h"
#include "server_proc.h"
#include "tcp.h"

#define MAXREPS 16

static const struct {
	const char *name, *prog, *backend;
	int default_max; /* the most connections measured without --full */
} servers[] = {
	{ "loop-epoll", "serve_echo", "epoll", 10000 }, { "loop-poll", "serve_echo", "poll", 1000 },
	{ "threads", "serve_echo", "threads", 1000 },   { "libuv", "echo_uv", NULL, 10000 },
	{ "epoll-min", "echo_epoll_min", NULL, 10000 },
};
#define NSERVERS (int)(sizeof servers / sizeof servers[0])

struct point {
	bool done;
	int reps;
	double rps[MAXREPS], p99[MAXREPS], cpu[MAXREPS];
	uint64_t errors;
};

/* The server's CPU time over exactly the measured part of a run (loadgen's on_measure). */
struct cpu_probe {
	const struct server_proc *sp;
	long long start, used;
};

static void on_measure(void *arg, bool start)
{
	struct cpu_probe *c = arg;
	long long now = server_proc_cpu_ns(c->sp);
	if (start)
		c->start = now;
	else
		c->used = now - c->start;
}

/* Run r of one server: one loadgen run against it (o: everything but the port), recorded. */
static void measure_once(struct point *pt, int r, const struct server_proc *sp,
			 const struct loadgen_opts *o, const char *name)
{
	struct cpu_probe probe = { .sp = sp };
	struct loadgen_opts mine = *o;
	mine.port = sp->port;
	mine.arg = &probe;
	struct loadgen_result lr;
	int rc = loadgen_run(&mine, &lr);
	if (rc < 0)
		asl_die(-rc, "load on %s", name);
	pt->rps[r] = lr.rps;
	pt->p99[r] = lr.p99_us;
	/* ns of server CPU per request: unlike requests/s, hardly changed by how much of its
	 * core other processes take */
	pt->cpu[r] = lr.requests ? (double)probe.used / (double)lr.requests : 0;
	pt->errors += lr.errors;
	if (lr.errors)
		printf("# %s, %d connections: %llu errors (first: %s)\n", name, o->conns,
		       (unsigned long long)lr.errors, lr.first_error);
}

/* The first two CPUs this process may use: the server's and the client's. */
static void pick_cpus(int *server_cpu, int *client_cpu)
{
	cpu_set_t set;
	*server_cpu = *client_cpu = -1;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set)) {
			if (*server_cpu < 0) {
				*server_cpu = c;
			} else {
				*client_cpu = c;
				break;
			}
		}
	if (*client_cpu < 0)
		*server_cpu = -1; /* one CPU: pinning both to it would only measure the sharing */
}

int main(int argc, char **argv)
{
	static const int full_ns[] = { 1, 3, 10, 30, 100, 300, 1000, 3000, 10000 };
	static const int default_ns[] = { 1, 10, 100, 1000, 10000 };
	static const int quick_ns[] = { 1, 100 };
	static struct point res[NSERVERS][9];
	struct bench b;
	int scpu, ccpu;

	bench_init(&b, argc, argv, "07-event-loop",
		   "echo requests/s vs concurrent connections for the loop (epoll, poll), "
		   "thread-per-connection, libuv and a minimal epoll server");
	const int *ns = b.quick ? quick_ns : b.full ? full_ns : default_ns;
	int npoints = b.quick ? 2 : b.full ? 9 : 5;
	int maxreps = b.full ? 5 : 3;
	int reps = b.quick ? 1 : (b.samples < maxreps ? b.samples : maxreps);
	double duration = b.quick ? 0.1 : b.full ? 0.5 : 0.25;
	/* from 3,000 connections: a longer warm-up (a thread per connection needs seconds to
	 * answer its first wave) and longer, fewer runs */
	int big_reps = b.full ? 3 : 1;
	double big_warmup = b.full ? 2.0 : 0.5, warmup = b.quick ? 0 : b.full ? 0.2 : 0.1;
	long limit = asl_raise_fd_limit(1L << 30);
	pick_cpus(&scpu, &ccpu);
	double load = load_average();
	printf("# servers on CPU %d, client on CPU %d; descriptor limit %ld; load average %.2f\n",
	       scpu, ccpu, limit, load);
	if (!b.quick && !b.full)
		printf("# threads and loop-poll stop at 1000 connections: --full (make plots "
		       "FULL=1) measures them up to 10000\n");
	char note[400];
	snprintf(note, sizeof note,
		 "64-byte echo, closed loop; server on CPU %d, client on CPU %d; %d runs of %.2g s "
		 "per point after %.2g s of warm-up (from 3000 connections: %d of %.2g s after "
		 "%.2g s)%s; load average at start %.2f",
		 scpu, ccpu, reps, duration, warmup, big_reps, 2 * duration, big_warmup,
		 b.full || b.quick ? ""
				   : "; threads and loop-poll up to 1000 connections (FULL=1: "
				     "all)",
		 load);
	bench_open(&b, "echo", "connections", "requests/s", note);

	for (int k = 0; k < npoints; k++) {
		int n = ns[k];
		if (limit < n + 64) {
			printf(
			    "# %d connections skipped: RLIMIT_NOFILE is %ld (raise the hard limit: "
			    "ulimit -Hn)\n",
			    n, limit);
			continue;
		}
		/* every server of this point runs (idle ones cost nothing) while the runs go round
		 * them: run r of each server before run r + 1 of any */
		struct server_proc sp[NSERVERS];
		bool up[NSERVERS] = { false };
		for (int s = 0; s < NSERVERS; s++) {
			if (!b.full && n > servers[s].default_max)
				continue;
			char path[512];
			snprintf(path, sizeof path, "%s/%s", ASL_BUILD_DIR, servers[s].prog);
			char *args[] = { path, servers[s].backend ? "--backend" : NULL,
					 (char *)servers[s].backend, NULL };
			int rc = server_proc_start(&sp[s], args, scpu);
			if (rc == -ENOENT && k == 0)
				printf("# %s skipped: %s was not built (libuv1-dev missing?)\n",
				       servers[s].name, path);
			else if (rc < 0 && rc != -ENOENT)
				asl_die(-rc, "starting %s", path);
			up[s] = rc == 0;
		}
		struct loadgen_opts o = { .conns = n,
					  .size = 64,
					  .duration_s = n >= 3000 ? 2 * duration : duration,
					  .warmup_s = n >= 3000 ? big_warmup : warmup,
					  .proto = LOADGEN_ECHO,
					  .pin_cpu = ccpu,
					  .on_measure = on_measure };
		int nreps = n >= 3000 && reps > big_reps ? big_reps : reps;
		for (int r = 0; r < nreps; r++)
			for (int s = 0; s < NSERVERS; s++)
				if (up[s])
					measure_once(&res[s][k], r, &sp[s], &o, servers[s].name);
		for (int s = 0; s < NSERVERS; s++) {
			if (!up[s])
				continue;
			int rc = server_proc_stop(&sp[s]);
			if (rc != 0)
				printf("# %s ended with status %d after %d connections\n",
				       servers[s].name, rc, n);
			res[s][k].done = true;
			res[s][k].reps = nreps;
			bench_record(&b, servers[s].name, n, res[s][k].rps, nreps, 1, NULL);
		}
	}

	bench_open(&b, "echo-p99", "connections", "us", "99th percentile latency of one echo");
	for (int s = 0; s < NSERVERS; s++)
		for (int k = 0; k < npoints; k++)
			if (res[s][k].done)
				bench_record(&b, servers[s].name, ns[k], res[s][k].p99,
					     res[s][k].reps, 1, NULL);
	bench_open(&b, "echo-cpu", "connections", "ns/request",
		   "server CPU time (all its threads, from schedstat) per echoed request");
	for (int s = 0; s < NSERVERS; s++)
		for (int k = 0; k < npoints; k++)
			if (res[s][k].done)
				bench_record(&b, servers[s].name, ns[k], res[s][k].cpu,
					     res[s][k].reps, 1, NULL);
	bench_open(&b, "echo-errors", "connections", "errors",
		   "connect failures, resets and early closes seen by the client, all runs");
	for (int s = 0; s < NSERVERS; s++)
		for (int k = 0; k < npoints; k++)
			if (res[s][k].done) {
				double e = (double)res[s][k].errors;
				bench_record(&b, servers[s].name, ns[k], &e, 1, 1, NULL);
			}
	bench_close(&b);
	return 0;
}
