/*
 * hash - FNV-1a, the one hash of names and keys: hash tables (scheduler
 * slots, the DNS cache) and --shard, whose 64-bit value must stay the
 * same on every machine and in every version.
 */
#ifndef CORE_HASH_H
#define CORE_HASH_H

#include <stdint.h>

#define FNV32_BASIS 2166136261u
#define FNV64_BASIS 1469598103934665603ull

/* One byte more into an FNV-1a hash. */
static inline uint32_t fnv32_byte(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

static inline uint64_t fnv64_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * 1099511628211ull;
}

/* The hash of the string s. */
static inline uint32_t fnv32(const char *s)
{
	uint32_t h = FNV32_BASIS;

	for (; *s != '\0'; s++)
		h = fnv32_byte(h, (unsigned char)*s);
	return h;
}

static inline uint64_t fnv64(const char *s)
{
	uint64_t h = FNV64_BASIS;

	for (; *s != '\0'; s++)
		h = fnv64_byte(h, (unsigned char)*s);
	return h;
}

#endif
