// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "proto/util.h"

void idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof(*m));
}

void idmap_release(struct idmap *m)
{
	for (size_t i = 0; i < m->nr; i++)
		free((char *)m->keys[i].s);
	free(m->keys);
	free(m->slots);
	idmap_init(m);
}

static uint64_t hash_key(const struct idkey *k)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (int i = 0; i < 4; i++)
		h = (h ^ k->k[i]) * 1099511628211ULL;
	for (const char *p = k->s; p && *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static bool key_eq(const struct idkey *a, const struct idkey *b)
{
	if (memcmp(a->k, b->k, sizeof(a->k)))
		return false;
	if (!a->s || !b->s)
		return a->s == b->s;
	return !strcmp(a->s, b->s);
}

/* The slot holding key, or the empty one where it would go. */
static uint32_t *find_slot(const struct idmap *m, const struct idkey *key)
{
	size_t i = hash_key(key) & (m->nslots - 1);

	while (m->slots[i] && !key_eq(&m->keys[m->slots[i] - 1], key))
		i = (i + 1) & (m->nslots - 1);
	return &m->slots[i];
}

static int rehash(struct idmap *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 64;
	uint32_t *old = m->slots;

	m->slots = calloc(n, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->nslots = n;
	for (size_t i = 0; i < m->nr; i++)
		*find_slot(m, &m->keys[i]) = i + 1;
	free(old);
	return 0;
}

uint32_t idmap_get(struct idmap *m, const struct idkey *key, bool *is_new)
{
	uint32_t *slot;
	struct idkey *k;

	if (is_new)
		*is_new = false;
	if ((m->nr + 1) * 2 > m->nslots && rehash(m))
		return 0;
	slot = find_slot(m, key);
	if (*slot)
		return *slot;
	if (m->nr >= UINT32_MAX - 1 ||
	    array_grow((void **)&m->keys, &m->cap, m->nr, sizeof(*m->keys)) < 0)
		return 0;
	k = &m->keys[m->nr];
	*k = *key;
	if (key->s) {
		k->s = strdup(key->s);
		if (!k->s)
			return 0;
	}
	*slot = ++m->nr;
	if (is_new)
		*is_new = true;
	return *slot;
}

uint32_t idmap_find(const struct idmap *m, const struct idkey *key)
{
	return m->nslots ? *find_slot(m, key) : 0;
}
