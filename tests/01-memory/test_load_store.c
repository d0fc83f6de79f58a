/* Step 1: values round-trip through the inline-asm load and store. */
#include "asl_test.h"
#include "memory.h"

#include <stdlib.h>

ASL_SUITE(load_store, 5);

Test(load_store, reads_what_c_wrote)
{
	static const uint64_t words[] = { 0, 1, 0xdeadbeefcafef00dull, UINT64_MAX,
					  0x8000000000000000ull };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		volatile uint64_t cell = words[i];
		uint64_t got = mem_load((const uint64_t *)&cell);
		cr_assert_eq(got, words[i], "mem_load of a word holding %#llx returned %#llx"
			     ASL_HINT(1), (unsigned long long)words[i], (unsigned long long)got);
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
