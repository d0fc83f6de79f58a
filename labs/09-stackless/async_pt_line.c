/*
 * async_pt_line.c - step 3: sum_stream again, with the switch-on-__LINE__
 * macros of pt_line.h.
 *
 * Compare with sum_stream_step (async_sm.c): the same struct fields, the same polls, but no
 * numbered states and no transitions to get wrong.  The macros number the resume points
 * (by source line) and the loop stays a loop: PTL_BEGIN's switch jumps straight back into
 * the middle of it.  What does not change: n, i and total live in the struct, because the
 * function really returns at every PTL_AWAIT.
 */
#include "stackless.h"

#include "asl/todo.h"

void sum_stream_ptl_init(struct sum_stream_ptl *c, struct sim_io *io)
{
	*c = (struct sum_stream_ptl){ .io = io };
	PTL_INIT(&c->pt);
}

int sum_stream_ptl_step(struct sum_stream_ptl *c)
{
	/* Set inside an await's condition and tested just after it: safe as locals, because
	 * every resume re-evaluates the condition before they are read. */
	int32_t v = 0;
	int rc = 0;

	/* TODO step 3: With the macros you wrote in pt_line.h, write sum_stream_ref again:
	 * between PTL_BEGIN and PTL_END, each sim_read / sim_write becoming
	 * PTL_AWAIT(&c->pt, (rc = sim_..._poll(...)) != CORO_PENDING), each `return x`
	 * becoming c->result = x; PTL_EXIT(&c->pt).  Keep what lives across an await in the
	 * struct (n, i, total).  Resumed after the end: -EALREADY (PTL_BEGIN).
	 * Checked by: ptline::sum_stream_*
	 */
	LAB_UNUSED(c, v, rc); return LAB_TODO(3);
}
