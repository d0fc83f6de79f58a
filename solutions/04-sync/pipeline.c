/*
 * pipeline.c - step 7: fan-out / fan-in over channels.
 *
 *     producer --jobs--> worker 1 --+
 *                     -> worker 2 --+--results--> collector (the caller)
 *                     -> worker N --+
 *
 * Fan-out: N workers receive from one channel, so each job goes to exactly one of them, to
 * whichever is free.  Fan-in: they all send into one results channel.  Shutdown travels
 * down the pipe as close: the producer closes `jobs` when it has sent everything; each
 * worker stops when its recv says CHAN_CLOSED; the *last* worker to stop closes `results`
 * (closing it earlier would make the others' sends fail), and the collector stops on
 * CHAN_CLOSED.  Results arrive in any order: the output is a multiset, not a sequence.
 */
#include "sync.h"

#include "asl/todo.h"

#include <stdlib.h>

struct pipeline_ctx {
	const long *in;
	size_t n;
	struct chan *jobs, *results;
	atomic_int workers_left; /* the last worker out closes `results` */
	atomic_int error;        /* first unexpected status, 0 if none */
};

/* Record rc as the pipeline's error unless an earlier one is already there. */
__attribute__((unused)) static void pipeline_error(struct pipeline_ctx *p, int rc)
{
	int none = 0;
	atomic_compare_exchange_strong(&p->error, &none, rc);
}

/* The producer thread (arg: the struct pipeline_ctx): feeds the inputs into `jobs`. */
__attribute__((unused)) static void *producer(void *arg)
{
	/* BEGIN STEP 7: Build a pipeline: the producer feeds every input into `jobs`.
	 * Send every input value into `jobs` (as an intptr_t), stop at the first error
	 * (pipeline_error), and close `jobs` in any case: that is how the workers learn that the
	 * input is over.
	 * Checked by: pipeline::one_worker, pipeline::fan_out_fan_in_multiset,
	 * pipeline::empty_input
	 * stub: LAB_UNUSED(arg); LAB_TODO_ABORT(7);
	 */
	struct pipeline_ctx *p = arg;
	for (size_t i = 0; i < p->n; i++) {
		int rc = chan_send(p->jobs, (void *)(intptr_t)p->in[i]);
		if (rc) {
			pipeline_error(p, rc);
			break;
		}
	}
	chan_close(p->jobs);
	return NULL;
	/* END STEP 7 */
}

/* A worker thread (arg: the struct pipeline_ctx): squares jobs into `results`. */
__attribute__((unused)) static void *worker(void *arg)
{
	/* BEGIN STEP 7: Build a pipeline: a worker squares jobs into `results`.
	 * Receive from `jobs` until it is closed, send each square to `results`; any status other
	 * than CHAN_CLOSED is an error (pipeline_error).  The last worker to leave (workers_left)
	 * closes `results`.
	 * Checked by: pipeline::one_worker, pipeline::fan_out_fan_in_multiset,
	 * pipeline::stress_repeated
	 * stub: LAB_UNUSED(arg); LAB_TODO_ABORT(7);
	 */
	struct pipeline_ctx *p = arg;
	void *v;
	int rc;
	while ((rc = chan_recv(p->jobs, &v)) == CHAN_OK) {
		long x = (long)(intptr_t)v;
		rc = chan_send(p->results, (void *)(intptr_t)(x * x));
		if (rc)
			break;
	}
	if (rc != CHAN_CLOSED)
		pipeline_error(p, rc);
	if (atomic_fetch_sub(&p->workers_left, 1) == 1)
		chan_close(p->results);
	return NULL;
	/* END STEP 7 */
}

long pipeline_squares(const long *in, size_t n, int workers, size_t capacity, long *out)
{
	struct pipeline_ctx p = { .in = in, .n = n };
	pthread_t prod, *tids;
	long got = 0;
	int rc;

	if (workers < 1 || workers > 1024 || (n > 0 && (!in || !out)))
		return -EINVAL;
	tids = calloc((size_t)workers, sizeof *tids);
	if (!tids)
		return -ENOMEM;
	atomic_init(&p.error, 0);
	atomic_init(&p.workers_left, workers);
	rc = chan_create(&p.jobs, capacity, NULL);
	if (!rc)
		rc = chan_create(&p.results, capacity, NULL);
	if (rc) {
		chan_destroy(p.jobs);
		free(tids);
		return rc;
	}
	/* BEGIN STEP 7: Start the producer and the workers, collect every result into out[]
	 * until `results` is closed, then join every thread; return the number of results, or
	 * the first error.  If creating a thread fails, shut down cleanly (close the channels so
	 * that every thread already started ends, join them) and return -errno.
	 * Checked by: pipeline::*
	 * stub: LAB_UNUSED(prod, got, tids); rc = LAB_TODO(7); goto out;
	 */
	int started = 0;
	rc = -pthread_create(&prod, NULL, producer, &p);
	if (rc) {
		chan_close(p.jobs);
		chan_close(p.results);
		goto out;
	}
	for (; started < workers; started++) {
		rc = -pthread_create(&tids[started], NULL, worker, &p);
		if (rc)
			break;
	}
	if (rc) {
		/* Close both ends: the producer's sends and the workers' recvs fail and they
		 * all leave; the workers that never started never decrement workers_left, so
		 * the collector loop below is skipped. */
		chan_close(p.jobs);
		chan_close(p.results);
	} else {
		void *v;
		/* Collect even past n (bounded by out[] size): more would mean a bug. */
		while (chan_recv(p.results, &v) == CHAN_OK) {
			if ((size_t)got < n)
				out[got] = (long)(intptr_t)v;
			got++;
		}
	}
	pthread_join(prod, NULL);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (!rc)
		rc = atomic_load(&p.error);
	/* END STEP 7 */
out:
	chan_destroy(p.jobs);
	chan_destroy(p.results);
	free(tids);
	return rc ? rc : got;
}
