/*
 * pt_line.h - stackless coroutines from a switch statement and __LINE__ (protothreads-style).
 *
 * A coroutine written with these macros looks like straight-line code that can stop in the
 * middle and later carry on:
 *
 *	int blink(struct blinker *b)          // b holds a `struct ptl pt` and the coroutine's state
 *	{
 *		PTL_BEGIN(&b->pt);
 *		for (b->i = 0; b->i < 3; b->i++) {
 *			led_on();
 *			PTL_AWAIT(&b->pt, timer_expired(b));   // CORO_PENDING until it has
 *			led_off();
 *			PTL_YIELD(&b->pt);                     // CORO_YIELDED: let others run
 *		}
 *		PTL_END(&b->pt);                               // CORO_READY, then -EALREADY
 *	}
 *
 * THE TRICK.  The whole body sits inside one `switch (pt->lc)`.  Every suspension point
 * stores its own line number in pt->lc, returns, and leaves a `case <that line>:` label
 * right behind the return.  The next call switches on pt->lc and lands on that label: the
 * body carries on exactly after the statement that suspended, even in the middle of a loop
 * (C lets a case label sit anywhere inside the switch's body, which is also how Duff's
 * device works).  The resume point is one int; that is the whole saved "context".
 *
 * THE PRICE: LOCALS DO NOT SURVIVE A SUSPENSION.  The function really returns; its stack
 * frame is gone and the next call builds a fresh one.  A local variable assigned before a
 * PTL_YIELD/PTL_AWAIT holds garbage after it.  Everything that must live across a
 * suspension goes into the coroutine's struct (that is what a compiler does for async/await:
 * it moves exactly those locals into the coroutine's frame object).  A local that is set and
 * used between two suspension points is fine.  gcc -O2 -Wall usually catches the mistake
 * ("'x' may be used uninitialized", an error under -Werror): treat that warning as a bug
 * report, never silence it.  `make demo` shows what happens when it is silenced.
 *
 * OTHER LIMITS, all from the switch:
 *   - no PTL_YIELD/PTL_AWAIT inside a switch statement of your own: its `case` label would
 *     belong to the inner switch, the outer one would find no label for the saved line, and
 *     the resume would land on `default:`, which returns -EPROTO here (a clear failure
 *     instead of silently restarting or skipping code; demo_switch_in_switch shows it);
 *   - at most one suspension point per source line (two would be a duplicate case label:
 *     a compile error, so this one cannot go unnoticed);
 *   - only the coroutine's own function can suspend: a function it calls cannot (see
 *     workbook chapter 09, "Why a stackless coroutine cannot suspend in a nested call").
 *
 * pt_goto.h does the same with GNU C's computed goto, which lifts the switch limits.
 * Portable ISO C11.  These are macros, not a library: nothing to link.  Writing them is step 3
 * (the workbook's chapter 09 shows the expansion of a small coroutine).
 */
#ifndef LAB09_PT_LINE_H
#define LAB09_PT_LINE_H

#include "asl/todo.h" /* LAB_TODO, for the skeleton's stubs of the macros */
#include "coro.h"

/* A coroutine's resume point: 0 before the first resume, a line number while suspended,
 * PTL_LC_DONE once finished.  Keep it in the coroutine's struct. */
struct ptl {
	int lc;
};

#define PTL_LC_DONE (-1)

/* Before the first resume (and to run a finished coroutine again from the start). */
#define PTL_INIT(pt) ((pt)->lc = 0)

/* Opens the body.  A finished coroutine answers -EALREADY; a resume point that no case
 * label matches (a suspension inside a nested switch, or a corrupted struct) -EPROTO;
 * otherwise execution carries on at the saved resume point (the top of the body when it is
 * 0).  Opens a block that PTL_END closes. */
/* BEGIN STEP 3: Write the switch-on-line macros.  PTL_BEGIN opens a switch on the saved
 * resume point with a label for each special value (0: the start of the body;
 * PTL_LC_DONE: -EALREADY; any value without a label: -EPROTO); the suspensions below
 * add a label each, and PTL_END closes the switch.
 * Checked by: ptline::*
 * stub: #define PTL_BEGIN(pt) { (void)(pt); return LAB_TODO(3);
 */
#define PTL_BEGIN(pt)                       \
	switch ((pt)->lc) {                 \
	default: return -EPROTO;            \
	case PTL_LC_DONE: return -EALREADY; \
	case 0:
/* END STEP 3 */

/* Suspend (CORO_YIELDED); the next resume carries on after this statement. */
/* BEGIN STEP 3: PTL_YIELD saves __LINE__ as the resume point, returns CORO_YIELDED, and
 * leaves `case __LINE__:` right behind the return: that is where the next resume lands.
 * Wrap it in do { } while (0) so that it is one statement after an `if`.
 * Checked by: ptline::begin_yield_end, ptline::sum_stream_*
 * stub: #define PTL_YIELD(pt) do { return LAB_TODO(3); } while (0)
 */
#define PTL_YIELD(pt)                \
	do {                         \
		(pt)->lc = __LINE__; \
		return CORO_YIELDED; \
	case __LINE__:;              \
	} while (0)
/* END STEP 3 */

/* Suspend (CORO_PENDING) until cond is true; cond is evaluated again on every resume, so
 * it may have side effects that must happen on each try (polling an operation).  A cond
 * that is true the first time does not suspend at all. */
/* BEGIN STEP 3: PTL_AWAIT: the resume point is the test of cond itself (save __LINE__,
 * put `case __LINE__:` before the test), so that every resume tries cond again; return
 * CORO_PENDING while it is false.  (`if (0) { case __LINE__:; }` places a label without
 * running anything on the way in.)
 * Checked by: ptline::await_*, ptline::sum_stream_*
 * stub: #define PTL_AWAIT(pt, cond) do { (void)sizeof(cond); return LAB_TODO(3); } while (0)
 */
#define PTL_AWAIT(pt, cond)                  \
	do {                                 \
		(pt)->lc = __LINE__;         \
		if (0) {                     \
		case __LINE__:;              \
		}                            \
		if (!(cond))                 \
			return CORO_PENDING; \
	} while (0)
/* END STEP 3 */

/* Finish early (an early `return` of the async function): CORO_READY; every later resume
 * answers -EALREADY. */
/* BEGIN STEP 3: PTL_EXIT marks the coroutine finished (PTL_LC_DONE) and returns CORO_READY.
 * Checked by: ptline::exit_*, ptline::sum_stream_finished_is_an_error
 * stub: #define PTL_EXIT(pt) do { return LAB_TODO(3); } while (0)
 */
#define PTL_EXIT(pt)                    \
	do {                            \
		(pt)->lc = PTL_LC_DONE; \
		return CORO_READY;      \
	} while (0)
/* END STEP 3 */

/* Closes the body (and PTL_BEGIN's block): falling off the end finishes the coroutine
 * (CORO_READY); every later resume answers -EALREADY. */
/* BEGIN STEP 3: PTL_END closes the switch, marks the coroutine finished and returns
 * CORO_READY.
 * Checked by: ptline::begin_yield_end, ptline::sum_stream_*
 * stub: #define PTL_END(pt) } (void)(pt); return LAB_TODO(3)
 */
#define PTL_END(pt)             \
	}                       \
	(pt)->lc = PTL_LC_DONE; \
	return CORO_READY
/* END STEP 3 */

#endif
