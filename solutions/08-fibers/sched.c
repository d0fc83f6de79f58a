/*
 * sched.c - steps 3 and 4: the scheduler.  A run queue, and switches that always go through
 * the scheduler's own context (the thread's original stack), as in xv6:
 *
 *     fiber A --ctx_switch--> scheduler --ctx_switch--> fiber B
 *
 * Two switches per hand-over instead of one, but every decision (which fiber next, what to do
 * with a finished one, when to sleep in the event loop) is made in one place, on a stack that
 * is never freed.  That matters most at the end of a fiber's life: a fiber cannot return its
 * own stack to the pool while it is running on it, so it marks itself dead and switches away,
 * and the scheduler releases the stack from its side.
 *
 * Invariants: s->current is the fiber on the CPU (NULL while the scheduler runs); a fiber is
 * in the run queue iff it is RUNNABLE; a BLOCKED fiber is recorded by whoever will wake it (a
 * wait queue, a joinee, a loop watcher or timer); s->live counts fibers not yet DONE.
 */
#include "fiber_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "asl/todo.h"

/* AddressSanitizer must be told when the stack changes under it: it keeps a shadow of every
 * stack frame, and "fake stacks" for locals; an unannounced jump to another stack looks like
 * a wild stack pointer and makes its reports (and its handling of a fiber's locals) wrong. */
#if defined(__SANITIZE_ADDRESS__)
#define SCHED_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCHED_ASAN 1
#endif
#endif
#ifdef SCHED_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

__thread struct fiber_sched *sched_current;

void fiber_queue_push(struct fiber_queue *q, struct fiber *f)
{
	f->next = NULL;
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
}

struct fiber *fiber_queue_pop(struct fiber_queue *q)
{
	struct fiber *f = q->head;
	if (f) {
		q->head = f->next;
		if (!q->head)
			q->tail = NULL;
		f->next = NULL;
	}
	return f;
}

int fiber_sched_create(fiber_sched_t **out, size_t stack_size)
{
	if (stack_size > (1u << 30))
		return -EINVAL;
	struct fiber_sched *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	stack_pool_init(&s->pool, stack_size ? stack_size : FIBER_STACK_DEFAULT);
	s->next_id = 1;
	*out = s;
	return 0;
}

size_t fiber_sched_stack_size(const fiber_sched_t *s)
{
	return s->pool.usable;
}

int fiber_sched_loop(fiber_sched_t *s, loop_t **out)
{
	if (!s->loop) {
		int rc = loop_create(&s->loop, LOOP_BACKEND_EPOLL);
		if (rc) {
			s->loop = NULL;
			return rc;
		}
	}
	*out = s->loop;
	return 0;
}

static void all_unlink(struct fiber_sched *s, struct fiber *f)
{
	if (f->all_prev)
		f->all_prev->all_next = f->all_next;
	else
		s->all = f->all_next;
	if (f->all_next)
		f->all_next->all_prev = f->all_prev;
}

int fiber_sched_destroy(fiber_sched_t *s)
{
	if (s->running)
		return -EBUSY;
	while (s->all) {
		struct fiber *f = s->all;
		all_unlink(s, f);
		fiber_io_release(f);
		stack_unmap(&f->stack);
		free(f);
	}
	stack_pool_drain(&s->pool);
	if (s->loop && loop_destroy(s->loop))
		return -EBUSY;
	free(s);
	return 0;
}

/* Switch from the running context to another: save into *save, resume next_sp, whose stack is
 * [lo, lo + size).  `exiting`: the current context will never be resumed. */
static void sched_switch(void **save, void *next_sp, const void *lo, size_t size, bool exiting)
{
	/* BEGIN STEP 3: ctx_switch, announced to AddressSanitizer when it is on (SCHED_ASAN):
	 * __sanitizer_start_switch_fiber before (with NULL instead of a place for the fake stack
	 * when this context is exiting for good), __sanitizer_finish_switch_fiber after.
	 * Checked by: sched::*, and `make asan`
	 * stub: LAB_UNUSED(save, next_sp, lo, size, exiting); LAB_TODO_ABORT(3);
	 */
#ifdef SCHED_ASAN
	void *fake = NULL;
	__sanitizer_start_switch_fiber(exiting ? NULL : &fake, lo, size);
#else
	(void)lo, (void)size, (void)exiting;
#endif
	ctx_switch(save, next_sp);
#ifdef SCHED_ASAN
	/* back on our own stack, resumed by some other context */
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
	/* END STEP 3 */
}

