/* Steps 7-8: join_all, select (losers cancelled and freed), timeout, retry with backoff and
 * jitter. */
#include "fut_test.h"

#include <fcntl.h>

ASL_SUITE(combine, 30);

Test(combine, join_all_collects_every_result)
{
	exec_t *ex = ft_exec(ASL_HINT(7));
	enum { N = 10 };
	fut_t *f[N];
	intptr_t outs[N] = { 0 };
	for (int i = 0; i < N; i++)
		f[i] = fut_yield((unsigned)(N - i), i * 10);
	intptr_t v = ft_block_on(ex, combine_join_all(f, N, outs), "combine_join_all", ASL_HINT(7));
	cr_assert_eq(v, 0, "join_all's result: expected 0, got %ld" ASL_HINT(7), (long)v);
	for (int i = 0; i < N; i++)
		cr_assert_eq(outs[i], i * 10, "join_all outs[%d]: expected %d, got %ld" ASL_HINT(7),
			     i, i * 10, (long)outs[i]);
	exec_destroy(ex);
}

Test(combine, join_all_is_lazy_and_waits_for_all)
{
	exec_t *ex = ft_exec(ASL_HINT(7));
	struct probe p[3];
	fut_t *f[3];
	intptr_t outs[3];
	for (int i = 0; i < 3; i++) {
		probe_init(&p[i]);
		f[i] = probe_new(&p[i]);
	}
	atomic_store(&p[0].ready, true);
	fut_t *all = combine_join_all(f, 3, outs), *join;
	cr_assert(all, "combine_join_all returned NULL" ASL_HINT(7));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(atomic_load(&p[i].polls), 0,
			     "making a join_all must not poll its "
			     "children (lazy); child %d was polled" ASL_HINT(7),
			     i);
	ft_spawn(ex, all, &join, ASL_HINT(7));
	ft_block_on(ex, fut_ready(0), "fut_ready", ASL_HINT(7));
	cr_assert_eq(atomic_load(&p[0].drops), 1,
		     "a child that is ready is dropped at once "
		     "(its resources freed early): drops %d" ASL_HINT(7),
		     atomic_load(&p[0].drops));
	probe_complete(&p[2], 2);
	ft_block_on(ex, fut_yield(2, 0), "fut_yield", ASL_HINT(7));
	intptr_t v;
	cr_assert_eq(ft_poll_once(join, &v), FUT_PENDING,
		     "join_all with one child still "
		     "pending must be pending" ASL_HINT(7));
	probe_complete(&p[1], 1);
	v = ft_block_on(ex, join, "join(join_all)", ASL_HINT(7));
	cr_assert(v == 0 && outs[1] == 1 && outs[2] == 2,
		  "join_all: expected 0 with outs 1, 2; "
		  "got %ld with %ld, %ld" ASL_HINT(7),
		  (long)v, (long)outs[1], (long)outs[2]);
	exec_destroy(ex);
}

Test(combine, select_first_ready_wins_losers_dropped)
{
	exec_t *ex = ft_exec(ASL_HINT(7));
	struct probe a, c;
	probe_init(&a);
	probe_init(&c);
	fut_t *f[3] = { probe_new(&a), fut_yield(2, 7), probe_new(&c) };
	intptr_t winner = -1;
	intptr_t idx = ft_block_on(ex, combine_select(f, 3, &winner), "combine_select",
				   ASL_HINT(7));
	cr_assert(idx == 1 && winner == 7,
		  "select(never, yield 2 then 7, never): expected index "
		  "1 and 7, got index %ld and %ld" ASL_HINT(7),
		  (long)idx, (long)winner);
	cr_assert(atomic_load(&a.drops) == 1 && atomic_load(&c.drops) == 1,
		  "the losers must be "
		  "dropped (cancelled) once each: drops %d and %d" ASL_HINT(7),
		  atomic_load(&a.drops), atomic_load(&c.drops));
	exec_destroy(ex);
}

