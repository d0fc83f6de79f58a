/*
 * async_sm.c - steps 1 and 2: async functions compiled by hand into state machines.
 *
 * The recipe (a compiler's, and the workbook's, chapter 09 "Compiling an async function by
 * hand"):
 *   1. Number the awaits.  Each one is a place where the function may stop and later carry
 *      on: a resume point, a value of `state`.  0 is "not started"; DONE is "finished".
 *   2. Cut the body at the awaits.  Each piece of code between two awaits becomes one case
 *      of a switch on `state`; it ends by polling the next operation.  Pending: store the
 *      resume point and return CORO_PENDING.  Ready: set the next state and go round again.
 *   3. Loops and ifs become transitions: the end of the loop body chooses the state of the
 *      loop's first await again, or the state after the loop.
 *   4. Every local that is assigned before an await and used after it moves into the
 *      struct (the function returns at the await, so its frame is gone when it carries on).
 *      A local that is set and used between two awaits may stay a local: `rc` and `v` here.
 *   5. Every `return x` stores x as the result, sets state DONE and returns CORO_READY.
 * The `for (;;) switch` shape below is the control-flow graph of the function, written out:
 * one case per basic block that begins at an await.
 */
#include "stackless.h"

#include "asl/todo.h"

/* Resume points of add_two_step: the four awaits of add_two_ref, in order. */
enum {
	ADD_START = 0,
	ADD_READ_A,     /* await 1: sim_read(&a) */
	ADD_READ_B,     /* await 2: sim_read(&b) */
	ADD_WRITE_SUM,  /* await 3: sim_write(sum) */
	ADD_WRITE_DIFF, /* await 4: sim_write(a - b) */
	ADD_DONE = -1,
};

void add_two_init(struct add_two *c, struct sim_io *io)
{
	*c = (struct add_two){ .state = ADD_START, .io = io };
}

int add_two_step(struct add_two *c)
{
	int rc; /* set by a poll and tested at once: never alive across an await */

	/* BEGIN STEP 1: Run add_two_ref as a state machine: from c->state to the next await
	 * that is still pending (store where to resume, return CORO_PENDING) or to the end
	 * (store the result, state ADD_DONE, return CORO_READY).  A resumed operation is polled
	 * again, never started again; a, b and sum live in the struct.  Resumed after the end:
	 * -EALREADY; an unknown state: -EPROTO.
	 * Checked by: handsm::add_two_*
	 * stub: LAB_UNUSED(c, rc); return LAB_TODO(1);
	 */
	for (;;) {
		switch (c->state) {
		case ADD_START: c->state = ADD_READ_A; break;
		case ADD_READ_A:
			rc = sim_read_poll(c->io, &c->a);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->state = ADD_READ_B;
			break;
		case ADD_READ_B:
			rc = sim_read_poll(c->io, &c->b);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->sum = c->a + c->b; /* sum is used after two more awaits: in the struct */
			c->state = ADD_WRITE_SUM;
			break;
		case ADD_WRITE_SUM:
			rc = sim_write_poll(c->io, c->sum);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->state = ADD_WRITE_DIFF;
			break;
		case ADD_WRITE_DIFF:
			rc = sim_write_poll(c->io, c->a - c->b);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->out = c->sum;
			rc = 0;
			goto finish;
		case ADD_DONE: return -EALREADY;
		default: return -EPROTO;
		}
	}
finish: /* every `return rc` of the reference */
	c->result = rc;
	c->state = ADD_DONE;
	return CORO_READY;
	/* END STEP 1 */
}

/* Resume points of sum_stream_step. */
enum {
	SUM_START = 0,
	SUM_READ_N,      /* await: the count */
	SUM_READ_V,      /* await inside the loop: the next value */
	SUM_WRITE_TOTAL, /* await inside the loop: the running total */
	SUM_WRITE_N,     /* await after the loop */
	SUM_DONE = -1,
};

void sum_stream_init(struct sum_stream *c, struct sim_io *io)
{
	*c = (struct sum_stream){ .state = SUM_START, .io = io };
}

int sum_stream_step(struct sum_stream *c)
{
	int32_t v; /* the value just read: used before the next await, so not in the struct */
	int rc;

	/* BEGIN STEP 2: Run sum_stream_ref as a state machine.  The loop becomes transitions:
	 * after the running total is written, go back to SUM_READ_V while i < n, else on to
	 * SUM_WRITE_N.  Three kinds of ending, each storing c->result and returning CORO_READY:
	 * the normal one (0), the early return on a 0 value (1), and the error paths (a count
	 * outside 0..SUM_STREAM_MAX: -EINVAL before any write; a failed read: its -errno).
	 * c->total is the total so far at every return, as *total_out is in the reference.
	 * Checked by: handsm::sum_stream_*
	 * stub: LAB_UNUSED(c, v, rc); return LAB_TODO(2);
	 */
	for (;;) {
		switch (c->state) {
		case SUM_START:
			c->total = 0;
			c->state = SUM_READ_N;
			break;
		case SUM_READ_N:
			rc = sim_read_poll(c->io, &c->n);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			if (c->n < 0 || c->n > SUM_STREAM_MAX) {
				rc = -EINVAL;
				goto finish;
			}
			c->i = 0;
			c->state = c->n > 0 ? SUM_READ_V : SUM_WRITE_N;
			break;
		case SUM_READ_V:
			rc = sim_read_poll(c->io, &v);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			if (v == 0) {
				rc = 1;
				goto finish;
			}
			c->total += v;
			c->state = SUM_WRITE_TOTAL;
			break;
		case SUM_WRITE_TOTAL:
			rc = sim_write_poll(c->io, c->total);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->i++; /* the loop's back edge */
			c->state = c->i < c->n ? SUM_READ_V : SUM_WRITE_N;
			break;
		case SUM_WRITE_N:
			rc = sim_write_poll(c->io, c->n);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc > 0)
				rc = 0;
			goto finish;
		case SUM_DONE: return -EALREADY;
		default: return -EPROTO;
		}
	}
finish:
	c->result = rc;
	c->state = SUM_DONE;
	return CORO_READY;
	/* END STEP 2 */
}
