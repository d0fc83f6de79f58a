/* Step 4: the computed-goto macros (pt_goto.h), first on small coroutines of the tests' own,
 * then writing sum_stream with them.  Like every file that uses pt_goto.h, this one is
 * compiled as GNU C (-std=gnu11, the lab's Makefile).  The tests both macro sets share are in
 * pt_cases.h. */
#include "stackless_test.h"

ASL_SUITE(ptgoto, 60);

#define PTC_SUITE ptgoto
#define PTC_STEP 4
#define PTC_NAME "PTG"
#define PTC_T struct ptg
#define PTC_BEGIN PTG_BEGIN
#define PTC_YIELD PTG_YIELD
#define PTC_AWAIT PTG_AWAIT
#define PTC_EXIT PTG_EXIT
#define PTC_END PTG_END
#define PTC_INIT PTG_INIT
#define PTC_SS struct sum_stream_ptg
#define PTC_SS_INIT sum_stream_ptg_init
#define PTC_SS_STEP sum_stream_ptg_step
#define PTC_SS_NAME "sum_stream_ptg_step"
#define PTC_SEED 0x0904
#include "pt_cases.h"

/* What the switch version cannot do: a suspension inside a switch statement of the body's
 * own.  Each command is handled in two halves with a yield between them. */
struct commands {
	struct ptg pt;
	const char *cmd;
	int i;
	char log[32];
	int n;
};

static int commands_step(struct commands *c)
{
	PTG_BEGIN(&c->pt);
	for (c->i = 0; c->cmd[c->i]; c->i++) {
		switch (c->cmd[c->i]) {
		case 'a':
			c->log[c->n++] = 'a';
			PTG_YIELD(&c->pt);
			c->log[c->n++] = 'A';
			break;
		case 'b':
			c->log[c->n++] = 'b';
			PTG_YIELD(&c->pt);
			c->log[c->n++] = 'B';
			break;
		default: c->log[c->n++] = '?'; break;
		}
	}
	PTG_END(&c->pt);
}

Test(ptgoto, yield_inside_a_switch)
{
	struct commands c = { .cmd = "abxa" };
	PTG_INIT(&c.pt);
	int rc, resumes = 0;
	while ((rc = commands_step(&c)) == CORO_YIELDED && ++resumes < 10)
		;
	c.log[c.n] = '\0';
	expect_rc(rc, CORO_READY, "the end of the commands");
	cr_assert_eq(resumes, 3, "expected 3 yields, got %d" PTC_HINT, resumes);
	cr_assert_str_eq(c.log, "aAbB?aA",
			 "expected the log \"aAbB?aA\", got \"%s\" (a resume "
			 "must land inside the switch, in the right case)" PTC_HINT,
			 c.log);
	expect_rc(commands_step(&c), -EALREADY, "resuming a finished coroutine");
}
