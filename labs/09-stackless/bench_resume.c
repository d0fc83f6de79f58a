/*
 * bench_resume.c - what one resume of a stackless coroutine costs, four ways in C.
 * (GNU C: the computed-goto coroutine needs -std=gnu11; the Makefile says so.)
 *
 * usage: bench_resume [bench options]
 *
 * The same coroutine everywhere: an endless counter that stores its next value in its
 * struct and suspends.  One resume = an indirect call into the coroutine (as an executor
 * makes it: through a function pointer it cannot see through), the jump to the resume
 * point, one increment, the suspension, the return.  Dataset "resume", ns per resume,
 * x = a row of plots/09-stackless-resume.gp:
 *   1 call      a plain indirect call doing the same increment: the floor
 *   2 switch    hand-written state machine (switch on a state number, as in step 1)
 *   3 pt_line   pt_line.h (switch on __LINE__)
 *   4 pt_goto   pt_goto.h (computed goto)
 *   5 -         the C++20 coroutine: bench_cxx_coro, dataset "resume-cxx", same x scale
 *   6 -         reserved for the lab-08 fiber switch (added by lab 08's harness)
 */
#include <stdio.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "stackless.h"

struct counter {
	int state;   /* the hand-written version's resume point */
	struct ptl pl;
	struct ptg pg;
	long value;
};

__attribute__((noinline)) static int count_call(void *self)
{
	struct counter *c = self;
	c->value++;
	return CORO_YIELDED;
}

__attribute__((noinline)) static int count_switch(void *self)
{
	struct counter *c = self;
	switch (c->state) {
	case 0:
		c->value = 0;
		c->state = 1;
		return CORO_YIELDED;
	case 1:
		c->value++;
		return CORO_YIELDED;
	default:
		return -EPROTO;
	}
}

__attribute__((noinline)) static int count_ptl(void *self)
{
	struct counter *c = self;
	PTL_BEGIN(&c->pl);
	for (c->value = 0;; c->value++)
		PTL_YIELD(&c->pl);
	PTL_END(&c->pl);
}

__attribute__((noinline)) static int count_ptg(void *self)
{
	struct counter *c = self;
	PTG_BEGIN(&c->pg);
	for (c->value = 0;; c->value++)
		PTG_YIELD(&c->pg);
	PTG_END(&c->pg);
}

struct target {
	coro_fn fn;
	struct counter c;
};

static void loop_resume(void *arg, uint64_t iters)
{
	struct target *t = arg;
	coro_fn fn = t->fn;
	for (uint64_t i = 0; i < iters; i++) {
		__asm__ volatile("" : "+r"(fn)); /* the call stays indirect and opaque */
		bench_keep(fn(&t->c));
	}
	bench_keep(t->c.value);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *series;
		coro_fn fn;
	} kinds[] = {
		{ "call", count_call },
		{ "switch", count_switch },
		{ "pt_line", count_ptl },
		{ "pt_goto", count_ptg },
	};
	struct bench b;

	bench_init(&b, argc, argv, "09-stackless",
		   "ns per resume of a counting coroutine: call, switch, pt_line, pt_goto");
	bench_open(&b, "resume", "row", "ns/resume",
		   "one indirect call + resume + suspend of an endless counter; x = figure row");
	for (int k = 0; k < 4; k++) {
		struct target t = { .fn = kinds[k].fn };
		PTL_INIT(&t.c.pl);
		PTG_INIT(&t.c.pg);
		bench_loop(&b, kinds[k].series, k + 1, loop_resume, &t, NULL);
	}
	bench_close(&b);
	return 0;
}
