/*
 * counter_hammer.c - GIVEN: many threads adding to one counter at once.
 *
 * The threads gather at a start gate and are released together, so they really contend
 * instead of running one after another while the next one is still being created.  (A
 * pthread_barrier would do the same, but its count is fixed up front, and if creating the
 * fifth of eight threads fails it could never open.)
 */
#include "sync.h"

#include "asl/util.h"

#include <stdlib.h>

struct counter_hammer_run {
	counter_add_fn add;
	struct counter *c;
	long iters;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ready;        /* threads waiting at the gate */
	bool open;        /* the gate */
	atomic_int error; /* first error an add returned */
};

static void *counter_hammer_thread(void *arg)
{
	struct counter_hammer_run *h = arg;

	pthread_mutex_lock(&h->mu);
	h->ready++;
	pthread_cond_broadcast(&h->cv);
	while (!h->open) /* a loop, not an if: condition variables wake spuriously */
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);

	for (long i = 0; i < h->iters; i++) {
		int rc = h->add(h->c);
		if (rc) {
			int none = 0;
			atomic_compare_exchange_strong(&h->error, &none, rc);
			break;
		}
	}
	return NULL;
}

int counter_hammer(counter_add_fn add, struct counter *c, int threads, long iters,
		   uint64_t *elapsed_ns)
{
	struct counter_hammer_run h = { .add = add, .c = c, .iters = iters };
	pthread_t *tids;
	int started = 0, rc = 0;
	uint64_t t0;

	if (!add || !c || threads < 1 || iters < 0)
		return -EINVAL;
	tids = calloc((size_t)threads, sizeof *tids);
	if (!tids)
		return -ENOMEM;
	atomic_init(&h.error, 0);
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	for (; started < threads; started++) {
		rc = -pthread_create(&tids[started], NULL, counter_hammer_thread, &h);
		if (rc) {
			h.iters = 0; /* the threads already started just leave */
			break;
		}
	}
	pthread_mutex_lock(&h.mu);
	while (h.ready < started)
		pthread_cond_wait(&h.cv, &h.mu);
	h.open = true;
	pthread_cond_broadcast(&h.cv);
	t0 = asl_now_ns();
	pthread_mutex_unlock(&h.mu);

	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (elapsed_ns)
		*elapsed_ns = asl_now_ns() - t0;
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	free(tids);
	return rc ? rc : atomic_load(&h.error);
}
