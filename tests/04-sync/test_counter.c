/* Steps 1-3: the counter made correct with a mutex, an atomic, and a spinlock. */
#include "sync_test.h"

#include <pthread.h>

ASL_SUITE(counter_mutex, 30);
ASL_SUITE(counter_atomic, 30);
ASL_SUITE(spinlock, 60);

/* Hammer one fresh counter with `threads` x `iters` adds; assert the exact total. */
static void exact(counter_add_fn add, bool atomic_part, int threads, long iters, int step,
		  const char *kind)
{
	struct counter c;
	int before = asl_test_threads();
	cr_assert_eq(counter_init(&c), 0);
	int rc = counter_hammer(add, &c, threads, iters, NULL);
	long got = counter_read(&c, atomic_part);
	counter_destroy(&c);
	cr_assert_eq(rc, 0, "%s counter: %d threads x %ld adds: an add returned %s%s", kind,
		     threads, iters, asl_test_rc(rc), step == 1 ? ASL_HINT(1)
		     : step == 2 ? ASL_HINT(2) : ASL_HINT(3));
	cr_assert_eq(got, threads * iters,
		     "%s counter: %d threads x %ld adds: expected %ld, got %ld (%ld updates lost)%s",
		     kind, threads, iters, threads * iters, got, threads * iters - got,
		     step == 1 ? ASL_HINT(1) : step == 2 ? ASL_HINT(2) : ASL_HINT(3));
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "threads before %d, after %d: a thread leaked", before, after);
}

Test(counter_mutex, single_thread_counts)
{
	exact(counter_mutex_add, false, 1, 1000, 1, "mutex");
}

Test(counter_mutex, exact_under_contention)
{
	exact(counter_mutex_add, false, 4, 200000, 1, "mutex");
}

Test(counter_mutex, stress_many_rounds)
{
	for (int round = 0; round < 20; round++)
		exact(counter_mutex_add, false, 2 + round % 7, 20000, 1, "mutex");
}

Test(counter_atomic, single_thread_counts)
{
	exact(counter_atomic_add, true, 1, 1000, 2, "atomic");
}

Test(counter_atomic, exact_under_contention)
{
	exact(counter_atomic_add, true, 4, 500000, 2, "atomic");
}

Test(counter_atomic, stress_many_rounds)
{
	for (int round = 0; round < 20; round++)
		exact(counter_atomic_add, true, 2 + round % 7, 50000, 2, "atomic");
}

Test(spinlock, lock_unlock_lock_again)
{
	struct spinlock s;
	atomic_init(&s.locked, false);
	for (int i = 0; i < 1000; i++) {
		int a = spin_lock(&s);
		cr_assert(a == 0 && atomic_load(&s.locked),
			  "spin_lock returned %s and left locked = %d (want 0 and true)" ASL_HINT(3),
			  asl_test_rc(a), (int)atomic_load(&s.locked));
		int b = spin_unlock(&s);
		cr_assert(b == 0 && !atomic_load(&s.locked),
			  "spin_unlock returned %s and left locked = %d (want 0 and false)"
			  ASL_HINT(3), asl_test_rc(b), (int)atomic_load(&s.locked));
	}
}

/* Mutual exclusion, checked from the inside: a thread in the critical section checks that
 * nobody else is, and does a slow non-atomic read-modify-write that another thread inside
 * would corrupt. */
struct excl {
	struct spinlock lock;
	pthread_barrier_t start;
	atomic_int inside, violations, errors;
	long shared;
};

static void *excl_thread(void *arg)
{
	struct excl *e = arg;
	pthread_barrier_wait(&e->start);
	for (int i = 0; i < 20000; i++) {
		if (spin_lock(&e->lock)) {
			atomic_fetch_add(&e->errors, 1);
			return NULL;
		}
		if (atomic_fetch_add(&e->inside, 1) != 0)
			atomic_fetch_add(&e->violations, 1);
		volatile long v = e->shared;
		e->shared = v + 1;
		atomic_fetch_sub(&e->inside, 1);
		spin_unlock(&e->lock);
	}
	return NULL;
}

Test(spinlock, mutual_exclusion)
{
	enum { T = 4 };
	struct excl e = { .shared = 0 };
	pthread_t t[T];
	int before = asl_test_threads();
	atomic_init(&e.lock.locked, false);
	atomic_init(&e.inside, 0);
	atomic_init(&e.violations, 0);
	atomic_init(&e.errors, 0);
	pthread_barrier_init(&e.start, NULL, T);
	for (int i = 0; i < T; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, excl_thread, &e), 0);
	for (int i = 0; i < T; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&e.start);
	cr_assert_eq(atomic_load(&e.errors), 0, "spin_lock returned an error" ASL_HINT(3));
	cr_assert_eq(atomic_load(&e.violations), 0,
		     "%d times a thread entered the critical section while another was inside"
		     ASL_HINT(3), atomic_load(&e.violations));
	cr_assert_eq(e.shared, T * 20000L, "expected %ld increments, got %ld" ASL_HINT(3),
		     T * 20000L, e.shared);
	cr_assert_eq(asl_test_threads_settled(before), before, "a thread leaked");
}

Test(spinlock, counter_exact_under_contention)
{
	exact(counter_spin_add, false, 2, 200000, 3, "spinlock");
	exact(counter_spin_add, false, 4, 50000, 3, "spinlock");
}
