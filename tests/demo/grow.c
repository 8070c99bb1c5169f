// SPDX-License-Identifier: GPL-2.0
/*
 * A steady leak for `anonleak watch`: CHUNK bytes of anonymous memory every
 * PERIOD ms, on an absolute schedule so the average rate is exact, for
 * SECONDS seconds; then it sleeps until killed.
 *
 *   grow [CHUNK_KIB [PERIOD_MS [SECONDS]]]    default 64 100 60
 * Prints the rate it leaks at, in bytes per minute, then "ready".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static __attribute__((noinline)) void *grow_cache(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	__asm__ volatile("" ::: "memory");
	return p;
}

int main(int argc, char **argv)
{
	size_t chunk = (argc > 1 ? atol(argv[1]) : 64) * 1024;
	long period = argc > 2 ? atol(argv[2]) : 100;
	long seconds = argc > 3 ? atol(argv[3]) : 60;
	struct timespec next;
	long i, n = seconds * 1000 / period;

	printf("%.0f\nready\n", (double)chunk * 60000.0 / period);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 0; i < n; i++) {
		if (grow_cache(chunk) == MAP_FAILED)
			return 1;
		next.tv_nsec += period * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	pause();
	return 0;
}
