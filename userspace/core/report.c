// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"

static struct report_proc *find_proc(struct report *r, uint64_t proc_id)
{
	/* Messages of one process are consecutive: try the last one first. */
	if (r->nr_procs && r->procs[r->nr_procs - 1].proc_id == proc_id)
		return &r->procs[r->nr_procs - 1];
	for (size_t i = 0; i < r->nr_procs; i++)
		if (r->procs[i].proc_id == proc_id)
			return &r->procs[i];
	return NULL;
}

int report_add(struct report *r, struct site_msg *m)
{
	struct report_proc *p = find_proc(r, m->proc_id);

	if (!p) {
		if (array_grow((void **)&r->procs, &r->cap_procs, r->nr_procs, sizeof(*p)) < 0)
			goto nomem;
		p = &r->procs[r->nr_procs++];
		memset(p, 0, sizeof(*p));
		p->proc_id = m->proc_id;
		p->pid = m->pid;
		p->comm = m->comm;	/* the comm when first seen */
		m->comm = NULL;
		p->uid = m->uid;
		p->has_uid = m->has_uid;
		p->cgroup_id = m->cgroup_id;
		p->has_cgroup_id = m->has_cgroup_id;
	}
	p->state = m->state;		/* the latest word on it */
	p->now = m->now;
	if (m->has_exit_time) {
		p->exit_time = m->exit_time;
		p->has_exit_time = true;
	}
	if (array_grow((void **)&p->sites, &p->cap_sites, p->nr_sites, sizeof(*p->sites)) < 0)
		goto nomem;
	p->sites[p->nr_sites++] = m->site;
	r->nr_sites++;
	memset(&m->site, 0, sizeof(m->site));
	site_msg_release(m);
	return 0;
nomem:
	site_msg_release(m);
	return -ENOMEM;
}

static int feed_add(void *ctx, void *item)
{
	struct report_feed *f = ctx;
	struct site_msg *m = item;

	if (f->keep && !f->keep(f->arg, m)) {
		site_msg_release(m);
		return 0;
	}
	return report_add(f->r, m);
}

static void feed_reset(void *ctx)
{
	struct report_feed *f = ctx;

	report_release(f->r);
}

