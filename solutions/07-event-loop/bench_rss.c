/*
 * bench_rss.c - what an open connection costs in memory: the server's resident set size with
 * N connections held open (1 ... 10,000), for the loop and for a thread per connection.
 *
 * Each connection has made one 64-byte round trip and then stays idle, so the server has
 * touched everything a connection needs (the loop: its struct; a thread: its stack pages, its
 * thread control block) and nothing more.  Bytes per connection are (RSS(N) - RSS(0)) / N,
 * user space only.  The kernel's share is measured too, from /proc/meminfo (slab for the two
 * sockets of each connection, kernel stacks and page tables for the threads); it is
 * system-wide, so other activity on the machine blurs it.
 *
 * The default run holds up to 10,000 connections on the loop but stops the thread per
 * connection at 1,000 (already megabytes); --full (make plots FULL=1) takes it to 10,000 too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "server_proc.h"
#include "tcp.h"

#define MAXREPS 8

static const struct {
	const char *name, *backend;
	int default_max; /* the most connections held without --full */
} servers[] = { { "loop", "epoll", 10000 }, { "threads", "threads", 1000 } };

/* Open n connections, each with one round trip; returns how many made it. */
static int open_conns(int port, int *fd, int n)
{
	char msg[64], got[64];
	memset(msg, 'm', sizeof msg);
	for (int i = 0; i < n; i++) {
		fd[i] = tcp_connect(port, false);
		if (fd[i] < 0)
			return i;
		if (send(fd[i], msg, sizeof msg, MSG_NOSIGNAL) != (ssize_t)sizeof msg ||
		    recv(fd[i], got, sizeof got, MSG_WAITALL) != (ssize_t)sizeof got) {
			close(fd[i]);
			return i;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	static const int full_ns[] = { 1, 10, 100, 1000, 3000, 10000 };
	static const int quick_ns[] = { 1, 100 };
	struct bench b;
	bench_init(&b, argc, argv, "07-event-loop",
		   "server RSS vs idle connections held open: the loop vs a thread per connection");
	const int *ns = b.quick ? quick_ns : full_ns;
	int npoints = b.quick ? 2 : 6;
	int reps = b.quick ? 1 : (b.samples < 3 ? b.samples : 3);
	long limit = asl_raise_fd_limit(1L << 30);
	int *fd = calloc(10000, sizeof *fd);
	static double rss[2][6][MAXREPS], per[2][6][MAXREPS], kern[2][6][MAXREPS];
	static int got_n[2][6];
	if (!fd)
		asl_die(ENOMEM, "calloc");
	printf("# descriptor limit %ld; load average %.2f\n", limit, load_average());
	if (!b.quick && !b.full)
		printf("# threads stop at 1000 connections: --full (make plots FULL=1) holds up to "
		       "10000\n");

	for (int s = 0; s < 2; s++)
		for (int k = 0; k < npoints; k++) {
			int n = ns[k];
			if (!b.full && n > servers[s].default_max)
				continue;
			if (limit < n + 64) {
				printf("# %s, %d connections skipped: RLIMIT_NOFILE is %ld\n",
				       servers[s].name, n, limit);
				continue;
			}
			for (int r = 0; r < reps; r++) {
				char path[512];
				snprintf(path, sizeof path, "%s/serve_echo", ASL_BUILD_DIR);
				char *args[] = { path, "--backend", (char *)servers[s].backend,
						 NULL };
				struct server_proc sp;
				int rc = server_proc_start(&sp, args, -1);
				if (rc < 0)
					asl_die(-rc, "starting %s", path);
				long rss0 = server_proc_rss_kib(&sp), k0 = kernel_mem_kib();
				int made = open_conns(sp.port, fd, n);
				long rss1 = server_proc_rss_kib(&sp), k1 = kernel_mem_kib();
				if (made < n)
					printf("# %s: only %d of %d connections opened\n",
					       servers[s].name, made, n);
				for (int i = 0; i < made; i++) {
					tcp_set_reset_on_close(fd[i]);
					close(fd[i]);
				}
				server_proc_stop(&sp);
				got_n[s][k] = made;
				rss[s][k][r] = (double)rss1;
				per[s][k][r] = made ? (double)(rss1 - rss0) * 1024 / made : 0;
				kern[s][k][r] = made ? (double)(k1 - k0) * 1024 / made : 0;
			}
		}

	bench_open(&b, "rss", "connections", "KiB",
		   b.full || b.quick ? "server RSS (smaps_rollup) with N idle connections open"
				     : "server RSS (smaps_rollup) with N idle connections open; "
				       "threads up to 1000 connections (FULL=1: 10000)");
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < npoints; k++)
			if (got_n[s][k])
				bench_record(&b, servers[s].name, ns[k], rss[s][k], reps, 1, NULL);
	bench_open(&b, "rss-per-conn", "connections", "bytes",
		   "(RSS(N) - RSS(0)) / N: user-space bytes per idle connection");
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < npoints; k++)
			if (got_n[s][k])
				bench_record(&b, servers[s].name, ns[k], per[s][k], reps, 1, NULL);
	bench_open(&b, "rss-kernel", "connections", "bytes",
		   "kernel memory per connection (both sockets; + kernel stack, page tables for "
		   "threads), from /proc/meminfo deltas: system-wide, noisy");
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < npoints; k++)
			if (got_n[s][k])
				bench_record(&b, servers[s].name, ns[k], kern[s][k], reps, 1, NULL);
	bench_close(&b);
	free(fd);
	return 0;
}
