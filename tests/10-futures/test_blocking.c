/* Step 11: blocking work on lab 05's pool (spawn_blocking): the result as a future, lazy until
 * polled, the executor never blocked, many jobs through a full queue without a lost wake-up. */
#include "fut_test.h"

ASL_SUITE(blocking, 30);

static atomic_int calls;

static intptr_t answer(void *arg)
{
	atomic_fetch_add(&calls, 1);
	return (intptr_t)arg * 2;
}

Test(blocking, result_delivered_as_future)
{
	exec_t *ex = ft_exec(ASL_HINT(11));
	struct pool *p = ft_pool(2, ASL_HINT(11));
	atomic_store(&calls, 0);
	intptr_t v = ft_block_on(ex, blocking_spawn(p, answer, (void *)21), "blocking_spawn",
				 ASL_HINT(11));
	cr_assert_eq(v, 42, "blocking_spawn(x2, 21): expected 42, got %ld" ASL_HINT(11), (long)v);
	cr_assert_eq(atomic_load(&calls), 1,
		     "the function must run once, ran %d times" ASL_HINT(11), atomic_load(&calls));
	pool_shutdown(p, POOL_DRAIN);
	exec_destroy(ex);
}

Test(blocking, lazy_until_polled)
{
	exec_t *ex = ft_exec(ASL_HINT(11));
	struct pool *p = ft_pool(1, ASL_HINT(11)); /* one worker: jobs run in submission order */
	atomic_store(&calls, 0);
	fut_t *f = blocking_spawn(p, answer, (void *)1);
	cr_assert(f, "blocking_spawn returned NULL" ASL_HINT(11));
	/* a second job, awaited: once it has run, any job submitted before it has run too */
	intptr_t v = ft_block_on(ex, blocking_spawn(p, answer, (void *)2), "blocking_spawn",
				 ASL_HINT(11));
	cr_assert(v == 4 && atomic_load(&calls) == 1,
		  "a blocking future that was never polled "
		  "must not have submitted its job (futures are lazy): expected 1 call (the "
		  "awaited one, result 4), got %d calls, result %ld" ASL_HINT(11),
		  atomic_load(&calls), (long)v);
	v = ft_block_on(ex, f, "the first blocking future", ASL_HINT(11));
	cr_assert(v == 2 && atomic_load(&calls) == 2,
		  "polled at last, it runs: expected result 2 "
		  "and 2 calls, got %ld and %d" ASL_HINT(11),
		  (long)v, atomic_load(&calls));
	pool_shutdown(p, POOL_DRAIN);
	exec_destroy(ex);
}

static atomic_bool executor_alive;

/* Runs on the pool: returns only once a task on the executor has run after it started. */
static intptr_t wait_for_executor(void *arg)
{
	(void)arg;
	while (!atomic_load(&executor_alive))
		sched_yield();
	return 1;
}

struct flag_setter {
	fut_t base;
	int yields;
};

static enum fut_poll flag_setter_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct flag_setter *f = (struct flag_setter *)self;
	if (f->yields-- > 0) {
		waker_wake_by_ref(cx->waker);
		return FUT_PENDING;
	}
	atomic_store(&executor_alive, true);
	*out = 0;
	return FUT_READY;
}

static const struct fut_vtable flag_setter_vtable = { .poll = flag_setter_poll,
						      .drop = ft_free_self };

Test(blocking, does_not_block_the_executor)
{
	/* The blocking job can only finish once another task on the SAME executor has run; if
	 * the job ran on the executor's thread (or blocked it), this would never end. */
	exec_t *ex = ft_exec(ASL_HINT(11));
	struct pool *p = ft_pool(2, ASL_HINT(11));
	atomic_store(&executor_alive, false);
	fut_t *jb;
	ft_spawn(ex, blocking_spawn(p, wait_for_executor, NULL), &jb, ASL_HINT(11));
	struct flag_setter *fs = malloc(sizeof *fs);
	*fs = (struct flag_setter){ { &flag_setter_vtable }, 100 };
	ft_spawn(ex, &fs->base, NULL, ASL_HINT(11));
	intptr_t v = ft_block_on(ex, jb, "join(blocking_spawn)", ASL_HINT(11));
	cr_assert_eq(v, 1, "expected 1, got %ld" ASL_HINT(11), (long)v);
	pool_shutdown(p, POOL_DRAIN);
	exec_destroy(ex);
}

Test(blocking, many_jobs_full_queue_no_lost_wakeup)
{
	enum { N = 2000 };
	exec_t *ex = ft_exec(ASL_HINT(11));
	struct pool *p = ft_pool(3, ASL_HINT(11));
	atomic_store(&calls, 0);
	static fut_t *f[N];
	static intptr_t outs[N];
	for (int i = 0; i < N; i++)
		f[i] = blocking_spawn(p, answer, (void *)(intptr_t)i);
	ft_block_on(ex, combine_join_all(f, N, outs), "join_all", ASL_HINT(11));
	for (int i = 0; i < N; i++)
		cr_assert_eq(outs[i], 2 * i, "job %d: expected %d, got %ld" ASL_HINT(11), i, 2 * i,
			     (long)outs[i]);
	pool_shutdown(p, POOL_DRAIN);
	exec_destroy(ex);
}
