/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dense ids (1, 2, ...) for keys of up to four u64s and, optionally, a
 * string: how the profile writers number strings, mappings, functions
 * and locations once each. Open addressing; the map grows as it fills.
 */
#ifndef ANONLEAK_CORE_IDMAP_H
#define ANONLEAK_CORE_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idkey {
	uint64_t k[4];
	const char *s;		/* compared by contents; copied into the map */
};

struct idmap {
	size_t nr, nslots;
	struct idkey *keys;	/* keys[id - 1] */
	uint32_t *slots;	/* 0: empty, else an id */
	size_t cap;
};

void idmap_init(struct idmap *m);
void idmap_release(struct idmap *m);

/*
 * The id of key, made if new (*is_new says which, if not NULL): 1..nr,
 * in the order keys were first seen; 0 if out of memory.
 */
uint32_t idmap_get(struct idmap *m, const struct idkey *key, bool *is_new);

/* The id of key if it is in the map, else 0. */
uint32_t idmap_find(const struct idmap *m, const struct idkey *key);

#endif
