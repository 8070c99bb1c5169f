// SPDX-License-Identifier: GPL-2.0
/* See al_vmas.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_util.h"
#include "al_vmas.h"

/* One line of a maps file: [*s, *e) if it is anonymous memory per @flags. */
static bool al_vma_parse(const char *line, unsigned int flags, uint64_t *s,
			 uint64_t *e)
{
	unsigned long a, b, off, ino;
	char perms[8], dev[16], name[256] = "";

	if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %255s", &a, &b, perms, &off,
		   dev, &ino, name) < 6)
		return false;
	if (ino || (name[0] && !((flags & AL_VMA_HEAP) && !strcmp(name, "[heap]"))))
		return false;
	*s = a;
	*e = b;
	return true;
}

static int al_vmas_add(struct al_vmas *vs, uint64_t s, uint64_t e,
		       unsigned int flags)
{
	struct al_vma *v;

	if ((flags & AL_VMA_MERGE) && vs->n && vs->v[vs->n - 1].end == s) {
		vs->v[vs->n - 1].end = e;
		return 0;
	}
	v = al_append(&vs->v, &vs->n, &vs->cap, sizeof(*v), 256);
	if (!v)
		return -ENOMEM;
	v->start = s;
	v->end = e;
	return 0;
}

int al_anon_vmas(pid_t pid, unsigned int flags, struct al_vmas *vs)
{
	char path[64], line[512];
	uint64_t s, e;
	int err = 0;
	FILE *f;

	memset(vs, 0, sizeof(*vs));
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f))
		if (al_vma_parse(line, flags, &s, &e))
			err = al_vmas_add(vs, s, e, flags);
	fclose(f);
	return err;
}

bool al_vmas_cover(const struct al_vmas *vs, uint64_t s, uint64_t e)
{
	unsigned int i;

	for (i = 0; i < vs->n; i++)
		if (vs->v[i].start <= s && e <= vs->v[i].end)
			return true;
	return false;
}