Test(combine, select_cancels_io_and_timers)
{
	int fds = asl_test_fds();
	exec_t *ex = ft_exec(ASL_HINT(7));
	int p[2];
	cr_assert_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	reactor_io_t *io;
	cr_assert_eq(reactor_io_open(ex, p[0], &io), 0);
	char buf[8];
	fut_t *f[3] = { reactor_read(io, buf, sizeof buf), reactor_sleep(ex, 60000),
			reactor_sleep(ex, 5) };
	intptr_t idx = ft_block_on(ex, combine_select(f, 3, NULL), "combine_select", ASL_HINT(7));
	cr_assert_eq(idx, 2,
		     "select(read nothing, sleep 60 s, sleep 5 ms): expected index 2, got "
		     "%ld" ASL_HINT(7),
		     (long)idx);
	cr_assert(!io->waiter[REACTOR_READ].vt,
		  "the losing read must have left the reactor" ASL_HINT(6));
	reactor_io_close(io);
	cr_assert(!ft_loop_busy(ex), "the losing 60 s sleep must have stopped its timer: the "
				     "loop still has an active handle" ASL_HINT(5));
	close(p[0]);
	close(p[1]);
	exec_destroy(ex);
	cr_assert_eq(asl_test_fds(), fds, "descriptors: %d before, %d after" ASL_HINT(7), fds,
		     asl_test_fds());
}

Test(combine, timeout_expires_and_drops_inner)
{
	exec_t *ex = ft_exec(ASL_HINT(7));
	struct probe p;
	probe_init(&p);
	intptr_t v = ft_block_on(ex, combine_timeout(ex, probe_new(&p), 10), "combine_timeout",
				 ASL_HINT(7));
	cr_assert_eq(v, -ETIMEDOUT, "timeout(never, 10 ms): expected %s, got %ld" ASL_HINT(7),
		     asl_test_rc(-ETIMEDOUT), (long)v);
	cr_assert_eq(atomic_load(&p.drops), 1,
		     "the timed-out future must be dropped once, got "
		     "%d" ASL_HINT(7),
		     atomic_load(&p.drops));
	exec_destroy(ex);
}

Test(combine, timeout_passes_result_and_stops_timer)
{
	exec_t *ex = ft_exec(ASL_HINT(7));
	intptr_t v = ft_block_on(ex, combine_timeout(ex, fut_yield(3, 5), 60000), "combine_timeout",
				 ASL_HINT(7));
	cr_assert_eq(v, 5, "timeout(ready with 5, 60 s): expected 5, got %ld" ASL_HINT(7), (long)v);
	cr_assert(!ft_loop_busy(ex),
		  "once the inner future won, the 60 s timer must be stopped" ASL_HINT(7));
	exec_destroy(ex);
}

struct attempts {
	int calls, succeed_at;
};

static fut_t *make_attempt(void *arg, unsigned k)
{
	struct attempts *a = arg;
	a->calls++;
	return fut_ready((int)k >= a->succeed_at ? 99 : -EIO);
}

Test(combine, retry_backs_off_with_jitter_until_success)
{
	exec_t *ex = ft_exec(ASL_HINT(8));
	struct combine_retry_policy pol = { .attempts = 6, .base_ms = 2, .max_ms = 8, .seed = 42 };
	struct attempts a = { 0, 3 };
	uint64_t delays[6] = { 0 };
	intptr_t v = ft_block_on(ex, combine_retry(ex, &pol, make_attempt, &a, delays),
				 "combine_retry", ASL_HINT(8));
	cr_assert(v == 99 && a.calls == 4,
		  "attempts fail 3 times, then succeed: expected 99 "
		  "after 4 attempts, got %ld after %d" ASL_HINT(8),
		  (long)v, a.calls);
	static const uint64_t d[3] = { 2, 4, 8 };
	for (int k = 0; k < 3; k++)
		cr_assert(delays[k] >= d[k] / 2 && delays[k] <= d[k],
			  "delay after failure %d: "
			  "expected in [%lu, %lu] ms (backoff "
			  "%lu with jitter), got %lu" ASL_HINT(8),
			  k, (unsigned long)(d[k] / 2), (unsigned long)d[k], (unsigned long)d[k],
			  (unsigned long)delays[k]);
	exec_destroy(ex);
}

Test(combine, retry_gives_up_with_last_failure)
{
	exec_t *ex = ft_exec(ASL_HINT(8));
	struct combine_retry_policy pol = { .attempts = 3, .base_ms = 1, .max_ms = 2, .seed = 1 };
	struct attempts a = { 0, 100 };
	intptr_t v = ft_block_on(ex, combine_retry(ex, &pol, make_attempt, &a, NULL),
				 "combine_retry", ASL_HINT(8));
	cr_assert(v == -EIO && a.calls == 3,
		  "3 attempts that all fail: expected %s after 3 "
		  "attempts, got %ld after %d" ASL_HINT(8),
		  asl_test_rc(-EIO), (long)v, a.calls);
	exec_destroy(ex);
}

