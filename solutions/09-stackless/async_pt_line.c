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

	/* BEGIN STEP 3: With the macros you wrote in pt_line.h, write sum_stream_ref again:
	 * between PTL_BEGIN and PTL_END, each sim_read / sim_write becoming
	 * PTL_AWAIT(&c->pt, (rc = sim_..._poll(...)) != CORO_PENDING), each `return x`
	 * becoming c->result = x; PTL_EXIT(&c->pt).  Keep what lives across an await in the
	 * struct (n, i, total).  Resumed after the end: -EALREADY (PTL_BEGIN).
	 * Checked by: ptline::sum_stream_*
	 * stub: LAB_UNUSED(c, v, rc); return LAB_TODO(3);
	 */
	PTL_BEGIN(&c->pt);
	c->total = 0;
	PTL_AWAIT(&c->pt, (rc = sim_read_poll(c->io, &c->n)) != CORO_PENDING);
	if (rc < 0 || c->n < 0 || c->n > SUM_STREAM_MAX) {
		c->result = rc < 0 ? rc : -EINVAL;
		PTL_EXIT(&c->pt);
	}
	for (c->i = 0; c->i < c->n; c->i++) {
		PTL_AWAIT(&c->pt, (rc = sim_read_poll(c->io, &v)) != CORO_PENDING);
		if (rc < 0 || v == 0) {
			c->result = rc < 0 ? rc : 1;
			PTL_EXIT(&c->pt);
		}
		c->total += v;
		PTL_AWAIT(&c->pt, (rc = sim_write_poll(c->io, c->total)) != CORO_PENDING);
		if (rc < 0) {
			c->result = rc;
			PTL_EXIT(&c->pt);
		}
	}
	PTL_AWAIT(&c->pt, (rc = sim_write_poll(c->io, c->n)) != CORO_PENDING);
	c->result = rc < 0 ? rc : 0;
	PTL_END(&c->pt);
	/* END STEP 3 */
}
