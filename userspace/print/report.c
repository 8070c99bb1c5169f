// SPDX-License-Identifier: GPL-2.0
/* Both printers walk the report in its sorted order. */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print/format.h"
#include "print/json.h"
#include "core/fleet.h"
#include "core/frames.h"
#include "core/resident.h"
#include "print/report.h"
#include "proto/procs.h"

/* " (unwound, complete)": the site's flags after "backtrace:", if any. */
static void print_flags(FILE *f, const struct site_info *s)
{
	const char *sep = " (";

	if (!s->has_flags || !s->flags)
		return;
	for (unsigned int b = 0; b < 32; b++) {
		const char *name = site_flag_name(1U << b);

		if (!(s->flags & (1U << b)))
			continue;
		if (name)
			fprintf(f, "%s%s", sep, name);
		else
			fprintf(f, "%sflag%u", sep, b);
		sep = ", ";
	}
	fputc(')', f);
}

static void json_flags(struct json *j, const struct site_info *s)
{
	if (!s->has_flags)
		return;		/* a module older than unwind tables */
	json_string(j, "stack_source", site_stack_source(s));
	json_array_begin(j, "flags");
	for (unsigned int b = 0; b < 32; b++) {
		const char *name = site_flag_name(1U << b);

		if (s->flags & (1U << b) && name)
			json_string(j, NULL, name);
	}
	json_array_end(j);
}

static uint64_t age(const struct site_info *s, uint64_t t)
{
	return age_ns(s->now, t);
}

static void print_bytes(FILE *f, const char *key, uint64_t bytes)
{
	char buf[FMT_BUF_LEN];

	fprintf(f, "  %-12s%s (%" PRIu64 " bytes)\n", key, fmt_size(buf, bytes), bytes);
}

static void print_age(FILE *f, const char *key, uint64_t ns, const char *suffix)
{
	char buf[FMT_BUF_LEN];

	fprintf(f, "  %-12s%s%s\n", key, fmt_duration(buf, ns), suffix);
}

void frame_describe(FILE *f, const struct frame_info *fr)
{
	if (fr->symbol)
		fprintf(f, "%s+0x%" PRIx64, fr->symbol, fr->symbol_offset);
	/* a guess: the address may be in an unnamed function after it */
	if (fr->symbol && fr->symbol_source && !strcmp(fr->symbol_source, SYMBOL_SOURCE_NEAREST))
		fputs(" [nearest]", f);
	if (fr->object) {
		fputs(fr->symbol ? " (" : "", f);
		fputs_escaped(fr->object, f);
		if (fr->has_offset)
			fprintf(f, "+0x%" PRIx64, fr->offset);
		if (fr->symbol)
			fputc(')', f);
	}
	if (fr->source_file) {
		fputs(fr->symbol || fr->object ? " " : "", f);
		fputs_escaped(fr->source_file, f);
		fprintf(f, ":%u", fr->source_line);
	}
}

static void print_frame(FILE *f, const struct frame_info *fr)
{
	/* "    [<%016lx>]" without printf: a report prints millions of them */
	static const char hexdig[] = "0123456789abcdef";
	char buf[] = "    [<0000000000000000>]";

	for (int i = 0; i < 16; i++)
		buf[6 + i] = hexdig[(fr->addr >> (60 - 4 * i)) & 0xf];
	fwrite(buf, 1, sizeof(buf) - 1, f);
	if (fr->symbol || fr->object || fr->source_file) {
		fputc(' ', f);
		frame_describe(f, fr);
	}
	fputc('\n', f);
}

/* "  resident    12.0 KiB (12288 bytes)", or why it is unknown. */
static void print_resident(FILE *f, const struct report_proc *p, const struct site_info *s)
{
	if (s->has_resident)
		print_bytes(f, "resident", s->resident);
	else
		fprintf(f, "  %-12sunknown (%s)\n", "resident", resident_unknown_reason(p));
}

