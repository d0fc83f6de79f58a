/*
 * bench_wait.c - what one wait costs as the number of idle watched descriptors grows.
 *
 * One pipe holds a byte that nobody reads, so it is always readable; N eventfds with a zero
 * counter are watched too and never ready.  Each measured call asks "what is ready?" with a
 * zero timeout and gets exactly one answer, the pipe.  select() and poll() hand the kernel the
 * whole set on every call and the kernel checks every descriptor: the cost should grow with N.
 * epoll_wait() looks only at its ready list: the cost should stay flat.
 *
 * N runs log-spaced from 1 to 10,000; select stops where descriptor numbers would reach
 * FD_SETSIZE (1024), the size of its bitmap.  The soft RLIMIT_NOFILE is raised to the hard limit
 * for the 10,000 descriptors; with a lower hard limit the largest N are left out (said on stdout).
 */
#include "evq.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"

struct waitset {
	int rfd, wfd;        /* the ready pipe */
	int *idle;           /* eventfds, never signalled */
	int n;               /* idle descriptors watched in this measurement */
	int maxfd;           /* highest descriptor among ready + n idle (for select) */
	struct pollfd *pfds; /* idle first, the ready pipe last */
	fd_set rset;         /* select's template: copied before every call */
	int ep;              /* epoll instance; holds the ready pipe and idle[0..n) */
};

static void loop_select(void *arg, uint64_t iters)
{
	struct waitset *w = arg;
	for (uint64_t i = 0; i < iters; i++) {
		/* select overwrites its sets with the answer: every caller rebuilds them */
		fd_set r = w->rset;
		struct timeval tv = { 0, 0 };
		if (select(w->maxfd + 1, &r, NULL, NULL, &tv) != 1)
			asl_die(0, "select did not report exactly one ready descriptor");
	}
}

static void loop_poll(void *arg, uint64_t iters)
{
	struct waitset *w = arg;
	for (uint64_t i = 0; i < iters; i++)
		if (poll(w->pfds, (nfds_t)w->n + 1, 0) != 1)
			asl_die(0, "poll did not report exactly one ready descriptor");
}

static void loop_epoll(void *arg, uint64_t iters)
{
	struct waitset *w = arg;
	struct epoll_event ev[4];
	for (uint64_t i = 0; i < iters; i++)
		if (ep_wait(w->ep, ev, 4, 0) != 1)
			asl_die(0, "epoll_wait did not report exactly one ready descriptor");
}

int main(int argc, char **argv)
{
	static const int full_ns[] = {
		1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000
	};
	static const int quick_ns[] = { 1, 10, 100, 1000, 10000 };
	struct bench b;
	struct waitset w = { 0 };
	int p[2], rc;

	bench_init(&b, argc, argv, "06-event-queues",
		   "ns per select/poll/epoll_wait call returning the one ready fd among N idle");
	const int *ns = b.quick ? quick_ns : full_ns;
	int count = b.quick ? 5 : (int)(sizeof full_ns / sizeof full_ns[0]);
	/* 32 spare: stdio, the pipe, each loop's epoll and eventfd descriptors */
	int max_idle = bench_fd_room(ns[count - 1], 32);
	if (max_idle < ns[count - 1])
		printf("# RLIMIT_NOFILE allows only %d idle descriptors: larger N left out\n",
		       max_idle);

	char note[200];
	snprintf(note, sizeof note,
		 "one ready pipe + N idle eventfds, zero timeout; series "
		 "fd_setsize: x = FD_SETSIZE = %d (select's limit), not a time",
		 FD_SETSIZE);
	bench_open(&b, "wait", "idle_fds", "ns/wait", note);

	if (pipe(p) < 0 || write(p[1], "x", 1) != 1)
		asl_die(errno, "pipe");
	w.rfd = p[0];
	w.wfd = p[1];
	w.idle = calloc((size_t)max_idle, sizeof *w.idle);
	w.pfds = calloc((size_t)max_idle + 1, sizeof *w.pfds);
	if (!w.idle || !w.pfds)
		asl_die(ENOMEM, "calloc");
	for (int i = 0; i < max_idle; i++) {
		if ((w.idle[i] = wakeup_create()) < 0)
			asl_die(-w.idle[i], "wakeup_create (descriptor %d)", i);
		w.pfds[i] = (struct pollfd){ .fd = w.idle[i], .events = POLLIN };
	}
	if ((w.ep = ep_create()) < 0)
		asl_die(-w.ep, "ep_create");
	if ((rc = ep_add(w.ep, w.rfd, EPOLLIN, EP_LEVEL, 0)) < 0)
		asl_die(-rc, "ep_add");

	int in_epoll = 0;
	for (int k = 0; k < count && ns[k] <= max_idle; k++) {
		if (k > 0) /* the previous round parked the ready pipe where an idle fd belongs */
			w.pfds[w.n] = (struct pollfd){ .fd = w.idle[w.n], .events = POLLIN };
		w.n = ns[k];
		w.pfds[w.n] = (struct pollfd){ .fd = w.rfd, .events = POLLIN };
		w.maxfd = w.rfd;
		FD_ZERO(&w.rset);
		for (int i = 0; i < w.n; i++)
			if (w.idle[i] > w.maxfd)
				w.maxfd = w.idle[i];
		for (; in_epoll < w.n; in_epoll++)
			if ((rc = ep_add(w.ep, w.idle[in_epoll], EPOLLIN, EP_LEVEL, 1)) < 0)
				asl_die(-rc, "ep_add");
		if (w.maxfd < FD_SETSIZE) { /* FD_SET beyond the bitmap is a buffer overflow */
			FD_SET(w.rfd, &w.rset);
			for (int i = 0; i < w.n; i++)
				FD_SET(w.idle[i], &w.rset);
			bench_loop(&b, "select", w.n, loop_select, &w, NULL);
		}
		bench_loop(&b, "poll", w.n, loop_poll, &w, NULL);
		bench_loop(&b, "epoll", w.n, loop_epoll, &w, NULL);
	}
	double lim = FD_SETSIZE;
	bench_record(&b, "fd_setsize", FD_SETSIZE, &lim, 1, 1, NULL);
	bench_close(&b);

	close(w.ep);
	for (int i = 0; i < max_idle; i++)
		close(w.idle[i]);
	close(p[0]);
	close(p[1]);
	free(w.idle);
	free(w.pfds);
	return 0;
}
