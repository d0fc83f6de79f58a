/*
 * waiters.c - provided: the waiter analogy as three runnable workloads.
 * You do not change this file (nor waiters.h): no step of the lab is in it.
 *
 * n requests each need `ms` of waiting (simulated I/O: the kitchen cooking).  The models:
 *   - thread per request: one thread per order, standing at the table until it is served;
 *   - pool(P): P waiters; each stands at its table until served, then takes the next order;
 *   - kitchen: P waiters only take orders and hand the ticket to the kitchen (a timer); when
 *     the dish is ready its completion is posted to the caller's completion queue and
 *     delivered there - nobody stands and waits.
 * Every model reports the wall time and the most threads seen in /proc/self/task (the
 * caller's thread included).
 */
#include "waiters.h"

#include "cq.h"
#include "pool.h"
#include "timers.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "asl/util.h"

int waiters_count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -errno;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void waiters_peak(struct waiters_result *r)
{
	int n = waiters_count_threads();
	if (n > r->peak_threads)
		r->peak_threads = n;
}

static void waiters_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *waiters_stand(void *arg)
{
	waiters_sleep_ms(*(int *)arg);
	return NULL;
}

int waiters_thread_per_request(int n, int ms, struct waiters_result *r)
{
	pthread_t *t = calloc((size_t)n, sizeof *t);
	if (!t || n < 1)
		return free(t), -EINVAL;
	*r = (struct waiters_result){ 0 };
	double t0 = (double)asl_now_ns() / 1e6;
	int made = 0, rc = 0;
	for (; made < n; made++) {
		rc = -pthread_create(&t[made], NULL, waiters_stand, &ms);
		if (rc)
			break;
		if (made % 16 == 0)
			waiters_peak(r);
	}
	waiters_peak(r);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	r->total_ms = (double)asl_now_ns() / 1e6 - t0;
	free(t);
	return rc;
}

static void waiters_serve(void *arg, int status)
{
	if (status == 0)
		waiters_sleep_ms(*(int *)arg);
}

int waiters_pool(int n, int ms, int workers, struct waiters_result *r)
{
	struct pool *p;
	*r = (struct waiters_result){ 0 };
	double t0 = (double)asl_now_ns() / 1e6;
	int rc = pool_create(&p, workers, 64);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n && rc == 0; i++) {
		rc = pool_submit(p, waiters_serve, &ms);
		if (i == workers)
			waiters_peak(r); /* every worker exists by now */
	}
	waiters_peak(r);
	pool_shutdown(p, POOL_DRAIN);
	r->total_ms = (double)asl_now_ns() / 1e6 - t0;
	return rc;
}

struct waiters_order {
	struct timer tm;     /* the kitchen's ticket */
	struct cq_item done; /* "dish ready", delivered on the caller's thread */
	struct waiters_kitchen *k;
};

struct waiters_kitchen {
	struct timers *timers;
	struct cq *cq;
	uint64_t cook_ns;
	int served; /* touched only on the cq (caller's) thread */
};

static void waiters_ready(struct cq_item *it)
{
	struct waiters_order *o = (struct waiters_order *)(void *)((char *)it -
								   offsetof(struct waiters_order,
									    done));
	o->k->served++;
}

static void waiters_cooked(struct timer *tm)
{
	struct waiters_order *o = (struct waiters_order *)(void *)tm; /* tm is the first member */
	o->done.fn = waiters_ready;
	cq_post(o->k->cq, &o->done);
}

static void waiters_take_order(void *arg, int status)
{
	struct waiters_order *o = arg;
	if (status == 0)
		timers_start(o->k->timers, &o->tm, o->k->cook_ns, waiters_cooked);
	else /* cancelled before a waiter took it: report it served so the count completes */
		waiters_cooked(&o->tm);
}

int waiters_kitchen(int n, int ms, int workers, struct waiters_result *r)
{
	struct waiters_kitchen k = { .cook_ns = (uint64_t)ms * 1000000u };
	struct waiters_order *orders = calloc((size_t)n, sizeof *orders);
	struct pool *p = NULL;
	*r = (struct waiters_result){ 0 };
	if (!orders || n < 1)
		return free(orders), -EINVAL;
	double t0 = (double)asl_now_ns() / 1e6;
	int rc = cq_create(&k.cq);
	if (rc == 0)
		rc = timers_create(&k.timers, false);
	if (rc == 0)
		rc = pool_create(&p, workers, 64);
	int taken = 0;
	for (; rc == 0 && taken < n; taken++) {
		orders[taken].k = &k;
		rc = pool_submit(p, waiters_take_order, &orders[taken]);
	}
	if (rc < 0 && taken > 0)
		taken--; /* the last submit failed */
	waiters_peak(r);
	while (rc == 0 && k.served < taken) {
		int got = cq_wait(k.cq, 10000);
		if (got < 0)
			rc = got;
	}
	r->total_ms = (double)asl_now_ns() / 1e6 - t0;
	waiters_peak(r);
	if (p)
		pool_shutdown(p, POOL_DRAIN);
	while (k.cq && k.served < taken && cq_wait(k.cq, 10000) > 0)
		; /* collect stragglers after an error, so nothing is left in flight */
	if (k.timers && timers_destroy(k.timers) < 0 && rc == 0)
		rc = -EBUSY;
	if (k.cq && cq_destroy(k.cq) < 0 && rc == 0)
		rc = -EBUSY;
	free(orders);
	return rc;
}
