// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdlib.h>

#include "print/format.h"
#include "print/json.h"
#include "print/report.h"
#include "print/watch.h"

static bool growing(const struct watch_site *s)
{
	return s->has_rate && s->rate > 0;
}

/* A rate for fmt_size(): rounded, never negative (only growth is shown). */
static uint64_t rate_bytes(double rate)
{
	return rate <= 0 ? 0 : rate >= 1.8e19 ? UINT64_MAX : (uint64_t)(rate + 0.5);
}

/* A rate for JSON, rounded to the nearest integer (no libm needed). */
static int64_t rate_i64(double rate)
{
	if (rate >= 9.2e18)
		return INT64_MAX;
	if (rate <= -9.2e18)
		return INT64_MIN;
	return (int64_t)(rate + (rate < 0 ? -0.5 : 0.5));
}

static void print_top(FILE *f, const struct watch_site *s)
{
	if (!s->has_top)
		fputs("-", f);
	else if (s->top.symbol || s->top.object || s->top.source_file)
		frame_describe(f, &s->top);
	else
		fprintf(f, "0x%" PRIx64, s->top.addr);
}

static void print_text(FILE *f, const struct watch *w, const struct watch_site **r,
		       const struct watch_view *v)
{
	char b1[FMT_BUF_LEN], b2[FMT_BUF_LEN], b3[FMT_BUF_LEN];
	size_t nr_growing = 0, shown = 0;

	for (size_t i = 0; i < w->nr; i++)
		nr_growing += growing(&w->sites[i]);
	fprintf(f, "anonleak watch: sample %zu, every %s, window %s; %zu of %zu %s growing\n",
		w->nr_samples, fmt_duration(b1, v->interval), fmt_duration(b2, w->window),
		nr_growing, w->nr, w->nr == 1 ? "site" : "sites");
	if (!nr_growing) {
		fputs(w->nr_samples < 2 ? "(rates need a second sample)\n" :
		      "no site is growing\n", f);
		return;
	}
	fprintf(f, "%7s  %-16s %8s %11s %11s  %-10s  %s\n", "PID", "COMM", "SITE", "LIVE",
		"GROWTH/MIN", "ONLY-GROWS", "TOP FRAME");
	for (size_t i = 0; i < w->nr && growing(r[i]); i++) {
		const struct watch_site *s = r[i];
		char comm[4 * 16 + 1], id[2 + 16 + 1];

		if (v->max_rows && shown == v->max_rows) {
			fprintf(f, "(%zu more)\n", nr_growing - shown);
			break;
		}
		snprintf(id, sizeof(id), "0x%" PRIx64, s->id);
		fprintf(f, "%7" PRIu32 "  %-16s %8s %11s %11s  %-10s  ", s->pid,
			fmt_escaped(comm, sizeof(comm), s->comm), id, fmt_size(b1, s->live_bytes),
			fmt_size(b3, rate_bytes(s->rate)), s->only_grows ? "yes" : "no");
		print_top(f, s);
		fputc('\n', f);
		shown++;
	}
}

/* A site in display order, with the rank of its process's best site. */
struct ranked {
	const struct watch_site *s;
	size_t rank, group;
};

static int cmp_by_proc(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->s->proc_id != b->s->proc_id)
		return a->s->proc_id < b->s->proc_id ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static int cmp_by_group(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/*
 * The ranked sites grouped by process record, the processes in the order
 * of their best site: the order of the "processes" array.
 */
static struct ranked *group_by_proc(const struct watch *w, const struct watch_site **r)
{
	struct ranked *g = calloc(w->nr ? w->nr : 1, sizeof(*g));

	if (!g)
		return NULL;
	for (size_t i = 0; i < w->nr; i++)
		g[i] = (struct ranked){ r[i], i, i };
	qsort(g, w->nr, sizeof(*g), cmp_by_proc);
	for (size_t i = 1; i < w->nr; i++)
		if (g[i].s->proc_id == g[i - 1].s->proc_id)
			g[i].group = g[i - 1].group;
	qsort(g, w->nr, sizeof(*g), cmp_by_group);
	return g;
}

static void json_site(struct json *j, const struct watch_site *s)
{
	json_object_begin(j, NULL);
	json_u64(j, "id", s->id);
	json_u64(j, "live_count", s->live_count);
	json_u64(j, "live_bytes", s->live_bytes);
	json_u64(j, "samples", s->nr);
	json_u64(j, "span_ms", s->nr ? (s->samples[s->nr - 1].t - s->samples[0].t) /
			       NSEC_PER_MSEC : 0);
	if (s->has_rate)	/* absent, not null, before a second sample */
		json_i64(j, "growth_bytes_per_min", rate_i64(s->rate));
	json_bool(j, "only_grows", s->only_grows);
	if (s->has_top)
		report_json_frame(j, "top_frame", &s->top);
	json_object_end(j);
}

static void print_json(FILE *f, const struct watch *w, const struct watch_site **r,
		       const struct watch_view *v)
{
	struct ranked *g = group_by_proc(w, r);
	uint64_t count = 0, bytes = 0;
	struct json j;

	if (!g)
		return;
	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_u64(&j, "samples", w->nr_samples);
	json_u64(&j, "interval_ms", v->interval / NSEC_PER_MSEC);
	json_u64(&j, "window_ms", w->window / NSEC_PER_MSEC);
	json_array_begin(&j, "processes");
	for (size_t i = 0, end; i < w->nr; i = end) {
		const struct watch_site *s = g[i].s;
		uint64_t pcount = 0, pbytes = 0;

		for (end = i; end < w->nr && g[end].group == g[i].group; end++) {
			pcount += g[end].s->live_count;
			pbytes += g[end].s->live_bytes;
		}
		json_object_begin(&j, NULL);
		report_json_proc(&j, s->pid, s->comm, s->proc_id, s->has_uid ? &s->uid : NULL,
				 s->state);
		json_u64(&j, "live_count", pcount);
		json_u64(&j, "live_bytes", pbytes);
		json_array_begin(&j, "sites");
		for (size_t k = i; k < end; k++)
			json_site(&j, g[k].s);
		json_array_end(&j);
		json_object_end(&j);
		count += pcount;
		bytes += pbytes;
	}
	json_array_end(&j);
	json_u64(&j, "live_count", count);
	json_u64(&j, "live_bytes", bytes);
	json_object_end(&j);
	free(g);
}

void watch_print(FILE *f, const struct watch *w, const struct watch_view *v)
{
	const struct watch_site **r = watch_ranked(w);
	static const struct watch_site *none[1];

	if (!r && w->nr) {	/* out of memory: in key order then */
		r = calloc(w->nr, sizeof(*r));
		if (!r)
			return;
		for (size_t i = 0; i < w->nr; i++)
			r[i] = &w->sites[i];
	}
	if (v->json)
		print_json(f, w, r ? r : none, v);
	else
		print_text(f, w, r ? r : none, v);
	free(r);
}
