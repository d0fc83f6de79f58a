/*
 * stress_fibers - a standalone driver for `make valgrind`, `make asan` and `make cross-run`
 * (which runs it on aarch64 under qemu-user): the register-preservation check of the tests,
 * on the raw switch and through the scheduler, then channels, joins, sleeps and socket I/O.
 * Prints nothing on success (exit 0); on the first broken invariant, says which and exits 1.
 *
 * usage: stress_fibers [--quick]
 */
#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/util.h"
#include "fiber.h"
#include "fiber_internal.h"
#include "regs_check.h"

#define USAGE "stress_fibers [--quick]"

static long rounds;

static void fail(const char *what, unsigned long detail)
{
	fprintf(stderr, "stress_fibers: %s (%#lx)\n", what, detail);
	exit(1);
}

/* ---- the raw switch: contexts A and B hop with regs_keep_across around each switch ---- */
static void *main_sp, *a_sp, *b_sp;
static unsigned long bad_a, bad_b;
static int round_seen_a, round_seen_b;

static void hop_ab(void *arg)
{
	(void)arg;
	ctx_switch(&a_sp, b_sp);
}
static void hop_ba(void *arg)
{
	(void)arg;
	ctx_switch_ret(&b_sp, a_sp); /* B uses the other variant: the frames are the same */
}

static void ctx_a(void *arg)
{
	(void)arg;
	fesetround(FE_UPWARD);
	for (long i = 0; i < rounds; i++)
		bad_a |= regs_keep_across(hop_ab, NULL, (uint64_t)i << 8);
	ctx_switch(&a_sp, b_sp); /* let B finish its last round */
	round_seen_a = fegetround();
	fesetround(FE_TONEAREST);
	ctx_switch(&a_sp, main_sp);
}

static void ctx_b(void *arg)
{
	(void)arg;
	fesetround(FE_DOWNWARD);
	for (long i = 0; i < rounds; i++)
		bad_b |= regs_keep_across(hop_ba, NULL, ~(uint64_t)i << 4);
	round_seen_b = fegetround();
	ctx_switch(&b_sp, a_sp);
	abort(); /* never resumed */
}

static void raw_switches(void)
{
	/* stacks from the pool: guarded, and registered with valgrind, which would otherwise
	 * take the jump to another stack for a huge stack frame */
	struct stack_pool pool;
	struct stack sa, sb;
	stack_pool_init(&pool, 64 << 10);
	if (stack_pool_get(&pool, &sa) || stack_pool_get(&pool, &sb))
		fail("out of memory", 0);
	a_sp = ctx_init(sa.lo, pool.usable, ctx_a, NULL);
	b_sp = ctx_init(sb.lo, pool.usable, ctx_b, NULL);
	ctx_switch(&main_sp, a_sp);
	if (bad_a || bad_b)
		fail("callee-saved registers changed across ctx_switch (mask A | B << 32)",
		     bad_a | bad_b << 32);
	if (round_seen_a != FE_UPWARD || round_seen_b != FE_DOWNWARD)
		fail("the rounding mode did not survive switches", 0);
	stack_unmap(&sa);
	stack_unmap(&sb);
}

/* ---- through the scheduler ---- */
static unsigned long bad_sched;
static fiber_chan_t *pipe_in, *pipe_out;

static void do_yield(void *arg)
{
	(void)arg;
	fiber_yield();
}

static void *yielder(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg << 20;
	for (long i = 0; i < rounds / 100 + 1; i++)
		bad_sched |= regs_keep_across(do_yield, NULL, seed + (uint64_t)i);
	return arg;
}

static void *doubler(void *arg)
{
	(void)arg;
	void *v;
	while (fiber_chan_recv(pipe_in, &v) == 0)
		fiber_chan_send(pipe_out, (void *)((uintptr_t)v * 2));
	fiber_chan_close(pipe_out);
	return NULL;
}

static void *io_echo(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[64];
	ssize_t n;
	while ((n = fiber_read(fd, buf, sizeof buf)) > 0)
		fiber_write(fd, buf, (size_t)n);
	fiber_close(fd);
	return NULL;
}

static void *main_fiber(void *arg)
{
	fiber_sched_t *s = arg;
	fiber_t *f[100];
	for (uintptr_t i = 0; i < 100; i++)
		if (fiber_spawn(s, &f[i], yielder, (void *)i))
			fail("fiber_spawn failed", i);
	for (uintptr_t i = 0; i < 100; i++) {
		void *r;
		if (fiber_join(f[i], &r) || r != (void *)i)
			fail("fiber_join gave the wrong result", i);
	}
	if (bad_sched)
		fail("callee-saved registers changed across fiber_yield", bad_sched);

	fiber_spawn(s, NULL, doubler, NULL);
	uintptr_t sum = 0;
	for (uintptr_t i = 0; i < 1000; i++) {
		void *v;
		fiber_chan_send(pipe_in, (void *)i);
		if (fiber_chan_recv(pipe_out, &v))
			fail("channel closed early", i);
		sum += (uintptr_t)v;
	}
	fiber_chan_close(pipe_in);
	if (sum != 999 * 1000)
		fail("channel pipeline lost values", sum);

	if (fiber_sleep(2))
		fail("fiber_sleep failed", 0);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		fail("socketpair failed", 0);
	fiber_spawn(s, NULL, io_echo, (void *)(intptr_t)sv[1]);
	for (int i = 0; i < 100; i++) {
		char out[16], in[16];
		int len = snprintf(out, sizeof out, "msg %d", i);
		ssize_t got = 0;
		fiber_write(sv[0], out, (size_t)len);
		while (got < len) {
			ssize_t n = fiber_read(sv[0], in + got, (size_t)(len - got));
			if (n <= 0)
				fail("echo over a socketpair failed", (unsigned long)i);
			got += n;
		}
		if (memcmp(in, out, (size_t)len))
			fail("echo came back different", (unsigned long)i);
	}
	fiber_close(sv[0]);
	return NULL;
}

int main(int argc, char **argv)
{
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return puts(USAGE), 0;
		else
			asl_usage_error(USAGE, "unknown argument '%s'", argv[i]);
	}
	rounds = quick ? 2000 : 200000;
	raw_switches();

	fiber_sched_t *s;
	if (fiber_sched_create(&s, 0) || fiber_chan_create(&pipe_in, 0) ||
	    fiber_chan_create(&pipe_out, 4))
		fail("setup failed", 0);
	if (fiber_spawn(s, NULL, main_fiber, s))
		fail("fiber_spawn failed", 0);
	int rc = fiber_sched_run(s);
	if (rc)
		fail("fiber_sched_run failed (-errno)", (unsigned long)-rc);
	fiber_chan_destroy(pipe_in);
	fiber_chan_destroy(pipe_out);
	if (fiber_sched_destroy(s))
		fail("fiber_sched_destroy failed", 0);
	return 0;
}
