/* Step 2: stacks with a guard page, from a pool (stack.c). */
#include "fiber_test.h"

#include <inttypes.h>

ASL_SUITE(stack, 20);

/* The permissions ("rw-p", "---p") of the mapping that contains addr, from /proc/self/maps. */
static void perms_at(const void *addr, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	strcpy(out, "none");
	while (f && fgets(line, sizeof line, f)) {
		uintptr_t lo, hi;
		char p[5];
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, p) == 3 &&
		    (uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
			memcpy(out, p, 5);
			break;
		}
	}
	if (f)
		fclose(f);
}

static struct stack get_ok(struct stack_pool *p)
{
	struct stack st = { 0 };
	int rc = stack_pool_get(p, &st);
	cr_assert(rc == 0 && st.map, "stack_pool_get: expected 0 and a mapping, got %s" ASL_HINT(2),
		  asl_test_rc(rc));
	return st;
}

Test(stack, guard_page_below_usable_pages)
{
	struct stack_pool p;
	stack_pool_init(&p, 16 << 10);
	struct stack st = get_ok(&p);
	size_t usable = (size_t)((char *)st.hi - (char *)st.lo);
	cr_assert_eq(usable, (size_t)16 << 10,
		     "usable part [lo, hi): expected 16384 bytes, got "
		     "%zu" ASL_HINT(2),
		     usable);
	cr_assert(st.lo == (char *)st.map + p.page && st.map_len == p.page + usable,
		  "layout: expected one guard page at the start of the mapping, then the usable "
		  "part (map %p, lo %p, map_len %zu, page %zu)" ASL_HINT(2),
		  st.map, st.lo, st.map_len, p.page);
	char g[5], u[5], top[5];
	perms_at(st.map, g);
	perms_at(st.lo, u);
	perms_at((char *)st.hi - 1, top);
	cr_assert(strncmp(g, "---", 3) == 0,
		  "the guard page (%p) must be inaccessible "
		  "(PROT_NONE, '---p' in /proc/self/maps); it is '%s'" ASL_HINT(2),
		  st.map, g);
	cr_assert(strncmp(u, "rw", 2) == 0 && strncmp(top, "rw", 2) == 0,
		  "the usable pages must "
		  "be readable and writable; /proc/self/maps "
		  "says '%s' at lo and '%s' at hi - 1" ASL_HINT(2),
		  u, top);
	memset(st.lo, 0x5a, usable); /* every usable byte can be written */
	stack_unmap(&st);
	stack_pool_drain(&p);
}

Test(stack, size_rounded_up_to_whole_pages)
{
	struct stack_pool p;
	stack_pool_init(&p, 5000);
	struct stack st = get_ok(&p);
	size_t usable = (size_t)((char *)st.hi - (char *)st.lo);
	cr_assert(usable >= 5000 && usable % p.page == 0 && usable < 5000 + p.page,
		  "asked for 5000 bytes: expected whole pages, %zu, got %zu" ASL_HINT(2),
		  (5000 + p.page - 1) / p.page * p.page, usable);
	cr_assert_eq((uintptr_t)st.hi % 16, 0, "hi must be 16-byte aligned" ASL_HINT(2));
	stack_unmap(&st);
}

Test(stack, pool_reuses_and_bounds_free_stacks)
{
	struct stack_pool p;
	stack_pool_init(&p, 8 << 10);
	int maps = ft_maps();
	struct stack a = get_ok(&p);
	void *a_map = a.map;
	stack_pool_put(&p, &a);
	cr_assert_null(a.map, "after stack_pool_put the struct must no longer own the stack "
			      "(map = NULL)" ASL_HINT(2));
	struct stack b = get_ok(&p);
	cr_assert_eq(b.map, a_map,
		     "a stack given back must be reused by the next get (got a "
		     "new mapping %p instead of %p)" ASL_HINT(2),
		     b.map, a_map);
	p.max_free = 1;
	struct stack c = get_ok(&p);
	void *c_map = c.map;
	stack_pool_put(&p, &b);
	stack_pool_put(&p, &c); /* over max_free: unmapped */
	char perm[5];
	perms_at((char *)c_map + p.page, perm);
	cr_assert(strcmp(perm, "none") == 0 || c_map == a_map,
		  "with max_free = 1 the second "
		  "stack given back must be unmapped; "
		  "its address is still mapped ('%s')" ASL_HINT(2),
		  perm);
	stack_pool_drain(&p);
	int after = ft_maps();
	cr_assert(
	    after <= maps,
	    "after stack_pool_drain: %d guard pages mapped, %d before: stacks leaked" ASL_HINT(2),
	    after, maps);
}
