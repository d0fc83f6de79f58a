/*
 * async_ref.c - given: the async functions of steps 1-3 as plain sequential code.
 *
 * Read them as if sim_read/sim_write were `await`s: the thread "waits" inside the call and
 * the function's locals sit safely in its stack frame meanwhile.  That is the behaviour the
 * state machines of async_sm.c, async_pt_line.c and async_pt_goto.c must reproduce without
 * a stack frame that survives the wait.  The tests run both on the same input and schedule
 * and compare results and logs.
 */
#include "stackless.h"

int add_two_ref(struct sim_io *io, int32_t *out)
{
	int32_t a, b;
	int rc;
	if ((rc = sim_read(io, &a)) < 0)
		return rc;
	if ((rc = sim_read(io, &b)) < 0)
		return rc;
	int32_t sum = a + b;
	if ((rc = sim_write(io, sum)) < 0)
		return rc;
	if ((rc = sim_write(io, a - b)) < 0)
		return rc;
	*out = sum;
	return 0;
}

int sum_stream_ref(struct sim_io *io, int32_t *total_out)
{
	int32_t n, v, total = 0;
	int rc;
	*total_out = 0;
	if ((rc = sim_read(io, &n)) < 0)
		return rc;
	if (n < 0 || n > SUM_STREAM_MAX)
		return -EINVAL;
	for (int32_t i = 0; i < n; i++) {
		if ((rc = sim_read(io, &v)) < 0)
			return rc;
		if (v == 0)
			return 1;
		total += v;
		*total_out = total;
		if ((rc = sim_write(io, total)) < 0)
			return rc;
	}
	if ((rc = sim_write(io, n)) < 0)
		return rc;
	return 0;
}
