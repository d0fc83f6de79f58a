/* Step 3: spawn, the run queue, yield and exit (sched.c).  No joins here (step 4). */
#include "fiber_test.h"

#include <fenv.h>

ASL_SUITE(sched, 30);

static int ran, seen_id;
static void *seen_arg;
static fiber_t *seen_self;

static void *one(void *arg)
{
	ran++;
	seen_arg = arg;
	seen_self = fiber_self();
	seen_id = (int)fiber_id(seen_self);
	return NULL;
}

Test(sched, one_fiber_runs_once_with_its_argument)
{
	int token;
	ran = 0;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(3));
	fiber_t *f = ft_spawn(s, one, &token, ASL_HINT(3));
	cr_assert_eq(ran, 0, "fiber_spawn must only queue the fiber; it ran already" ASL_HINT(3));
	ft_sched_run(s, 0, ASL_HINT(3));
	cr_assert(ran == 1 && seen_arg == &token,
		  "expected the fiber to run once with its "
		  "argument; it ran %d time(s) with arg %p (expected %p)" ASL_HINT(3),
		  ran, seen_arg, (void *)&token);
	cr_assert(seen_self == f && seen_id == 1,
		  "inside the fiber, fiber_self() should be the "
		  "spawned fiber (%p) with id 1; got %p, id %d" ASL_HINT(3),
		  (void *)f, (void *)seen_self, seen_id);
	cr_assert_null(fiber_self(), "outside fibers fiber_self() must be NULL" ASL_HINT(3));
	ft_destroy(s, ASL_HINT(3));
}

/* ---- ping-pong through the run queue ---- */
#define PP 200
static char log_[4 * PP + 16];
static int nlog;

static void *ponger(void *arg)
{
	char me = (char)(intptr_t)arg;
	for (int i = 0; i < PP; i++) {
		log_[nlog++] = me;
		fiber_yield();
	}
	return NULL;
}

Test(sched, ping_pong_order)
{
	nlog = 0;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(3));
	ft_spawn(s, ponger, (void *)(intptr_t)'A', ASL_HINT(3));
	ft_spawn(s, ponger, (void *)(intptr_t)'B', ASL_HINT(3));
	ft_sched_run(s, 0, ASL_HINT(3));
	cr_assert_eq(nlog, 2 * PP, "expected %d turns, got %d" ASL_HINT(3), 2 * PP, nlog);
	for (int i = 0; i < 2 * PP; i++)
		cr_assert_eq(log_[i], i % 2 ? 'B' : 'A',
			     "turn %d was %c's, expected %c's: a "
			     "yielding fiber goes to the TAIL of the run queue" ASL_HINT(3),
			     i, log_[i], i % 2 ? 'B' : 'A');
	ft_destroy(s, ASL_HINT(3));
}

/* ---- 10,000 fibers, each yielding many times ---- */
#define MANY 10000
#define TURNS 20
static unsigned step_no;
static unsigned bad_turns;
static unsigned first_bad_id, first_bad_turn, first_bad_step;

static void *rounder(void *arg)
{
	unsigned idx = (unsigned)(uintptr_t)arg;
	volatile char pad[512]; /* touch some stack: every fiber really owns one */
	pad[0] = (char)idx;
	for (unsigned t = 0; t < TURNS; t++) {
		/* strict round robin: turn t of fiber idx is global step t * MANY + idx */
		if (step_no != t * MANY + idx && !bad_turns++) {
			first_bad_id = idx;
			first_bad_turn = t;
			first_bad_step = step_no;
		}
		step_no++;
		fiber_yield();
	}
	(void)pad[0];
	return NULL;
}

Test(sched, ten_thousand_fibers_round_robin)
{
	step_no = bad_turns = 0;
	int maps = ft_maps();
	fiber_sched_t *s = ft_sched(0, ASL_HINT(3));
	for (unsigned i = 0; i < MANY; i++)
		cr_assert_eq(fiber_spawn(s, NULL, rounder, (void *)(uintptr_t)i), 0,
			     "fiber_spawn #%u failed" ASL_HINT(3), i);
	ft_sched_run(s, 0, ASL_HINT(3));
	cr_assert_eq(step_no, MANY * TURNS, "expected %d turns in all, got %u" ASL_HINT(3),
		     MANY * TURNS, step_no);
	cr_assert_eq(bad_turns, 0,
		     "%u turns out of round-robin order; the first: fiber #%u's "
		     "turn %u came at step %u, expected %u" ASL_HINT(3),
		     bad_turns, first_bad_id, first_bad_turn, first_bad_step,
		     first_bad_turn * MANY + first_bad_id);
	ft_destroy(s, ASL_HINT(3));
	cr_assert(ft_maps() <= maps,
		  "%d guard pages mapped after destroy, %d before: stacks leaked" ASL_HINT(3),
		  ft_maps(), maps);
}

