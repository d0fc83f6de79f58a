/*
 * hash.c - the CPU half of the workload: a fixed, deterministic amount of hashing.
 *
 * Each round runs FNV-1a over a 64-byte buffer and folds the hash back into the buffer, so a
 * round depends on the one before: the compiler cannot skip or vectorise the work away, and
 * `rounds` is a dial of CPU time (about 100 ns a round on a 2020s core).  Splitmix64 spreads
 * the seed over the buffer first, so requests with near seeds do unrelated work.
 */
#include "capstone.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void cap_hash_init(struct cap_hash_state *s, uint64_t seed)
{
	uint64_t x = seed;
	for (int k = 0; k < 8; k++)
		s->buf[k] = splitmix64(&x);
	s->h = FNV_OFFSET ^ seed;
}

void cap_hash_rounds(struct cap_hash_state *s, uint32_t rounds)
{
	for (uint32_t r = 0; r < rounds; r++) {
		const unsigned char *p = (const unsigned char *)s->buf;
		uint64_t h = s->h;
		for (size_t k = 0; k < sizeof s->buf; k++) {
			h ^= p[k];
			h *= FNV_PRIME;
		}
		s->buf[r & 7] ^= h;
		s->h = h;
	}
}

uint64_t cap_hash_final(const struct cap_hash_state *s)
{
	uint64_t x = s->h ^ s->buf[0] ^ s->buf[7];
	return splitmix64(&x);
}

uint64_t cap_hash(uint64_t seed, uint32_t rounds)
{
	struct cap_hash_state s;
	cap_hash_init(&s, seed);
	cap_hash_rounds(&s, rounds);
	return cap_hash_final(&s);
}

uint64_t cap_hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = FNV_OFFSET;
	for (size_t k = 0; k < n; k++) {
		h ^= b[k];
		h *= FNV_PRIME;
	}
	return h;
}
