// SPDX-License-Identifier: GPL-2.0
/*
 * How fast this machine runs what the selftests do: the wall-clock cost of
 * one 4 KiB anonymous mmap + munmap pair, the bulk of every selftest's work.
 * tests/run-guest.sh runs it before the programs and scales their time
 * limits by the ratio to a reference machine, so that a slow machine gives
 * a slow pass, not a timeout.
 *
 *   speed [PAIRS]     prints "ns_per_pair N" (median of 5 rounds)
 *   speed --cpu       prints "ns_per_loop N": a fixed integer loop, for the
 *                     host (which cannot load the module) to scale the
 *                     guests' overall time limits
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* xorshift steps: no memory traffic, no syscalls, nothing to optimise out. */
static int cpu_loop(void)
{
	long long round[5];
	int r;

	for (r = 0; r < 5; r++) {
		long long t0 = now_ns();
		volatile unsigned long sink;
		unsigned long x = 88172645463325252UL;
		long i;

		for (i = 0; i < 20000000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		sink = x;
		(void)sink;
		round[r] = now_ns() - t0;
	}
	qsort(round, 5, sizeof(round[0]), cmp);
	printf("ns_per_loop %lld\n", round[2]);
	return 0;
}

int main(int argc, char **argv)
{
	long pairs = argc > 1 ? strtol(argv[1], NULL, 10) : 500;
	long long round[5];
	int r;

	if (argc > 1 && !strcmp(argv[1], "--cpu"))
		return cpu_loop();
	if (pairs < 1 || pairs > 10000000) {
		fprintf(stderr, "speed: PAIRS must be 1..10000000\n");
		return 2;
	}
	for (r = 0; r < 5; r++) {
		long long t0 = now_ns();
		long i;

		for (i = 0; i < pairs; i++) {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED || munmap(p, 4096)) {
				perror("speed: mmap/munmap");
				return 1;
			}
		}
		round[r] = (now_ns() - t0) / pairs;
	}
	qsort(round, 5, sizeof(round[0]), cmp);
	printf("ns_per_pair %lld\n", round[2]);
	return 0;
}