Test(combine, retry_delays_saturate_and_vary)
{
	ft_need_lab07();
	struct combine_retry_policy pol = { .attempts = 100, .base_ms = 10, .max_ms = 1000 };
	uint64_t rng = 7, seen_low = 0, seen_high = 0;
	for (unsigned k = 0; k < 200; k++) {
		uint64_t want = k < 7 ? 10ull << k : 1000;
		if (want > 1000)
			want = 1000;
		uint64_t d = combine_retry_delay_ms(&pol, k, &rng);
		cr_assert(d >= want / 2 && d <= want,
			  "attempt %u: delay %lu outside [%lu, %lu] "
			  "(the doubling must saturate at max_ms, never overflow)" ASL_HINT(8),
			  k, (unsigned long)d, (unsigned long)(want / 2), (unsigned long)want);
		if (k >= 7) {
			seen_low += d < 750;
			seen_high += d >= 750;
		}
	}
	cr_assert(seen_low > 20 && seen_high > 20,
		  "193 delays at the 1000 ms cap: %lu below 750 "
		  "and %lu above - jitter must spread them over [500, 1000]" ASL_HINT(8),
		  (unsigned long)seen_low, (unsigned long)seen_high);
}

/* The losers are cancelled when select becomes ready, not later when the select itself is
 * dropped: until then their timers and watchers would stay armed.  Polled by hand, so the
 * select is still alive when the test looks. */
Test(combine, select_drops_losers_as_soon_as_it_is_ready)
{
	struct probe a, c;
	probe_init(&a);
	probe_init(&c);
	fut_t *f[3] = { probe_new(&a), fut_ready(7), probe_new(&c) };
	intptr_t winner = -1, idx = -1;
	fut_t *s = combine_select(f, 3, &winner);
	cr_assert(s, "combine_select returned NULL" ASL_HINT(7));
	enum fut_poll r = ft_poll_once(s, &idx);
	cr_assert(r == FUT_READY && idx == 1 && winner == 7,
		  "select(never, ready 7, never) "
		  "polled once: expected ready with index 1 and 7, got %s, %ld and %ld" ASL_HINT(7),
		  r == FUT_READY ? "ready" : "pending", (long)idx, (long)winner);
	int da = atomic_load(&a.drops), dc = atomic_load(&c.drops);
	fut_drop(s);
	cr_assert(da == 1 && dc == 1,
		  "when select became ready its losers had been dropped %d "
		  "and %d time(s), expected once each: cancel every loser at once, in the poll "
		  "that finds the winner (not later, when the select is dropped)" ASL_HINT(7),
		  da, dc);
	cr_assert(atomic_load(&a.drops) == 1 && atomic_load(&c.drops) == 1,
		  "dropping the "
		  "finished select dropped a loser again (%d and %d drops)" ASL_HINT(7),
		  atomic_load(&a.drops), atomic_load(&c.drops));
}

/* The inner future finished well within the time, but the timeout was not polled until
 * after its timer had fired too (a busy executor): the result wins, as the inner future is
 * asked first. */
Test(combine, timeout_prefers_a_result_ready_in_time)
{
	exec_t *ex = ft_exec(ASL_HINT(7));
	struct probe p;
	probe_init(&p);
	fut_t *t = combine_timeout(ex, probe_new(&p), 10);
	cr_assert(t, "combine_timeout returned NULL" ASL_HINT(7));
	intptr_t v = 0;
	cr_assert_eq(ft_poll_once(t, &v), FUT_PENDING,
		     "timeout(pending, 10 ms), first poll: "
		     "expected pending" ASL_HINT(7));
	probe_complete(&p, 5); /* ready at once, well within the 10 ms */
	for (uint64_t end = asl_now_ms() + 30; asl_now_ms() < end;)
		; /* the executor is busy elsewhere: 30 ms pass before the next poll */
	loop_run(ex->loop, LOOP_RUN_NOWAIT); /* the 10 ms timer fires too */
	enum fut_poll r = ft_poll_once(t, &v);
	fut_drop(t);
	cr_assert(r == FUT_READY && v == 5,
		  "the inner future was ready with 5 within the 10 ms, "
		  "the timer had fired as well by the next poll: expected 5, got %s %ld.  Poll the "
		  "inner future first: a result that "
		  "is ready wins even at the deadline" ASL_HINT(7),
		  r == FUT_READY ? "ready with" : "pending,", (long)v);
	exec_destroy(ex);
}
