// SPDX-License-Identifier: GPL-2.0
/* See al_sites.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_procs.h"
#include "al_sites.h"
#include "al_util.h"

static int al_t_frames(const struct nlattr *frames, struct al_t_site *s)
{
	const struct nlattr *f, *x;

	mnl_attr_for_each_nested(f, frames) {
		if (s->depth >= ANONLEAK_MAX_FRAMES)
			return MNL_CB_ERROR;
		mnl_attr_for_each_nested(x, f)
			if (mnl_attr_get_type(x) == ANONLEAK_FRAME_A_ADDR &&
			    !mnl_attr_validate(x, MNL_TYPE_U64))
				s->frames[s->depth] = mnl_attr_get_u64(x);
		s->depth++;
	}
	return MNL_CB_OK;
}

int al_t_site_parse(const struct nlmsghdr *nlh, struct al_t_site *s)
{
	const struct nlattr *a, *x;
	struct al_t_proc p;

	memset(s, 0, sizeof(*s));
	al_t_proc_parse(nlh, &p);	/* site messages carry its process's */
	s->pid = p.pid;
	s->proc_id = p.proc_id;
	s->state = p.state;
	memcpy(s->comm, p.comm, sizeof(s->comm));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != ANONLEAK_A_SITE)
			continue;
		al_t_uints(a, s->c, ANONLEAK_SITE_A_MAX,
			   1U << ANONLEAK_SITE_A_FRAMES, NULL);
		mnl_attr_for_each_nested(x, a)
			if (mnl_attr_get_type(x) == ANONLEAK_SITE_A_FRAMES &&
			    al_t_frames(x, s) < MNL_CB_OK)
				return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int al_t_dump_cb(const struct nlmsghdr *nlh, void *dump)
{
	struct al_t_dump *d = dump;
	struct al_t_site *s = al_append(&d->sites, &d->n, &d->cap, sizeof(*s), 64);

	return s ? al_t_site_parse(nlh, s) : MNL_CB_ERROR;
}

int al_t_sites_tries(uint32_t pid, struct al_t_dump *d, unsigned int tries)
{
	memset(d, 0, sizeof(*d));
	return al_t_dump(ANONLEAK_CMD_GET_SITES, pid, al_t_dump_cb, d, &d->n,
			 tries, &d->intr, NULL);
}

int al_t_sites(uint32_t pid, struct al_t_dump *d)
{
	return al_t_sites_tries(pid, d, AL_T_TRIES);
}

struct al_t_site *al_t_find(struct al_t_dump *d, uintptr_t lo, uintptr_t hi)
{
	unsigned int i, j;

	for (i = 0; i < d->n; i++)
		for (j = 1; j < d->sites[i].depth; j++)
			if (d->sites[i].frames[j] > lo && d->sites[i].frames[j] < hi)
				return &d->sites[i];
	return NULL;
}

unsigned int al_t_count(struct al_t_dump *d, uintptr_t lo, uintptr_t hi)
{
	struct al_t_dump one;
	unsigned int i, n = 0;

	for (i = 0; i < d->n; i++) {
		one.sites = &d->sites[i];
		one.n = 1;
		n += al_t_find(&one, lo, hi) != NULL;
	}
	return n;
}

bool al_t_site_adds_up(const struct al_t_site *s, bool exited_too)
{
	const uint64_t *c = s->c;

	if (c[ANONLEAK_SITE_A_LIVE_BYTES] !=
	    c[ANONLEAK_SITE_A_MAPPED_BYTES] - c[ANONLEAK_SITE_A_UNMAPPED_BYTES])
		return false;
	if (!exited_too && s->state != ANONLEAK_PROC_RUNNING)
		return true;
	return c[ANONLEAK_SITE_A_LIVE_COUNT] ==
	       c[ANONLEAK_SITE_A_TOTAL_MAPS] + c[ANONLEAK_SITE_A_SPLITS] -
	       c[ANONLEAK_SITE_A_TOTAL_UNMAPS];
}

static void al_t_site_describe(const struct al_t_site *s, char *why, size_t wl)
{
	const uint64_t *c = s->c;

	snprintf(why, wl, "pid %u site %llu: live %llu (%llu bytes), maps %llu + splits %llu - unmaps %llu, mapped %llu - unmapped %llu",
		 s->pid, (unsigned long long)c[ANONLEAK_SITE_A_ID],
		 (unsigned long long)c[ANONLEAK_SITE_A_LIVE_COUNT],
		 (unsigned long long)c[ANONLEAK_SITE_A_LIVE_BYTES],
		 (unsigned long long)c[ANONLEAK_SITE_A_TOTAL_MAPS],
		 (unsigned long long)c[ANONLEAK_SITE_A_SPLITS],
		 (unsigned long long)c[ANONLEAK_SITE_A_TOTAL_UNMAPS],
		 (unsigned long long)c[ANONLEAK_SITE_A_MAPPED_BYTES],
		 (unsigned long long)c[ANONLEAK_SITE_A_UNMAPPED_BYTES]);
}

unsigned int al_t_sites_bad(const struct al_t_dump *d, bool exited_too,
			    char *why, size_t wl)
{
	unsigned int i, bad = 0;

	for (i = 0; i < d->n; i++) {
		if (al_t_site_adds_up(&d->sites[i], exited_too))
			continue;
		if (!bad++ && why)
			al_t_site_describe(&d->sites[i], why, wl);
	}
	return bad;
}

void al_t_sum_live(const struct al_t_dump *d, bool running_only,
		   uint64_t *count, uint64_t *bytes)
{
	unsigned int i;

	*count = *bytes = 0;
	for (i = 0; i < d->n; i++) {
		if (running_only && d->sites[i].state != ANONLEAK_PROC_RUNNING)
			continue;
		*count += d->sites[i].c[ANONLEAK_SITE_A_LIVE_COUNT];
		*bytes += d->sites[i].c[ANONLEAK_SITE_A_LIVE_BYTES];
	}
}

uint64_t al_t_live_bytes(uint32_t pid)
{
	uint64_t count, bytes;
	struct al_t_dump d;

	if (al_t_sites(pid, &d)) {
		free(d.sites);
		return UINT64_MAX;
	}
	al_t_sum_live(&d, false, &count, &bytes);
	free(d.sites);
	return bytes;
}
