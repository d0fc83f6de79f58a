/*
 * pt_goto.h - the same stackless coroutines as pt_line.h, with GNU C's computed goto.
 *
 * GNU C (gcc, clang; not ISO C, not MSVC) has two extensions made for interpreters:
 * `&&label` is the address of a label (a `void *`), and `goto *p;` jumps to such an address.
 * So instead of saving a line number and switching on it, a suspension point saves the
 * address of the label right after itself, and the next resume jumps straight there:
 *
 *	PTG_BEGIN(pt)   if (pt->lc) goto *pt->lc;          (the first resume falls through)
 *	PTG_YIELD(pt)   pt->lc = &&resume_17; return CORO_YIELDED; resume_17: ;
 *
 * Compared with the switch version:
 *   + a suspension may sit inside a switch statement of your own (no case labels are used);
 *   + resuming is one indirect jump instead of a switch (a compare chain or a jump table);
 *   - it is a compiler extension: files using it are compiled with -std=gnu11 (this lab's
 *     Makefile does so for them alone; with -std=c11 -Wpedantic gcc says "taking the
 *     address of a label is non-standard");
 *   - a saved label address is only meaningful to the function that took it: copying the
 *     struct to another coroutine function and resuming that is undefined behaviour.
 * Everything else is the same: LOCALS DO NOT SURVIVE A SUSPENSION (keep them in the struct),
 * at most one suspension point per line (duplicate labels do not compile), and only the
 * coroutine's own function can suspend.  See pt_line.h for the whole story.  Writing these
 * macros is step 4.
 */
#ifndef LAB09_PT_GOTO_H
#define LAB09_PT_GOTO_H

#include <stdint.h>

#include "asl/todo.h" /* LAB_TODO, for the skeleton's stubs of the macros */
#include "coro.h"

/* A coroutine's resume point: NULL before the first resume, a label address while
 * suspended, PTG_LC_DONE once finished.  Keep it in the coroutine's struct. */
struct ptg {
	void *lc;
};

/* Not the address of any label (labels are code addresses; 1 is never one). */
#define PTG_LC_DONE ((void *)(uintptr_t)1)

#define PTG_INIT(pt) ((pt)->lc = NULL)

/* A label's address, laundered through an empty asm statement.  gcc 12's -Wdangling-pointer
 * takes `&&label` stored into a struct that lives in the caller's frame for "the address of
 * a local variable" escaping (a false positive: a label address is a code address, valid as
 * long as the function exists).  The asm hides where the pointer came from; it emits no
 * instruction. */
static inline void *ptg_label_address(void *label)
{
	__asm__("" : "+r"(label));
	return label;
}

/* A label name unique per line: ptg_resume_<line>. */
#define PTG_LABEL_(line) ptg_resume_##line
#define PTG_LABEL(line) PTG_LABEL_(line)

/* Opens the body: a finished coroutine answers -EALREADY; otherwise execution carries on at
 * the saved resume point (the top of the body when there is none yet). */
/* BEGIN STEP 4: Write the computed-goto macros: PTG_BEGIN answers -EALREADY for a
 * finished coroutine (PTG_LC_DONE), jumps to the saved label address with `goto *` when
 * there is one, and otherwise falls through to the top of the body.
 * Checked by: ptgoto::*
 * stub: #define PTG_BEGIN(pt) do { (void)(pt); return LAB_TODO(4); } while (0)
 */
#define PTG_BEGIN(pt)                        \
	do {                                 \
		if ((pt)->lc == PTG_LC_DONE) \
			return -EALREADY;    \
		if ((pt)->lc)                \
			goto *(pt)->lc;      \
	} while (0)
/* END STEP 4 */

/* Suspend (CORO_YIELDED); the next resume carries on after this statement. */
/* BEGIN STEP 4: PTG_YIELD saves the address of a label (PTG_LABEL(__LINE__), through
 * ptg_label_address) placed right after its `return CORO_YIELDED`.
 * Checked by: ptgoto::begin_yield_end, ptgoto::yield_inside_a_switch, ptgoto::sum_stream_*
 * stub: #define PTG_YIELD(pt) do { return LAB_TODO(4); } while (0)
 */
#define PTG_YIELD(pt)                                                \
	do {                                                         \
		(pt)->lc = ptg_label_address(&&PTG_LABEL(__LINE__)); \
		return CORO_YIELDED;                                 \
		PTG_LABEL(__LINE__) :;                               \
	} while (0)
/* END STEP 4 */

/* Suspend (CORO_PENDING) until cond is true; cond is evaluated again on every resume.  A
 * cond that is true the first time does not suspend at all. */
/* BEGIN STEP 4: PTG_AWAIT: the saved label sits before the test of cond, so that every
 * resume tries cond again; return CORO_PENDING while it is false.
 * Checked by: ptgoto::await_*, ptgoto::sum_stream_*
 * stub: #define PTG_AWAIT(pt, cond) do { (void)sizeof(cond); return LAB_TODO(4); } while (0)
 */
#define PTG_AWAIT(pt, cond)                                             \
	do {                                                            \
		(pt)->lc = ptg_label_address(&&PTG_LABEL(__LINE__));    \
		PTG_LABEL(__LINE__) : if (!(cond)) return CORO_PENDING; \
	} while (0)
/* END STEP 4 */

/* Finish early: CORO_READY; every later resume answers -EALREADY. */
/* BEGIN STEP 4: PTG_EXIT marks the coroutine finished (PTG_LC_DONE), returns CORO_READY.
 * Checked by: ptgoto::exit_*, ptgoto::sum_stream_finished_is_an_error
 * stub: #define PTG_EXIT(pt) do { return LAB_TODO(4); } while (0)
 */
#define PTG_EXIT(pt)                    \
	do {                            \
		(pt)->lc = PTG_LC_DONE; \
		return CORO_READY;      \
	} while (0)
/* END STEP 4 */

/* Closes the body: falling off the end finishes the coroutine (CORO_READY); every later
 * resume answers -EALREADY. */
/* BEGIN STEP 4: PTG_END: as PTG_EXIT (no block to close here: PTG_BEGIN opened none).
 * Checked by: ptgoto::begin_yield_end, ptgoto::sum_stream_*
 * stub: #define PTG_END(pt) do { (void)(pt); return LAB_TODO(4); } while (0)
 */
#define PTG_END(pt)                     \
	do {                            \
		(pt)->lc = PTG_LC_DONE; \
		return CORO_READY;      \
	} while (0)
/* END STEP 4 */

#endif
