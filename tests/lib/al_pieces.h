/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An exact model of the ranges a test mapped: pieces of address space,
 * each from one of its sites, cut as the kernel cuts mappings. The caller
 * owns the array @p (room for every piece) and its count @n.
 */
#ifndef AL_PIECES_H
#define AL_PIECES_H

#include <stdint.h>

struct al_piece {
	uintptr_t start, end;
	int site;
};

void al_piece_add(struct al_piece *p, int *n, uintptr_t s, uintptr_t e,
		  int site);

/* Forget piece @i (the last one takes its place). */
void al_piece_del(struct al_piece *p, int *n, int i);

/*
 * Remove [@s, @e), which lies inside piece @i, as munmap() does: what is
 * left of it on either side stays as pieces. Returns piece @i as it was.
 */
struct al_piece al_piece_cut(struct al_piece *p, int *n, int i, uintptr_t s,
			     uintptr_t e);

/*
 * A random part [*@s, *@e) of @pc, whole, head, tail or middle, in pages,
 * drawn with rand_r(@seed).
 */
void al_piece_part(const struct al_piece *pc, unsigned int *seed,
		   uintptr_t *s, uintptr_t *e);

#endif /* AL_PIECES_H */
