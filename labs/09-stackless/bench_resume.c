/*
 * bench_resume.c - what one resume of a coroutine costs: four stackless ways in C, and the
 * stackful lab-08 fiber for contrast.
 * (GNU C: the computed-goto coroutine needs -std=gnu11; the Makefile says so.  Links lab 08's
 * library, ../08-fibers, for ctx_switch: this harness only, never the tests.)
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
 *   6 fiber     the lab-08 fiber: main switches to a fiber (its own stack, ctx_switch), the
 *               fiber increments and switches back.  A resume-and-suspend is the round trip,
 *               two ctx_switch calls (lab 08's bench_switch reports half of it, one way).
 *               Skipped, with a note, where lab 08's ctx_switch is not written yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "ctx.h" /* lab 08 */
#include "stackless.h"

struct counter {
	int state; /* the hand-written version's resume point */
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
	case 1: c->value++; return CORO_YIELDED;
	default: return -EPROTO;
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

/* ---- 6: the lab-08 fiber ---- */

struct fiber_counter {
	void *main_sp, *fiber_sp;
	long value;
};

#define FIBER_STACK (64 * 1024)

/* The fiber's body: the same endless counter, on a stack of its own. */
static void fiber_count(void *arg)
{
	struct fiber_counter *f = arg;
	for (f->value = 0;; f->value++)
		ctx_switch(&f->fiber_sp, f->main_sp);
}

static void loop_fiber(void *arg, uint64_t iters)
{
	struct fiber_counter *f = arg;
	for (uint64_t i = 0; i < iters; i++)
		ctx_switch(&f->main_sp, f->fiber_sp);
	bench_keep(f->value);
}

static void fiber_start(struct fiber_counter *f, void *stack)
{
	*f = (struct fiber_counter){ .value = 0 };
	f->fiber_sp = ctx_init(stack, FIBER_STACK, fiber_count, f);
}

/* Does lab 08's ctx_switch work in this tree?  One round trip in a forked child: an unwritten
 * step aborts the child, not this harness. */
static bool fiber_works(void *stack)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		struct fiber_counter f;
		fiber_start(&f, stack);
		loop_fiber(&f, 3);
		_exit(f.value == 2 ? 0 : 1);
	}
	int st;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void measure_fiber(struct bench *b)
{
	void *stack = aligned_alloc(16, FIBER_STACK);
	if (!stack)
		asl_die(ENOMEM, "fiber stack");
	if (fiber_works(stack)) {
		struct fiber_counter f;
		fiber_start(&f, stack);
		bench_loop(b, "fiber", 6, loop_fiber, &f, NULL);
	} else {
		fprintf(stderr, "# fiber row skipped: lab 08's ctx_switch does not work in this "
				"tree yet (../08-fibers)\n");
	}
	free(stack); /* the fiber never finishes: it is simply never switched to again */
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
		   "ns per resume of a counting coroutine: call, switch, pt_line, pt_goto, fiber");
	bench_open(&b, "resume", "row", "ns/resume",
		   "one indirect call + resume + suspend of an endless counter; x = figure row");
	for (int k = 0; k < 4; k++) {
		struct target t = { .fn = kinds[k].fn };
		PTL_INIT(&t.c.pl);
		PTG_INIT(&t.c.pg);
		bench_loop(&b, kinds[k].series, k + 1, loop_resume, &t, NULL);
	}
	measure_fiber(&b);
	bench_close(&b);
	return 0;
}
