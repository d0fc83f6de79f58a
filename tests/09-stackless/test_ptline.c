/* Step 3: the switch-on-line macros (pt_line.h), first on small coroutines of the tests' own,
 * then writing sum_stream with them.  The tests both macro sets share are in pt_cases.h. */
#include "stackless_test.h"

ASL_SUITE(ptline, 60);

#define PTC_SUITE ptline
#define PTC_STEP 3
#define PTC_NAME "PTL"
#define PTC_T struct ptl
#define PTC_BEGIN PTL_BEGIN
#define PTC_YIELD PTL_YIELD
#define PTC_AWAIT PTL_AWAIT
#define PTC_EXIT PTL_EXIT
#define PTC_END PTL_END
#define PTC_INIT PTL_INIT
#define PTC_SS struct sum_stream_ptl
#define PTC_SS_INIT sum_stream_ptl_init
#define PTC_SS_STEP sum_stream_ptl_step
#define PTC_SS_NAME "sum_stream_ptl_step"
#define PTC_SEED 0x0903
#include "pt_cases.h"

/* A resume point that matches no suspension of the body (what a yield inside a nested switch
 * leaves behind, or a corrupted struct) is -EPROTO: never a silent restart from the top. */
Test(ptline, unknown_resume_point_is_eproto)
{
	struct counter c = { .n = 0 };
	PTL_INIT(&c.pt);
	expect_rc(counter_step(&c), CORO_YIELDED, "the first resume");
	c.pt.lc = 99999;
	expect_rc(counter_step(&c), -EPROTO, "a resume point with no label");
	cr_assert_eq(c.n, 2, "the body ran with an unknown resume point (%d log entries)" PTC_HINT,
		     c.n);
}
