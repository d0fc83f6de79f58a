/*
 * demo_edge_trigger.c - the lost wake-up of edge-triggered epoll, narrated.
 *
 * 1000 bytes arrive in a pipe; the reader takes only 100 and goes back to waiting.
 * Level-triggered epoll says "still readable" again.  Edge-triggered epoll stays silent:
 * nothing new happened, so there is no new edge, and 900 bytes sit there until somebody else
 * writes.  A reader that drains until EAGAIN never strands data.  Last, a readiness report that
 * turns out empty: two waiters, one byte, only one of them gets it.
 */
#include "evq.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "asl/util.h"

static const char usage[] = "demo_edge_trigger [-h]\n"
			    "  shows why an edge-triggered reader must read until EAGAIN";

static int check(int rc, const char *what)
{
	if (rc < 0)
		asl_die(-rc, "%s", what);
	return rc;
}

static void fill(int wfd, size_t n)
{
	char buf[1000] = { 0 };
	size_t done;
	check(nbio_write_all(wfd, buf, n, &done), "nbio_write_all");
}

static void round_trip(enum ep_trigger trig)
{
	const char *name = trig == EP_EDGE ? "edge" : "level";
	struct epoll_event ev[4];
	char buf[2048];
	int p[2];
	if (pipe(p) < 0)
		asl_die(errno, "pipe");
	check(nbio_set_nonblock(p[0], true), "nbio_set_nonblock");
	int ep = check(ep_create(), "ep_create");
	check(ep_add(ep, p[0], EPOLLIN, trig, 1), "ep_add");

	printf("%s-triggered:\n", name);
	fill(p[1], 1000);
	printf("  writer puts 1000 bytes in the pipe\n");
	int n = check(ep_wait(ep, ev, 4, 100), "ep_wait");
	printf("  wait #1 -> %d event(s)\n", n);
	ssize_t got = nbio_read_some(p[0], buf, 100);
	printf("  reader takes only %zd bytes and waits again (900 are left)\n", got);
	uint64_t t0 = asl_now_ns();
	n = check(ep_wait(ep, ev, 4, 100), "ep_wait");
	printf("  wait #2 -> %d event(s) after %.0f ms %s\n", n, (double)(asl_now_ns() - t0) / 1e6,
	       n ? "(level: the condition still holds, so it is reported again)"
		 : "<- LOST WAKE-UP: data is waiting, nobody is told");
	size_t total;
	int st = check(nbio_drain(p[0], buf, sizeof buf, &total), "nbio_drain");
	printf("  a draining reader reads until EAGAIN: %zu more bytes, status %s\n", total,
	       st == NBIO_DRAINED ? "DRAINED (EAGAIN)" : "other");
	n = check(ep_wait(ep, ev, 4, 0), "ep_wait");
	printf("  wait #3 -> %d event(s): nothing left, nothing reported\n", n);
	fill(p[1], 10);
	n = check(ep_wait(ep, ev, 4, 100), "ep_wait");
	printf("  10 new bytes -> wait #4 -> %d event(s): new data, new edge\n\n", n);
	close(ep);
	close(p[0]);
	close(p[1]);
}

/* Two epoll instances watch one pipe; one byte arrives; both are told; only one gets it. */
static void spurious(void)
{
	struct epoll_event ev;
	char c;
	int p[2];
	if (pipe(p) < 0)
		asl_die(errno, "pipe");
	check(nbio_set_nonblock(p[0], true), "nbio_set_nonblock");
	int a = check(ep_create(), "ep_create"), b = check(ep_create(), "ep_create");
	check(ep_add(a, p[0], EPOLLIN, EP_LEVEL, 1), "ep_add");
	check(ep_add(b, p[0], EPOLLIN, EP_LEVEL, 2), "ep_add");
	fill(p[1], 1);
	int na = check(ep_wait(a, &ev, 1, 100), "ep_wait");
	int nb = check(ep_wait(b, &ev, 1, 100), "ep_wait");
	printf("readiness is a hint: one byte, waiter A told %d, waiter B told %d\n", na, nb);
	ssize_t ra = nbio_read_some(p[0], &c, 1);
	ssize_t rb = nbio_read_some(p[0], &c, 1);
	printf("  A reads -> %zd, B reads -> %zd (%s): B's wake-up was spurious; B must take\n"
	       "  EAGAIN in its stride and wait again, never block or treat it as an error\n",
	       ra, rb, rb < 0 ? asl_errname((int)-rb) : "?");
	close(a);
	close(b);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	asl_no_options(argc, argv, usage);
	if (argc > 1)
		asl_usage_error(usage, "no arguments expected");
	round_trip(EP_LEVEL);
	round_trip(EP_EDGE);
	spurious();
	printf("\nWhat it shows: edge-triggered epoll reports *changes*, so a reader that stops "
	       "before EAGAIN\ncan strand data forever; level-triggered reports *states* and "
	       "forgives it.  Either way a\nreport can be stale by the time you read.\n");
	return 0;
}
