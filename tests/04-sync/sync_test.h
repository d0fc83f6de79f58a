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
	const char *name = rc == CHAN_CLOSED ? "CHAN_CLOSED" : rc == CHAN_TIMEOUT ? "CHAN_TIMEOUT"
			 : rc == CHAN_DEADLOCK ? "CHAN_DEADLOCK" : NULL;
	char *buf = ring[next++ % 4];
	if (!name)
		return asl_test_rc(rc);
	snprintf(buf, sizeof ring[0], "%s = CHAN_%s", asl_test_rc(rc), name + 5);
	return buf;
}

#define ST_INT(v) ((void *)(intptr_t)(v))
#define ST_LONG(p) ((long)(intptr_t)(p))

#endif
