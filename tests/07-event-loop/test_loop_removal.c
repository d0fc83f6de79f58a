/* Step 1 (dispatch): stopping and freeing watchers from inside callbacks, even watchers whose
 * descriptor is already in the batch being dispatched. */
#include "loop_test.h"

/* A watcher the test frees while it may still be in the ready batch.  Before free() the test
 * poisons it: it looks started, and its callback fails the test.  A dispatcher that touches
 * it after loop_io_stop() is caught by AddressSanitizer (use after free) or, without ASan,
 * by the poisoned callback. */
struct victim {
	loop_io_t io;
	struct victim **slot; /* the test's pointer to this watcher, cleared on free */
	struct victim **other;
	int *calls;
};

static void poisoned_cb(loop_io_t *io, int events)
{
	(void)io;
	cr_assert_fail("the dispatcher called a watcher after loop_io_stop() and free() (events "
		       "%d): look watchers up by descriptor when their turn comes" ASL_HINT(1),
		       events);
}

static void stop_poison_free(struct victim *v)
{
	int rc = loop_io_stop(&v->io);
	cr_assert_eq(rc, 0, "loop_io_stop inside a callback: expected 0, got %s" ASL_HINT(1),
		     asl_test_rc(rc));
	v->io.cb = poisoned_cb;
	v->io.events = LOOP_READ | LOOP_WRITE;
	*v->slot = NULL;
	/* the compiler may drop stores into memory that is about to be freed: keep them */
	__asm__ volatile("" : : "r"(v) : "memory");
	free(v);
}

static struct victim *new_victim(struct lt *t, struct victim **slot, int fd, int *calls,
				 loop_io_cb cb)
{
	struct victim *v = calloc(1, sizeof *v);
	cr_assert(v);
	v->slot = slot;
	v->calls = calls;
	*slot = v;
	int rc = loop_io_start(t->loop, &v->io, fd, LOOP_READ, cb);
	cr_assert_eq(rc, 0, "loop_io_start(fd %d): got %s%s", fd, asl_test_rc(rc), BE_HINT(t->be));
	return v;
}

/* Whichever of two ready watchers runs first stops and frees the other. */
static void free_other_cb(loop_io_t *io, int events)
{
	struct victim *v = container_of(io, struct victim, io);
	(void)events;
	(*v->calls)++;
	if (*v->other)
		stop_poison_free(*v->other);
}

LOOP_TEST(io_removal_of_watcher_in_ready_batch)
{
	struct lt t = lt_open(be);
	struct victim *va, *vb;
	int calls = 0, a[2], b[2];
	lt_pipe(a);
	lt_pipe(b);
	lt_write(a[1], "x");
	lt_write(b[1], "x");
	new_victim(&t, &va, a[0], &calls, free_other_cb)->other = &vb;
	new_victim(&t, &vb, b[0], &calls, free_other_cb)->other = &va;
	/* both are readable before the wait, so both are in one batch */
	lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(1));
	cr_assert(calls == 1 && (va == NULL) != (vb == NULL),
		  "two ready watchers; the first one "
		  "called stops and frees the other: expected 1 call and one survivor, got %d "
		  "call(s)" ASL_HINT(1),
		  calls);
	lt_run(&t, LOOP_RUN_NOWAIT, ASL_HINT(1));
	cr_assert_eq(calls, 2,
		     "the survivor is still readable: expected it called again, and "
		     "nothing for the freed one; got %d calls in all" ASL_HINT(1),
		     calls);
	stop_poison_free(va ? va : vb);
	cr_assert_eq(lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(1)), 0,
		     "no watcher left: "
		     "loop_run(DEFAULT) should return 0" ASL_HINT(1));
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	lt_close(&t, ASL_HINT(1));
}

/* Each of three ready watchers stops and frees itself. */
static void free_self_cb(loop_io_t *io, int events)
{
	struct victim *v = container_of(io, struct victim, io);
	(void)events;
	(*v->calls)++;
	stop_poison_free(v);
}

LOOP_TEST(io_stop_and_free_self_in_callback)
{
	struct lt t = lt_open(be);
	struct victim *v[3];
	int calls = 0, p[3][2];
	for (int i = 0; i < 3; i++) {
		lt_pipe(p[i]);
		lt_write(p[i][1], "x");
		new_victim(&t, &v[i], p[i][0], &calls, free_self_cb);
	}
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(1));
	cr_assert(calls == 3 && rc == 0,
		  "three ready watchers that stop and free themselves: "
		  "expected 3 calls and loop_run(DEFAULT) returning 0 (nothing active), got %d "
		  "call(s) and %d" ASL_HINT(1),
		  calls, rc);
	for (int i = 0; i < 3; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	lt_close(&t, ASL_HINT(1));
}

/* The case a per-fd table alone gets wrong: A and B are ready; whichever runs first stops the
 * other, closes its pipe and puts a fresh EMPTY pipe on the same descriptor number with a new
 * watcher C.  The batch still says "that number is readable" - but that was the old pipe.
 * C must not be called for it. */
