// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "proto/util.h"

int array_grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p;

	if (n < *cap)
		return 0;
	if (ncap < n + 1)
		ncap = n + 1;
	p = reallocarray(*arr, ncap, sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}
