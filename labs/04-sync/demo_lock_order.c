/*
 * demo_lock_order - two threads deadlock by taking two locks in opposite orders.
 *
 * Thread 1 takes A then B, thread 2 takes B then A.  A barrier makes sure each holds its
 * first lock before asking for the second: the classic circular wait.  pthread_mutex_lock
 * would hang forever; pthread_mutex_timedlock gives up after a timeout, so the demo can
 * *detect* the deadlock and report it.  Then the fix: both take the locks in one global
 * order (A before B), and many rounds never time out.
 */
#include "asl/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char
    *usage = "demo_lock_order [--timeout-ms N] [--rounds N]\n"
	     "  lock-order deadlock, detected with pthread_mutex_timedlock, then fixed";

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER, B = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold, both_tried;
static long timeout_ms = 300, rounds = 100000;

struct who {
	const char *name;
	pthread_mutex_t *first, *second;
	const char *first_name, *second_name;
	int rc;
	long timeouts;
};

static struct timespec deadline(void)
{
	/* pthread_mutex_timedlock measures on CLOCK_REALTIME (there is no clock attribute
	 * for mutexes; glibc's pthread_mutex_clocklock is the non-portable alternative). */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += timeout_ms % 1000 * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void *opposite_orders(void *arg)
{
	struct who *w = arg;
	pthread_mutex_lock(w->first);
	pthread_barrier_wait(&both_hold); /* now each holds one and wants the other */
	struct timespec ts = deadline();
	w->rc = pthread_mutex_timedlock(w->second, &ts);
	/* Keep holding `first` until both have tried, so both see the deadlock. */
	pthread_barrier_wait(&both_tried);
	if (w->rc == 0)
		pthread_mutex_unlock(w->second);
	pthread_mutex_unlock(w->first);
	return NULL;
}

static void *same_order(void *arg)
{
	struct who *w = arg;
	for (long i = 0; i < rounds; i++) {
		pthread_mutex_lock(&A); /* the global order: A before B, for everyone */
		struct timespec ts = deadline();
		if (pthread_mutex_timedlock(&B, &ts)) {
			w->timeouts++;
		} else {
			pthread_mutex_unlock(&B);
		}
		pthread_mutex_unlock(&A);
	}
	return NULL;
}

static void run_pair(void *(*fn)(void *), struct who *w)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if ((errno = pthread_create(&t[i], NULL, fn, &w[i])))
			asl_die(errno, "pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		}
		long *dst = !strcmp(argv[i], "--timeout-ms") ? &timeout_ms
			    : !strcmp(argv[i], "--rounds")   ? &rounds
							     : NULL;
		if (!dst)
			asl_usage_error(usage, "unknown argument '%s'", argv[i]);
		if (i + 1 >= argc || !asl_parse_long(argv[i + 1], 1, 100000000, dst))
			asl_usage_error(usage, "%s needs a positive number", argv[i]);
		i++;
	}
	pthread_barrier_init(&both_hold, NULL, 2);
	pthread_barrier_init(&both_tried, NULL, 2);

	struct who w[2] = {
		{ "thread 1", &A, &B, "A", "B", 0, 0 },
		{ "thread 2", &B, &A, "B", "A", 0, 0 },
	};
	printf("Opposite lock orders: thread 1 locks A then B, thread 2 locks B then A.\n");
	uint64_t t0 = asl_now_ns();
	run_pair(opposite_orders, w);
	int deadlocked = 0;
	for (int i = 0; i < 2; i++) {
		if (w[i].rc == ETIMEDOUT) {
			deadlocked++;
			printf("  %s holds %s, waited %ld ms for %s: timed out -> DEADLOCK "
			       "(circular wait)\n",
			       w[i].name, w[i].first_name, timeout_ms, w[i].second_name);
		} else {
			printf("  %s got %s (%s)\n", w[i].name, w[i].second_name,
			       w[i].rc ? strerror(w[i].rc) : "ok");
		}
	}
	printf("  detected %d of 2 threads stuck, after %.0f ms; both backed off.\n", deadlocked,
	       (double)(asl_now_ns() - t0) / 1e6);

	printf("\nFixed: both lock A before B (one global order), %ld rounds each.\n", rounds);
	t0 = asl_now_ns();
	run_pair(same_order, w);
	printf("  timeouts: %ld and %ld, in %.0f ms: a cycle of waits cannot form when everyone"
	       "\n  acquires in the same order.\n",
	       w[0].timeouts, w[1].timeouts, (double)(asl_now_ns() - t0) / 1e6);
	pthread_barrier_destroy(&both_hold);
	pthread_barrier_destroy(&both_tried);
	return deadlocked == 2 && !w[0].timeouts && !w[1].timeouts ? 0 : 1;
}
