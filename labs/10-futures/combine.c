/*
 * combine.c - futures made of futures: join_all, select, timeout.
 *
 * A combinator is a future that polls its children with ITS OWN context: every child stores
 * the same waker, so whichever child's event comes first wakes the one task, which polls the
 * combinator, which polls the children again.  No threads, no callbacks between children.
 *
 * Cancellation is dropping: select drops the losers the moment a winner is ready, and
 * timeout drops the inner future when the sleep wins.  Each drop releases what that future
 * held (its timer, its waker in the reactor, its memory) - which is why every future has a
 * drop, and why a leaf future's drop must take its waker back out of the reactor.
 */
#include "fut_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asl/todo.h"

struct many_fut {
	fut_t base;
	size_t n, left;
	intptr_t *outs; /* join_all: the results; select: where the winner's result goes */
	fut_t *futs[];  /* NULL once ready (and dropped) */
};

static enum fut_poll join_all_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct many_fut *f = (struct many_fut *)self;
	/* TODO step 7: Poll every child that is not ready yet; a child that becomes ready
	 * gives its result to outs[i] and is dropped at once (its resources freed early).
	 * Ready (result 0) when none is left; pending otherwise (the children registered our
	 * waker).
	 * Checked by: combine::join_all_*
	 */
	LAB_UNUSED(f, cx, out); LAB_TODO_ABORT(7);
}

static enum fut_poll select_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct many_fut *f = (struct many_fut *)self;
	/* TODO step 7: Poll the children in index order; the first that is ready wins: its
	 * result goes to *f->outs, the result of select is its index, and every other child
	 * is dropped right away (cancelled).  Pending if none is ready.
	 * Checked by: combine::select_*, combine::timeout_*
	 */
	LAB_UNUSED(f, cx, out); LAB_TODO_ABORT(7);
}

static void many_drop(fut_t *self)
{
	struct many_fut *f = (struct many_fut *)self;
	for (size_t i = 0; i < f->n; i++)
		fut_drop(f->futs[i]);
	free(f);
}

static const struct fut_vtable join_all_vtable = { .poll = join_all_poll, .drop = many_drop };
static const struct fut_vtable select_vtable = { .poll = select_poll, .drop = many_drop };

static fut_t *many_new(const struct fut_vtable *vt, fut_t **futs, size_t n, intptr_t *outs)
{
	for (size_t i = 0; i < n; i++) {
		if (!futs[i]) { /* a child that could not be made: the whole thing cannot be */
			for (size_t j = 0; j < n; j++)
				fut_drop(futs[j]);
			errno = ENOMEM;
			return NULL;
		}
	}
	struct many_fut *f = malloc(sizeof *f + n * sizeof f->futs[0]);
	if (!f) {
		for (size_t j = 0; j < n; j++)
			fut_drop(futs[j]);
		return NULL;
	}
	f->base.vt = vt;
	f->n = f->left = n;
	f->outs = outs;
	memcpy(f->futs, futs, n * sizeof futs[0]);
	return &f->base;
}

fut_t *combine_join_all(fut_t **futs, size_t n, intptr_t *outs)
{
	return many_new(&join_all_vtable, futs, n, outs);
}

fut_t *combine_select(fut_t **futs, size_t n, intptr_t *winner_out)
{
	if (n == 0) {
		errno = EINVAL;
		return NULL;
	}
	return many_new(&select_vtable, futs, n, winner_out);
}

/* ---- timeout: a select of the future and a sleep ---- */

struct timeout_fut {
	fut_t base;
	fut_t *inner, *sleep;
};

static enum fut_poll timeout_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct timeout_fut *f = (struct timeout_fut *)self;
	/* TODO step 7: The inner future first (a result that is ready wins even at the
	 * deadline): ready -> drop the sleep, its result is ours.  Then the sleep: fired ->
	 * drop the inner future (cancelled), result -ETIMEDOUT.  Else pending.
	 * Checked by: combine::timeout_*
	 */
	LAB_UNUSED(f, cx, out); LAB_TODO_ABORT(7);
}

static void timeout_drop(fut_t *self)
{
	struct timeout_fut *f = (struct timeout_fut *)self;
	fut_drop(f->inner);
	fut_drop(f->sleep);
	free(f);
}

static const struct fut_vtable timeout_vtable = { .poll = timeout_poll, .drop = timeout_drop };

fut_t *combine_timeout(exec_t *ex, fut_t *inner, uint64_t ms)
{
	struct timeout_fut *f = malloc(sizeof *f);
	fut_t *sleep = reactor_sleep(ex, ms);
	if (!f || !sleep || !inner) {
		free(f);
		fut_drop(sleep);
		fut_drop(inner);
		errno = ENOMEM;
		return NULL;
	}
	*f = (struct timeout_fut){ { &timeout_vtable }, inner, sleep };
	return &f->base;
}