static void print_site(FILE *f, const struct report *r, const struct report_proc *p,
		       const struct site_info *s)
{
	const char *state = proc_state_name(p->state);
	char buf[FMT_BUF_LEN];

	fprintf(f, "anonleak site 0x%" PRIx64 " in pid %" PRIu32 " (comm \"", s->id, p->pid);
	fputs_escaped(p->comm, f);
	fputc('"', f);
	if (p->has_uid)
		fprintf(f, ", uid %" PRIu32, p->uid);
	if (state)
		fprintf(f, ", %s", state);
	else
		fprintf(f, ", state %u", p->state);
	if (p->has_exit_time)
		fprintf(f, " %s ago", fmt_duration(buf, age(s, p->exit_time)));
	fputs("):\n", f);
	fprintf(f, "  %-12s%" PRIu64 " %s, %s (%" PRIu64 " bytes)\n", "live",
		s->live_count, plural(s->live_count, "mapping", "mappings"),
		fmt_size(buf, s->live_bytes), s->live_bytes);
	if (r->show_resident)
		print_resident(f, p, s);
	fprintf(f, "  %-12s%" PRIu64 " %s, %" PRIu64 " %s\n", "total",
		s->total_maps, plural(s->total_maps, "map", "maps"),
		s->total_unmaps, plural(s->total_unmaps, "unmap", "unmaps"));
	print_bytes(f, "mapped", s->mapped_bytes);
	print_bytes(f, "unmapped", s->unmapped_bytes);
	print_bytes(f, "peak", s->peak_bytes);
	if (s->has_oldest)
		print_age(f, "oldest live", age(s, s->oldest), "");
	print_age(f, "first seen", age(s, s->first_seen), " ago");
	print_age(f, "last seen", age(s, s->last_seen), " ago");
	fputs("  backtrace:", f);
	print_flags(f, s);
	fputs(s->nr_frames ? "\n" : " (none)\n", f);
	for (size_t i = 0; i < s->nr_frames; i++)
		print_frame(f, &s->frames[i]);
	fputc('\n', f);
}

/* ", 12.0 KiB (12288 bytes) resident (unknown for 2 processes)" */
static void print_resident_summary(FILE *f, const struct report *r)
{
	size_t unknown = 0;
	char buf[FMT_BUF_LEN];

	for (size_t i = 0; i < r->nr_procs; i++)
		unknown += !r->procs[i].has_resident;
	fprintf(f, ", %s (%" PRIu64 " bytes) resident", fmt_size(buf, r->resident), r->resident);
	if (unknown)
		fprintf(f, " (unknown for %zu %s)", unknown,
			unknown == 1 ? "process" : "processes");
}

static void print_text(FILE *f, const struct report *r, bool all)
{
	size_t hidden = 0;
	char buf[FMT_BUF_LEN];

	for (size_t i = 0; i < r->nr_procs; i++) {
		const struct report_proc *p = &r->procs[i];

		for (size_t j = 0; j < p->nr_sites; j++) {
			if (!all && !p->sites[j].live_bytes) {
				hidden++;
				continue;
			}
			print_site(f, r, p, &p->sites[j]);
		}
	}
	fprintf(f, "summary: %zu %s, %zu %s, %" PRIu64 " live %s, %s (%" PRIu64 " bytes) live",
		r->nr_procs, r->nr_procs == 1 ? "process" : "processes",
		r->nr_sites, r->nr_sites == 1 ? "site" : "sites",
		r->live_count, plural(r->live_count, "mapping", "mappings"),
		fmt_size(buf, r->live_bytes), r->live_bytes);
	if (r->show_resident)
		print_resident_summary(f, r);
	if (hidden)
		fprintf(f, "; %zu %s with nothing live not shown (--all)", hidden,
			hidden == 1 ? "site" : "sites");
	if (r->nr_cut)
		fprintf(f, "; %zu smaller %s not shown (--top)", r->nr_cut,
			r->nr_cut == 1 ? "site" : "sites");
	fputc('\n', f);
}

