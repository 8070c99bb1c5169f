/* SPDX-License-Identifier: GPL-2.0 */
/* Snapshots of /proc/slabinfo, to account kernel memory in the guest. */
#ifndef BENCH_SLAB_H
#define BENCH_SLAB_H

#include <stdint.h>
#include <stdio.h>

struct slab_cache {
	char name[64];
	uint64_t active_objs;
	uint64_t num_objs;
	uint64_t objsize;
	uint64_t bytes;		/* num_slabs * pagesperslab * page size */
};

struct slab_snap {
	struct slab_cache *c;
	unsigned int n;
	uint64_t total;		/* bytes of all slabs */
};

int slab_read(struct slab_snap *s);
void slab_free(struct slab_snap *s);
const struct slab_cache *slab_find(const struct slab_snap *s, const char *name);
/*
 * Print, as a JSON object fragment (no braces), the total slab growth from
 * @a to @b and every cache that changed, most grown first (at most @top
 * of them, 0: all): "slab_delta":N,
 * "caches":{"name":{"objs":N,"bytes":N,"objsize":N},...}
 */
void slab_delta_json(FILE *f, const struct slab_snap *a,
		     const struct slab_snap *b, unsigned int top);

#endif
