/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of every layer. They live here, in proto/, because that is the
 * lowest layer that needs them (the parsers grow arrays), so every layer
 * can include them: array sizes and growth, time units, ages.
 */
#ifndef ANONLEAK_PROTO_UTIL_H
#define ANONLEAK_PROTO_UTIL_H

#include <stddef.h>
#include <stdint.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* a - b, or 0 if b is later: ages never go negative on clock skew. */
static inline uint64_t age_ns(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

/* Grow *arr (*cap elements of size sz) so that it holds at least n + 1. */
int array_grow(void **arr, size_t *cap, size_t n, size_t sz);

#endif
