// SPDX-License-Identifier: GPL-2.0
/*
 * Known resident bytes for `anonleak report --resident`: two call sites,
 * map_a() and map_b(), each map NA (NB) pages of anonymous memory with
 * MADV_NOHUGEPAGE (where the kernel has huge pages) and write to exactly KA (KB) of them, spread over the
 * range (map_touched() is inlined: each site's function is map_a or
 * map_b). Prints each range's start address (0x...), then "ready", then
 * waits for its standard input to end and exits without unmapping.
 *
 *   touched NA KA NB KB
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline __attribute__((always_inline))
void *map_touched(size_t n, size_t k)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* EINVAL: a kernel without transparent huge pages, none to avoid */
	if (madvise(p, n * page, MADV_NOHUGEPAGE) && errno != EINVAL)
		return NULL;
	/* k distinct pages of n: i * n / k is strictly increasing for k <= n */
	for (size_t i = 0; i < k; i++)
		p[i * n / k * page] = 1;
	return p;
}

static __attribute__((noinline)) void *map_a(size_t n, size_t k)
{
	void *p = map_touched(n, k);

	__asm__ volatile("" ::: "memory");
	return p;
}

static __attribute__((noinline)) void *map_b(size_t n, size_t k)
{
	void *p = map_touched(n, k);

	__asm__ volatile("" ::: "memory");
	return p;
}

int main(int argc, char **argv)
{
	char buf[64];
	void *a, *b;

	if (argc != 5 || atol(argv[2]) > atol(argv[1]) || atol(argv[4]) > atol(argv[3])) {
		fprintf(stderr, "usage: touched NA KA NB KB (KA <= NA, KB <= NB)\n");
		return 2;
	}
	a = map_a(atol(argv[1]), atol(argv[2]));
	b = map_b(atol(argv[3]), atol(argv[4]));
	if (!a || !b) {
		perror("touched: mmap");
		return 1;
	}
	printf("%p\n%p\nready\n", a, b);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
