/*
 * demo_pingpong - two fibers take turns, each from deep inside its own call chain.
 *
 * What it shows: a stackful fiber can stop anywhere.  Each fiber is three ordinary calls deep
 * (play -> rally -> hit) when it yields; the other one runs; then the first continues inside
 * `hit`, with every local of all three frames intact, because they live on its own stack.
 * The addresses printed for a local show the two stacks: far apart, each in its own mapping,
 * and neither one the thread's stack that main runs on.
 */
#include <stdio.h>

#include "asl/util.h"
#include "fiber.h"

#define USAGE "demo_pingpong\n  two fibers take turns from inside nested calls (what a stack buys)"

__attribute__((noinline)) static void hit(const char *who, int depth, int shot)
{
	volatile int local = shot * 10 + depth; /* lives on this fiber's stack across the yield */
	printf("  %-4s shot %d: in hit() at depth %d, local at %p\n", who, shot, depth,
	       (void *)&local);
	fiber_yield();
	if (local != shot * 10 + depth)
		printf("  %-4s: a local changed while the fiber was away!\n", who);
}

__attribute__((noinline)) static void rally(const char *who, int shots)
{
	for (int s = 1; s <= shots; s++)
		hit(who, 3, s);
}

static void *play(void *arg)
{
	const char *who = arg;
	rally(who, 3);
	printf("  %-4s done: fiber %u returns\n", who, fiber_id(fiber_self()));
	return NULL;
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, USAGE);
	int here;
	fiber_sched_t *s;
	if (fiber_sched_create(&s, 0) || fiber_spawn(s, NULL, play, "ping") ||
	    fiber_spawn(s, NULL, play, "pong"))
		asl_die(0, "cannot start the fibers (steps 1-3)");
	printf("main runs on the thread's stack (a local at %p); two fibers with 16 KiB stacks:\n",
	       (void *)&here);
	int rc = fiber_sched_run(s);
	if (rc)
		asl_die(-rc, "fiber_sched_run");
	fiber_sched_destroy(s);
	printf("Each fiber was suspended inside hit(), three calls deep, and resumed there: "
	       "that is\nwhat owning a stack buys.  A stackless coroutine (lab 09) could only "
	       "suspend in its\nown body.\n");
	return 0;
}
