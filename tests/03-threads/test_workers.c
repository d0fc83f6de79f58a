/* Step 2: workers_run() runs every task on its own thread, joins all, propagates results and
 * creation errors, and never leaves a thread behind. */
#include "thr_test.h"
#include "threads.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>

ASL_SUITE(workers, 10);

/* Join tracking.  A thread that finished but was never joined is gone from /proc/self/task,
 * yet it is still a leak (its stack and exit status stay until pthread_join).  So the runner
 * wraps pthread_create and pthread_join (this definition takes precedence over libc's; the
 * real ones come from dlsym(RTLD_NEXT)) and counts, for the thread that calls workers_run only,
 * the threads created and the joins made. */
static _Atomic int tracked_creates, tracked_joins;
static _Atomic bool tracking;
static pthread_t tracked_caller;

static bool tracked(void)
{
	return atomic_load(&tracking) && pthread_equal(pthread_self(), tracked_caller);
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	int rc = real(t, attr, fn, arg);
	if (rc == 0 && tracked())
		atomic_fetch_add(&tracked_creates, 1);
	return rc;
}

int pthread_join(pthread_t t, void **ret)
{
	static int (*real)(pthread_t, void **);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_join");
	int rc = real(t, ret);
	if (rc == 0 && tracked())
		atomic_fetch_add(&tracked_joins, 1);
	return rc;
}

static void track_start(void)
{
	atomic_store(&tracked_creates, 0);
	atomic_store(&tracked_joins, 0);
	tracked_caller = pthread_self();
	atomic_store(&tracking, true);
}

static void track_stop(void)
{
	atomic_store(&tracking, false);
}

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
	struct workers_task t[N];
	int before = asl_test_threads(), rc;

	for (int i = 0; i < N; i++)
		t[i] = (struct workers_task){ .fn = square_plus_one,
					      .arg = (void *)(intptr_t)i,
					      .result = -1 };
	rc = workers_run(t, N);
	cr_assert_eq(rc, 0, "workers_run(16 tasks) returned %s, expected 0" ASL_HINT(2),
		     asl_test_rc(rc));
	for (int i = 0; i < N; i++)
		cr_assert_eq(t[i].result, i * i + 1,
			     "task %d: expected result %d, got %d" ASL_HINT(2), i, i * i + 1,
			     t[i].result);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before,
		     "threads before %d, after %d: a thread was not joined" ASL_HINT(2), before,
		     after);
}

static struct meeting all_here;

static int wait_for_all(void *arg)
{
	return meeting_wait(&all_here) ? (int)(intptr_t)arg : -1;
}

/* If workers_run ran the tasks one after another, the first would wait for the others in vain:
 * the meeting gives up after a few seconds and the results say so. */
Test(workers, tasks_run_at_the_same_time)
{
	enum { N = 8 };
	struct workers_task t[N];
	int rc;

	meeting_init(&all_here, N, ASL_WATCHDOG_MS);
	for (int i = 0; i < N; i++)
		t[i] = (struct workers_task){ .fn = wait_for_all,
					      .arg = (void *)(intptr_t)(100 + i) };
	rc = workers_run(t, N);
	cr_assert_eq(rc, 0, "workers_run returned %s" ASL_HINT(2), asl_test_rc(rc));
	for (int i = 0; i < N; i++)
		cr_assert_eq(
		    t[i].result, 100 + i,
		    "each of %d tasks waits until all %d are running "
		    "(for at most %d s): task %d gave up (result %d); at most %d were ever "
		    "running at once: start every thread before joining any" ASL_HINT(2),
		    N, N, ASL_WATCHDOG_MS / 1000, i, t[i].result, all_here.most);
	meeting_destroy(&all_here);
}

Test(workers, creation_error_joins_the_started)
{
	enum { N = 8, BAD = 5 };
	struct workers_task t[N];
	int before = asl_test_threads(), rc;

	for (int i = 0; i < N; i++)
		t[i] = (struct workers_task){ .fn = square_plus_one,
					      .arg = (void *)(intptr_t)i,
					      .result = -1 };
	/* a stack no machine can map: pthread_create of task 5 must fail */
	t[BAD].stack_size = (size_t)1 << 52;
	atomic_store(&ran, 0);
	rc = workers_run(t, N);
	cr_assert(rc < 0 && rc != -EINVAL && rc != -ENOSYS,
		  "task %d's thread cannot be created (1 PiB stack): expected the creation error "
		  "(e.g. -11 (EAGAIN)), got %s" ASL_HINT(2),
		  BAD, asl_test_rc(rc));
	cr_assert_eq(atomic_load(&ran), BAD,
		     "%d tasks ran, expected exactly the %d started "
		     "before the failure" ASL_HINT(2),
		     atomic_load(&ran), BAD);
	for (int i = 0; i < BAD; i++)
		cr_assert_eq(t[i].result, i * i + 1,
			     "started task %d: result %d, expected %d "
			     "(join them and keep their results)" ASL_HINT(2),
			     i, t[i].result, i * i + 1);
	for (int i = BAD; i < N; i++)
		cr_assert_eq(t[i].result, -1, "task %d should not have run" ASL_HINT(2), i);
	int after = asl_test_threads_settled(before);
	cr_assert_eq(after, before,
		     "threads before %d, after %d: the started ones must be "
		     "joined" ASL_HINT(2),
		     before, after);
}

