/* Step 4: eventfd wake-ups - counters that coalesce and wake a thread in epoll_wait. */
#include "asl_test.h"
#include "evq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

ASL_SUITE(wakeup, 15);

static int new_wake(void)
{
	int fd = wakeup_create();
	cr_assert(fd >= 0, "wakeup_create returned %s" ASL_HINT(4), asl_test_rc(fd));
	return fd;
}

Test(wakeup, signals_coalesce)
{
	int fds = asl_test_fds(), fd = new_wake(), rc;
	uint64_t n = 99;
	rc = wakeup_consume(fd, &n);
	cr_assert_eq(rc, -EAGAIN,
		     "consuming a fresh eventfd: expected -11 (EAGAIN), got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	for (int i = 0; i < 3; i++) {
		rc = wakeup_signal(fd, 1);
		cr_assert_eq(rc, 0, "wakeup_signal returned %s" ASL_HINT(4), asl_test_rc(rc));
	}
	cr_assert_eq(wakeup_signal(fd, 4), 0, "wakeup_signal(4) failed" ASL_HINT(4));
	rc = wakeup_consume(fd, &n);
	cr_assert(rc == 0 && n == 7,
		  "three signals of 1 and one of 4: expected one read of 7, got "
		  "rc %s count %llu" ASL_HINT(4),
		  asl_test_rc(rc), (unsigned long long)n);
	rc = wakeup_consume(fd, &n);
	cr_assert_eq(rc, -EAGAIN, "after consuming, expected -11 (EAGAIN), got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	rc = wakeup_signal(fd, 0);
	cr_assert_eq(rc, -EINVAL,
		     "wakeup_signal(0) would wake nobody: expected -22 (EINVAL), "
		     "got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	close(fd);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(4));
}

struct sleeper {
	int ep, efd;
	pid_t tid;
	int nev;
	uint64_t tag, count;
	atomic_int done;
	pthread_barrier_t ready;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	struct epoll_event ev;
	s->tid = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&s->ready);
	s->nev = ep_wait(s->ep, &ev, 1, 10000); /* 10 s: only a broken wake-up gets that far */
	if (s->nev == 1) {
		s->tag = ev.data.u64;
		wakeup_consume(s->efd, &s->count);
	}
	atomic_store(&s->done, 1);
	return NULL;
}

/* 'S' once the thread sleeps in the kernel; read from /proc/self/task/TID/stat. */
static char thread_state(pid_t tid)
{
	char path[64], line[512], st = '?';
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "r");
	if (f && fgets(line, sizeof line, f)) {
		char *rp = strrchr(line, ')');
		if (rp && rp[1] == ' ')
			st = rp[2];
	}
	if (f)
		fclose(f);
	return st;
}

Test(wakeup, wakes_thread_blocked_in_epoll_wait)
{
	int fds = asl_test_fds(), threads = asl_test_threads();
	struct sleeper s = { .efd = new_wake() };
	pthread_t th;
	s.ep = ep_create();
	cr_assert(s.ep >= 0, "ep_create returned %s" ASL_HINT(2), asl_test_rc(s.ep));
	cr_assert_eq(ep_add(s.ep, s.efd, EPOLLIN, EP_LEVEL, 42), 0, "ep_add failed" ASL_HINT(2));
	pthread_barrier_init(&s.ready, NULL, 2);
	cr_assert_eq(pthread_create(&th, NULL, sleeper_main, &s), 0);
	pthread_barrier_wait(&s.ready);
	/* make sure it is really asleep in epoll_wait before waking it (spin, no sleep) */
	for (long i = 0; i < 200000 && !atomic_load(&s.done) && thread_state(s.tid) != 'S'; i++)
		sched_yield();
	uint64_t t0 = asl_now_ns();
	int rc = wakeup_signal(s.efd, 1);
	cr_assert_eq(rc, 0, "wakeup_signal returned %s" ASL_HINT(4), asl_test_rc(rc));
	pthread_join(th, NULL);
	double ms = (double)(asl_now_ns() - t0) / 1e6;
	cr_assert(s.nev == 1 && s.tag == 42 && s.count == 1,
		  "the thread blocked in ep_wait should "
		  "wake with the eventfd's event (tag 42, count 1); it got %d event(s), tag %llu, "
		  "count %llu after %.0f ms" ASL_HINT(4),
		  s.nev, (unsigned long long)s.tag, (unsigned long long)s.count, ms);
	pthread_barrier_destroy(&s.ready);
	close(s.efd);
	close(s.ep);
	cr_assert_eq(asl_test_threads_settled(threads), threads, "threads leaked");
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(4));
}

enum { SIGNALLERS = 4, PER_THREAD = 5000 };

struct signaller {
	int efd;
	pthread_barrier_t *go;
	int failures;
};

static void *signaller_main(void *arg)
{
	struct signaller *s = arg;
	pthread_barrier_wait(s->go);
	for (int i = 0; i < PER_THREAD; i++)
		if (wakeup_signal(s->efd, 1) != 0)
			s->failures++;
	return NULL;
}

/* Four threads signal 5000 times each while this thread consumes: nothing is lost. */
Test(wakeup, many_threads_no_lost_signal)
{
	int fds = asl_test_fds(), threads = asl_test_threads();
	int efd = new_wake(), ep = ep_create();
	pthread_t th[SIGNALLERS];
	struct signaller sg[SIGNALLERS];
	pthread_barrier_t go;
	uint64_t total = 0;
	cr_assert(ep >= 0, "ep_create returned %s" ASL_HINT(2), asl_test_rc(ep));
	cr_assert_eq(ep_add(ep, efd, EPOLLIN, EP_EDGE, 1), 0, "ep_add failed" ASL_HINT(2));
	pthread_barrier_init(&go, NULL, SIGNALLERS + 1);
	for (int i = 0; i < SIGNALLERS; i++) {
		sg[i] = (struct signaller){ .efd = efd, .go = &go };
		cr_assert_eq(pthread_create(&th[i], NULL, signaller_main, &sg[i]), 0);
	}
	pthread_barrier_wait(&go);
	while (total < (uint64_t)SIGNALLERS * PER_THREAD) {
		struct epoll_event ev;
		uint64_t n = 0;
		int got = ep_wait(ep, &ev, 1, 5000);
		cr_assert(got == 1, "ep_wait returned %s with %llu of %d signals seen" ASL_HINT(4),
			  asl_test_rc(got), (unsigned long long)total, SIGNALLERS * PER_THREAD);
		int rc = wakeup_consume(efd, &n);
		/* edge-triggered: one consume takes the whole counter, so nothing is stranded */
		cr_assert(rc == 0 || rc == -EAGAIN, "wakeup_consume returned %s" ASL_HINT(4),
			  asl_test_rc(rc));
		if (rc == 0)
			total += n;
	}
	for (int i = 0; i < SIGNALLERS; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(sg[i].failures, 0, "wakeup_signal failed %d times" ASL_HINT(4),
			     sg[i].failures);
	}
	uint64_t rest = 0;
	cr_assert(wakeup_consume(efd, &rest) == -EAGAIN,
		  "%llu signals more than were sent" ASL_HINT(4), (unsigned long long)rest);
	cr_assert_eq(total, (uint64_t)SIGNALLERS * PER_THREAD,
		     "consumed %llu signals, %d sent" ASL_HINT(4), (unsigned long long)total,
		     SIGNALLERS * PER_THREAD);
	pthread_barrier_destroy(&go);
	close(efd);
	close(ep);
	cr_assert_eq(asl_test_threads_settled(threads), threads, "threads leaked");
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(4));
}
