/*
 * demo_racy_counter - threads adding to a plain `long` lose updates.
 *
 * Several runs of T threads x N increments through counter_racy_add (a bare value++), each
 * printing the expected and the actual total.  Then the same with the whole process pinned
 * to one CPU, where threads only take turns (preemption) instead of running at the same
 * instant.  Under ThreadSanitizer (`make tsan`) the race is named with both stacks.
 */
#include "sync.h"

#include "asl/util.h"

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage = "demo_racy_counter [--runs N] [--iters N] [--threads N]\n"
			   "  shows lost updates: N threads each doing value++ on one shared long";

enum { MAX_ITERS = 100000000 };

static long one_run(int threads, long iters, long *got)
{
	struct counter c;
	int rc;
	if ((rc = counter_init(&c)))
		asl_die(-rc, "counter_init");
	if ((rc = counter_hammer(counter_racy_add, &c, threads, iters, NULL)))
		asl_die(-rc, "counter_hammer");
	*got = counter_read(&c, false);
	counter_destroy(&c);
	return threads * iters;
}

/* Runs n rounds and prints each; returns the updates lost over all of them. */
static long runs(int n, int threads, long iters)
{
	long lost = 0;
	for (int r = 1; r <= n; r++) {
		long got, want = one_run(threads, iters, &got);
		printf("  run %d: %d threads x %ld increments: expected %ld, got %ld, lost %ld "
		       "(%.1f%%)\n",
		       r, threads, iters, want, got, want - got,
		       100.0 * (double)(want - got) / (double)want);
		lost += want - got;
	}
	return lost;
}

/* The point of the demo is a loss; threads that never overlapped show none.  Say so, with the
 * load that usually explains it, and try once more with longer runs (more time for the
 * threads to overlap) before concluding. */
static void no_loss_explained(int threads, long iters, int cpus)
{
	double load[3] = { 0, 0, 0 };
	bool busy = getloadavg(load, 3) > 0 && load[0] >= cpus;
	printf(
	    "\nThese runs lost no updates.  That happens when the threads take turns instead of\n"
	    "running at the same instant: on a busy machine (load %.2f now, %d usable CPU%s%s)\n"
	    "or when each thread finishes its share before the other one gets a CPU.\n",
	    load[0], cpus, cpus == 1 ? "" : "s", busy ? ": it IS busy" : "");
	if (cpus < 2)
		printf("With one usable CPU the threads can only take turns (see the pinned runs "
		       "below).\n");
	long more = iters <= MAX_ITERS / 10 ? iters * 10 : MAX_ITERS;
	int more_threads = more == iters ? threads * 2 : threads;
	printf("Trying again with %d threads x %ld increments (longer runs overlap more):\n",
	       more_threads, more);
	if (runs(2, more_threads, more) > 0) {
		printf("There: updates lost.  The race was there all along; the first runs were "
		       "lucky.\n");
		return;
	}
	printf("Still no update lost: the threads never ran at the same instant here.  The race\n"
	       "is still there (`make tsan` names it on any machine): run this demo on an idle\n"
	       "machine, or with more work, e.g. --threads %d --iters %d.\n",
	       2 * more_threads, MAX_ITERS);
}

int main(int argc, char **argv)
{
	long nruns = 5, iters = 10000000, threads = 0;
	for (int i = 1; i < argc; i++) {
		long *dst = NULL, max = 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		} else if (!strcmp(argv[i], "--runs")) {
			dst = &nruns, max = 1000;
		} else if (!strcmp(argv[i], "--iters")) {
			dst = &iters, max = MAX_ITERS;
		} else if (!strcmp(argv[i], "--threads")) {
			dst = &threads, max = 256;
		} else {
			asl_usage_error(usage, "unknown argument '%s'", argv[i]);
		}
		if (i + 1 >= argc || !asl_parse_long(argv[i + 1], 1, max, dst))
			asl_usage_error(usage, "%s needs a number 1..%ld", argv[i], max);
		i++;
	}
	cpu_set_t set;
	int cpus = sched_getaffinity(0, sizeof set, &set) ? 1 : CPU_COUNT(&set);
	if (!threads)
		threads = cpus < 2 ? 2 : cpus;
	printf("The racy counter: value++ is load, add, store; two threads that load the same\n"
	       "old value both store old+1, and one increment is lost.\n");
	if (runs((int)nruns, (int)threads, iters) == 0)
		no_loss_explained((int)threads, iters, cpus);

	cpu_set_t one;
	CPU_ZERO(&one);
	sched_getaffinity(0, sizeof one, &one);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &one)) {
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			break;
		}
	}
	if (sched_setaffinity(0, sizeof one, &one) == 0) {
		printf(
		    "\nThe same, all threads pinned to ONE CPU (they take turns, never run at the "
		    "same instant):\n");
		runs(nruns < 3 ? (int)nruns : 3, (int)threads, iters);
		printf("Few or no losses here: on x86-64, value++ compiles to ONE instruction "
		       "(add $1, mem),\nand a thread is only preempted between instructions. Two "
		       "cores, though, interleave\nthe load and store *inside* that instruction. "
		       "It is still a data race (undefined\nbehaviour in C11): on aarch64 it is "
		       "three instructions, and any compiler may split it.\n");
	}
	printf(
	    "\nFix: a mutex, an atomic or a spinlock (steps 1-3); `make tsan` names this race.\n");
	return 0;
}
