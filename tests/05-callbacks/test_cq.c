/* Step 4: the completion queue - eventfd wake-up, owner-only drain, order, timeout. */
#include "cb_test.h"

#include <dlfcn.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

ASL_SUITE(cq, 20);

struct item {
	struct cq_item it;
	int id;
	int *log;
	int *n;
	pthread_t ran_on;
};

static void item_run(struct cq_item *it)
{
	struct item *x = (struct item *)(void *)it;
	x->log[(*x->n)++] = x->id;
	x->ran_on = pthread_self();
}

struct poster {
	struct cq *q;
	struct item *x;
};

static void *post_thread(void *arg)
{
	struct poster *p = arg;
	cq_post(p->q, &p->x->it);
	return NULL;
}

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

Test(cq, post_from_another_thread_wakes_the_eventfd)
{
	struct cq *q;
	int rc = cq_create(&q);
	cr_assert_eq(rc, 0, "cq_create returned %s" ASL_HINT(4), asl_test_rc(rc));
	cr_assert(!readable(cq_fd(q)), "a fresh queue's eventfd is already readable" ASL_HINT(4));
	int log[1], n = 0;
	struct item x = { .it.fn = item_run, .id = 7, .log = log, .n = &n };
	struct poster p = { q, &x };
	pthread_t t;
	pthread_create(&t, NULL, post_thread, &p);
	pthread_join(t, NULL);
	cr_assert(readable(cq_fd(q)), "after cq_post the eventfd should be readable" ASL_HINT(4));
	cr_assert_eq(n, 0, "the callback ran inside cq_post (on the posting thread)" ASL_HINT(4));
	rc = cq_drain(q);
	cr_assert_eq(rc, 1, "cq_drain returned %s, expected 1" ASL_HINT(4), asl_test_rc(rc));
	cr_assert(n == 1 && pthread_equal(x.ran_on, pthread_self()),
		  "the callback must run once, on the draining (owner) thread" ASL_HINT(4));
	cr_assert(!readable(cq_fd(q)), "the eventfd stays readable after a drain" ASL_HINT(4));
	cr_assert_eq(cq_destroy(q), 0, "cq_destroy failed on an empty queue" ASL_HINT(4));
}

/* A post that lands while the owner drains must leave the eventfd readable: the item is
 * still queued.  A drain that reads (resets) the eventfd AFTER taking the list consumes the
 * wake-up of a post that lands in between: the item then sits in the queue with nothing to
 * wake the owner, and cq_wait stalls.  That window is a few instructions wide, so the test
 * opens it on purpose: this runner's read() and eventfd_read() (they take precedence over
 * libc's, which they then call) have another thread post one completion, and wait until it
 * is posted, just before the owner's read of the queue's eventfd.  After every drain, an item
 * posted in full but not yet run must be announced by a readable eventfd. */
enum { DRAIN_ROUNDS = 2000 };

static struct {
	atomic_int fd; /* the eventfd whose reads post first; -1: none */
	pthread_t owner;
	atomic_int request, done;
} post_first = { .fd = -1 };

static void post_before_reading(int fd)
{
	if (fd < 0 || fd != atomic_load(&post_first.fd) ||
	    !pthread_equal(pthread_self(), post_first.owner))
		return;
	atomic_store(&post_first.done, 0);
	atomic_store(&post_first.request, 1);
	for (uint64_t until = asl_now_ns() + 100000000ull;
	     !atomic_load(&post_first.done) && asl_now_ns() < until;)
		sched_yield();
}

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "read");
	post_before_reading(fd);
	return real(fd, buf, n);
}

int eventfd_read(int fd, eventfd_t *value)
{
	static int (*real)(int, eventfd_t *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "eventfd_read");
	post_before_reading(fd);
	return real(fd, value);
}

struct drain_race {
	struct cq *q;
	struct cq_item items[DRAIN_ROUNDS];
	atomic_int posted, ran;
	atomic_bool stop;
};

