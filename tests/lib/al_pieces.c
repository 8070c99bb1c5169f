// SPDX-License-Identifier: GPL-2.0
/* See al_pieces.h. */
#include <stdlib.h>
#include <unistd.h>

#include "al_pieces.h"

void al_piece_add(struct al_piece *p, int *n, uintptr_t s, uintptr_t e,
		  int site)
{
	p[*n].start = s;
	p[*n].end = e;
	p[*n].site = site;
	(*n)++;
}

void al_piece_del(struct al_piece *p, int *n, int i)
{
	p[i] = p[--(*n)];
}

struct al_piece al_piece_cut(struct al_piece *p, int *n, int i, uintptr_t s,
			     uintptr_t e)
{
	struct al_piece q = p[i];

	al_piece_del(p, n, i);
	if (q.start < s)
		al_piece_add(p, n, q.start, s, q.site);
	if (e < q.end)
		al_piece_add(p, n, e, q.end, q.site);
	return q;
}

void al_piece_part(const struct al_piece *pc, unsigned int *seed,
		   uintptr_t *s, uintptr_t *e)
{
	size_t pg = getpagesize(), pages = (pc->end - pc->start) / pg;

	*s = pc->start + rand_r(seed) % pages * pg;
	*e = *s + (1 + rand_r(seed) % ((pc->end - *s) / pg)) * pg;
}
