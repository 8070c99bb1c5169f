// SPDX-License-Identifier: GPL-2.0
/* See al_site.h. */
#include "al_site.h"

uintptr_t al_fn_end(const void *fn, void *const *fns, unsigned int n)
{
	uintptr_t lo = (uintptr_t)fn, end = lo + 256;
	unsigned int i;

	for (i = 0; i < n; i++)
		if ((uintptr_t)fns[i] > lo && (uintptr_t)fns[i] < end)
			end = (uintptr_t)fns[i];
	return end;
}

int al_fn_of(uint64_t addr, void *const *fns, unsigned int nsites,
	     unsigned int n)
{
	unsigned int k;

	for (k = 0; k < nsites; k++)
		if (addr > (uintptr_t)fns[k] && addr < al_fn_end(fns[k], fns, n))
			return k;
	return -1;
}
