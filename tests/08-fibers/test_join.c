/* Step 4: park, wake and join (sched.c), and deadlock detection. */
#include "fiber_test.h"

ASL_SUITE(join, 30);

static void *square(void *arg)
{
	uintptr_t v = (uintptr_t)arg;
	if (v % 3 == 0)
		fiber_yield(); /* some finish before their join starts, some after */
	return (void *)(v * v);
}

static int join_bad;
static uintptr_t join_first_i, join_first_got;

static void *joiner_main(void *arg)
{
	(void)arg;
	fiber_t *kids[100];
	for (uintptr_t i = 0; i < 100; i++)
		fiber_spawn(ft_self_sched(), &kids[i], square, (void *)i);
	fiber_yield(); /* let some finish first */
	for (uintptr_t i = 0; i < 100; i++) {
		void *res = NULL;
		int rc = fiber_join(kids[i], &res);
		if ((rc != 0 || (uintptr_t)res != i * i) && !join_bad++) {
			join_first_i = i;
			join_first_got = rc ? (uintptr_t)rc : (uintptr_t)res;
		}
	}
	return NULL;
}

Test(join, returns_each_fibers_result)
{
	join_bad = 0;
	ft_run(joiner_main, NULL, 0, ASL_HINT(4));
	cr_assert_eq(join_bad, 0,
		     "%d of 100 joins went wrong; the first: fiber %lu should "
		     "return %lu, join gave %ld" ASL_HINT(4),
		     join_bad, (unsigned long)join_first_i,
		     (unsigned long)(join_first_i * join_first_i), (long)join_first_got);
}

static void *exit_deep(void *arg)
{
	(void)arg;
	fiber_exit((void *)0xfeed);
}

static int rc_self, rc_twice, rc_exit;
static void *exit_res;

static void *second_joiner(void *arg)
{
	rc_twice = fiber_join(arg, NULL);
	return NULL;
}

static void *errors_main(void *arg)
{
	(void)arg;
	rc_self = fiber_join(fiber_self(), NULL);
	fiber_t *e;
	fiber_spawn(ft_self_sched(), &e, exit_deep, NULL);
	fiber_spawn(ft_self_sched(), NULL, second_joiner, e);
	rc_exit = fiber_join(e, &exit_res); /* parks before second_joiner runs */
	return NULL;
}

Test(join, errors_and_exit_value)
{
	cr_assert_eq(fiber_join((fiber_t *)&rc_self, NULL), -EPERM,
		     "fiber_join outside any "
		     "fiber: expected -EPERM" ASL_HINT(4));
	ft_run(errors_main, NULL, 0, ASL_HINT(4));
	cr_assert_eq(rc_self, -EDEADLK, "a fiber joining itself: expected %s, got %s" ASL_HINT(4),
		     asl_test_rc(-EDEADLK), asl_test_rc(rc_self));
	cr_assert_eq(rc_twice, -EINVAL,
		     "a second fiber joining a fiber that is already being "
		     "joined: expected %s, got %s" ASL_HINT(4),
		     asl_test_rc(-EINVAL), asl_test_rc(rc_twice));
	cr_assert(rc_exit == 0 && exit_res == (void *)0xfeed,
		  "join of a fiber that called "
		  "fiber_exit(0xfeed): expected 0 and 0xfeed, got %s and %p" ASL_HINT(4),
		  asl_test_rc(rc_exit), exit_res);
}

static fiber_t *fa, *fb;
static void *join_b(void *arg)
{
	(void)arg;
	fiber_join(fb, NULL);
	return NULL;
}
static void *join_a(void *arg)
{
	(void)arg;
	fiber_join(fa, NULL);
	return NULL;
}

Test(join, deadlock_is_reported)
{
	int maps = ft_maps();
	fiber_sched_t *s = ft_sched(0, ASL_HINT(4));
	fa = ft_spawn(s, join_b, NULL, ASL_HINT(4));
	fb = ft_spawn(s, join_a, NULL, ASL_HINT(4));
	ft_sched_run(s, -EDEADLK,
		     " (two fibers join each other: nothing can ever run again)" ASL_HINT(4));
	ft_destroy(s, ASL_HINT(4));
	cr_assert(ft_maps() <= maps, "the deadlocked fibers' stacks were not freed by "
				     "fiber_sched_destroy" ASL_HINT(4));
}

#define SEQ 20000
static void *nothing(void *arg)
{
	return arg;
}

static int seq_bad;
static void *seq_main(void *arg)
{
	(void)arg;
	for (uintptr_t i = 0; i < SEQ; i++) {
		fiber_t *f;
		void *r = NULL;
		if (fiber_spawn(ft_self_sched(), &f, nothing, (void *)i) || fiber_join(f, &r) ||
		    (uintptr_t)r != i)
			seq_bad++;
	}
	return NULL;
}

Test(join, spawn_join_many_reuses_stacks)
{
	seq_bad = 0;
	int maps = ft_maps();
	fiber_sched_t *s = ft_sched(0, ASL_HINT(4));
	ft_spawn(s, seq_main, NULL, ASL_HINT(4));
	ft_sched_run(s, 0, ASL_HINT(4));
	cr_assert_eq(seq_bad, 0, "%d of %d spawn + join pairs failed" ASL_HINT(4), seq_bad, SEQ);
	cr_assert(s->pool.nfree <= 2,
		  "%d fibers spawned and joined one after another should "
		  "need two stacks at most (a finished fiber's stack goes back to the pool and "
		  "the next one takes it); the pool holds %zu" ASL_HINT(4),
		  SEQ, s->pool.nfree);
	ft_destroy(s, ASL_HINT(4));
	cr_assert(ft_maps() <= maps,
		  "stacks leaked: %d guard pages mapped before, %d after" ASL_HINT(4), maps,
		  ft_maps());
}
