/*
 * model_seq.c - the baseline: every request in turn, on the calling thread.
 *
 * Nothing overlaps: each request's wait is added to the total (n x delay), and so is each
 * computation.  Every other model is measured against this one.
 */
#include "asl/todo.h"
#include "capstone.h"

int model_seq_run(struct cap_job *job)
{
	/* BEGIN STEP 1: The baseline: for each request in order, do its I/O with blocking calls
	 * (CAP_IO and CAP_MIXED: cap_request_blocking on its connection), then cap_finish it on
	 * this thread (CAP_CPU: with no reply).  Stop at the first error and return it.
	 * Checked by: seq::*
	 * stub: LAB_UNUSED(job); return LAB_TODO(1);
	 */
	for (int i = 0; i < job->n; i++) {
		struct cap_reply r;
		int rc = 0;
		if (cap_has_io(job))
			rc = cap_request_blocking(job, i, &r);
		if (rc == 0)
			rc = cap_finish(job, i, cap_has_io(job) ? &r : NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
	/* END STEP 1 */
}
