/*
 * stress_post.c - many threads post to one loop while its own timers fire: the driver for
 * `make tsan` and `make valgrind`.
 *
 * POSTERS threads start together (a barrier) and each posts PER_THREAD requests as fast as it
 * can; meanwhile the loop runs a repeating timer and one-shot timers that restart each other.
 * At the end every post must have run exactly once, each thread's posts in the order posted,
 * on both backends.  ThreadSanitizer checks the lock-free post list (the release push, the
 * acquire exchange); valgrind checks for leaks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/util.h"
#include "loop.h"

#define USAGE "stress_post [--quick]\n  --quick  fewer posts (for valgrind)"

enum { POSTERS = 4 };

struct poster {
	loop_t *loop;
	pthread_barrier_t *go;
	loop_post_t *req;
	int n, next_expected, out_of_order;
};

struct run {
	int total, want, ticks, one_shots;
	loop_timer_t tick, a, b;
};

static struct run run;

static void post_cb(loop_post_t *req)
{
	struct poster *p = req->data;
	int i = (int)(req - p->req);
	if (i != p->next_expected)
		p->out_of_order++;
	p->next_expected = i + 1;
	if (++run.total == run.want) {
		loop_timer_stop(&run.tick);
		loop_timer_stop(&run.a);
		loop_timer_stop(&run.b);
		loop_unref(run.tick.loop);
	}
}

static void tick_cb(loop_timer_t *t)
{
	(void)t;
	run.ticks++;
}

/* a and b restart each other: the heap changes while posts arrive */
static void ping_cb(loop_timer_t *t)
{
	run.one_shots++;
	loop_timer_start(t == &run.a ? &run.b : &run.a, ping_cb, 1, 0);
}

static void *poster_main(void *arg)
{
	struct poster *p = arg;
	pthread_barrier_wait(p->go);
	for (int i = 0; i < p->n; i++)
		loop_post(p->loop, &p->req[i], post_cb);
	return NULL;
}

static int stress(enum loop_backend_kind be, int per_thread)
{
	struct poster p[POSTERS];
	pthread_t th[POSTERS];
	pthread_barrier_t go;
	loop_t *loop;
	int rc = loop_create(&loop, be);
	if (rc < 0)
		asl_die(-rc, "loop_create");
	memset(&run, 0, sizeof run);
	run.want = POSTERS * per_thread;
	loop_timer_init(loop, &run.tick);
	loop_timer_init(loop, &run.a);
	loop_timer_init(loop, &run.b);
	loop_timer_start(&run.tick, tick_cb, 1, 1);
	loop_timer_start(&run.a, ping_cb, 0, 0);
	loop_ref(loop); /* alive until the last post ran */
	pthread_barrier_init(&go, NULL, POSTERS + 1);
	for (int k = 0; k < POSTERS; k++) {
		p[k] = (struct poster){ .loop = loop, .go = &go, .n = per_thread };
		p[k].req = calloc((size_t)per_thread, sizeof *p[k].req);
		if (!p[k].req)
			asl_die(ENOMEM, "calloc");
		for (int i = 0; i < per_thread; i++)
			p[k].req[i].data = &p[k];
		if ((rc = pthread_create(&th[k], NULL, poster_main, &p[k])) != 0)
			asl_die(rc, "pthread_create");
	}
	pthread_barrier_wait(&go);
	rc = loop_run(loop, LOOP_RUN_DEFAULT);
	int bad = rc != 0 || run.total != run.want;
	for (int k = 0; k < POSTERS; k++) {
		pthread_join(th[k], NULL);
		bad |= p[k].out_of_order != 0 || p[k].next_expected != per_thread;
		free(p[k].req);
	}
	pthread_barrier_destroy(&go);
	printf("%-5s: %d threads x %d posts: %d ran, loop_run %d; %d ticks and %d one-shot "
	       "timers meanwhile\n",
	       loop_backend_name(loop), POSTERS, per_thread, run.total, rc, run.ticks,
	       run.one_shots);
	if ((rc = loop_destroy(loop)) < 0)
		asl_die(-rc, "loop_destroy");
	return bad;
}

int main(int argc, char **argv)
{
	int per_thread = 200000;
	if (argc == 2 && strcmp(argv[1], "--quick") == 0)
		per_thread = 2000;
	else
		asl_no_arguments(argc, argv, USAGE);
	int bad = stress(LOOP_BACKEND_EPOLL, per_thread) | stress(LOOP_BACKEND_POLL, per_thread);
	if (bad) {
		fprintf(stderr,
			"stress_post: FAILED: a post was lost, ran twice or out of order\n");
		return 1;
	}
	printf("stress_post: every post ran exactly once, in per-thread order\n");
	return 0;
}