/* Every thread workers_run starts is joined: on success, and on the error path when thread 5 of
 * 8 cannot be created.  Counted joins, not live threads: see the wrappers above. */
Test(workers, every_started_thread_is_joined)
{
	enum { N = 8, BAD = 5 };
	struct workers_task t[N];
	for (int bad = 0; bad < 2; bad++) {
		for (int i = 0; i < N; i++)
			t[i] = (struct workers_task){ .fn = square_plus_one,
						      .arg = (void *)(intptr_t)i,
						      .result = -1 };
		if (bad)
			t[BAD].stack_size = (size_t)1 << 52; /* cannot be created */
		track_start();
		int rc = workers_run(t, N);
		track_stop();
		int created = atomic_load(&tracked_creates), joined = atomic_load(&tracked_joins);
		cr_assert(bad ? rc < 0 && rc != -ENOSYS : rc == 0,
			  "workers_run(%d tasks%s) returned %s" ASL_HINT(2), N,
			  bad ? ", task 5 uncreatable" : "", asl_test_rc(rc));
		cr_assert_eq(created, bad ? BAD : N,
			     "workers_run(%d tasks%s) created %d threads, "
			     "expected %d" ASL_HINT(2),
			     N, bad ? ", task 5 uncreatable" : "", created, bad ? BAD : N);
		cr_assert_eq(
		    joined, created,
		    "workers_run(%d tasks%s) created %d threads but "
		    "joined %d: a thread that finished is still a leak until it is joined "
		    "(its stack and exit status stay behind), on the error path too" ASL_HINT(2),
		    N, bad ? ", task 5 uncreatable" : "", created, joined);
	}
}

Test(workers, rejects_bad_arguments)
{
	struct workers_task t[4];
	int rc, before = asl_test_threads();

	for (int i = 0; i < 4; i++)
		t[i] = (struct workers_task){ .fn = square_plus_one, .arg = (void *)(intptr_t)i };
	atomic_store(&ran, 0);
	rc = workers_run(NULL, 4);
	cr_assert_eq(rc, -EINVAL, "workers_run(NULL, 4): expected -22 (EINVAL), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	rc = workers_run(t, 0);
	cr_assert_eq(rc, -EINVAL, "workers_run(t, 0): expected -EINVAL, got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	rc = workers_run(t, (size_t)WORKERS_MAX + 1);
	cr_assert_eq(rc, -EINVAL,
		     "workers_run(t, WORKERS_MAX + 1): expected -EINVAL, got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	t[3].fn = NULL;
	rc = workers_run(t, 4);
	cr_assert_eq(rc, -EINVAL, "task 3 without fn: expected -EINVAL, got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	t[3].fn = square_plus_one;
	t[2].stack_size = 100;
	rc = workers_run(t, 4);
	cr_assert_eq(rc, -EINVAL,
		     "stack_size 100 (< PTHREAD_STACK_MIN): expected -EINVAL, "
		     "got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	cr_assert_eq(atomic_load(&ran), 0,
		     "%d tasks ran although the arguments were bad: "
		     "check everything before starting anything" ASL_HINT(2),
		     atomic_load(&ran));
	cr_assert_eq(asl_test_threads_settled(before), before, "threads left behind" ASL_HINT(2));
}

Test(workers, no_leak_over_many_calls)
{
	int before = asl_test_threads();
	for (int round = 0; round < 200; round++) {
		struct workers_task t[4];
		for (int i = 0; i < 4; i++)
			t[i] = (struct workers_task){ .fn = square_plus_one,
						      .arg = (void *)(intptr_t)round,
						      .stack_size = i % 2 ? threads_small_stack()
									  : 0 };
		int rc = workers_run(t, 4);
		cr_assert_eq(rc, 0, "round %d: workers_run returned %s" ASL_HINT(2), round,
			     asl_test_rc(rc));
		cr_assert_eq(t[3].result, round * round + 1, "round %d: wrong result" ASL_HINT(2),
			     round);
		int after = asl_test_threads_settled(before);
		cr_assert_eq(after, before,
			     "round %d: %d threads, expected %d (a thread was "
			     "not joined)" ASL_HINT(2),
			     round, after, before);
	}
}
