/* Step 6: a mutex between fibers (mutex.c). */
#include "fiber_test.h"

ASL_SUITE(mutex, 30);

static struct fiber_mutex m = FIBER_MUTEX_INIT;
static long shared;
static int inside, max_inside, lock_errs;

static void *incrementer(void *arg)
{
	(void)arg;
	for (int r = 0; r < 20; r++) {
		if (fiber_mutex_lock(&m))
			lock_errs++;
		if (++inside > max_inside)
			max_inside = inside;
		long v = shared;
		for (int y = 0; y < 3; y++)
			fiber_yield(); /* a critical section that contains switches */
		shared = v + 1;
		inside--;
		if (fiber_mutex_unlock(&m))
			lock_errs++;
	}
	return NULL;
}

Test(mutex, protects_a_section_across_yields)
{
	shared = inside = max_inside = lock_errs = 0;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(6));
	for (int i = 0; i < 50; i++)
		ft_spawn(s, incrementer, NULL, ASL_HINT(6));
	ft_sched_run(s, 0, ASL_HINT(6));
	ft_destroy(s, ASL_HINT(6));
	cr_assert_eq(lock_errs, 0, "%d lock/unlock calls failed" ASL_HINT(6), lock_errs);
	cr_assert_eq(max_inside, 1,
		     "up to %d fibers were inside the critical section at once" ASL_HINT(6),
		     max_inside);
	cr_assert_eq(shared, 1000,
		     "50 fibers x 20 increments under the mutex: expected 1000, "
		     "got %ld (lost updates)" ASL_HINT(6),
		     shared);
}

static char got_order[8];
static int ngot, rc_relock, rc_foreign;

static void *waiter(void *arg)
{
	fiber_mutex_lock(&m);
	got_order[ngot++] = (char)(intptr_t)arg;
	fiber_mutex_unlock(&m);
	return NULL;
}

static void *foreign_unlock(void *arg)
{
	(void)arg;
	rc_foreign = fiber_mutex_unlock(&m); /* m is held by holder */
	return NULL;
}

static void *holder(void *arg)
{
	(void)arg;
	fiber_mutex_lock(&m);
	rc_relock = fiber_mutex_lock(&m);
	fiber_sched_t *s = ft_self_sched();
	fiber_spawn(s, NULL, waiter, (void *)(intptr_t)'1');
	fiber_spawn(s, NULL, waiter, (void *)(intptr_t)'2');
	fiber_spawn(s, NULL, foreign_unlock, NULL);
	fiber_spawn(s, NULL, waiter, (void *)(intptr_t)'3');
	for (int i = 0; i < 5; i++)
		fiber_yield(); /* all three are queued on m now */
	fiber_mutex_unlock(&m);
	/* try to barge: the mutex already belongs to waiter 1 */
	fiber_mutex_lock(&m);
	got_order[ngot++] = 'H';
	fiber_mutex_unlock(&m);
	return NULL;
}

Test(mutex, unlock_hands_over_in_arrival_order)
{
	ngot = 0;
	memset(got_order, 0, sizeof got_order);
	m = (struct fiber_mutex)FIBER_MUTEX_INIT;
	ft_run(holder, NULL, 0, ASL_HINT(6));
	cr_assert_eq(rc_relock, -EDEADLK,
		     "locking a mutex the fiber already owns: expected %s, "
		     "got %s" ASL_HINT(6),
		     asl_test_rc(-EDEADLK), asl_test_rc(rc_relock));
	cr_assert_eq(rc_foreign, -EPERM,
		     "unlock by a fiber that does not own the mutex: "
		     "expected %s, got %s" ASL_HINT(6),
		     asl_test_rc(-EPERM), asl_test_rc(rc_foreign));
	cr_assert_str_eq(got_order, "123H",
			 "three fibers queued on the mutex, then the holder "
			 "unlocked and asked again: expected the order 123H (handed over first "
			 "come, first served, no barging), got \"%s\"" ASL_HINT(6),
			 got_order);
}
