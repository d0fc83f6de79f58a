/*
 * demo_lost_local.c - the classic protothread bug: a local variable that does not survive
 * a suspension.
 *
 * The same three-value counter twice.  The buggy one keeps its loop counter in a local; the
 * right one keeps it in the coroutine's struct.  The buggy one never gets past 1: every
 * resume is a fresh call of the function, so `int count = 0;` runs again, the switch jumps
 * back into the loop after the PTL_YIELD, count++ makes it 1, and it yields 1 again.
 * Without the `= 0` the local would hold whatever the register or stack slot held: gcc -O2
 * -Wall then says "'count' may be used uninitialized", which -Werror (this project's
 * default) turns into a build failure: listen to it.
 */
#include "stackless.h"

#include <stdio.h>

#include "asl/util.h"

static const char usage[] =
    "demo_lost_local [-h]\n"
    "  a local variable across a PTL_YIELD, and the fix: keep it in the struct";

struct counter {
	struct ptl pt;
	int count; /* used by the right version only */
	int out;   /* the value just yielded */
};

static int counter_buggy(struct counter *c)
{
	int count = 0; /* WRONG: must live across PTL_YIELD, but the frame dies at every yield */
	PTL_BEGIN(&c->pt);
	for (count = 1; count <= 3; count++) {
		c->out = count;
		PTL_YIELD(&c->pt);
	}
	PTL_END(&c->pt);
}

static int counter_right(struct counter *c)
{
	PTL_BEGIN(&c->pt);
	for (c->count = 1; c->count <= 3; c->count++) { /* in the struct: survives */
		c->out = c->count;
		PTL_YIELD(&c->pt);
	}
	PTL_END(&c->pt);
}

static void run(const char *name, int (*step)(struct counter *))
{
	struct counter c = { .count = 0 };
	int rc, resumes = 0;
	PTL_INIT(&c.pt);
	printf("%s: expected 1 2 3, then CORO_READY\n  got     ", name);
	while ((rc = step(&c)) == CORO_YIELDED && ++resumes <= 8)
		printf(" %d", c.out);
	if (rc == CORO_READY)
		printf(", then CORO_READY after %d resumes\n", resumes + 1);
	else
		printf(" ... (still yielding after %d resumes: it would go on forever)\n",
		       resumes - 1);
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, usage);
	run("local counter  (buggy)", counter_buggy);
	run("struct counter (right)", counter_right);
	printf("\nThe function returns at every PTL_YIELD; the next resume is a new call with a\n"
	       "new stack frame.  Only the struct persists, so everything alive across a yield\n"
	       "must be in it.  (A compiler doing async/await moves exactly those locals.)\n");
	return 0;
}