void sched_leave(struct fiber *f, bool exiting)
{
	struct fiber_sched *s = f->sched;
	sched_switch(&f->sp, s->sp, s->thread_stack_lo, s->thread_stack_size, exiting);
}

void fiber_main(void *arg)
{
	struct fiber *f = arg;
#ifdef SCHED_ASAN
	/* The first switch into this stack did not come back through sched_switch: finish it
	 * here.  ASan tells us the bounds of the stack we came from, the thread's own. */
	__sanitizer_finish_switch_fiber(NULL, &f->sched->thread_stack_lo,
					&f->sched->thread_stack_size);
#endif
	fiber_exit(f->fn(f->arg));
}

int fiber_spawn(fiber_sched_t *s, fiber_t **out, fiber_fn fn, void *arg)
{
	/* BEGIN STEP 3: A new fiber (state FIBER_NEW, no stack yet: it gets one when it first
	 * runs), numbered from s->next_id, on s's list of fibers and at the tail of the run
	 * queue; it counts as live.  0 or -ENOMEM.
	 * Checked by: sched::*
	 * stub: LAB_UNUSED(s, out, fn, arg); return LAB_TODO(3);
	 */
	struct fiber *f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->sched = s;
	f->id = s->next_id++;
	f->fn = fn;
	f->arg = arg;
	f->state = FIBER_NEW;
	f->all_next = s->all;
	if (s->all)
		s->all->all_prev = f;
	s->all = f;
	s->live++;
	fiber_queue_push(&s->runq, f);
	if (out)
		*out = f;
	return 0;
	/* END STEP 3 */
}

/* The scheduler's side of one turn: give f the CPU until it yields, blocks or finishes. */
static void sched_run_one(struct fiber_sched *s, struct fiber *f)
{
	/* BEGIN STEP 3: A FIBER_NEW fiber first gets a stack from the pool and its first frame
	 * (ctx_init with fiber_main); if there is no stack it finishes at once with error
	 * -ENOMEM.  Then switch to f as s->current; when the switch comes back, give the stack of
	 * a fiber that has just finished (s->dead) back to the pool.
	 * Checked by: sched::*
	 * stub: LAB_UNUSED(s, f); LAB_TODO_ABORT(3);
	 */
	if (f->state == FIBER_NEW) {
		if (stack_pool_get(&s->pool, &f->stack)) {
			f->error = -ENOMEM;
			f->state = FIBER_DONE;
			s->live--;
			if (f->joiner)
				sched_wake(f->joiner);
			return;
		}
		size_t size = (size_t)((char *)f->stack.hi - (char *)f->stack.lo);
		f->sp = ctx_init(f->stack.lo, size, fiber_main, f);
	}
	f->state = FIBER_RUNNING;
	s->current = f;
	sched_switch(&s->sp, f->sp, f->stack.lo,
		     (size_t)((char *)f->stack.hi - (char *)f->stack.lo), false);
	s->current = NULL;
	if (s->dead) {
		stack_pool_put(&s->pool, &s->dead->stack);
		s->dead = NULL;
	}
	/* END STEP 3 */
}

int fiber_sched_run(fiber_sched_t *s)
{
	if (s->running || sched_current)
		return -EBUSY;
	struct stack_guard_alt alt;
	int rc = stack_guard_enter(&alt);
	if (rc)
		return rc;
	sched_current = s;
	s->running = true;
	/* Run fibers from the head of the run queue until none is live.  When the queue is
	 * empty but fibers wait on the loop, one loop iteration (LOOP_RUN_ONCE) sleeps until a
	 * descriptor or timer wakes someone; if nothing can ever wake the remaining fibers
	 * (blocked on channels, mutexes, joins), that is a deadlock. */
	for (;;) {
		struct fiber *f = fiber_queue_pop(&s->runq);
		if (f) {
			sched_run_one(s, f);
			continue;
		}
		if (s->live == 0)
			break;
		if (s->loop_waiters == 0 || !s->loop) {
			rc = -EDEADLK;
			break;
		}
		int r = loop_run(s->loop, LOOP_RUN_ONCE);
		if (r < 0) {
			rc = r;
			break;
		}
	}
	s->running = false;
	sched_current = NULL;
	stack_guard_leave(&alt);
	return rc;
}