void report_json_frame(struct json *j, const char *key, const struct frame_info *fr)
{
	json_object_begin(j, key);
	json_hex(j, "addr", fr->addr);
	if (fr->object)
		json_string(j, "object", fr->object);
	if (fr->has_offset)
		json_hex(j, "offset", fr->offset);
	if (fr->build_id)
		json_hexbytes(j, "build_id", fr->build_id, fr->build_id_len);
	if (fr->symbol) {
		json_string(j, "symbol", fr->symbol);
		json_hex(j, "symbol_offset", fr->symbol_offset);
		if (fr->symbol_source)
			json_string(j, "symbol_source", fr->symbol_source);
	}
	if (fr->source_file) {
		char *source = NULL;

		json_string(j, "file", fr->source_file);
		json_u64(j, "line", fr->source_line);
		if (asprintf(&source, "%s:%u", fr->source_file, fr->source_line) >= 0) {
			json_string(j, "source", source);
			free(source);
		}
	}
	json_object_end(j);
}

/* "resident_bytes": N, or null where unknown; absent unless asked for. */
static void json_resident(struct json *j, const struct report *r, bool known, uint64_t v)
{
	if (!r->show_resident)
		return;
	if (known)
		json_u64(j, "resident_bytes", v);
	else
		json_null(j, "resident_bytes");
}

static void json_site(struct json *j, const struct report *r, const struct site_info *s)
{
	json_object_begin(j, NULL);
	json_u64(j, "id", s->id);
	json_u64(j, "live_count", s->live_count);
	json_u64(j, "live_bytes", s->live_bytes);
	json_resident(j, r, s->has_resident, s->resident);
	json_u64(j, "total_maps", s->total_maps);
	json_u64(j, "total_unmaps", s->total_unmaps);
	json_u64(j, "mapped_bytes", s->mapped_bytes);
	json_u64(j, "unmapped_bytes", s->unmapped_bytes);
	json_u64(j, "peak_bytes", s->peak_bytes);
	if (s->has_oldest)
		json_u64(j, "oldest_age_ms", age(s, s->oldest) / NSEC_PER_MSEC);
	json_u64(j, "first_seen_ms", age(s, s->first_seen) / NSEC_PER_MSEC);
	json_u64(j, "last_seen_ms", age(s, s->last_seen) / NSEC_PER_MSEC);
	json_flags(j, s);
	json_array_begin(j, "frames");
	for (size_t i = 0; i < s->nr_frames; i++)
		report_json_frame(j, NULL, &s->frames[i]);
	json_array_end(j);
	json_object_end(j);
}

void report_json_proc(struct json *j, uint32_t pid, const char *comm, uint64_t proc_id,
		      const uint32_t *uid, uint8_t state)
{
	const char *name = proc_state_name(state);

	json_u64(j, "pid", pid);
	json_string(j, "comm", comm);
	json_u64(j, "proc_id", proc_id);
	if (uid)
		json_u64(j, "uid", *uid);
	json_string(j, "state", name ? name : "unknown");
}

static void json_process(struct json *j, const struct report *r, const struct report_proc *p)
{
	json_object_begin(j, NULL);
	report_json_proc(j, p->pid, p->comm, p->proc_id, p->has_uid ? &p->uid : NULL, p->state);
	if (p->has_exit_time)
		json_u64(j, "exit_age_ms", age_ns(p->now, p->exit_time) / NSEC_PER_MSEC);
	json_u64(j, "live_count", p->live_count);
	json_u64(j, "live_bytes", p->live_bytes);
	json_resident(j, r, p->has_resident, p->resident);
	if (r->show_resident && !p->has_resident)
		json_string(j, "resident_unknown", resident_unknown_reason(p));
	json_array_begin(j, "sites");
	for (size_t k = 0; k < p->nr_sites; k++)
		json_site(j, r, &p->sites[k]);
	json_array_end(j);
	json_object_end(j);
}

void report_json_members(struct json *j, const struct report *r)
{
	json_array_begin(j, "processes");
	for (size_t i = 0; i < r->nr_procs; i++)
		json_process(j, r, &r->procs[i]);
	json_array_end(j);
	json_u64(j, "live_count", r->live_count);
	json_u64(j, "live_bytes", r->live_bytes);
	json_resident(j, r, true, r->resident);
}

