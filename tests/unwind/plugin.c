// SPDX-License-Identifier: GPL-2.0
/* dlopen'ed by paths.c: its own frames, found through its own table. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void *plugin_inner(size_t n)
{
	void *p = malloc(n);

	if (p)
		memset(p, 2, 64);
	return p;
}

__attribute__((noinline)) void *plugin_alloc(size_t n)
{
	void *p = plugin_inner(n);

	__asm__ volatile("" ::: "memory");
	return p;
}
