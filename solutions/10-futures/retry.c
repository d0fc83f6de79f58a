/*
 * retry.c - retry with exponential backoff and jitter, as one future.
 *
 * The future is a two-state machine: ATTEMPT (an attempt future is being polled) and WAIT (a
 * sleep is).  It is what an `async fn` with a loop and two awaits compiles to: the locals that
 * live across the awaits (attempt number, random state, the child being awaited) are fields.
 *
 * Why jitter: clients that failed together and back off by the same doubling delays retry
 * together again, in synchronised waves; a random delay in [d/2, d] spreads them out while
 * keeping at least half of the backoff.
 */
#include "fut_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"

uint64_t combine_retry_delay_ms(const struct combine_retry_policy *p, unsigned k, uint64_t *rng)
{
	/* BEGIN STEP 8: d = min(base_ms * 2^k, max_ms) without overflow (a large k saturates
	 * at max_ms); then a delay drawn uniformly from [d/2, d] with one step of xorshift64*
	 * on *rng (x ^= x >> 12; x ^= x << 25; x ^= x >> 27; value = x * 0x2545F4914F6CDD1D).
	 * Checked by: combine::retry_*
	 * stub: LAB_UNUSED(p, k, rng); return (uint64_t)LAB_TODO(8);
	 */
	uint64_t d = p->max_ms;
	if (k < 63 && p->base_ms <= (p->max_ms >> k))
		d = p->base_ms << k;
	uint64_t x = *rng ? *rng : 0x9E3779B97F4A7C15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*rng = x;
	uint64_t r = x * 0x2545F4914F6CDD1Dull;
	return d / 2 + r % (d - d / 2 + 1);
	/* END STEP 8 */
}

struct retry_fut {
	fut_t base;
	exec_t *ex;
	struct combine_retry_policy p;
	retry_make_fn make;
	void *arg;
	uint64_t *delays;
	uint64_t rng;
	unsigned k; /* attempts made so far */
	enum { RETRY_ATTEMPT, RETRY_WAIT } state;
	fut_t *child; /* the attempt or the sleep being awaited */
};

static enum fut_poll retry_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct retry_fut *f = (struct retry_fut *)self;
	/* BEGIN STEP 8: Loop over the two states.  ATTEMPT: make attempt f->k if there is no
	 * child yet (NULL -> ready with -ENOMEM), poll it; pending -> pending.  Ready: drop it;
	 * a result >= 0, or the last allowed attempt, is the result.  Else pick the delay
	 * (combine_retry_delay_ms, recorded in delays[k] if given), count the attempt, sleep
	 * (reactor_sleep) in state WAIT.  WAIT: poll the sleep; when it fires drop it and
	 * make the next attempt.
	 * Checked by: combine::retry_*
	 * stub: LAB_UNUSED(f, cx, out); LAB_TODO_ABORT(8);
	 */
	for (;;) {
		intptr_t v;
		if (!f->child) {
			f->child = f->state == RETRY_ATTEMPT ? f->make(f->arg, f->k) : NULL;
			if (!f->child) {
				*out = -ENOMEM;
				return FUT_READY;
			}
		}
		if (fut_poll(f->child, cx, &v) == FUT_PENDING)
			return FUT_PENDING;
		fut_drop(f->child);
		f->child = NULL;
		if (f->state == RETRY_WAIT) {
			f->state = RETRY_ATTEMPT;
			continue;
		}
		if (v >= 0 || f->k + 1 >= f->p.attempts) {
			*out = v;
			return FUT_READY;
		}
		uint64_t d = combine_retry_delay_ms(&f->p, f->k, &f->rng);
		if (f->delays)
			f->delays[f->k] = d;
		f->k++;
		f->child = reactor_sleep(f->ex, d);
		if (!f->child) {
			*out = -ENOMEM;
			return FUT_READY;
		}
		f->state = RETRY_WAIT;
	}
	/* END STEP 8 */
}

static void retry_drop(fut_t *self)
{
	struct retry_fut *f = (struct retry_fut *)self;
	fut_drop(f->child);
	free(f);
}

static const struct fut_vtable retry_vtable = { .poll = retry_poll, .drop = retry_drop };

fut_t *combine_retry(exec_t *ex, const struct combine_retry_policy *p, retry_make_fn make,
		     void *arg, uint64_t *delays_ms)
{
	if (!p || !make || p->attempts == 0 || p->base_ms > p->max_ms) {
		errno = EINVAL;
		return NULL;
	}
	struct retry_fut *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->base.vt = &retry_vtable;
	f->ex = ex;
	f->p = *p;
	f->make = make;
	f->arg = arg;
	f->delays = delays_ms;
	f->rng = p->seed;
	return &f->base;
}
