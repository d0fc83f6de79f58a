/*
 * stack.c - step 2: fiber stacks with a guard page, and a pool that reuses them.
 *
 * A fiber's stack is a private anonymous mapping: [guard page | usable pages].  The guard page
 * is PROT_NONE, so the first push past the bottom of the usable part faults instead of
 * silently overwriting whatever lies below (another fiber's stack, the heap).  The mapping
 * costs address space at once, but RAM only for the pages a fiber actually touches: a fiber
 * that uses 2 KiB of a 64 KiB stack holds one resident page.
 *
 * Two limits shape this file:
 *   - mmap + munmap cost a few microseconds each (system calls, page-table work, TLB
 *     shootdowns on munmap), far more than a fiber switch: finished fibers' stacks go back to
 *     a pool and the next fiber takes one from there;
 *   - every guarded stack is two kernel mappings (VMAs), and a process may have only
 *     vm.max_map_count of them (65,530 by default): about 32,000 live guarded stacks.  That is
 *     why a fiber gets its stack when it first runs, not when it is spawned.
 *
 * valgrind tracks the stack pointer and would take a jump to another stack for a huge frame;
 * VALGRIND_STACK_REGISTER tells it "this range is a stack" (a no-op when not under valgrind).
 */
#include "fiber_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

/* AddressSanitizer keeps a shadow of every stack frame's red zones.  A finished fiber never
 * returned from its last frames, so their red zones stay poisoned in the shadow of its stack:
 * before the stack serves another fiber (or the memory another mapping), they are cleared. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define stack_unpoison(st) \
	ASAN_UNPOISON_MEMORY_REGION((st)->lo, (size_t)((char *)(st)->hi - (char *)(st)->lo))
#else
#define stack_unpoison(st) ((void)(st))
#endif

#include "asl/todo.h"

void stack_pool_init(struct stack_pool *p, size_t usable)
{
	long page = sysconf(_SC_PAGESIZE);
	p->page = page > 0 ? (size_t)page : 4096;
	if (usable < p->page)
		usable = p->page;
	p->usable = (usable + p->page - 1) / p->page * p->page;
	p->free = NULL;
	p->nfree = 0;
	p->max_free = 1024;
}

int stack_pool_get(struct stack_pool *p, struct stack *st)
{
	/* TODO step 2: Give *st a stack of p->usable bytes: a free one from the pool if there
	 * is one, else a new anonymous mapping of one guard page (PROT_NONE) below the usable
	 * pages, registered with valgrind.  Fill every field of *st; 0 or -ENOMEM.
	 * Checked by: stack::*, join::spawn_join_many_reuses_stacks
	 */
	LAB_UNUSED(p, st); return LAB_TODO(2);
}

void stack_pool_put(struct stack_pool *p, struct stack *st)
{
	/* TODO step 2: Keep the stack for reuse (up to p->max_free of them), else unmap it.
	 * *st no longer owns a stack afterwards (st->map = NULL).
	 * Checked by: stack::*, join::spawn_join_many_reuses_stacks
	 */
	LAB_UNUSED(p, st);
}

void stack_unmap(struct stack *st)
{
	if (!st->map)
		return;
	VALGRIND_STACK_DEREGISTER(st->vg_id);
	stack_unpoison(st);
	munmap(st->map, st->map_len);
	st->map = NULL;
}

void stack_pool_drain(struct stack_pool *p)
{
	while (p->free) {
		struct stack *s = p->free;
		p->free = s->next_free;
		stack_unmap(s);
		free(s);
	}
	p->nfree = 0;
}
