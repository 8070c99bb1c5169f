/* SPDX-License-Identifier: GPL-2.0 */
/* GET_SITES: the site records, and what must hold for them. */
#ifndef AL_SITES_H
#define AL_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_nl.h"

struct al_t_site {
	uint32_t pid;
	uint64_t proc_id;
	uint8_t state;
	char comm[16];
	uint64_t c[ANONLEAK_SITE_A_MAX + 1];	/* counters by attribute */
	unsigned int depth;
	uint64_t frames[ANONLEAK_MAX_FRAMES];
};

struct al_t_dump {
	struct al_t_site *sites;	/* free() it */
	unsigned int n, cap;
	bool intr;			/* a try was NLM_F_DUMP_INTR */
};

/*
 * The sites of @pid (0: all) into @d, which need not be initialised; one
 * try, or up to @tries while interrupted. Returns 0 or -errno; d->sites
 * is allocated either way.
 */
int al_t_sites_tries(uint32_t pid, struct al_t_dump *d, unsigned int tries);

/* The same, tried up to AL_T_TRIES times. */
int al_t_sites(uint32_t pid, struct al_t_dump *d);

/* Parsers for callers that see the messages themselves. */
int al_t_site_parse(const struct nlmsghdr *nlh, struct al_t_site *s);
int al_t_dump_cb(const struct nlmsghdr *nlh, void *dump);

/* The first site of @d with a return address in (@lo, @hi) (frames 1..). */
struct al_t_site *al_t_find(struct al_t_dump *d, uintptr_t lo, uintptr_t hi);

/* How many sites of @d have one. */
unsigned int al_t_count(struct al_t_dump *d, uintptr_t lo, uintptr_t hi);

/*
 * Do the counters of @s add up: live bytes = mapped - unmapped, and live
 * count = maps + splits - unmaps (checked for a process that exited only
 * if @exited_too: those keep what was outstanding at exit)?
 */
bool al_t_site_adds_up(const struct al_t_site *s, bool exited_too);

/* The sites of @d that do not add up; the first one described in @why. */
unsigned int al_t_sites_bad(const struct al_t_dump *d, bool exited_too,
			    char *why, size_t wl);

/* Live ranges and bytes over the sites of @d (of running processes only). */
void al_t_sum_live(const struct al_t_dump *d, bool running_only,
		   uint64_t *count, uint64_t *bytes);

/* Live bytes over every site of @pid; UINT64_MAX if the dump failed. */
uint64_t al_t_live_bytes(uint32_t pid);

#endif /* AL_SITES_H */