struct reuse {
	struct lt *t;
	loop_io_t a, b, c;
	int pa[2], pb[2], fresh[2];
	int ab_calls, c_calls, c_events;
	int reused_fd;
};

static void reuse_c_cb(loop_io_t *io, int events)
{
	struct reuse *r = io->data;
	r->c_calls++;
	r->c_events = events;
}

static void reuse_ab_cb(loop_io_t *io, int events)
{
	struct reuse *r = io->data;
	(void)events;
	if (r->ab_calls++)
		return;
	loop_io_t *victim = io == &r->a ? &r->b : &r->a;
	int *vp = io == &r->a ? r->pb : r->pa;
	r->reused_fd = victim->fd;
	cr_assert_eq(loop_io_stop(victim), 0, "loop_io_stop failed" ASL_HINT(1));
	lt_pipe(r->fresh);
	/* dup3 closes the old read end and puts the fresh one on its number */
	cr_assert(dup3(r->fresh[0], vp[0], O_CLOEXEC) == vp[0], "dup3 failed");
	close(r->fresh[0]);
	r->fresh[0] = vp[0];
	int rc = loop_io_start(r->t->loop, &r->c, r->fresh[0], LOOP_READ, reuse_c_cb);
	cr_assert_eq(rc, 0, "loop_io_start on the reused descriptor %d: got %s" ASL_HINT(1),
		     r->fresh[0], asl_test_rc(rc));
}

LOOP_TEST(io_new_watcher_on_reused_fd_skips_stale_event)
{
	struct lt t = lt_open(be);
	struct reuse r = { .t = &t, .a.data = &r, .b.data = &r, .c.data = &r };
	lt_pipe(r.pa);
	lt_pipe(r.pb);
	lt_write(r.pa[1], "x");
	lt_write(r.pb[1], "x");
	cr_assert_eq(loop_io_start(t.loop, &r.a, r.pa[0], LOOP_READ, reuse_ab_cb), 0,
		     "loop_io_start failed%s", BE_HINT(be));
	cr_assert_eq(loop_io_start(t.loop, &r.b, r.pb[0], LOOP_READ, reuse_ab_cb), 0,
		     "loop_io_start failed%s", BE_HINT(be));
	lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(1));
	cr_assert_eq(r.c_calls, 0,
		     "watcher C was started during the batch on descriptor %d, "
		     "whose readiness in that batch belonged to the stopped watcher's old pipe; "
		     "C's pipe is empty, yet C was called (events %d): skip watchers started "
		     "during the batch being dispatched" ASL_HINT(1),
		     r.reused_fd, r.c_events);
	lt_write(r.fresh[1], "y");
	lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(1));
	cr_assert(r.c_calls == 1 && r.c_events == LOOP_READ,
		  "after writing to C's pipe: expected "
		  "one LOOP_READ call, got %d call(s), events %d" ASL_HINT(1),
		  r.c_calls, r.c_events);
	loop_io_stop(&r.a);
	loop_io_stop(&r.b);
	loop_io_stop(&r.c);
	/* the fresh pipe's read end sits on the number of one old read end */
	for (int i = 0; i < 2; i++) {
		close(r.pa[i]);
		close(r.pb[i]);
	}
	close(r.fresh[1]);
	lt_close(&t, ASL_HINT(1));
}

/* A watcher stopped by another callback before its descriptor became ready is never called. */
struct pair {
	loop_io_t first, second;
	int first_calls, second_calls;
};

static void stopper_cb(loop_io_t *io, int events)
{
	struct pair *pr = io->data;
	(void)events;
	pr->first_calls++;
	loop_io_stop(&pr->second);
	loop_io_stop(&pr->first);
}

static void stopped_cb(loop_io_t *io, int events)
{
	struct pair *pr = io->data;
	(void)events;
	pr->second_calls++;
}

LOOP_TEST(io_stopped_watcher_never_called_later)
{
	struct lt t = lt_open(be);
	struct pair pr = { .first.data = &pr, .second.data = &pr };
	int p[2], q[2];
	lt_pipe(p);
	lt_pipe(q);
	lt_write(p[1], "x");
	cr_assert_eq(loop_io_start(t.loop, &pr.first, p[0], LOOP_READ, stopper_cb), 0,
		     "loop_io_start failed%s", BE_HINT(be));
	cr_assert_eq(loop_io_start(t.loop, &pr.second, q[0], LOOP_READ, stopped_cb), 0,
		     "loop_io_start failed%s", BE_HINT(be));
	lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(1));
	lt_write(q[1], "x");
	int rc = lt_run(&t, LOOP_RUN_DEFAULT, ASL_HINT(1));
	cr_assert(
	    pr.first_calls == 1 && pr.second_calls == 0 && rc == 0,
	    "the first callback "
	    "stopped both watchers: expected 1 and 0 calls and loop_run(DEFAULT) returning 0, "
	    "got %d, %d and %d" ASL_HINT(1),
	    pr.first_calls, pr.second_calls, rc);
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(q[i]);
	}
	lt_close(&t, ASL_HINT(1));
}