static atomic_int *race_ran;

static void race_item_run(struct cq_item *it)
{
	(void)it;
	atomic_fetch_add(race_ran, 1);
}

static void *race_poster(void *arg)
{
	struct drain_race *r = arg;
	for (int i = 0; i < DRAIN_ROUNDS && !atomic_load(&r->stop);) {
		if (!atomic_exchange(&post_first.request, 0)) {
			sched_yield();
			continue;
		}
		r->items[i].fn = race_item_run;
		cq_post(r->q, &r->items[i++]);
		atomic_fetch_add(&r->posted, 1);
		atomic_store(&post_first.done, 1);
	}
	return NULL;
}

Test(cq, post_during_a_drain_keeps_the_fd_readable)
{
	static struct drain_race r;
	pthread_t t;
	int rc = cq_create(&r.q), lost = 0, drains = 0;
	cr_assert_eq(rc, 0, "cq_create returned %s" ASL_HINT(4), asl_test_rc(rc));
	race_ran = &r.ran;
	post_first.owner = pthread_self();
	cr_assert_eq(pthread_create(&t, NULL, race_poster, &r), 0);
	atomic_store(&post_first.fd, cq_fd(r.q));
	uint64_t t0 = asl_now_ns();
	while (atomic_load(&r.posted) < DRAIN_ROUNDS) {
		rc = cq_drain(r.q);
		drains++;
		if (rc < 0 || st_secs_since(t0) > ASL_WATCHDOG_MS / 1000.0)
			break;
		int posted = atomic_load(&r.posted), ran = atomic_load(&r.ran);
		if (posted > ran && !readable(cq_fd(r.q))) {
			lost = posted;
			break;
		}
	}
	atomic_store(&post_first.fd, -1);
	atomic_store(&r.stop, true);
	pthread_join(t, NULL);
	while (cq_drain(r.q) > 0)
		;
	cr_assert(rc >= 0, "cq_drain returned %s" ASL_HINT(4), asl_test_rc(rc));
	cr_assert_eq(
	    lost, 0,
	    "drain %d: a completion was posted while the owner drained, just "
	    "before its read of the eventfd; when the drain returned the item was still "
	    "queued, yet the eventfd was not readable, so cq_wait would sleep with work "
	    "waiting.  Read (reset) the eventfd BEFORE taking the list, never after" ASL_HINT(4),
	    drains);
	cr_assert(atomic_load(&r.posted) > 0, "no post completed: cq_drain returned %s" ASL_HINT(4),
		  asl_test_rc(rc));
	cr_assert_eq(cq_destroy(r.q), 0, "cq_destroy failed on a drained queue" ASL_HINT(4));
}

