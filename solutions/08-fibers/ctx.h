/*
 * ctx.h - the context switch: the one piece of a fiber library that C cannot express.
 *
 * A context is just a saved stack pointer.  Everything else a suspended fiber needs is ON its
 * stack, pushed by ctx_switch just before it gave the CPU away: the registers that a C
 * function must find unchanged after a call (the callee-saved ones of the platform ABI), the
 * floating-point control state, and the address to resume at (the return address of the call
 * to ctx_switch).  Caller-saved registers need no saving: the C compiler already assumes that
 * any call destroys them.
 *
 * The frame ctx_switch leaves on a suspended stack, lowest address first (= where the saved
 * stack pointer points):
 *
 *   x86-64 (System V)                        aarch64 (AAPCS64)
 *   +0  MXCSR (32 bits), x87 control word     +0   x19 x20 ... x28
 *   +8  r15 r14 r13 r12 rbx rbp               +80  x29 (frame pointer), x30 (link register)
 *   +56 return address                         +96  d8 ... d15 (low halves of v8-v15)
 *   +64 (the caller's frame)                   +160 FPCR, padding
 *                                              +176 (the caller's frame)
 *
 * On x86-64 the return address was pushed by the `call` to ctx_switch; on aarch64 it is x30,
 * saved like the others.  ctx_init builds the same frame by hand on a fresh stack, with a
 * "return address" of ctx_start, so that the first switch into a new context looks exactly
 * like a later one.
 */
#ifndef CTX_H
#define CTX_H

#include <stddef.h>
#include <stdint.h>

/* The saved frame (see above), as C sees it. */
struct ctx_frame {
#if defined(__x86_64__)
	uint32_t mxcsr;
	uint16_t x87_cw, pad;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;
#elif defined(__aarch64__)
	uint64_t x19_x28[10];
	uint64_t x29, x30;
	uint64_t d8_d15[8];
	uint64_t fpcr, pad;
#else
#error "lab 08 needs x86-64 or aarch64"
#endif
};

/* ctx_switch: save the caller's context on its own stack, store its stack pointer in
 * *save_sp, load next_sp (a context saved by ctx_switch or made by ctx_init) and resume it.
 * Returns when some other context switches back to *save_sp.  Ends with an indirect jump
 * (x86-64: pop + jmp), which the branch predictor can learn.  ctx_switch_ret is the same
 * switch ending in `ret`, for the harness: a `ret` to another stack's return address is
 * predicted from the return stack buffer, which remembers the wrong caller. */
void ctx_switch(void **save_sp, void *next_sp);
void ctx_switch_ret(void **save_sp, void *next_sp);

/* ctx_start: where a context made by ctx_init begins (ctx_switch "returns" into it).  It calls
 * fn(arg) with a 16-byte-aligned stack as the ABI requires; fn must never return (it switches
 * away for good instead); if it does, ctx_start calls ctx_entry_returned.  Not called from C. */
void ctx_start(void);

/* ctx_entry_returned: a context's function returned into nothing: report it and abort. */
_Noreturn void ctx_entry_returned(void);

/* ctx_todo_switch: what an unfinished skeleton's assembly jumps to (reports step 1, aborts). */
_Noreturn void ctx_todo_switch(void);

/* ctx_init: make a context on the stack [lo, lo + size) that will run fn(arg) when first
 * switched to.  Returns the stack pointer to give to ctx_switch.  lo + size must be 16-byte
 * aligned and size at least a few hundred bytes.  The frame holds the ABI's initial floating-
 * point control state (round to nearest, all exceptions masked), not the caller's. */
void *ctx_init(void *lo, size_t size, void (*fn)(void *), void *arg);

#endif
