/* Step 3: the same async function with the switch-on-line and the computed-goto macros. */
#include "stackless_test.h"

ASL_SUITE(ptmacros, 60);

static void ptl_init_v(void *c, struct sim_io *io) { sum_stream_ptl_init(c, io); }
static int ptl_step_v(void *c) { return sum_stream_ptl_step(c); }
static int ptl_result(const void *c, int32_t *v)
{
	const struct sum_stream_ptl *s = c;
	*v = s->total;
	return s->result;
}

static void ptg_init_v(void *c, struct sim_io *io) { sum_stream_ptg_init(c, io); }
static int ptg_step_v(void *c) { return sum_stream_ptg_step(c); }
static int ptg_result(const void *c, int32_t *v)
{
	const struct sum_stream_ptg *s = c;
	*v = s->total;
	return s->result;
}

static const struct st_kind ptl_kind = { "sum_stream_ptl_step", 3, ptl_init_v, ptl_step_v,
					 ptl_result, sum_stream_ref, true };
static const struct st_kind ptg_kind = { "sum_stream_ptg_step", 3, ptg_init_v, ptg_step_v,
					 ptg_result, sum_stream_ref, true };

Test(ptmacros, line_all_ready_and_all_pending)
{
	static const int32_t in[] = { 5, 3, -1, 4, 1, 5 };
	_Alignas(16) unsigned char c[512];
	st_check_against_ref(&ptl_kind, c, in, 6, 1, 0, 1);
	const struct sum_stream_ptl *s = (const void *)c;
	cr_assert(s->result == 0 && s->total == 12, "expected result 0 and total 12, got %d and "
		  "%d" ASL_HINT(3), s->result, (int)s->total);
	for (unsigned max = 1; max <= 4; max++)
		st_check_against_ref(&ptl_kind, c, in, 6, max, 100, max);
}

Test(ptmacros, line_random_schedules)
{
	st_check_many(&ptl_kind, 0x0903, 3000, st_input_sum_stream);
}

Test(ptmacros, goto_all_ready_and_all_pending)
{
	static const int32_t in[] = { 5, 3, -1, 4, 1, 5 };
	_Alignas(16) unsigned char c[512];
	st_check_against_ref(&ptg_kind, c, in, 6, 1, 0, 1);
	const struct sum_stream_ptg *s = (const void *)c;
	cr_assert(s->result == 0 && s->total == 12, "expected result 0 and total 12, got %d and "
		  "%d" ASL_HINT(3), s->result, (int)s->total);
	for (unsigned max = 1; max <= 4; max++)
		st_check_against_ref(&ptg_kind, c, in, 6, max, 100, max);
}

Test(ptmacros, goto_random_schedules)
{
	st_check_many(&ptg_kind, 0x0904, 3000, st_input_sum_stream);
}

/* Early return, the error paths, and a resume after each kind of ending. */
Test(ptmacros, finished_is_an_error_both_ways)
{
	static const int32_t inputs[][4] = {
	    {2, 4, 0, 0}, {2000, 0, 0, 0}, {2, SIM_EIO, 0, 0}, {1, 9, 0, 0}};
	static const int want[] = { 1, -EINVAL, -EIO, 0 };
	for (int k = 0; k < 2; k++) {
		const struct st_kind *kind = k ? &ptg_kind : &ptl_kind;
		for (int i = 0; i < 4; i++) {
			_Alignas(16) unsigned char c[512];
			int32_t v;
			st_check_against_ref(kind, c, inputs[i], 4, 7, 100, 2);
			int res = kind->result(c, &v);
			cr_assert_eq(res, want[i], "%s on input %d: expected result %d, got %d"
				     ASL_HINT(3), kind->name, i, want[i], res);
		}
	}
}
