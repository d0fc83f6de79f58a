/* Step 2: thr_run() runs every task on its own thread, joins all, propagates results and
 * creation errors, and never leaves a thread behind. */
#include "asl_test.h"
#include "threads.h"

#include <pthread.h>
#include <stdatomic.h>

ASL_SUITE(workers, 10);

static _Atomic int ran;

static int square_plus_one(void *arg)
{
	int i = (int)(intptr_t)arg;
	atomic_fetch_add(&ran, 1);
	return i * i + 1;
}

Test(workers, results_propagate)
{
	enum { N = 16 };
	struct thr_task t[N];
	int before = asl_test_threads(), rc;

	for (int i = 0; i < N; i++)
		t[i] = (struct thr_task){ .fn = square_plus_one, .arg = (void *)(intptr_t)i,
					  .result = -1 };
	rc = thr_run(t, N);
	cr_assert_eq(rc, 0, "thr_run(16 tasks) returned %s, expected 0" ASL_HINT(2),
		     asl_test_rc(rc));
	for (int i = 0; i < N; i++)
		cr_assert_eq(t[i].result, i * i + 1, "task %d: expected result %d, got %d"
			     ASL_HINT(2), i, i * i + 1, t[i].result);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "threads before %d, after %d: a thread was not joined"
		     ASL_HINT(2), before, after);
}

static pthread_barrier_t all_here;

static int wait_for_all(void *arg)
{
	pthread_barrier_wait(&all_here); /* returns only once every task is running */
	return (int)(intptr_t)arg;
}

Test(workers, tasks_run_at_the_same_time)
{
	enum { N = 8 };
	struct thr_task t[N];
	int rc;

	/* If thr_run ran the tasks one after another, the first would wait here forever and the
	 * test would time out. */
	pthread_barrier_init(&all_here, NULL, N);
	for (int i = 0; i < N; i++)
		t[i] = (struct thr_task){ .fn = wait_for_all, .arg = (void *)(intptr_t)(100 + i) };
	rc = thr_run(t, N);
	cr_assert_eq(rc, 0, "thr_run returned %s" ASL_HINT(2), asl_test_rc(rc));
	for (int i = 0; i < N; i++)
		cr_assert_eq(t[i].result, 100 + i, "task %d: result %d" ASL_HINT(2), i,
			     t[i].result);
	pthread_barrier_destroy(&all_here);
}

Test(workers, creation_error_joins_the_started)
{
	enum { N = 8, BAD = 5 };
	struct thr_task t[N];
	int before = asl_test_threads(), rc;

	for (int i = 0; i < N; i++)
		t[i] = (struct thr_task){ .fn = square_plus_one, .arg = (void *)(intptr_t)i,
					  .result = -1 };
	/* a stack no machine can map: pthread_create of task 5 must fail */
	t[BAD].stack_size = (size_t)1 << 52;
	atomic_store(&ran, 0);
	rc = thr_run(t, N);
	cr_assert(rc < 0 && rc != -EINVAL && rc != -ENOSYS,
		  "task %d's thread cannot be created (1 PiB stack): expected the creation error "
		  "(e.g. -11 (EAGAIN)), got %s" ASL_HINT(2), BAD, asl_test_rc(rc));
	cr_assert_eq(atomic_load(&ran), BAD, "%d tasks ran, expected exactly the %d started "
		     "before the failure" ASL_HINT(2), atomic_load(&ran), BAD);
	for (int i = 0; i < BAD; i++)
		cr_assert_eq(t[i].result, i * i + 1, "started task %d: result %d, expected %d "
			     "(join them and keep their results)" ASL_HINT(2), i, t[i].result,
			     i * i + 1);
	for (int i = BAD; i < N; i++)
		cr_assert_eq(t[i].result, -1, "task %d should not have run" ASL_HINT(2), i);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before, "threads before %d, after %d: the started ones must be "
		     "joined" ASL_HINT(2), before, after);
}

Test(workers, rejects_bad_arguments)
{
	struct thr_task t[4];
	int rc, before = asl_test_threads();

	for (int i = 0; i < 4; i++)
		t[i] = (struct thr_task){ .fn = square_plus_one, .arg = (void *)(intptr_t)i };
	atomic_store(&ran, 0);
	rc = thr_run(NULL, 4);
	cr_assert_eq(rc, -EINVAL, "thr_run(NULL, 4): expected -22 (EINVAL), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	rc = thr_run(t, 0);
	cr_assert_eq(rc, -EINVAL, "thr_run(t, 0): expected -EINVAL, got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	rc = thr_run(t, (size_t)THR_MAX + 1);
	cr_assert_eq(rc, -EINVAL, "thr_run(t, THR_MAX + 1): expected -EINVAL, got %s"
		     ASL_HINT(2), asl_test_rc(rc));
	t[3].fn = NULL;
	rc = thr_run(t, 4);
	cr_assert_eq(rc, -EINVAL, "task 3 without fn: expected -EINVAL, got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	t[3].fn = square_plus_one;
	t[2].stack_size = 100;
	rc = thr_run(t, 4);
	cr_assert_eq(rc, -EINVAL, "stack_size 100 (< PTHREAD_STACK_MIN): expected -EINVAL, "
		     "got %s" ASL_HINT(2), asl_test_rc(rc));
	cr_assert_eq(atomic_load(&ran), 0, "%d tasks ran although the arguments were bad: "
		     "check everything before starting anything" ASL_HINT(2), atomic_load(&ran));
	cr_assert_eq(asl_test_threads_settled(before), before, "threads left behind" ASL_HINT(2));
}

Test(workers, no_leak_over_many_calls)
{
	int before = asl_test_threads();
	for (int round = 0; round < 200; round++) {
		struct thr_task t[4];
		for (int i = 0; i < 4; i++)
			t[i] = (struct thr_task){ .fn = square_plus_one,
						  .arg = (void *)(intptr_t)round,
						  .stack_size = i % 2 ? thr_small_stack() : 0 };
		int rc = thr_run(t, 4);
		cr_assert_eq(rc, 0, "round %d: thr_run returned %s" ASL_HINT(2), round,
			     asl_test_rc(rc));
		cr_assert_eq(t[3].result, round * round + 1, "round %d: wrong result" ASL_HINT(2),
			     round);
		int after = asl_test_threads_settled(before);
		cr_assert_eq(after, before, "round %d: %d threads, expected %d (a thread was "
			     "not joined)" ASL_HINT(2), round, after, before);
	}
}