struct sink report_sink(struct report_feed *f)
{
	return (struct sink){ .add = feed_add, .reset = feed_reset, .ctx = f };
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

/* Unknown resident bytes sort as 0. */
static uint64_t site_resident(const struct site_info *s)
{
	return s->has_resident ? s->resident : 0;
}

static int cmp_site(const void *pa, const void *pb, void *ctx)
{
	const struct site_info *a = pa, *b = pb;
	const bool *by_resident = ctx;
	int c = *by_resident ? cmp_u64_desc(site_resident(a), site_resident(b)) : 0;

	if (!c)
		c = cmp_u64_desc(a->live_bytes, b->live_bytes);
	if (!c)
		c = cmp_u64_desc(a->live_count, b->live_count);
	if (!c)
		c = -cmp_u64_desc(a->id, b->id);
	return c;
}

static int cmp_proc(const void *pa, const void *pb, void *ctx)
{
	const struct report_proc *a = pa, *b = pb;
	const bool *by_resident = ctx;
	int c = *by_resident ? cmp_u64_desc(a->has_resident ? a->resident : 0,
					    b->has_resident ? b->resident : 0) : 0;

	if (!c)
		c = cmp_u64_desc(a->live_bytes, b->live_bytes);
	if (!c)
		c = -cmp_u64_desc(a->pid, b->pid);
	if (!c)
		c = -cmp_u64_desc(a->proc_id, b->proc_id);
	return c;
}

void report_finish(struct report *r)
{
	r->live_count = r->live_bytes = r->resident = 0;
	for (size_t i = 0; i < r->nr_procs; i++) {
		struct report_proc *p = &r->procs[i];

		p->live_count = p->live_bytes = p->resident = 0;
		for (size_t j = 0; j < p->nr_sites; j++) {
			p->live_count += p->sites[j].live_count;
			p->live_bytes += p->sites[j].live_bytes;
			p->resident += site_resident(&p->sites[j]);
		}
		if (p->nr_sites > 1)
			qsort_r(p->sites, p->nr_sites, sizeof(*p->sites), cmp_site,
				&r->sort_resident);
		r->live_count += p->live_count;
		r->live_bytes += p->live_bytes;
		r->resident += p->has_resident ? p->resident : 0;
	}
	if (r->nr_procs > 1)
		qsort_r(r->procs, r->nr_procs, sizeof(*r->procs), cmp_proc, &r->sort_resident);
}

/* An entry of the flat list report_keep_top() sorts. */
struct site_ref {
	const struct site_info *s;
	size_t flat;		/* index in process-then-site order */
};

static int cmp_site_ref(const void *pa, const void *pb, void *ctx)
{
	const struct site_ref *a = pa, *b = pb;

	return cmp_site(a->s, b->s, ctx);
}

/*
 * Keep the sites for which keep(ctx, s, flat) is true, flat counting the
 * sites in report order; release the others, and the processes left
 * without sites, then recompute the sums. Returns the number of sites
 * removed and adds their live bytes to *bytes.
 */
static size_t filter_sites(struct report *r,
			   bool (*keep)(const void *ctx, const struct site_info *s, size_t flat),
			   const void *ctx, uint64_t *bytes)
{
	size_t flat = 0, removed = 0, kept_procs = 0;

	for (size_t i = 0; i < r->nr_procs; i++) {
		struct report_proc *p = &r->procs[i];
		size_t kept = 0;

		for (size_t j = 0; j < p->nr_sites; j++, flat++) {
			if (keep(ctx, &p->sites[j], flat)) {
				p->sites[kept++] = p->sites[j];
				continue;
			}
			*bytes += p->sites[j].live_bytes;
			site_release(&p->sites[j]);
			removed++;
		}
		p->nr_sites = kept;
		if (kept)
			r->procs[kept_procs++] = *p;
		else
			report_proc_release(p);
	}
	r->nr_procs = kept_procs;
	r->nr_sites -= removed;
	report_finish(r);
	return removed;
}

static bool keep_marked(const void *ctx, const struct site_info *s, size_t flat)
{
	const bool *keep = ctx;

	(void)s;
	return keep[flat];
}

void report_keep_top(struct report *r, size_t n)
{
	struct site_ref *refs;
	size_t flat = 0;
	uint64_t bytes = 0;
	bool *keep;

	if (r->nr_sites <= n)
		return;
	refs = calloc(r->nr_sites, sizeof(*refs));
	keep = calloc(r->nr_sites, sizeof(*keep));
	if (!refs || !keep)
		goto out;	/* show everything rather than fail */
	for (size_t i = 0; i < r->nr_procs; i++)
		for (size_t j = 0; j < r->procs[i].nr_sites; j++, flat++)
			refs[flat] = (struct site_ref){ &r->procs[i].sites[j], flat };
	qsort_r(refs, flat, sizeof(*refs), cmp_site_ref, &r->sort_resident);
	for (size_t k = 0; k < n; k++)
		keep[refs[k].flat] = true;
	r->nr_cut += filter_sites(r, keep_marked, keep, &bytes);
out:
	free(refs);
	free(keep);
}

static bool keep_undropped(const void *ctx, const struct site_info *s, size_t flat)
{
	bool (*const *drop)(const struct site_info *s) = ctx;

	(void)flat;
	return !(*drop)(s);
}

size_t report_drop_sites(struct report *r, bool (*drop)(const struct site_info *s),
			 uint64_t *bytes)
{
	*bytes = 0;
	return filter_sites(r, keep_undropped, &drop, bytes);
}

void report_symbolize(struct report *r, symbolize_fn fn, void *ctx)
{
	if (!fn)
		return;
	for (size_t i = 0; i < r->nr_procs; i++)
		for (size_t j = 0; j < r->procs[i].nr_sites; j++) {
			struct site_info *s = &r->procs[i].sites[j];

			for (size_t k = 0; k < s->nr_frames; k++)
				if (s->frames[k].object && s->frames[k].has_offset)
					fn(ctx, &s->frames[k], k > 0);
		}
}
