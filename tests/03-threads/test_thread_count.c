/* Step 1: thread_count_live() counts the threads the kernel lists in /proc/self/task. */
#include "asl_test.h"
#include "threads.h"

#include <pthread.h>

ASL_SUITE(thread_count, 10);

Test(thread_count, agrees_with_proc)
{
	int want = asl_test_threads(), got = thread_count_live();
	cr_assert_eq(got, want,
		     "thread_count_live() returned %s, "
		     "/proc/self/task lists %d threads" ASL_HINT(1),
		     asl_test_rc(got), want);
}

static pthread_barrier_t parked, release;

static void *parked_thread(void *p)
{
	pthread_barrier_wait(&parked);
	pthread_barrier_wait(&release);
	return p;
}

Test(thread_count, sees_threads_come_and_go)
{
	enum { K = 5 };
	pthread_t ids[K];
	int before = thread_count_live(), during, after;

	cr_assert(before >= 1, "thread_count_live() returned %s with no extra threads" ASL_HINT(1),
		  asl_test_rc(before));
	pthread_barrier_init(&parked, NULL, K + 1);
	pthread_barrier_init(&release, NULL, K + 1);
	for (int i = 0; i < K; i++)
		cr_assert_eq(pthread_create(&ids[i], NULL, parked_thread, NULL), 0);
	pthread_barrier_wait(&parked); /* all K are alive now */
	during = thread_count_live();
	pthread_barrier_wait(&release);
	for (int i = 0; i < K; i++)
		pthread_join(ids[i], NULL);
	asl_test_threads_settled(before); /* the kernel's bookkeeping after join: see asl_test.h */
	after = thread_count_live();
	cr_assert_eq(during, before + K,
		     "with %d more threads parked: expected %d, got %s" ASL_HINT(1), K, before + K,
		     asl_test_rc(during));
	cr_assert_eq(after, before, "after joining them: expected %d again, got %s" ASL_HINT(1),
		     before, asl_test_rc(after));
	cr_assert_eq(after, asl_test_threads(),
		     "thread_count_live() disagrees with /proc/self/task" ASL_HINT(1));
}

Test(thread_count, leaves_no_fd_open)
{
	int before = asl_test_fds(), rc = 0;
	for (int i = 0; i < 200 && rc >= 0; i++)
		rc = thread_count_live();
	int after = asl_test_fds();
	cr_assert(rc >= 1, "thread_count_live() returned %s" ASL_HINT(1), asl_test_rc(rc));
	cr_assert_eq(after, before,
		     "200 calls of thread_count_live(): %d open file descriptors "
		     "before, %d after (closedir what you opendir)" ASL_HINT(1),
		     before, after);
}
