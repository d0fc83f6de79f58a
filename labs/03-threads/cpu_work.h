/*
 * cpu_work.h - a CPU-bound kernel for the harnesses: pure arithmetic, no memory traffic.
 *
 * Given (not a step).  Each call mixes a 64-bit state `rounds` times with a multiply-xorshift
 * step (from splitmix64).  It touches no memory, so threads running it compete for nothing but
 * CPU time: the cleanest possible test of parallel speedup.
 */
#ifndef LAB03_CPU_WORK_H
#define LAB03_CPU_WORK_H

#include <stdint.h>

static inline uint64_t cpu_work(uint64_t x, uint64_t rounds)
{
	for (uint64_t r = 0; r < rounds; r++) {
		x += 0x9e3779b97f4a7c15ull;
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
		x ^= x >> 31;
	}
	return x;
}

#endif
