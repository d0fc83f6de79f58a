/* Step 1: the context switch and the first frame (ctx_switch_*.S, ctx.c), tested without any
 * scheduler: two or three contexts switch among themselves by hand. */
#include "fiber_test.h"

#include <fenv.h>
#include <stdalign.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

ASL_SUITE(ctx, 20);

#define STACK_BYTES (64 * 1024)
#define ROUNDS 1000

/* A context and the stack it runs on. */
struct kid {
	void *sp;
	alignas(16) char stack[STACK_BYTES];
};

static void *main_sp;
static struct kid *ka, *kb;
static char order[4 * ROUNDS + 8];
static int norder;

static struct kid *kid_new(void (*fn)(void *), void *arg)
{
	struct kid *k = aligned_alloc(16, sizeof *k);
	cr_assert(k, "out of memory");
	k->sp = ctx_init(k->stack, sizeof k->stack, fn, arg);
	cr_assert(k->sp && (char *)k->sp > k->stack && (char *)k->sp < k->stack + STACK_BYTES,
		  "ctx_init: expected a stack pointer "
		  "inside the stack [%p, %p), got %p" ASL_HINT(1),
		  (void *)k->stack, (void *)(k->stack + STACK_BYTES), k->sp);
	return k;
}

/* ---- the first switch ---- */
static uintptr_t seen_sp;
static void *seen_arg;

static void first_fn(void *arg)
{
	seen_arg = arg;
	seen_sp = regs_entry_sp();
	ctx_switch(&ka->sp, main_sp); /* never resumed */
}

Test(ctx, first_switch_calls_fn_with_arg_on_aligned_stack)
{
	int token;
	seen_arg = NULL;
	ka = kid_new(first_fn, &token);
	ctx_switch(&main_sp, ka->sp);
	cr_assert_eq(seen_arg, &token,
		     "the new context's function got arg %p, expected %p" ASL_HINT(1), seen_arg,
		     (void *)&token);
	cr_assert(seen_sp >= (uintptr_t)ka->stack && seen_sp < (uintptr_t)ka->stack + STACK_BYTES,
		  "the function did not run on the new stack (sp %#lx)" ASL_HINT(1),
		  (unsigned long)seen_sp);
#if defined(__x86_64__)
	cr_assert_eq(seen_sp % 16, 8,
		     "a call made by the fiber's function found rsp %% 16 = %lu "
		     "at its entry; the ABI wants 8 (rsp 16-byte aligned before every call): "
		     "ctx_start must run with rsp %% 16 == 0" ASL_HINT(1),
		     (unsigned long)(seen_sp % 16));
#else
	cr_assert_eq(seen_sp % 16, 0, "sp %% 16 = %lu inside the fiber: must be 0" ASL_HINT(1),
		     (unsigned long)(seen_sp % 16));
#endif
	free(ka);
}

/* ---- ping-pong: main -> A -> B -> A -> ... -> main ---- */
static void (*switch_fn)(void **, void *) = ctx_switch;

static void pp_a(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		order[norder++] = 'A';
		switch_fn(&ka->sp, kb->sp);
	}
	order[norder++] = 'a';
	switch_fn(&ka->sp, main_sp);
}

static void pp_b(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		order[norder++] = 'B';
		ctx_switch(&kb->sp, ka->sp);
	}
	order[norder++] = 'b';
	ctx_switch(&kb->sp, main_sp);
}

static void ping_pong(const char *hint)
{
	norder = 0;
	ka = kid_new(pp_a, NULL);
	kb = kid_new(pp_b, NULL);
	ctx_switch(&main_sp, ka->sp);
	cr_assert_eq(norder, 2 * ROUNDS + 1,
		     "ping-pong: expected %d events back in main, got %d "
		     "(a switch resumed the wrong context?)%s",
		     2 * ROUNDS + 1, norder, hint);
	for (int i = 0; i < 2 * ROUNDS; i++)
		cr_assert_eq(order[i], i % 2 ? 'B' : 'A',
			     "ping-pong: event %d was '%c', expected "
			     "'%c' (A and B must alternate, starting with A)%s",
			     i, order[i], i % 2 ? 'B' : 'A', hint);
	cr_assert_eq(order[2 * ROUNDS], 'a', "after %d rounds A should return to main%s", ROUNDS,
		     hint);
	free(ka);
	free(kb);
}

