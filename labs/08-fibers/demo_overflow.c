/*
 * demo_overflow - a fiber recurses without end on its 16 KiB stack.
 *
 * What it shows: the guard page below the stack turns the overflow into a fault, and the
 * handler (on the alternate signal stack) names the fiber before the process dies:
 *     fiber 2 overflowed its 16 KiB stack
 * Without the guard page the recursion would run on into whatever lies below - another
 * fiber's stack, the heap - and the damage would surface much later, somewhere else.
 * This demo is meant to die of SIGSEGV (`make demo` checks that it does).
 */
#include <stdio.h>

#include "asl/util.h"
#include "fiber.h"

#define USAGE \
	"demo_overflow\n  a fiber overflows its stack and is reported by number (dies of SIGSEGV)"

static volatile unsigned long limit = ~0ul; /* never reached; the compiler cannot know */

__attribute__((noinline)) static unsigned long down(unsigned long depth)
{
	volatile char frame[200];
	frame[0] = (char)depth;
	if (depth % 16 == 0)
		fprintf(stderr, "\r  depth %lu (about %lu bytes of stack)", depth, depth * 240);
	if (depth == limit)
		return 0;
	return down(depth + 1) + frame[0];
}

static void *calm(void *arg)
{
	printf("fiber %u: a well-behaved fiber\n", fiber_id(fiber_self()));
	return arg;
}

static void *deep(void *arg)
{
	(void)arg;
	printf("fiber %u: recursing without end...\n", fiber_id(fiber_self()));
	fflush(stdout);
	return (void *)down(0);
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, USAGE);
	fiber_sched_t *s;
	if (fiber_sched_create(&s, 16 << 10) || fiber_spawn(s, NULL, calm, NULL) ||
	    fiber_spawn(s, NULL, deep, NULL))
		asl_die(0, "cannot start the fibers (steps 1-3)");
	fiber_sched_run(s);
	printf("not reached: the overflow should have ended the process\n");
	return 0;
}
