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
	/* TODO step 1: The baseline: for each request in order, do its I/O with blocking calls
	 * (CAP_IO and CAP_MIXED: cap_request_blocking on its connection), then cap_finish it on
	 * this thread (CAP_CPU: with no reply).  Stop at the first error and return it.
	 * Checked by: seq::*
	 */
	LAB_UNUSED(job); return LAB_TODO(1);
}