Test(ctx, ping_pong_alternates)
{
	switch_fn = ctx_switch;
	ping_pong(ASL_HINT(1));
}

Test(ctx, ret_variant_switches_too)
{
	/* A switches with ctx_switch_ret, B with ctx_switch: the frames must be the same. */
	switch_fn = ctx_switch_ret;
	ping_pong(" (ctx_switch_ret: A switches with it, B with ctx_switch: both must save and "
		  "restore the same frame)" ASL_HINT(1));
}

/* ---- callee-saved registers survive ---- */
static uint64_t mask_a[ROUNDS], mask_b[ROUNDS];

static void hop_a_to_b(void *arg)
{
	(void)arg;
	ctx_switch(&ka->sp, kb->sp);
}
static void hop_b_to_a(void *arg)
{
	(void)arg;
	ctx_switch(&kb->sp, ka->sp);
}

static void regs_a(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		mask_a[i] = regs_keep_across(hop_a_to_b, NULL, 0x1000u * (uint64_t)i);
	ctx_switch(&ka->sp, main_sp);
}

static void regs_b(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		mask_b[i] = regs_keep_across(hop_b_to_a, NULL, 0xA5A5A5A500000000u + (uint64_t)i);
	ctx_switch(&kb->sp, main_sp);
}

Test(ctx, callee_saved_registers_survive_switches)
{
	ka = kid_new(regs_a, NULL);
	kb = kid_new(regs_b, NULL);
	ctx_switch(&main_sp, ka->sp);
	for (int i = 0; i < ROUNDS - 1; i++) {
		cr_assert_eq(mask_a[i], 0,
			     "round %d: the callee-saved registers of context A came "
			     "back changed after a switch (mask %#lx; x86-64 bits: 0 rbx 1 rbp "
			     "2-5 r12-r15; aarch64: 0-9 x19-x28, 10-17 d8-d15)" ASL_HINT(1),
			     i, (unsigned long)mask_a[i]);
		cr_assert_eq(mask_b[i], 0,
			     "round %d: context B's callee-saved registers changed "
			     "(mask %#lx)" ASL_HINT(1),
			     i, (unsigned long)mask_b[i]);
	}
	free(ka);
	free(kb);
}

/* ---- floating-point control state ---- */
static int round_a[2], round_b[2];

static void fp_a(void *arg)
{
	(void)arg;
	fesetround(FE_UPWARD);
	ctx_switch(&ka->sp, kb->sp);
	round_a[0] = fegetround();
	fesetround(FE_DOWNWARD);
	ctx_switch(&ka->sp, kb->sp);
	round_a[1] = fegetround();
	fesetround(FE_TONEAREST);
	ctx_switch(&ka->sp, main_sp);
}

static void fp_b(void *arg)
{
	(void)arg;
	round_b[0] = fegetround(); /* a new context: the ABI's default, not A's */
	fesetround(FE_TOWARDZERO);
	ctx_switch(&kb->sp, ka->sp);
	round_b[1] = fegetround();
	ctx_switch(&kb->sp, ka->sp);
	abort(); /* never resumed */
}

static const char *rname(int r)
{
	return r == FE_TONEAREST    ? "to nearest"
	       : r == FE_UPWARD     ? "upward"
	       : r == FE_DOWNWARD   ? "downward"
	       : r == FE_TOWARDZERO ? "toward zero"
				    : "?";
}

