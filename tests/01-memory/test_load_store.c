/* Step 1: values round-trip through the inline-asm load and store. */
#include "asl_test.h"
#include "memory.h"

#include <stdlib.h>

/* A second copy of the student's load_store.c, compiled into this file under other names, so
 * that the compiler can inline it here and optimise around it: the only way to see whether the
 * asm tells the compiler that it reads and writes *p (the "memory" clobber, or a memory
 * operand).  Across files (liblab.a) the compiler must assume any call touches memory. */
#define mem_load inlined_mem_load
#define mem_store inlined_mem_store
#include "load_store.c"
#undef mem_load
#undef mem_store

ASL_SUITE(load_store, 5);

Test(load_store, reads_what_c_wrote)
{
	static const uint64_t words[] = { 0, 1, 0xdeadbeefcafef00dull, UINT64_MAX,
					  0x8000000000000000ull };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		volatile uint64_t cell = words[i];
		uint64_t got = mem_load((const uint64_t *)&cell);
		cr_assert_eq(got, words[i],
			     "mem_load of a word holding %#llx returned %#llx" ASL_HINT(1),
			     (unsigned long long)words[i], (unsigned long long)got);
	}
}

Test(load_store, c_reads_what_asm_wrote)
{
	uint64_t cells[4] = { 0 };
	mem_store(&cells[2], 0x0123456789abcdefull);
	cr_assert_eq(cells[2], 0x0123456789abcdefull,
		     "after mem_store(p, 0x0123456789abcdef) the word holds %#llx" ASL_HINT(1),
		     (unsigned long long)cells[2]);
	cr_assert(cells[1] == 0 && cells[3] == 0,
		  "mem_store wrote outside its 8 bytes (neighbours %#llx, %#llx)" ASL_HINT(1),
		  (unsigned long long)cells[1], (unsigned long long)cells[3]);
}

Test(load_store, round_trip_on_heap)
{
	enum { N = 4096 };
	uint64_t *a = malloc(N * sizeof *a);
	cr_assert_not_null(a);
	for (uint64_t i = 0; i < N; i++)
		mem_store(&a[i], i * 0x9e3779b97f4a7c15ull);
	for (uint64_t i = 0; i < N; i++) {
		uint64_t got = mem_load(&a[i]);
		cr_assert_eq(got, i * 0x9e3779b97f4a7c15ull,
			     "word %llu read back as %#llx" ASL_HINT(1), (unsigned long long)i,
			     (unsigned long long)got);
	}
	free(a);
}

/* Inlined, an asm statement without the "memory" clobber is opaque to the optimiser: the
 * compiler may keep the C value of a local in a register across the store (returning the stale
 * value), or drop a C store that "nobody reads" before the load (the asm reads garbage). */
static __attribute__((noinline)) uint64_t store_then_c_read(uint64_t v)
{
	uint64_t cell = 1;
	inlined_mem_store(&cell, v);
	return cell;
}

static __attribute__((noinline)) uint64_t c_write_then_load(uint64_t v)
{
	uint64_t cell = v;
	return inlined_mem_load(&cell);
}

Test(load_store, memory_clobber_orders_c_accesses)
{
	static volatile uint64_t opaque = 0x5eed5eed0badf00dull; /* unknown at compile time */
	uint64_t v = opaque;
	uint64_t got = store_then_c_read(v);
	cr_assert_eq(got, v,
		     "inlined: after cell = 1; mem_store(&cell, %#llx) C read cell as "
		     "%#llx: the compiler did not know the asm writes memory (the \"memory\" "
		     "clobber)" ASL_HINT(1),
		     (unsigned long long)v, (unsigned long long)got);
	got = c_write_then_load(v);
	cr_assert_eq(got, v,
		     "inlined: after cell = %#llx; mem_load(&cell) returned %#llx: the "
		     "compiler did not know the asm reads memory and dropped the C store (the "
		     "\"memory\" clobber)" ASL_HINT(1),
		     (unsigned long long)v, (unsigned long long)got);
}
