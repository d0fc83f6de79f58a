/*
 * ctx.c - step 1: the frame that starts a new context.
 *
 * A new fiber has never called ctx_switch, yet the first switch into it must look like every
 * later one: the switch pops a saved frame and "returns".  So we write that frame by hand at
 * the top of the fresh stack (layout in ctx.h):
 *   - the return address is ctx_start, the assembly trampoline that calls fn(arg);
 *   - two callee-saved registers carry fn and arg to it (x86-64: rbx, r12; aarch64: x19, x20);
 *   - the FP control state is the ABI's initial one (MXCSR 0x1F80, x87 control word 0x037F;
 *     FPCR 0): a new fiber must not inherit whatever rounding mode its creator had set;
 *   - the frame sits so that the stack pointer is 16-byte aligned when ctx_start runs, which
 *     is what the ABI requires just before a call (x86-64 `call` then pushes 8 bytes, so fn
 *     sees rsp = 8 mod 16 at its entry, exactly as after any other call).
 * A few bytes at the very top stay zero: nothing ever returns into them.
 */
#include "ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/todo.h"

void *ctx_init(void *lo, size_t size, void (*fn)(void *), void *arg)
{
	/* TODO step 1: Build the first frame at the top of [lo, lo + size): where the switch
	 * will find fn, arg, the initial FP control state and ctx_start as the return address,
	 * with the stack pointer 16-byte aligned once ctx_start runs.  Return that stack
	 * pointer.  Checked by: ctx::*, sched::*
	 */
	LAB_UNUSED(lo, size, fn, arg); return LAB_TODO_PTR(1);
}

_Noreturn void ctx_entry_returned(void)
{
	static const char msg[] = "ctx: a context's function returned; it must switch away "
				  "for good instead (there is no caller to return to)\n";
	fwrite(msg, 1, sizeof msg - 1, stderr);
	abort();
}

_Noreturn void ctx_todo_switch(void)
{
	LAB_TODO_ABORT(1);
}