Test(ctx, fp_rounding_mode_is_per_context)
{
	ka = kid_new(fp_a, NULL);
	kb = kid_new(fp_b, NULL);
	fesetround(FE_TONEAREST);
	ctx_switch(&main_sp, ka->sp);
	int mine = fegetround();
	fesetround(FE_TONEAREST);
	cr_assert_eq(round_b[0], FE_TONEAREST,
		     "a new context started with rounding '%s' (its "
		     "creator's?); ctx_init must give it the ABI's initial FP control state "
		     "(round to nearest)" ASL_HINT(1),
		     rname(round_b[0]));
	cr_assert_eq(round_a[0], FE_UPWARD,
		     "context A set rounding 'upward', switched away and "
		     "back, and found '%s': the FP control state (MXCSR and x87 control word / "
		     "FPCR) must be saved and restored by the switch" ASL_HINT(1),
		     rname(round_a[0]));
	cr_assert_eq(round_b[1], FE_TOWARDZERO,
		     "context B found '%s' instead of its own "
		     "'toward zero' after a switch" ASL_HINT(1),
		     rname(round_b[1]));
	cr_assert_eq(round_a[1], FE_DOWNWARD,
		     "context A found '%s' instead of 'downward'" ASL_HINT(1), rname(round_a[1]));
	cr_assert_eq(mine, FE_TONEAREST,
		     "main got rounding '%s' back, expected its own 'to "
		     "nearest'" ASL_HINT(1),
		     rname(mine));
	free(ka);
	free(kb);
}

/* ---- the SSE rounding mode alone ----
 * On x86-64 fesetround sets the MXCSR and the x87 control word together, and fegetround reads
 * only the x87 word.  Code that calls _mm_setcsr (or is compiled to use SSE only, as all
 * x86-64 double arithmetic is) changes the MXCSR alone: a switch must restore it even when the
 * two contexts' x87 words are the same.  On aarch64 both are the one FPCR. */
#if defined(__x86_64__)
#define RC_NEAREST 0x0000u
#define RC_UPWARD 0x4000u
#define RC_TOWARDZERO 0x6000u
static unsigned sse_round(void)
{
	return _mm_getcsr() & 0x6000u;
}
static void sse_set_round(unsigned rc)
{
	_mm_setcsr((_mm_getcsr() & ~0x6000u) | rc);
}
#else
#define RC_NEAREST ((unsigned)FE_TONEAREST)
#define RC_UPWARD ((unsigned)FE_UPWARD)
#define RC_TOWARDZERO ((unsigned)FE_TOWARDZERO)
static unsigned sse_round(void)
{
	return (unsigned)fegetround();
}
static void sse_set_round(unsigned rc)
{
	fesetround((int)rc);
}
#endif
static unsigned sse_seen_a, sse_seen_b;

static void sse_a(void *arg)
{
	(void)arg;
	sse_set_round(RC_UPWARD);
	ctx_switch(&ka->sp, kb->sp);
	sse_seen_a = sse_round(); /* B ran with 'toward zero' meanwhile */
	ctx_switch(&ka->sp, main_sp);
	abort(); /* never resumed */
}

static void sse_b(void *arg)
{
	(void)arg;
	sse_seen_b = sse_round(); /* a new context: the ABI's default */
	sse_set_round(RC_TOWARDZERO);
	ctx_switch(&kb->sp, ka->sp);
	abort(); /* never resumed */
}

Test(ctx, sse_rounding_alone_is_per_context)
{
	ka = kid_new(sse_a, NULL);
	kb = kid_new(sse_b, NULL);
	fesetround(FE_TONEAREST);
	sse_seen_a = sse_seen_b = 99;
	ctx_switch(&main_sp, ka->sp);
	unsigned mine = sse_round();
	fesetround(FE_TONEAREST);
	cr_assert_eq(sse_seen_b, RC_NEAREST,
		     "a new context started with SSE rounding bits %#x, "
		     "expected %#x (round to nearest): ctx_init's MXCSR / FPCR" ASL_HINT(1),
		     sse_seen_b, RC_NEAREST);
	cr_assert_eq(sse_seen_a, RC_UPWARD,
		     "context A set only its SSE rounding mode to "
		     "'upward' (MXCSR; the x87 control word stayed the same in every context), and "
		     "found bits %#x instead of %#x after a switch: the MXCSR (FPCR) must be "
		     "restored on every switch, not only when the x87 words differ" ASL_HINT(1),
		     sse_seen_a, RC_UPWARD);
	cr_assert_eq(mine, RC_NEAREST,
		     "main got SSE rounding bits %#x back, expected its own "
		     "%#x (to nearest)" ASL_HINT(1),
		     mine, RC_NEAREST);
	free(ka);
	free(kb);
}
