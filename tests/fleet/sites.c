// SPDX-License-Identifier: GPL-2.0
/*
 * The real process of tests/anonleak_fleet.py: anonymous mappings from a few
 * distinct call sites, some unmapped again, driven by commands on stdin. After
 * each command it prints one JSON line: what every site of it holds live now
 * (function -> [mappings, bytes]), as it did them, for the test to compare the
 * report against. Built as build/fleet/fleet-sites (the comm the test knows).
 *
 *   alloc     the base plan (see plan[] below)
 *   grow      more of one site, and a site of its own
 *   many N    N mappings of one page, each from a distinct stack (a path
 *             of 5 frames of 10 kinds: at most 10^5), never unmapped
 *   exit      exit(0) (the module keeps what was outstanding)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, used))
#define BARRIER() __asm__ __volatile__("" ::: "memory")

static size_t page;

static NOINLINE void *map_pages(size_t pages)
{
	void *p = (void *)syscall(SYS_mmap, NULL, pages * page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("fleet-sites: mmap");
		exit(1);
	}
	*(volatile char *)p = 1;
	return p;
}

/* What a site holds live, as this program did it. */
struct site {
	const char *fn;
	unsigned long count, bytes;
};

enum { CACHE, SESSION, SCRATCH, INDEX, GROWTH, NR_SITES };
static struct site sites[NR_SITES] = {
	{ .fn = "fleet_cache_fill" }, { .fn = "fleet_session_open" }, { .fn = "fleet_scratch_buffer" },
	{ .fn = "fleet_index_grow" }, { .fn = "fleet_growth_only" },
};

/*
 * Every site function maps through its own syscall(SYS_mmap) call (one
 * return address each) and is called from one place only (run_step, itself
 * called from one place in main).
 */
#define SITE_FN(name, idx)						\
NOINLINE void *name(size_t pages)					\
{									\
	void *p = (void *)syscall(SYS_mmap, NULL, pages * page,		\
				  PROT_READ | PROT_WRITE,		\
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);	\
	if (p == MAP_FAILED) {						\
		perror("fleet-sites: mmap");				\
		exit(1);						\
	}								\
	*(volatile char *)p = 1;					\
	sites[idx].count++;						\
	sites[idx].bytes += pages * page;				\
	BARRIER();							\
	return p;							\
}

SITE_FN(fleet_cache_fill, CACHE)
SITE_FN(fleet_session_open, SESSION)
SITE_FN(fleet_scratch_buffer, SCRATCH)
SITE_FN(fleet_index_grow, INDEX)
SITE_FN(fleet_growth_only, GROWTH)

static void unmap(int idx, void *p, size_t pages)
{
	if (munmap(p, pages * page)) {
		perror("fleet-sites: munmap");
		exit(1);
	}
	sites[idx].count--;
	sites[idx].bytes -= pages * page;
}

/* n mappings of pages pages from site idx; the first keep of them kept. */
static NOINLINE void run_step(int idx, int n, size_t pages, int keep)
{
	for (int i = 0; i < n; i++) {
		void *p;

		switch (idx) {
		case CACHE: p = fleet_cache_fill(pages); break;
		case SESSION: p = fleet_session_open(pages); break;
		case SCRATCH: p = fleet_scratch_buffer(pages); break;
		case INDEX: p = fleet_index_grow(pages); break;
		default: p = fleet_growth_only(pages); break;
		}
		if (i >= keep)
			unmap(idx, p, pages);
	}
	BARRIER();
}

/* 10^5 distinct stacks: a path of five frames of ten kinds each. */
static NOINLINE void *dec(int n, unsigned int code);

#define DEC_FN(k)							\
static NOINLINE void *dec_##k(int n, unsigned int code)			\
{									\
	void *p = dec(n, code);						\
	BARRIER();							\
	return p;							\
}
DEC_FN(0) DEC_FN(1) DEC_FN(2) DEC_FN(3) DEC_FN(4)
DEC_FN(5) DEC_FN(6) DEC_FN(7) DEC_FN(8) DEC_FN(9)

static NOINLINE void *dec(int n, unsigned int code)
{
	static void *(*const next[10])(int, unsigned int) = {
		dec_0, dec_1, dec_2, dec_3, dec_4, dec_5, dec_6, dec_7, dec_8, dec_9,
	};
	void *p = n ? next[code % 10](n - 1, code / 10) : map_pages(1);

	BARRIER();
	return p;
}

static void report(unsigned long many)
{
	printf("{\"pid\":%d,\"page\":%zu,\"many\":%lu,\"sites\":{", getpid(), page, many);
	for (int i = 0; i < NR_SITES; i++)
		printf("%s\"%s\":[%lu,%lu]", i ? "," : "", sites[i].fn, sites[i].count,
		       sites[i].bytes);
	printf("}}\n");
	fflush(stdout);
}

struct step {
	int idx, n;
	size_t pages;
	int keep;
};

static const struct step alloc_plan[] = {
	{ CACHE, 6, 16, 6 },		/* all kept */
	{ SESSION, 4, 9, 4 },
	{ SCRATCH, 5, 3, 0 },		/* all unmapped */
	{ INDEX, 3, 33, 2 },		/* one unmapped */
	{ .idx = -1 },
};

/* More of the cache site (the same stack), and a site of its own. */
static const struct step grow_plan[] = {
	{ CACHE, 5, 16, 5 },
	{ GROWTH, 2, 7, 2 },
	{ .idx = -1 },
};

int main(void)
{
	unsigned long many = 0;
	char line[64];

	page = (size_t)sysconf(_SC_PAGESIZE);
	while (fgets(line, sizeof(line), stdin)) {
		const struct step *plan = NULL;

		if (!strcmp(line, "alloc\n")) {
			plan = alloc_plan;
		} else if (!strcmp(line, "grow\n")) {
			plan = grow_plan;
		} else if (!strncmp(line, "many ", 5)) {
			unsigned long n = strtoul(line + 5, NULL, 10);

			if (n > 100000) {
				fprintf(stderr, "fleet-sites: many: at most 100000\n");
				return 2;
			}
			for (unsigned long i = 0; i < n; i++)
				dec(5, i);
			many += n;
		} else if (!strcmp(line, "exit\n")) {
			report(many);
			return 0;
		} else {
			fprintf(stderr, "fleet-sites: unknown command: %s", line);
			return 2;
		}
		/* one call of run_step for every plan: one stack per site */
		for (; plan && plan->idx >= 0; plan++)
			run_step(plan->idx, plan->n, plan->pages, plan->keep);
		report(many);
	}
	return 0;
}
