/*
 * gen.c - step 6: generators, lazy sequences as stackless coroutines.
 *
 * A generator is the simplest coroutine there is: it never waits for anything, it only
 * yields.  Each gen_next() resumes it until it has the next value (CORO_YIELDED) or has run
 * off its end (CORO_READY).  Nothing is computed ahead of time: range(0, LONG_MAX) costs
 * three longs, and a take(5) over it computes five values.  Python's `yield`, C#'s
 * `yield return`, C++23's std::generator and Rust's Iterator adapters are the same idea.
 *
 * Composition is by pointer: a filter holds the generator it reads from and calls gen_next
 * on it from inside its own body - an ordinary nested call, allowed because it completes
 * before the filter suspends (what a stackless coroutine cannot do is suspend *inside*
 * such a call; workbook chapter 09).
 */
#include "stackless.h"

#include <limits.h>

#include "asl/todo.h"

int gen_next(struct gen *g, long *out)
{
	/* TODO step 6: Resume g once.  CORO_YIELDED: hand out g->value (return 1).
	 * CORO_READY: report exhaustion once (return 0) and remember it in g->state; every later
	 * call returns -EALREADY without resuming g.  Pass a negative return on.
	 * Checked by: gen::*
	 */
	LAB_UNUSED(g, out); return LAB_TODO(6);
}

int gen_range_init(struct gen_range *r, long start, long stop, long step)
{
	if (step == 0)
		return -EINVAL;
	*r = (struct gen_range){
		.g = { .step = gen_range_step }, .cur = start, .stop = stop, .step = step
	};
	PTL_INIT(&r->pt);
	return 0;
}

int gen_range_step(struct gen *g)
{
	struct gen_range *r = (struct gen_range *)g; /* g is the first member */

	/* TODO step 6: Yield cur, cur+step, ... while it is below stop (above, for a negative
	 * step).  The last value may sit next to LONG_MAX: stop before computing a cur + step
	 * that would overflow (signed overflow is undefined; UBSan reports it).
	 * Checked by: gen::range_*
	 */
	LAB_UNUSED(r); return LAB_TODO(6);
}

void gen_filter_init(struct gen_filter *f, struct gen *inner, bool (*keep)(long, void *), void *arg)
{
	*f = (struct gen_filter){
		.g = { .step = gen_filter_step }, .inner = inner, .keep = keep, .arg = arg
	};
	PTL_INIT(&f->pt);
}

int gen_filter_step(struct gen *g)
{
	struct gen_filter *f = (struct gen_filter *)g;
	long v = 0; /* fetched and tested between two suspensions: a local is enough */
	int rc = 0;

	/* TODO step 6: Pull values from f->inner with gen_next and yield those keep() accepts;
	 * finish when inner is exhausted.  An error from inner ends the filter with that error.
	 * Checked by: gen::filter_*, gen::pipeline_*
	 */
	LAB_UNUSED(f, v, rc); return LAB_TODO(6);
}

void gen_take_init(struct gen_take *t, struct gen *inner, long count)
{
	*t = (struct gen_take){ .g = { .step = gen_take_step }, .inner = inner, .left = count };
	PTL_INIT(&t->pt);
}

int gen_take_step(struct gen *g)
{
	struct gen_take *t = (struct gen_take *)g;
	long v = 0;
	int rc = 0;

	/* TODO step 6: Yield the first t->left values of t->inner, then finish without asking
	 * inner for another one (it may be infinite, or expensive).  Fewer if inner ends first.
	 * Checked by: gen::take_*, gen::pipeline_*
	 */
	LAB_UNUSED(t, v, rc); return LAB_TODO(6);
}
