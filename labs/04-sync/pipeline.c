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

struct pipe_ctx {
	const long *in;
	size_t n;
	struct chan *jobs, *results;
	atomic_int workers_left; /* the last worker out closes `results` */
	atomic_int error;        /* first unexpected status, 0 if none */
};

/* TODO step 7: The producer and worker threads of the pipeline.
 */

long pipeline_squares(const long *in, size_t n, int workers, size_t capacity, long *out)
{
	struct pipe_ctx p = { .in = in, .n = n };
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
	/* TODO step 7: Start the producer and the workers, collect every result into out[]
	 * until `results` is closed, then join every thread; return the number of results, or
	 * the first error.  If creating a thread fails, shut down cleanly (close the channels so
	 * that every thread already started ends, join them) and return -errno.
	 * Checked by: pipeline::*
	 */
	(void)prod; (void)got; (void)tids; rc = LAB_TODO(7); goto out;
out:
	chan_destroy(p.jobs);
	chan_destroy(p.results);
	free(tids);
	return rc ? rc : got;
}