fiber_t *fiber_self(void)
{
	return sched_current ? sched_current->current : NULL;
}

fiber_sched_t *fiber_self_sched(void)
{
	return sched_current && sched_current->current ? sched_current : NULL;
}

unsigned fiber_id(const fiber_t *f)
{
	return f->id;
}

void fiber_yield(void)
{
	/* BEGIN STEP 3: The running fiber goes to the tail of the run queue (RUNNABLE) and
	 * switches to the scheduler.  Outside a fiber, do nothing.
	 * Checked by: sched::*
	 * stub: LAB_TODO_ABORT(3);
	 */
	struct fiber *f = fiber_self();
	if (!f)
		return;
	f->state = FIBER_RUNNABLE;
	fiber_queue_push(&f->sched->runq, f);
	sched_leave(f, false);
	/* END STEP 3 */
}

_Noreturn void fiber_exit(void *result)
{
	/* BEGIN STEP 3: Finish the running fiber: keep its result, mark it DONE (no longer
	 * live), release its loop waits (fiber_io_release), wake its joiner if one waits, and
	 * leave its stack to the scheduler (s->dead) with a last switch that never comes back.
	 * Checked by: sched::*, join::*
	 * stub: LAB_UNUSED(result); LAB_TODO_ABORT(3);
	 */
	struct fiber *f = fiber_self();
	if (!f)
		abort(); /* the contract says "in a fiber": nothing sensible to do */
	struct fiber_sched *s = f->sched;
	f->result = result;
	f->state = FIBER_DONE;
	s->live--;
	fiber_io_release(f);
	if (f->joiner)
		sched_wake(f->joiner);
	s->dead = f;
	sched_leave(f, true);
	/* END STEP 3 */
	abort(); /* a finished fiber is never resumed */
}

void sched_park(void)
{
	/* BEGIN STEP 4: The running fiber stops (BLOCKED, in no queue) and switches to the
	 * scheduler; it continues here once someone calls sched_wake on it.
	 * Checked by: join::*, chan::*, mutex::*, io::*
	 * stub: LAB_TODO_ABORT(4);
	 */
	struct fiber *f = fiber_self();
	f->state = FIBER_BLOCKED;
	sched_leave(f, false);
	/* END STEP 4 */
}

void sched_wake(struct fiber *f)
{
	/* BEGIN STEP 4: A BLOCKED fiber becomes RUNNABLE at the tail of the run queue.  Never
	 * switches: the waker keeps running.
	 * Checked by: join::*, chan::*, mutex::*, io::*
	 * stub: LAB_UNUSED(f); LAB_TODO_ABORT(4);
	 */
	f->state = FIBER_RUNNABLE;
	fiber_queue_push(&f->sched->runq, f);
	/* END STEP 4 */
}

int fiber_join(fiber_t *f, void **result)
{
	/* BEGIN STEP 4: Wait (park) until f is DONE unless it already is, then hand out its
	 * result and free it.  Errors in fiber.h: -EPERM, -EDEADLK, -EINVAL, and f's own error.
	 * Checked by: join::*
	 * stub: LAB_UNUSED(f, result); return LAB_TODO(4);
	 */
	struct fiber *self = fiber_self();
	if (!self)
		return -EPERM;
	if (f == self)
		return -EDEADLK;
	if (f->joiner)
		return -EINVAL;
	if (f->state != FIBER_DONE) {
		f->joiner = self;
		sched_park();
	}
	int rc = f->error;
	if (result)
		*result = f->result;
	all_unlink(f->sched, f);
	free(f);
	return rc;
	/* END STEP 4 */
}
