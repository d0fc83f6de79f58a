/*
 * async_pt_goto.c - step 4: sum_stream again, with the computed-goto
 * macros of pt_goto.h (a GNU C extension: this file alone is compiled with -std=gnu11).
 *
 * The body is the same text as sum_stream_ptl_step's with PTL_ turned into PTG_: only the
 * way back in differs.  Each suspension stores the address of a label placed right after it
 * (&&ptg_resume_<line>) and PTG_BEGIN jumps there with `goto *`: one indirect jump instead
 * of a switch over line numbers.  n, i and total still live in the struct: the function
 * returns at every PTG_AWAIT all the same.
 */
#include "stackless.h"

#include "asl/todo.h"

void sum_stream_ptg_init(struct sum_stream_ptg *c, struct sim_io *io)
{
	*c = (struct sum_stream_ptg){ .io = io };
	PTG_INIT(&c->pt);
}

int sum_stream_ptg_step(struct sum_stream_ptg *c)
{
	/* Set inside an await's condition and tested just after it: safe as locals, because
	 * every resume re-evaluates the condition before they are read. */
	int32_t v = 0;
	int rc = 0;

	/* TODO step 4: With the macros you wrote in pt_goto.h, write sum_stream_ref again:
	 * between PTG_BEGIN and PTG_END, each sim_read / sim_write becoming
	 * PTG_AWAIT(&c->pt, (rc = sim_..._poll(...)) != CORO_PENDING), each `return x`
	 * becoming c->result = x; PTG_EXIT(&c->pt).  Keep what lives across an await in the
	 * struct (n, i, total).  Resumed after the end: -EALREADY (PTG_BEGIN).
	 * Checked by: ptgoto::sum_stream_*
	 */
	LAB_UNUSED(c, v, rc); return LAB_TODO(4);
}
