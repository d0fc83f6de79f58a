/*
 * bench_backends.c - what one loop iteration costs as the number of watched-but-idle
 * descriptors grows, on the epoll and the poll backend.
 *
 * One pipe holds a byte that nobody reads, so its watcher is ready on every iteration; N
 * eventfds with a zero counter are watched too and never ready.  Each measured
 * loop_run(NOWAIT) does a whole iteration - clock, timers, defers, posts, a zero-timeout
 * wait - and dispatches exactly one callback.  The poll backend hands the kernel all N + 2
 * descriptors (the loop's own eventfd included) on every wait and the kernel checks each: the
 * cost should grow with N.  The epoll backend's wait reads the kernel's ready list: flat.
 * This is lab 06's bench_wait again, seen through a whole loop rather than a bare system call.
 *
 * N runs log-spaced from 1 to 10,000.  The soft RLIMIT_NOFILE is raised to the hard limit; N
 * that do not fit under it are left out, with the reason printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "loop.h"

struct backend_run {
	loop_t *loop;
	loop_io_t ready;
	loop_io_t *idle; /* watchers of the idle eventfds */
	int watched;     /* idle descriptors watched so far */
	uint64_t calls;
};

static void ready_cb(loop_io_t *io, int events)
{
	struct backend_run *r = io->data;
	(void)events;
	r->calls++; /* the byte stays in the pipe: ready again next time */
}

static void idle_cb(loop_io_t *io, int events)
{
	(void)io;
	(void)events;
	asl_die(0, "an idle descriptor was reported ready");
}

static void iterate(void *arg, uint64_t iters)
{
	struct backend_run *r = arg;
	uint64_t before = r->calls;
	for (uint64_t i = 0; i < iters; i++)
		if (loop_run(r->loop, LOOP_RUN_NOWAIT) != 1)
			asl_die(0, "loop_run(NOWAIT) failed");
	if (r->calls - before != iters)
		asl_die(0, "expected one callback per iteration, got %llu in %llu",
			(unsigned long long)(r->calls - before), (unsigned long long)iters);
}

int main(int argc, char **argv)
{
	static const int full_ns[] = {
		1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000
	};
	static const int default_ns[] = { 1, 3, 10, 30, 100, 300, 1000, 3000, 10000 };
	static const int quick_ns[] = { 1, 10, 100, 1000, 10000 };
	static const enum loop_backend_kind kinds[] = { LOOP_BACKEND_EPOLL, LOOP_BACKEND_POLL };
	struct backend_run run[2] = { 0 };
	struct bench b;
	int p[2], rc;

	bench_init(&b, argc, argv, "07-event-loop",
		   "ns per loop iteration dispatching one ready fd among N idle, epoll vs poll");
	/* --full: the same range, more finely */
	const int *ns = b.quick ? quick_ns : b.full ? full_ns : default_ns;
	int count = b.quick ? 5 : b.full ? (int)(sizeof full_ns / sizeof full_ns[0]) : 9;
	/* 32 spare: stdio, the pipe, each loop's epoll and eventfd descriptors */
	int max_idle = bench_fd_room(ns[count - 1], 32);
	if (max_idle < ns[count - 1])
		printf("# RLIMIT_NOFILE (hard limit) allows only %d idle descriptors: N above it "
		       "left out\n",
		       max_idle);

	int *idle = calloc((size_t)max_idle + 1, sizeof *idle);
	if (!idle)
		asl_die(ENOMEM, "calloc");
	for (int i = 0; i < max_idle; i++)
		if ((idle[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
			asl_die(errno, "eventfd (descriptor %d)", i);
	if (pipe(p) < 0 || write(p[1], "x", 1) != 1)
		asl_die(errno, "pipe");
	for (int k = 0; k < 2; k++) {
		struct backend_run *r = &run[k];
		if ((rc = loop_create(&r->loop, kinds[k])) < 0)
			asl_die(-rc, "loop_create(%s)",
				kinds[k] == LOOP_BACKEND_EPOLL ? "epoll" : "poll");
		r->idle = calloc((size_t)max_idle + 1, sizeof *r->idle);
		if (!r->idle)
			asl_die(ENOMEM, "calloc");
		r->ready.data = r;
		if ((rc = loop_io_start(r->loop, &r->ready, p[0], LOOP_READ, ready_cb)) < 0)
			asl_die(-rc, "loop_io_start");
	}

	bench_open(&b, "backends", "idle_fds", "ns/iteration",
		   "loop_run(NOWAIT) dispatching one always-ready pipe among N idle eventfds");
	for (int i = 0; i < count; i++) {
		if (ns[i] > max_idle) {
			printf("# N = %d skipped: RLIMIT_NOFILE allows %d idle descriptors\n",
			       ns[i], max_idle);
			continue;
		}
		for (int k = 0; k < 2; k++) {
			struct backend_run *r = &run[k];
			for (; r->watched < ns[i]; r->watched++) {
				rc = loop_io_start(r->loop, &r->idle[r->watched], idle[r->watched],
						   LOOP_READ, idle_cb);
				if (rc < 0)
					asl_die(-rc, "loop_io_start (idle descriptor %d)",
						r->watched);
			}
			bench_loop(&b, loop_backend_name(r->loop), ns[i], iterate, r, NULL);
		}
	}
	bench_close(&b);

	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < run[k].watched; i++)
			loop_io_stop(&run[k].idle[i]);
		loop_io_stop(&run[k].ready);
		if ((rc = loop_destroy(run[k].loop)) < 0)
			asl_die(-rc, "loop_destroy");
		free(run[k].idle);
	}
	for (int i = 0; i < max_idle; i++)
		close(idle[i]);
	close(p[0]);
	close(p[1]);
	free(idle);
	return 0;
}
