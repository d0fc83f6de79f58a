/*
 * fiber_test.h - what lab 08's suites share.
 *
 * Most tests run their body as a fiber: ft_run(fn, arg) makes a scheduler, spawns fn as the
 * first fiber, runs the scheduler until every fiber has finished, checks that fiber_sched_run
 * returned `want_rc`, destroys the scheduler and checks that no descriptor and no mapping
 * leaked.  Fibers only record what they saw; the test body asserts after the run, on the
 * thread's own stack (a failing assertion leaves through a longjmp to the test's frame, which
 * must not start from a fiber's stack).
 */
#ifndef FIBER_TEST_H
#define FIBER_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asl_test.h"
#include "fiber.h"
#include "fiber_internal.h"
#include "regs_check.h"

/* Guard pages in /proc/self/maps: inaccessible anonymous mappings of exactly one page.  Each
 * fiber stack has one, so a stack that is never unmapped shows up here.  (Counting every
 * mapping would not do: AddressSanitizer and malloc add mappings of their own as they go.) */
static inline int ft_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;
	long page = sysconf(_SC_PAGESIZE);
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[5];
		int path_at = 0;
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &lo, &hi, perms, &path_at) >= 3 &&
		    hi - lo == (unsigned long)page && strcmp(perms, "---p") == 0 &&
		    (path_at == 0 || line[path_at] == '\n' || line[path_at] == 0))
			n++;
	}
	fclose(f);
	return n;
}

static inline fiber_sched_t *ft_sched(size_t stack, const char *hint)
{
	fiber_sched_t *s = NULL;
	int rc = fiber_sched_create(&s, stack);
	cr_assert(rc == 0 && s, "fiber_sched_create(%zu): expected 0 and a scheduler, got %s%s",
		  stack, asl_test_rc(rc), hint);
	return s;
}

static inline fiber_t *ft_spawn(fiber_sched_t *s, fiber_fn fn, void *arg, const char *hint)
{
	fiber_t *f = NULL;
	int rc = fiber_spawn(s, &f, fn, arg);
	cr_assert(rc == 0 && f, "fiber_spawn: expected 0 and a fiber, got %s%s", asl_test_rc(rc),
		  hint);
	return f;
}

static inline void ft_sched_run(fiber_sched_t *s, int want_rc, const char *hint)
{
	int rc = fiber_sched_run(s);
	cr_assert_eq(rc, want_rc, "fiber_sched_run: expected %s when it returns, got %s%s",
		     asl_test_rc(want_rc), asl_test_rc(rc), hint);
}

static inline void ft_destroy(fiber_sched_t *s, const char *hint)
{
	int rc = fiber_sched_destroy(s);
	cr_assert_eq(rc, 0, "fiber_sched_destroy: expected 0, got %s%s", asl_test_rc(rc), hint);
}

/* Run fn(arg) as the only initial fiber of a new scheduler with stacks of `stack` bytes. */
static inline void ft_run_stack(fiber_fn fn, void *arg, size_t stack, int want_rc, const char *hint)
{
	int fds = asl_test_fds(), maps = ft_maps();
	fiber_sched_t *s = ft_sched(stack, hint);
	ft_spawn(s, fn, arg, hint);
	ft_sched_run(s, want_rc, hint);
	ft_destroy(s, hint);
	int fds2 = asl_test_fds(), maps2 = ft_maps();
	cr_assert_eq(fds2, fds,
		     "descriptors: %d open before the scheduler, %d after "
		     "fiber_sched_destroy: some leaked (or were closed twice)%s",
		     fds, fds2, hint);
	cr_assert(maps2 <= maps,
		  "guard pages mapped: %d before the scheduler, %d after "
		  "fiber_sched_destroy: fiber stacks were not unmapped%s",
		  maps, maps2, hint);
}
#define ft_run(fn, arg, want_rc, hint) ft_run_stack((fn), (arg), 0, (want_rc), (hint))

/* The scheduler of the running fiber, for tests that spawn from inside one. */
static inline fiber_sched_t *ft_self_sched(void)
{
	return fiber_self()->sched;
}

#endif
