/*
 * bench_http.c - HTTP/1.1 keep-alive requests/s of the lab's server (serve_http, on epoll and
 * on poll) against the number of connections, driven by two clients: `wrk` (Debian package
 * wrk; when it is not installed the harness says so and measures with its own client only) and
 * the lab's loadgen.  Server and client are pinned to different CPUs when there are two.
 * The default run measures 1, 100 and 1,000 connections, two short runs each (under 20 s);
 * --full (make plots FULL=1) adds 10 connections and makes the runs three and longer.
 *
 * Two clients, because a load client measures itself as well as the server: if wrk and
 * loadgen agree, the figure is the server's.
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

#define MAXREPS 8

static const char *find_wrk(void)
{
	static const char *where[] = { "/usr/bin/wrk", "/usr/local/bin/wrk" };
	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/* One wrk run: requests/s, or -1 (with the reason printed). */
static double wrk_once(const char *wrk, int port, int conns, int seconds, int cpu)
{
	char c[16], d[16], url[64], out[8192];
	snprintf(c, sizeof c, "%d", conns);
	snprintf(d, sizeof d, "%ds", seconds);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	char *args[] = { (char *)wrk, "-t1", "-c", c, "-d", d, url, NULL };
	int rc = proc_run_capture(args, cpu, out, sizeof out);
	char *rps = strstr(out, "Requests/sec:");
	if (rc != 0 || !rps) {
		printf("# wrk failed (status %d): %s\n", rc, out);
		return -1;
	}
	char *err = strstr(out, "Socket errors:");
	char *non2xx = strstr(out, "Non-2xx");
	if (err || non2xx)
		printf("# wrk, %d connections: %.*s\n", conns, 80, err ? err : non2xx);
	return strtod(rps + 13, NULL);
}

int main(int argc, char **argv)
{
	static const int full_ns[] = { 1, 10, 100, 1000 };
	static const int default_ns[] = { 1, 100, 1000 };
	static const int quick_ns[] = { 10 };
	static const char *backends[] = { "epoll", "poll" };
	struct bench b;
	int scpu = -1, ccpu = -1;

	bench_init(&b, argc, argv, "07-event-loop",
		   "HTTP/1.1 keep-alive requests/s of serve_http, with wrk and with loadgen");
	const int *ns = b.quick ? quick_ns : b.full ? full_ns : default_ns;
	int npoints = b.quick ? 1 : b.full ? 4 : 3;
	int maxreps = b.full ? 3 : 2;
	int reps = b.quick ? 1 : (b.samples < maxreps ? b.samples : maxreps);
	int wrk_s = b.full ? 2 : 1;
	double loadgen_s = b.quick ? 0.2 : b.full ? 1.0 : 0.3;
	long limit = asl_raise_fd_limit(1L << 30);
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 2)
		for (int c = 0; c < CPU_SETSIZE && ccpu < 0; c++)
			if (CPU_ISSET(c, &set))
				*(scpu < 0 ? &scpu : &ccpu) = c;
	const char *wrk = find_wrk();
	if (!wrk)
		printf(
		    "# wrk is not installed (apt-get install wrk): measuring with loadgen only\n");
	char note[256];
	snprintf(note, sizeof note,
		 "GET / keep-alive; server on CPU %d, client on CPU %d; %d runs of %d s (wrk), "
		 "%.1f s (loadgen); load average at start %.2f",
		 scpu, ccpu, reps, wrk_s, loadgen_s, load_average());
	bench_open(&b, "http", "connections", "requests/s", note);

	for (int k = 0; k < npoints; k++) {
		int n = ns[k];
		if (limit < n + 64) {
			printf("# %d connections skipped: RLIMIT_NOFILE is %ld\n", n, limit);
			continue;
		}
		for (int be = 0; be < 2; be++) {
			char path[512], series[64];
			snprintf(path, sizeof path, "%s/serve_http", ASL_BUILD_DIR);
			char *args[] = { path, "--backend", (char *)backends[be], NULL };
			struct server_proc sp;
			int rc = server_proc_start(&sp, args, scpu);
			if (rc < 0)
				asl_die(-rc, "starting %s", path);
			double v[MAXREPS];
			int got = 0;
			for (int r = 0; wrk && r < reps; r++) {
				double x = wrk_once(wrk, sp.port, n, wrk_s, ccpu);
				if (x >= 0)
					v[got++] = x;
			}
			snprintf(series, sizeof series, "wrk-%s", backends[be]);
			if (got)
				bench_record(&b, series, n, v, got, 1, NULL);
			struct loadgen_opts o = { .port = sp.port,
						  .conns = n,
						  .duration_s = loadgen_s,
						  .proto = LOADGEN_HTTP,
						  .pin_cpu = ccpu };
			for (int r = 0; r < reps; r++) {
				struct loadgen_result lr;
				if ((rc = loadgen_run(&o, &lr)) < 0)
					asl_die(-rc, "loadgen");
				if (lr.errors)
					printf(
					    "# loadgen, %d connections: %llu errors (first: %s)\n",
					    n, (unsigned long long)lr.errors, lr.first_error);
				v[r] = lr.rps;
			}
			snprintf(series, sizeof series, "loadgen-%s", backends[be]);
			bench_record(&b, series, n, v, reps, 1, NULL);
			if ((rc = server_proc_stop(&sp)) != 0)
				printf("# serve_http ended with status %d\n", rc);
		}
	}
	bench_close(&b);
	return 0;
}
