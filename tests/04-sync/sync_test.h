/*
 * sync_test.h - helpers shared by the lab 04 suites.
 *
 * "Is that thread blocked?" without sleeping: the kernel says so.  /proc/self/task/TID/stat
 * shows 'S' (interruptible sleep) for a thread asleep in a futex wait, which is where a
 * pthread_cond_wait inside chan_send/chan_recv ends up.  A test thread publishes its TID,
 * then calls the operation; the main thread polls that state (yielding, never sleeping)
 * until it reads 'S' - proof that the call is waiting - or until a flag shows that the call
 * returned instead.
 */
#ifndef SYNC_TEST_H
#define SYNC_TEST_H

#include "asl_test.h"
#include "sync.h"

#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int st_gettid(void)
{
	return (int)syscall(SYS_gettid);
}

/* The scheduler state letter of thread `tid` of this process, or 0 if it is gone. */
static inline char st_thread_state(int tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may contain spaces */
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait until thread *tid (published atomically, 0 = not yet) is asleep, or *done becomes
 * non-zero (the call we expected to block returned).  True when asleep.  Gives up after
 * ~10 s of polling (the suite timeout is the real guard). */
static inline bool st_wait_asleep(atomic_int *tid, atomic_int *done)
{
	uint64_t t0 = asl_now_ns();
	while (asl_now_ns() - t0 < 10000000000ull) {
		int t = atomic_load(tid);
		if (atomic_load(done))
			return false;
		if (t && st_thread_state(t) == 'S') {
			/* asleep - but maybe already past the call, on its way out? only if
			 * done is set, which the thread does before anything else */
			return !atomic_load(done);
		}
		sched_yield();
	}
	return false;
}

static inline double st_ms_since(uint64_t t0)
{
	return (double)(asl_now_ns() - t0) / 1e6;
}

#define ST_INT(v) ((void *)(intptr_t)(v))
#define ST_LONG(p) ((long)(intptr_t)(p))

#endif
