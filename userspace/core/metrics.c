// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frames.h"
#include "core/idmap.h"
#include "core/metrics.h"
#include "proto/procs.h"
#include "proto/util.h"
#include <linux/anonleak.h>

void metrics_release(struct metrics *m)
{
	free(m->groups);
	free(m->sites);
	memset(m, 0, sizeof(*m));
}

static bool counted(const struct report_proc *p)
{
	return p->state == ANONLEAK_PROC_RUNNING;
}

static void group_add(struct metric_group *g, const struct report_proc *p)
{
	g->procs++;
	for (size_t j = 0; j < p->nr_sites; j++) {
		const struct site_info *s = &p->sites[j];
		uint64_t age = s->has_oldest ? age_ns(s->now, s->oldest) : 0;

		g->live_count += s->live_count;
		g->live_bytes += s->live_bytes;
		g->mapped_bytes += s->mapped_bytes;
		g->unmapped_bytes += s->unmapped_bytes;
		g->resident += s->has_resident ? s->resident : 0;
		g->has_resident |= s->has_resident;
		if (s->has_oldest && (!g->has_oldest || age > g->oldest_age_ns))
			g->oldest_age_ns = age;
		g->has_oldest |= s->has_oldest;
	}
}

static void group_merge(struct metric_group *into, const struct metric_group *g)
{
	into->procs += g->procs;
	into->live_count += g->live_count;
	into->live_bytes += g->live_bytes;
	into->mapped_bytes += g->mapped_bytes;
	into->unmapped_bytes += g->unmapped_bytes;
	into->resident += g->resident;
	into->has_resident |= g->has_resident;
	if (g->has_oldest && (!into->has_oldest || g->oldest_age_ns > into->oldest_age_ns))
		into->oldest_age_ns = g->oldest_age_ns;
	into->has_oldest |= g->has_oldest;
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct metric_group *a = pa, *b = pb;

	if (a->live_bytes != b->live_bytes)
		return a->live_bytes < b->live_bytes ? 1 : -1;
	return strcmp(a->comm, b->comm) ?: strcmp(a->container, b->container);
}

static int cmp_msite(const void *pa, const void *pb)
{
	const struct metric_site *a = pa, *b = pb;

	if (a->live_bytes != b->live_bytes)
		return a->live_bytes < b->live_bytes ? 1 : -1;
	return cmp_group(a->group, b->group) ?: strcmp(a->hash, b->hash);
}

/* The group key of a process: comm, \1, container. NULL if out of memory. */
static char *group_key(const struct report_proc *p)
{
	char *key = NULL;

	if (asprintf(&key, "%s\1%s", p->comm, p->container ? p->container : "") < 0)
		return NULL;
	return key;
}

static int cmp_group_index(const void *pa, const void *pb, void *ctx)
{
	const struct metric_group *g = ctx;

	return cmp_group(&g[*(const size_t *)pa], &g[*(const size_t *)pb]);
}

/* Groups of the processes (of[i]: proc i's group, SIZE_MAX if none), unsorted. */
static int collect_groups(const struct report *r, struct metric_group *g, size_t *nr, size_t *of)
{
	struct idmap ids;
	int ret = 0;

	idmap_init(&ids);
	*nr = 0;
	for (size_t i = 0; i < r->nr_procs && !ret; i++) {
		const struct report_proc *p = &r->procs[i];
		char *key = counted(p) ? group_key(p) : NULL;
		bool is_new;
		uint32_t id = key ? idmap_get(&ids, &(struct idkey){ .s = key }, &is_new) : 0;

		of[i] = SIZE_MAX;
		free(key);
		if (!counted(p))
			continue;
		if (!id) {
			ret = -ENOMEM;
			break;
		}
		if (is_new)
			g[(*nr)++] = (struct metric_group){ .comm = p->comm,
				.container = p->container ? p->container : "" };
		group_add(&g[id - 1], p);
		of[i] = id - 1;
	}
	idmap_release(&ids);
	return ret;
}

