/*
 * stress_epoll.c - the epoll wrapper, timers and eventfd wake-ups under cross-thread load,
 * for `make tsan` and `make valgrind`.
 *
 * Producer threads each own a pipe and an eventfd: they write numbered messages into the pipe
 * (blocking, so a full pipe slows them down) and signal the eventfd once per message.  The main
 * thread waits on everything with one epoll instance: pipes edge-triggered (drained until
 * EAGAIN), eventfds level-triggered, plus a periodic timerfd whose trigger mode is flipped with
 * ep_modify now and then.  Every message must arrive exactly once and in order per producer,
 * and the eventfd counts must add up to the messages sent.  Repeated for several rounds, so
 * leaked descriptors or memory would pile up.
 */
#include "evq.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asl/util.h"

enum { PRODUCERS = 4, ROUNDS = 5 };

static const char usage[] = "stress_epoll [-h] [MESSAGES_PER_PRODUCER]\n"
			    "  cross-thread epoll/eventfd/timerfd stress (default 2000 messages)";

struct producer {
	int rfd, wfd, efd;
	long msgs;
	pthread_t th;
	/* consumer side, touched by the main thread only */
	uint64_t next_expected, woken;
	char partial[8];
	size_t npartial;
	bool eof;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	for (uint64_t i = 0; i < (uint64_t)p->msgs; i++) {
		/* blocking write: 8 bytes is below PIPE_BUF, so it lands in one piece */
		if (write(p->wfd, &i, sizeof i) != sizeof i)
			asl_die(errno, "producer write");
		int rc = wakeup_signal(p->efd, 1);
		if (rc < 0)
			asl_die(-rc, "wakeup_signal");
	}
	close(p->wfd); /* end of stream: the consumer sees EOF */
	return NULL;
}

/* Take whatever the pipe has, check message order, keep a partial message for later. */
static void consume_pipe(struct producer *p)
{
	char buf[4096];
	for (;;) {
		size_t got;
		memcpy(buf, p->partial, p->npartial);
		int st = nbio_drain(p->rfd, buf + p->npartial, sizeof buf - p->npartial, &got);
		if (st < 0)
			asl_die(-st, "nbio_drain");
		got += p->npartial;
		size_t whole = got / 8 * 8;
		for (size_t off = 0; off < whole; off += 8) {
			uint64_t v;
			memcpy(&v, buf + off, 8);
			if (v != p->next_expected)
				asl_die(0, "message %llu arrived, %llu expected",
					(unsigned long long)v,
					(unsigned long long)p->next_expected);
			p->next_expected++;
		}
		p->npartial = got - whole;
		memcpy(p->partial, buf + whole, p->npartial);
		if (st == NBIO_EOF)
			p->eof = true;
		if (st != NBIO_FULL)
			return; /* DRAINED or EOF: safe to wait again */
	}
}

static void one_round(long msgs, uint64_t *ticks)
{
	struct producer pr[PRODUCERS];
	struct epoll_event ev[16];
	int ep = ep_create(), tmr = evq_timer_create(), rc, flips = 0;
	if (ep < 0 || tmr < 0)
		asl_die(ep < 0 ? -ep : -tmr, "ep_create/evq_timer_create");
	if ((rc = evq_timer_start(tmr, 1000000, 1000000)) < 0 ||
	    (rc = ep_add(ep, tmr, EPOLLIN, EP_LEVEL, 2 * PRODUCERS)) < 0)
		asl_die(-rc, "timer setup");
	for (int i = 0; i < PRODUCERS; i++) {
		int fds[2];
		memset(&pr[i], 0, sizeof pr[i]);
		if (pipe(fds) < 0)
			asl_die(errno, "pipe");
		pr[i].rfd = fds[0];
		pr[i].wfd = fds[1];
		pr[i].msgs = msgs;
		if ((pr[i].efd = wakeup_create()) < 0)
			asl_die(-pr[i].efd, "wakeup_create");
		if ((rc = nbio_set_nonblock(pr[i].rfd, true)) < 0 ||
		    (rc = ep_add(ep, pr[i].rfd, EPOLLIN, EP_EDGE, (uint64_t)i)) < 0 ||
		    (rc = ep_add(ep, pr[i].efd, EPOLLIN, EP_LEVEL, (uint64_t)(PRODUCERS + i))) < 0)
			asl_die(-rc, "producer setup");
	}
	for (int i = 0; i < PRODUCERS; i++)
		if ((errno = pthread_create(&pr[i].th, NULL, producer_main, &pr[i])))
			asl_die(errno, "pthread_create");

	int open_streams = PRODUCERS;
	uint64_t woken_total = 0;
	while (open_streams > 0 || woken_total < (uint64_t)(msgs * PRODUCERS)) {
		int n = ep_wait(ep, ev, 16, 10000);
		if (n <= 0)
			asl_die(n < 0 ? -n : 0, "ep_wait: %s",
				n ? "failed" : "nothing for 10 s (hang?)");
		for (int k = 0; k < n; k++) {
			uint64_t tag = ev[k].data.u64, cnt;
			if (tag < PRODUCERS) {
				struct producer *p = &pr[tag];
				if (p->eof)
					continue;
				consume_pipe(p);
				if (p->eof) {
					open_streams--;
					if ((rc = ep_remove(ep, p->rfd)) < 0)
						asl_die(-rc, "ep_remove");
				}
			} else if (tag < 2 * PRODUCERS) {
				if ((rc = wakeup_consume(pr[tag - PRODUCERS].efd, &cnt)) == 0) {
					pr[tag - PRODUCERS].woken += cnt;
					woken_total += cnt;
				} else if (rc != -EAGAIN) { /* EAGAIN: a stale report, fine */
					asl_die(-rc, "wakeup_consume");
				}
			} else if (evq_timer_read(tmr, &cnt) == 0) {
				*ticks += cnt;
				/* flip the timer between level and edge to exercise ep_modify */
				if ((rc = ep_modify(ep, tmr, EPOLLIN,
						    ++flips % 2 ? EP_EDGE : EP_LEVEL, tag)) < 0)
					asl_die(-rc, "ep_modify");
			}
		}
	}
	for (int i = 0; i < PRODUCERS; i++) {
		pthread_join(pr[i].th, NULL);
		if (pr[i].next_expected != (uint64_t)msgs || pr[i].woken != (uint64_t)msgs ||
		    pr[i].npartial)
			asl_die(0, "producer %d: %llu messages, %llu wake-ups, %zu stray bytes", i,
				(unsigned long long)pr[i].next_expected,
				(unsigned long long)pr[i].woken, pr[i].npartial);
		close(pr[i].rfd);
		close(pr[i].efd);
	}
	if ((rc = evq_timer_stop(tmr)) < 0)
		asl_die(-rc, "evq_timer_stop");
	close(tmr);
	close(ep);
}

int main(int argc, char **argv)
{
	long msgs = 2000;
	uint64_t ticks = 0;
	asl_no_options(argc, argv, usage);
	if (argc > 2 || (argc == 2 && !asl_parse_long(argv[1], 1, 10000000, &msgs)))
		asl_usage_error(usage, "MESSAGES_PER_PRODUCER must be a number 1..10000000");
	for (int r = 0; r < ROUNDS; r++)
		one_round(msgs, &ticks);
	printf("stress_epoll: %d rounds x %d producers x %ld messages delivered in order, every "
	       "wake-up counted, %llu timer ticks\n",
	       ROUNDS, PRODUCERS, msgs, (unsigned long long)ticks);
	return 0;
}
