// SPDX-License-Identifier: GPL-2.0
/* Snapshots of /proc/slabinfo (version 2.1), and their differences. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slab.h"

int slab_read(struct slab_snap *s)
{
	long page = sysconf(_SC_PAGESIZE);
	char line[512];
	unsigned int cap = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct slab_cache c = { 0 };
		unsigned long long act, num, size, per, pages, aslabs, nslabs;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %llu %llu %llu %llu %llu : tunables %*u %*u %*u : slabdata %llu %llu",
			   c.name, &act, &num, &size, &per, &pages, &aslabs,
			   &nslabs) != 8)
			continue;
		c.active_objs = act;
		c.num_objs = num;
		c.objsize = size;
		c.bytes = nslabs * pages * page;
		if (s->n == cap) {
			struct slab_cache *n;

			cap = cap ? 2 * cap : 256;
			n = realloc(s->c, cap * sizeof(*n));
			if (!n) {
				fclose(f);
				return -1;
			}
			s->c = n;
		}
		s->c[s->n++] = c;
		s->total += c.bytes;
	}
	fclose(f);
	return s->n ? 0 : -1;
}

void slab_free(struct slab_snap *s)
{
	free(s->c);
	memset(s, 0, sizeof(*s));
}

const struct slab_cache *slab_find(const struct slab_snap *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return &s->c[i];
	return NULL;
}

struct slab_d {
	const struct slab_cache *c;
	int64_t objs;
	int64_t bytes;
};

static int slab_d_cmp(const void *a, const void *b)
{
	const struct slab_d *x = a, *y = b;

	return (y->bytes > x->bytes) - (y->bytes < x->bytes);
}

void slab_delta_json(FILE *f, const struct slab_snap *a,
		     const struct slab_snap *b, unsigned int top)
{
	struct slab_d *d = calloc(b->n ? b->n : 1, sizeof(*d));
	unsigned int i, n = 0, shown;

	fprintf(f, "\"slab_delta\":%lld,\"caches\":{",
		(long long)b->total - (long long)a->total);
	if (!d) {
		fputc('}', f);
		return;
	}
	for (i = 0; i < b->n; i++) {
		const struct slab_cache *o = slab_find(a, b->c[i].name);

		d[n].c = &b->c[i];
		d[n].objs = (int64_t)b->c[i].active_objs - (o ? (int64_t)o->active_objs : 0);
		d[n].bytes = (int64_t)b->c[i].bytes - (o ? (int64_t)o->bytes : 0);
		n++;
	}
	qsort(d, n, sizeof(*d), slab_d_cmp);
	for (i = 0, shown = 0; i < n && (!top || shown < top); i++) {
		if (!d[i].objs && !d[i].bytes)
			continue;
		fprintf(f, "%s\"%s\":{\"objs\":%lld,\"bytes\":%lld,\"objsize\":%llu}",
			shown++ ? "," : "", d[i].c->name, (long long)d[i].objs,
			(long long)d[i].bytes, (unsigned long long)d[i].c->objsize);
	}
	fputc('}', f);
	free(d);
}