/* Sort and cap the groups into m->groups; of[] renumbered to match. */
static int rank_groups(struct metric_group *g, size_t nr, size_t max, size_t *of,
		       size_t nr_procs, struct metrics *m)
{
	size_t *order = calloc(nr ? nr : 1, sizeof(*order)), *rank = calloc(nr ? nr : 1,
									   sizeof(*rank));
	size_t keep = nr > max ? max - 1 : nr;

	if (!order || !rank) {
		free(order);
		free(rank);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++)
		order[i] = i;
	qsort_r(order, nr, sizeof(*order), cmp_group_index, g);
	m->nr_groups = nr > max ? max : nr;
	m->groups_merged = nr - keep;
	for (size_t k = 0; k < nr; k++) {
		rank[order[k]] = k < keep ? k : keep;
		if (k < keep)
			m->groups[k] = g[order[k]];
		else if (k == keep)
			m->groups[k] = (struct metric_group){ .comm = METRICS_OTHER, .container = "" };
		if (k >= keep)
			group_merge(&m->groups[keep], &g[order[k]]);
	}
	for (size_t i = 0; i < nr_procs; i++)
		if (of[i] != SIZE_MAX)
			of[i] = rank[of[i]];
	free(order);
	free(rank);
	return 0;
}

static int add_msite(struct metrics *m, struct idmap *ids, size_t *cap,
		     const struct metric_group *g, const struct site_info *s)
{
	char hash[9], fn[FRAME_NAME_LEN];
	size_t at;
	const struct frame_info *top = site_top_frame(s, &at);
	bool is_new;
	uint32_t id = idmap_get(ids, &(struct idkey){ .k = { g - m->groups },
						      .s = site_hash(hash, s) }, &is_new);
	struct metric_site *ms;

	if (!id || (is_new && array_grow((void **)&m->sites, cap, m->nr_sites, sizeof(*ms)) < 0))
		return -ENOMEM;
	ms = &m->sites[id - 1];
	if (is_new) {
		*ms = (struct metric_site){ .group = g };
		memcpy(ms->hash, hash, sizeof(hash));
		snprintf(ms->function, sizeof(ms->function), "%s",
			 top ? frame_name(fn, top) : "(no stack)");
		m->nr_sites++;
	}
	ms->live_bytes += s->live_bytes;
	ms->resident += s->has_resident ? s->resident : 0;
	ms->has_resident |= s->has_resident;
	return 0;
}

static int collect_sites(const struct report *r, size_t top, const size_t *of, struct metrics *m)
{
	struct idmap ids;
	size_t cap = 0;
	int ret = 0;

	idmap_init(&ids);
	for (size_t i = 0; i < r->nr_procs && !ret; i++) {
		const struct report_proc *p = &r->procs[i];
		size_t taken = 0;

		for (size_t j = 0; j < p->nr_sites && of[i] != SIZE_MAX && !ret; j++) {
			if (!p->sites[j].live_bytes)
				continue;
			if (taken++ >= top) {
				m->sites_omitted++;
				continue;
			}
			ret = add_msite(m, &ids, &cap, &m->groups[of[i]], &p->sites[j]);
		}
	}
	idmap_release(&ids);
	return ret;
}

int metrics_build(const struct report *r, size_t top, size_t max_series, struct metrics *m)
{
	size_t n = r->nr_procs ? r->nr_procs : 1, nr = 0;
	struct metric_group *g = calloc(n, sizeof(*g));
	size_t *of = calloc(n, sizeof(*of));
	int ret = -ENOMEM;

	memset(m, 0, sizeof(*m));
	m->groups = calloc(n, sizeof(*m->groups));
	if (!max_series)
		ret = -EINVAL;
	if (!g || !of || !m->groups || !max_series)
		goto out;
	ret = collect_groups(r, g, &nr, of);
	if (!ret)
		ret = rank_groups(g, nr, max_series, of, r->nr_procs, m);
	if (!ret)
		ret = collect_sites(r, top, of, m);
	if (ret)
		goto out;
	if (m->nr_sites > 1)
		qsort(m->sites, m->nr_sites, sizeof(*m->sites), cmp_msite);
	if (m->nr_sites > max_series) {
		m->sites_omitted += m->nr_sites - max_series;
		m->nr_sites = max_series;
	}
out:
	free(g);
	free(of);
	if (ret)
		metrics_release(m);
	return ret;
}
