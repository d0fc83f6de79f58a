/* Step 5: posts from other threads (eventfd wake-up, no lost wake-up, per-thread order). */
#include "loop_test.h"

#include <pthread.h>

static void count_post_cb(loop_post_t *req)
{
	(*(int *)req->data)++;
}

LOOP_TEST(post_keeps_loop_alive_and_runs)
{
	struct lt t = lt_open(be);
	loop_post_t req[3];
	int calls = 0;
	for (int i = 0; i < 3; i++) {
		req[i].data = &calls;
		int rc = loop_post(t.loop, &req[i], count_post_cb);
		cr_assert_eq(rc, 0, "loop_post: expected 0, got %s" ASL_HINT(5), asl_test_rc(rc));
	}
	int rc = loop_destroy(t.loop);
	cr_assert_eq(rc, -EBUSY,
		     "loop_destroy with 3 posts pending: expected -16 (EBUSY), got "
		     "%s" ASL_HINT(5),
		     asl_test_rc(rc));
	rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(5));
	cr_assert(calls == 3 && rc == 0,
		  "3 posts and no handles: loop_run(DEFAULT) must stay "
		  "alive for them, run each once and return 0; got %d call(s), %d" ASL_HINT(5),
		  calls, rc);
	lt_close(&t, ASL_HINT(5));
}

/* The loop sleeps in its wait (a reference keeps it alive, nothing else is active); another
 * thread waits until the kernel says the loop thread is asleep, then posts. */
struct sleeper {
	struct lt *t;
	atomic_int tid, done;
	loop_post_t req;
	int ran_on;
};

static void unref_cb(loop_post_t *req)
{
	struct sleeper *s = req->data;
	s->ran_on = asl_test_gettid();
	loop_unref(s->t->loop);
}

static void *poster_main(void *arg)
{
	struct sleeper *s = arg;
	asl_test_wait_asleep(&s->tid, &s->done); /* false only if the loop returned early */
	loop_post(s->t->loop, &s->req, unref_cb);
	return NULL;
}

LOOP_TEST(post_wakes_loop_blocked_in_wait)
{
	struct lt t = lt_open(be);
	struct sleeper s = { .t = &t, .req.data = &s };
	pthread_t th;
	int threads = asl_test_threads();
	loop_ref(t.loop);
	cr_assert_eq(pthread_create(&th, NULL, poster_main, &s), 0);
	atomic_store(&s.tid, asl_test_gettid());
	struct lt_watch w;
	snprintf(w.why, sizeof w.why,
		 "loop_run(DEFAULT) on %s, asleep in its wait with only a loop_ref: another "
		 "thread posted the loop_unref that ends the run, and %d ms later it had not "
		 "returned.  The post must wake the wait (write the eventfd when the stack was "
		 "empty) and must not leave the loop alive (count each post pending once in "
		 "loop_post, and uncount it once after its callback)" ASL_HINT(5),
		 BE_NAME(be), LT_WATCH_MS);
	lt_watch_start(&w);
	int rc = loop_run(t.loop, LOOP_RUN_DEFAULT); /* only the post can end this */
	lt_watch_end(&w);
	atomic_store(&s.done, 1);
	pthread_join(th, NULL);
	cr_assert(rc == 0 && s.ran_on == asl_test_gettid(),
		  "a post while the loop sleeps in its "
		  "wait must wake it and run on the loop's thread: expected loop_run to return 0 "
		  "after the callback ran on tid %d; got %s, callback on tid %d" ASL_HINT(5),
		  asl_test_gettid(), asl_test_rc(rc), s.ran_on);
	cr_assert_eq(asl_test_threads_settled(threads), threads, "threads leaked");
	lt_close(&t, ASL_HINT(5));
}

enum { POSTERS = 4, PER_POSTER = 20000 };

struct poster {
	loop_t *loop;
	pthread_barrier_t *go;
	loop_post_t req[PER_POSTER];
	int next_expected; /* loop thread only */
	int out_of_order;
};

struct tally {
	struct poster *p;
	int total;
	loop_t *loop;
};

static struct tally tally;

static void tally_cb(loop_post_t *req)
{
	struct poster *p = req->data;
	int i = (int)(req - p->req);
	if (i != p->next_expected)
		p->out_of_order++;
	p->next_expected = i + 1;
	if (++tally.total == POSTERS * PER_POSTER)
		loop_unref(tally.loop);
}

static void *many_main(void *arg)
{
	struct poster *p = arg;
	pthread_barrier_wait(p->go);
	for (int i = 0; i < PER_POSTER; i++)
		loop_post(p->loop, &p->req[i], tally_cb);
	return NULL;
}

LOOP_TEST(post_from_many_threads_exactly_once_in_order)
{
	struct lt t = lt_open(be);
	struct poster *p = calloc(POSTERS, sizeof *p);
	pthread_t th[POSTERS];
	pthread_barrier_t go;
	int threads = asl_test_threads();
	cr_assert(p);
	tally = (struct tally){ .p = p, .loop = t.loop };
	pthread_barrier_init(&go, NULL, POSTERS + 1);
	loop_ref(t.loop); /* the loop lives until the last post has run */
	for (int k = 0; k < POSTERS; k++) {
		p[k].loop = t.loop;
		p[k].go = &go;
		for (int i = 0; i < PER_POSTER; i++)
			p[k].req[i].data = &p[k];
		cr_assert_eq(pthread_create(&th[k], NULL, many_main, &p[k]), 0);
	}
	pthread_barrier_wait(&go);
	struct lt_watch w;
	snprintf(w.why, sizeof w.why,
		 "%d threads x %d posts, the last one's callback drops the loop_ref: loop_run"
		 "(DEFAULT) on %s had not returned after %d ms.  A post was lost or never "
		 "woke the wait, or the loop stays alive: count each post pending once in "
		 "loop_post, and uncount it once after its callback" ASL_HINT(5),
		 POSTERS, PER_POSTER, BE_NAME(be), LT_WATCH_MS);
	lt_watch_start(&w);
	int rc = loop_run(t.loop, LOOP_RUN_DEFAULT);
	lt_watch_end(&w);
	for (int k = 0; k < POSTERS; k++)
		pthread_join(th[k], NULL);
	cr_assert(rc == 0 && tally.total == POSTERS * PER_POSTER,
		  "%d threads x %d posts: "
		  "expected every post run once and loop_run "
		  "to return 0; %d ran, it returned %s" ASL_HINT(5),
		  POSTERS, PER_POSTER, tally.total, asl_test_rc(rc));
	for (int k = 0; k < POSTERS; k++)
		cr_assert(p[k].out_of_order == 0 && p[k].next_expected == PER_POSTER,
			  "thread %d: "
			  "%d posts ran out of the order posted; last seen #%d of %d" ASL_HINT(5),
			  k, p[k].out_of_order, p[k].next_expected, PER_POSTER);
	rc = lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(5));
	cr_assert_eq(tally.total, POSTERS * PER_POSTER, "posts ran twice" ASL_HINT(5));
	pthread_barrier_destroy(&go);
	free(p);
	cr_assert_eq(asl_test_threads_settled(threads), threads, "threads leaked");
	lt_close(&t, ASL_HINT(5));
}