/* ---- spawning from a fiber ---- */
static char sp_log[8];
static int sp_n;

static void *child(void *arg)
{
	sp_log[sp_n++] = (char)(intptr_t)arg;
	return NULL;
}

static void *spawner(void *arg)
{
	(void)arg;
	fiber_sched_t *s = ft_self_sched();
	fiber_spawn(s, NULL, child, (void *)(intptr_t)'1');
	fiber_spawn(s, NULL, child, (void *)(intptr_t)'2');
	sp_log[sp_n++] = 'P';
	fiber_yield();
	sp_log[sp_n++] = 'p';
	return NULL;
}

Test(sched, spawned_fibers_run_in_spawn_order_after_the_spawner_yields)
{
	sp_n = 0;
	memset(sp_log, 0, sizeof sp_log);
	ft_run(spawner, NULL, 0, ASL_HINT(3));
	cr_assert_str_eq(sp_log, "P12p",
			 "expected the order P12p (the spawner runs on until "
			 "it yields; children run in spawn order; then the spawner again), got "
			 "\"%s\"" ASL_HINT(3),
			 sp_log);
}

/* ---- fiber_exit from deep inside a call chain ---- */
static int after_exit;

static volatile int depth_left;

__attribute__((noinline)) static void deep(void)
{
	if (depth_left-- <= 0)
		fiber_exit((void *)0x5eed);
	if (depth_left > -100) /* always true; hides the "never returns" from the compiler */
		deep();
	after_exit++;
}

static void *exiter(void *arg)
{
	(void)arg;
	depth_left = 10;
	deep();
	after_exit++;
	return NULL;
}

Test(sched, exit_from_a_nested_call_ends_only_that_fiber)
{
	after_exit = 0;
	sp_n = 0;
	fiber_sched_t *s = ft_sched(0, ASL_HINT(3));
	ft_spawn(s, exiter, NULL, ASL_HINT(3));
	ft_spawn(s, child, (void *)(intptr_t)'x', ASL_HINT(3));
	ft_sched_run(s, 0, ASL_HINT(3));
	cr_assert_eq(after_exit, 0,
		     "code after fiber_exit ran (%d times): it must never "
		     "return" ASL_HINT(3),
		     after_exit);
	cr_assert_eq(sp_n, 1, "the other fiber must still run after one exits" ASL_HINT(3));
	ft_destroy(s, ASL_HINT(3));
}

/* ---- callee-saved registers across fiber_yield, under -O2 ---- */
static uint64_t masks[2][100];

static void do_yield(void *arg)
{
	(void)arg;
	fiber_yield();
}

static void *reg_fiber(void *arg)
{
	int me = (int)(intptr_t)arg;
	for (int i = 0; i < 100; i++)
		masks[me][i] = regs_keep_across(do_yield, NULL,
						(uint64_t)(me + 1) << 40 | (uint64_t)i);
	return NULL;
}

Test(sched, registers_and_rounding_survive_yields)
{
	ft_run(reg_fiber, (void *)0, 0, ASL_HINT(3)); /* warm-up: one fiber alone */
	fiber_sched_t *s = ft_sched(0, ASL_HINT(3));
	ft_spawn(s, reg_fiber, (void *)0, ASL_HINT(3));
	ft_spawn(s, reg_fiber, (void *)1, ASL_HINT(3));
	ft_sched_run(s, 0, ASL_HINT(3));
	ft_destroy(s, ASL_HINT(3));
	for (int f = 0; f < 2; f++)
		for (int i = 0; i < 100; i++)
			cr_assert_eq(masks[f][i], 0,
				     "fiber %d, yield %d: callee-saved registers "
				     "changed across fiber_yield (mask %#lx)" ASL_HINT(3),
				     f, i, (unsigned long)masks[f][i]);
	int r = fegetround();
	cr_assert_eq(r, FE_TONEAREST,
		     "after the run the thread's rounding mode changed" ASL_HINT(3));
}
