/*
 * sync_test.h - helpers shared by the lab 04 suites.
 *
 * "Is that thread blocked?" without sleeping: a test thread publishes its TID, then calls the
 * operation; the main thread polls the kernel's view of that thread (asl_test_wait_asleep)
 * until it reads 'S' - proof that the call is waiting, here in the futex wait under
 * pthread_cond_wait inside chan_send/chan_recv - or until a flag shows the call returned.
 */
#ifndef SYNC_TEST_H
#define SYNC_TEST_H

#include "asl_test.h"
#include "sync.h"

#include <sched.h>
#include <time.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The general helpers live in common/test/asl_test.c; these names keep the suites short. */
#define st_gettid asl_test_gettid
#define st_thread_state asl_test_thread_state
#define st_wait_asleep asl_test_wait_asleep

static inline double st_ms_since(uint64_t t0)
{
	return (double)(asl_now_ns() - t0) / 1e6;
}

/* A channel status as a message shows it: "-32 (EPIPE) = CHAN_CLOSED"; other codes as
 * asl_test_rc() renders them.  A small per-thread ring, so one message may hold several. */
static inline const char *st_rc(int rc)
{
	static __thread char ring[4][80];
	static __thread unsigned next;
	const char *name = rc == CHAN_CLOSED     ? "CHAN_CLOSED"
			   : rc == CHAN_TIMEOUT  ? "CHAN_TIMEOUT"
			   : rc == CHAN_DEADLOCK ? "CHAN_DEADLOCK"
						 : NULL;
	char *buf = ring[next++ % 4];
	if (!name)
		return asl_test_rc(rc);
	snprintf(buf, sizeof ring[0], "%s = CHAN_%s", asl_test_rc(rc), name + 5);
	return buf;
}

/* ---- watchdogs: a channel call that may block forever on a student's mistake */

enum st_kind { ST_SEND, ST_RECV, ST_SEND_TIMEOUT, ST_RECV_TIMEOUT };

/* One channel call, run on its own thread by st_watched().  With a group, the thread enters
 * it before the call and leaves after. */
struct st_op {
	enum st_kind kind;
	struct chan *ch;
	struct chan_group *group;
	void *value;    /* sent, or received */
	long ms;        /* the timeout of the timed calls */
	double took_ms; /* how long the call took */
	atomic_int tid;
};

/* What st_watched() returns for a call still running at its deadline. */
enum { ST_HUNG_ASLEEP = 1001, ST_HUNG_BUSY = 1002 };

static inline int st_op_main(void *arg)
{
	struct st_op *op = arg;
	int rc;
	atomic_store(&op->tid, asl_test_gettid());
	if (op->group)
		chan_group_enter(op->group);
	uint64_t t0 = asl_now_ns();
	switch (op->kind) {
	case ST_SEND: rc = chan_send(op->ch, op->value); break;
	case ST_RECV: rc = chan_recv(op->ch, &op->value); break;
	case ST_SEND_TIMEOUT: rc = chan_send_timeout(op->ch, op->value, op->ms); break;
	default: rc = chan_recv_timeout(op->ch, &op->value, op->ms); break;
	}
	op->took_ms = st_ms_since(t0);
	if (op->group)
		chan_group_leave(op->group);
	return rc;
}

static inline int st_close_main(void *ch)
{
	return chan_close(ch);
}

/* Run op with a deadline of limit_ms: its result, or, if it is still running then,
 * ST_HUNG_ASLEEP (the thread sleeps: nobody will wake it) or ST_HUNG_BUSY (it spins: a wait
 * that fails at once, in a loop).  A hung call is released by closing its channel if that
 * works, else abandoned; either way the caller must fail the test with a message naming the
 * likely mistake. */
static inline int st_watched(struct st_op *op, long limit_ms)
{
	atomic_init(&op->tid, 0);
	struct asl_call *c = asl_call_start(st_op_main, op);
	int rc, busy = 0;
	if (asl_call_wait(c, limit_ms, &rc))
		return rc;
	for (int i = 0; i < 40; i++) { /* what is it doing?  'R' = on a CPU or runnable */
		struct timespec tick = { 0, 250000 };
		busy += st_thread_state(atomic_load(&op->tid)) == 'R';
		nanosleep(&tick, NULL);
	}
	if (busy < 10) {
		/* asleep: closing the channel wakes it (if close works); a spinning call may
		 * hold the channel's lock for good, so it is left alone */
		struct asl_call *cl = asl_call_start(st_close_main, op->ch);
		if (asl_call_wait(cl, 1000, NULL))
			asl_call_wait(c, 1000, NULL);
	}
	return busy >= 10 ? ST_HUNG_BUSY : ST_HUNG_ASLEEP;
}

#define ST_INT(v) ((void *)(intptr_t)(v))
#define ST_LONG(p) ((long)(intptr_t)(p))

#endif
