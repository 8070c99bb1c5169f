// SPDX-License-Identifier: GPL-2.0
/*
 * The anonleak demo: a small "service" whose registration cache maps
 * anonymous memory through a raw syscall(SYS_mmap, ...), bypassing libc's
 * mmap() (as the library in the motivating incident did), and never unmaps
 * it; the rest of the program maps and frees buffers properly.
 *
 *   leaky [ROUNDS]   default 20 rounds; prints nothing but a final line
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

/* The leak: 64 KiB per registration, never returned. */
NOINLINE void *regcache_register(size_t len)
{
	void *p = (void *)syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0xa5, 64);
	return p;
}

/* Well-behaved: a scratch buffer mapped and unmapped each request. */
NOINLINE void handle_request(size_t len)
{
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return;
	memset(buf, 0, 4096);
	munmap(buf, len);
}

/* Long-lived but bounded: one arena, kept for the life of the program. */
NOINLINE void *arena_init(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	void *arena = arena_init(256 * 1024);
	int i;

	for (i = 0; i < rounds; i++) {
		handle_request(128 * 1024);
		regcache_register(64 * 1024);
		handle_request(32 * 1024);
	}
	printf("leaky: %d rounds done, arena at %p\n", rounds, arena);
	return 0;
}