struct group {
	const char *key;
	size_t procs;
	uint64_t live_count, live_bytes;
};

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->live_bytes != y->live_bytes)
		return x->live_bytes < y->live_bytes ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* The groups of r's processes by key, largest live bytes first; NULL: no memory. */
static struct group *make_groups(const struct report *r, enum report_by by, size_t *nr)
{
	struct group *g = calloc(r->nr_procs ? r->nr_procs : 1, sizeof(*g));
	size_t n = 0;

	if (!g)
		return NULL;
	for (size_t i = 0; i < r->nr_procs; i++) {
		const struct report_proc *p = &r->procs[i];
		const char *key = report_group_key(p, by);
		size_t k = 0;

		while (k < n && strcmp(g[k].key, key))
			k++;
		if (k == n)
			g[n++].key = key;
		g[k].procs++;
		g[k].live_count += p->live_count;
		g[k].live_bytes += p->live_bytes;
	}
	qsort(g, n, sizeof(*g), group_cmp);
	*nr = n;
	return g;
}

static int print_groups(FILE *f, const struct report *r, enum report_by by, bool json,
			bool all)
{
	const char *what = report_by_name(by);
	struct group *g;
	char buf[FMT_BUF_LEN];
	size_t n = 0;
	struct json j;

	g = make_groups(r, by, &n);
	if (!g)
		return -ENOMEM;
	if (json) {
		json_init(&j, f);
		json_object_begin(&j, NULL);
		json_string(&j, "by", what);
		json_array_begin(&j, "groups");
	}
	for (size_t k = 0; k < n; k++) {
		if (json) {
			json_object_begin(&j, NULL);
			json_string(&j, what, g[k].key);
			json_u64(&j, "process_count", g[k].procs);
			json_u64(&j, "live_count", g[k].live_count);
			json_u64(&j, "live_bytes", g[k].live_bytes);
			json_array_begin(&j, "processes");
		} else {
			fprintf(f, "%s ", what);
			fputs_escaped(g[k].key, f);
			fprintf(f, ": %zu %s, %" PRIu64 " live %s, %s (%" PRIu64 " bytes) live\n\n",
				g[k].procs, g[k].procs == 1 ? "process" : "processes",
				g[k].live_count, plural(g[k].live_count, "mapping", "mappings"),
				fmt_size(buf, g[k].live_bytes), g[k].live_bytes);
		}
		for (size_t i = 0; i < r->nr_procs; i++) {
			const struct report_proc *p = &r->procs[i];

			if (strcmp(report_group_key(p, by), g[k].key))
				continue;
			if (json) {
				json_process(&j, r, p);
				continue;
			}
			for (size_t s = 0; s < p->nr_sites; s++)
				if (all || p->sites[s].live_bytes)
					print_site(f, r, p, &p->sites[s]);
		}
		if (json) {
			json_array_end(&j);
			json_object_end(&j);
		}
	}
	if (json) {
		json_array_end(&j);
		json_u64(&j, "live_count", r->live_count);
		json_u64(&j, "live_bytes", r->live_bytes);
		json_object_end(&j);
	} else {
		fprintf(f, "summary: %zu %s by %s, %zu %s, %s (%" PRIu64 " bytes) live\n", n,
			n == 1 ? "group" : "groups", what, r->nr_procs,
			r->nr_procs == 1 ? "process" : "processes",
			fmt_size(buf, r->live_bytes), r->live_bytes);
	}
	free(g);
	return 0;
}

static void print_json(FILE *f, const struct report *r)
{
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	report_json_members(&j, r);
	json_object_end(&j);
}

int report_print_by(FILE *f, const struct report *r, bool json, bool all, enum report_by by)
{
	if (by != BY_PROCESS)
		return print_groups(f, r, by, json, all);
	report_print(f, r, json, all);
	return 0;
}

void report_print(FILE *f, const struct report *r, bool json, bool all)
{
	if (json)
		print_json(f, r);
	else
		print_text(f, r, all);
}