Test(cq, drains_in_posting_order)
{
	enum { N = 100 };
	struct cq *q;
	cr_assert_eq(cq_create(&q), 0, "cq_create failed" ASL_HINT(4));
	static struct item x[N];
	int log[N], n = 0;
	for (int i = 0; i < N; i++) {
		x[i] = (struct item){ .it.fn = item_run, .id = i, .log = log, .n = &n };
		cq_post(q, &x[i].it);
	}
	int rc = cq_wait(q, 1000);
	cr_assert_eq(rc, N, "cq_wait ran %s completions, expected %d" ASL_HINT(4), asl_test_rc(rc),
		     N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(log[i], i,
			     "completion %d ran at position %d: not posting order" ASL_HINT(4),
			     log[i], i);
	cr_assert_eq(cq_destroy(q), 0, "cq_destroy failed" ASL_HINT(4));
}

Test(cq, wait_times_out_when_nothing_arrives)
{
	struct cq *q;
	cr_assert_eq(cq_create(&q), 0, "cq_create failed" ASL_HINT(4));
	int rc = cq_wait(q, 20);
	cr_assert_eq(rc, -ETIMEDOUT,
		     "cq_wait on an empty queue: expected -110 (ETIMEDOUT), "
		     "got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	cr_assert_eq(cq_destroy(q), 0, "cq_destroy failed" ASL_HINT(4));
}

static void *drain_thread(void *arg)
{
	return (void *)(intptr_t)cq_drain(arg);
}

Test(cq, only_the_owner_may_drain)
{
	struct cq *q;
	cr_assert_eq(cq_create(&q), 0, "cq_create failed" ASL_HINT(4));
	pthread_t t;
	void *ret;
	pthread_create(&t, NULL, drain_thread, q);
	pthread_join(t, &ret);
	int rc = (int)(intptr_t)ret;
	cr_assert_eq(rc, -EPERM,
		     "cq_drain from a thread that does not own the queue: expected "
		     "-1 (EPERM), got %s" ASL_HINT(4),
		     asl_test_rc(rc));
	cr_assert_eq(cq_destroy(q), 0, "cq_destroy failed" ASL_HINT(4));
}

Test(cq, deadlock_demo_detects_and_fixes)
{
	char buf[8192];
	int st = asl_test_capture(ASL_BUILD_DIR "/demo_deadlock", buf, sizeof buf);
	cr_assert(strstr(buf, "DEADLOCK detected"),
		  "demo_deadlock did not detect the deadlock:\n%s" ASL_HINT(5), buf);
	cr_assert(strstr(buf, "fix 1 ok") && strstr(buf, "fix 2 ok"),
		  "demo_deadlock's fixes did not complete:\n%s" ASL_HINT(5), buf);
	cr_assert_eq(st, 0, "demo_deadlock exited with status %#x" ASL_HINT(5), st);
}

/* A wake-up that finds nothing to run is not the end of the wait.  A helper makes the
 * eventfd readable while the owner sleeps in cq_wait (a spurious wake-up), waits until the
 * owner has drained nothing and gone back to sleep, and only then posts a real completion. */
struct spurious {
	struct cq *q;
	struct item *x;
	atomic_int owner_tid;
	atomic_int returned;
	bool asleep_again;
};

static void *spurious_thread(void *arg)
{
	struct spurious *s = arg;
	if (!asl_test_wait_asleep(&s->owner_tid, &s->returned))
		return NULL;
	uint64_t one = 1;
	if (write(cq_fd(s->q), &one, sizeof one) != sizeof one)
		return NULL;
	/* the owner consumed the wake-up once the fd is quiet again */
	while (readable(cq_fd(s->q)) && !atomic_load(&s->returned))
		sched_yield();
	s->asleep_again = asl_test_wait_asleep(&s->owner_tid, &s->returned);
	cq_post(s->q, &s->x->it);
	return NULL;
}

Test(cq, wait_survives_a_spurious_wakeup)
{
	struct cq *q;
	cr_assert_eq(cq_create(&q), 0, "cq_create failed" ASL_HINT(4));
	int log[1], n = 0;
	struct item x = { .it.fn = item_run, .id = 5, .log = log, .n = &n };
	struct spurious s = { .q = q, .x = &x };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, spurious_thread, &s), 0);
	atomic_store(&s.owner_tid, asl_test_gettid());
	int rc = cq_wait(q, 10000);
	atomic_store(&s.returned, 1);
	pthread_join(t, NULL);
	while (n == 0 && cq_wait(q, 0) > 0) /* deliver a late post so cq_destroy can succeed */
		;
	cr_assert_eq(rc, 1,
		     "cq_wait woke up to an empty queue (the eventfd was made readable "
		     "with nothing posted) and returned %s; it must drain, find nothing and wait "
		     "again for the time left, then return "
		     "the 1 completion posted later" ASL_HINT(4),
		     asl_test_rc(rc));
	cr_assert(s.asleep_again,
		  "cq_wait did not go back to sleep after the spurious wake-up" ASL_HINT(4));
	cr_assert_eq(n, 1, "the completion ran %d times" ASL_HINT(4), n);
	cr_assert_eq(cq_destroy(q), 0, "cq_destroy failed" ASL_HINT(4));
}
