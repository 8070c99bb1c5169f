// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/frames.h"
#include "core/watch.h"
#include "proto/util.h"

bool growth_rate(const struct growth_sample *s, size_t n, double *per_min)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0;

	if (n < 2)
		return false;
	/* relative to the first sample: ns since boot lose precision in a double */
	for (size_t i = 0; i < n; i++) {
		mx += (double)(s[i].t - s[0].t) / NSEC_PER_SEC;
		my += (double)s[i].bytes - (double)s[0].bytes;
	}
	mx /= n;
	my /= n;
	for (size_t i = 0; i < n; i++) {
		double dx = (double)(s[i].t - s[0].t) / NSEC_PER_SEC - mx;
		double dy = (double)s[i].bytes - (double)s[0].bytes - my;

		sxy += dx * dy;
		sxx += dx * dx;
	}
	if (sxx <= 0)
		return false;
	*per_min = sxy / sxx * 60;
	return true;
}

bool growth_only_grows(const struct growth_sample *s, size_t n)
{
	if (n < 2)
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i].bytes < s[i - 1].bytes)
			return false;
	return s[n - 1].bytes > s[0].bytes;
}

void watch_init(struct watch *w, uint64_t window_ns)
{
	memset(w, 0, sizeof(*w));
	w->window = window_ns;
}

static void watch_site_release(struct watch_site *s)
{
	free(s->comm);
	frame_release(&s->top);
	free(s->samples);
	memset(s, 0, sizeof(*s));
}

void watch_discard(struct watch *w)
{
	for (size_t i = 0; i < w->nr_pending; i++)
		site_msg_release(&w->pending[i]);
	w->nr_pending = 0;
}

void watch_release(struct watch *w)
{
	watch_discard(w);
	free(w->pending);
	for (size_t i = 0; i < w->nr; i++)
		watch_site_release(&w->sites[i]);
	free(w->sites);
	memset(w, 0, sizeof(*w));
}

int watch_collect(struct watch *w, struct site_msg *m)
{
	if (array_grow((void **)&w->pending, &w->cap_pending, w->nr_pending, sizeof(*m)) < 0) {
		site_msg_release(m);
		return -ENOMEM;
	}
	w->pending[w->nr_pending++] = *m;
	memset(m, 0, sizeof(*m));
	return 0;
}

DEFINE_ADD_FN(sink_add, watch_collect)
DEFINE_RELEASE_FN(sink_reset, watch_discard)

struct sink watch_sink(struct watch *w)
{
	return (struct sink){ .add = sink_add, .reset = sink_reset, .ctx = w };
}

static int cmp_key(uint64_t id_a, uint64_t proc_a, uint64_t id_b, uint64_t proc_b)
{
	if (id_a != id_b)
		return id_a < id_b ? -1 : 1;
	if (proc_a != proc_b)
		return proc_a < proc_b ? -1 : 1;
	return 0;
}

static int cmp_msg(const void *pa, const void *pb)
{
	const struct site_msg *a = pa, *b = pb;

	return cmp_key(a->site.id, a->proc_id, b->site.id, b->proc_id);
}

/* A new history from m: takes its comm and its top frame. */
static void site_from_msg(struct watch_site *s, struct site_msg *m, symbolize_fn fn,
			  void *ctx)
{
	const struct frame_info *top;
	size_t index = 0;

	memset(s, 0, sizeof(*s));
	s->proc_id = m->proc_id;
	s->id = m->site.id;
	s->pid = m->pid;
	s->comm = m->comm;
	m->comm = NULL;
	s->uid = m->uid;
	s->has_uid = m->has_uid;
	top = site_top_frame(&m->site, &index);
	if (top) {
		s->top = *top;
		memset(&m->site.frames[index], 0, sizeof(*top));
		s->has_top = true;
		if (fn && s->top.object && s->top.has_offset)
			fn(ctx, &s->top, index > 0);
	}
}

/* Append m's sample to s, then drop what fell out of the window. */
static int site_add_sample(struct watch_site *s, const struct site_msg *m, uint64_t window)
{
	size_t drop = 0;

	if (array_grow((void **)&s->samples, &s->cap, s->nr, sizeof(*s->samples)) < 0)
		return -ENOMEM;
	s->samples[s->nr++] = (struct growth_sample){ m->now, m->site.live_bytes };
	s->state = m->state;
	s->live_count = m->site.live_count;
	s->live_bytes = m->site.live_bytes;
	while (s->nr - drop > 2 && age_ns(m->now, s->samples[drop].t) > window)
		drop++;
	if (drop) {
		memmove(s->samples, s->samples + drop, (s->nr - drop) * sizeof(*s->samples));
		s->nr -= drop;
	}
	s->has_rate = growth_rate(s->samples, s->nr, &s->rate);
	s->only_grows = s->has_rate && s->rate > 0 && growth_only_grows(s->samples, s->nr);
	return 0;
}

int watch_commit(struct watch *w, symbolize_fn fn, void *ctx)
{
	struct watch_site *next;
	size_t i = 0, k = 0, n = 0;
	int ret = 0;

	if (w->nr_pending > 1)
		qsort(w->pending, w->nr_pending, sizeof(*w->pending), cmp_msg);
	next = calloc(w->nr_pending ? w->nr_pending : 1, sizeof(*next));
	if (!next) {
		watch_discard(w);
		return -ENOMEM;
	}
	/* Merge two lists sorted by key: the old histories and the new sample. */
	while (k < w->nr_pending) {
		struct site_msg *m = &w->pending[k];
		int c = i < w->nr ? cmp_key(w->sites[i].id, w->sites[i].proc_id,
					    m->site.id, m->proc_id) : 1;

		if (c < 0) {			/* gone from the new sample */
			watch_site_release(&w->sites[i++]);
			continue;
		}
		if (n && !cmp_key(next[n - 1].id, next[n - 1].proc_id, m->site.id, m->proc_id)) {
			k++;			/* a duplicate in one dump */
			continue;
		}
		if (c == 0)
			next[n] = w->sites[i++];
		else
			site_from_msg(&next[n], m, fn, ctx);
		if (!ret)
			ret = site_add_sample(&next[n], m, w->window);
		n++;
		k++;
	}
	while (i < w->nr)
		watch_site_release(&w->sites[i++]);
	free(w->sites);
	w->sites = next;
	w->nr = n;
	w->cap = w->nr_pending ? w->nr_pending : 1;
	watch_discard(w);
	w->nr_samples++;
	return ret;
}

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct watch_site *a = *(const struct watch_site *const *)pa;
	const struct watch_site *b = *(const struct watch_site *const *)pb;
	bool ga = a->has_rate && a->rate > 0, gb = b->has_rate && b->rate > 0;

	if (ga != gb)
		return ga ? -1 : 1;
	if (ga && a->rate != b->rate)
		return a->rate > b->rate ? -1 : 1;
	if (a->live_bytes != b->live_bytes)
		return a->live_bytes > b->live_bytes ? -1 : 1;
	return cmp_key(a->id, a->proc_id, b->id, b->proc_id);
}

const struct watch_site **watch_ranked(const struct watch *w)
{
	const struct watch_site **r;

	if (!w->nr)
		return NULL;
	r = calloc(w->nr, sizeof(*r));
	if (!r)
		return NULL;
	for (size_t i = 0; i < w->nr; i++)
		r[i] = &w->sites[i];
	qsort(r, w->nr, sizeof(*r), cmp_ranked);
	return r;
}
