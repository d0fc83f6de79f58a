/*
 * thr_test.h - helpers shared by the lab 03 suites.
 *
 * A meeting is a reusable barrier with a watchdog.  Tests that prove threads run at the same
 * time make them meet; a pthread barrier would hang forever when a student's code runs them
 * one after another, and the test would only say TIMEOUT.  A meeting gives up at one deadline
 * shared by all its rounds: every waiter then returns false, and the test fails with a message
 * naming the mistake.
 */
#ifndef THR_TEST_H
#define THR_TEST_H

#include "asl_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

struct meeting {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC */
	int n, arrived, gen;
	int most;    /* the most threads ever waiting at once */
	bool broken; /* the deadline passed: every wait fails from now on */
	struct timespec deadline;
};

static inline void meeting_init(struct meeting *m, int n, long ms)
{
	pthread_condattr_t attr;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &attr);
	pthread_condattr_destroy(&attr);
	m->n = n;
	m->arrived = m->gen = m->most = 0;
	m->broken = false;
	clock_gettime(CLOCK_MONOTONIC, &m->deadline);
	m->deadline.tv_sec += ms / 1000;
	m->deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (m->deadline.tv_nsec >= 1000000000L) {
		m->deadline.tv_sec++;
		m->deadline.tv_nsec -= 1000000000L;
	}
}

/* Wait until all n threads are here; false if the deadline passed first. */
static inline bool meeting_wait(struct meeting *m)
{
	pthread_mutex_lock(&m->mu);
	int gen = m->gen;
	bool ok = !m->broken;
	if (ok && ++m->arrived == m->n) {
		m->most = m->n;
		m->arrived = 0;
		m->gen++;
		pthread_cond_broadcast(&m->cv);
	} else if (ok) {
		if (m->arrived > m->most)
			m->most = m->arrived;
		while (m->gen == gen && !m->broken)
			if (pthread_cond_timedwait(&m->cv, &m->mu, &m->deadline) == ETIMEDOUT) {
				m->broken = true;
				pthread_cond_broadcast(&m->cv);
			}
		ok = m->gen != gen;
	}
	pthread_mutex_unlock(&m->mu);
	return ok;
}

static inline void meeting_destroy(struct meeting *m)
{
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
}

#endif
