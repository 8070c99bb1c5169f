// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <linux/anonleak.h>

#include "core/version.h"
#include "print/metrics.h"
#include "print/status.h"
#include "proto/util.h"

/* A label value: backslash, double quote and newline escaped. */
static void put_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP anonleak_%s %s\n# TYPE anonleak_%s %s\n", name, help, name, type);
}

static void group_labels(FILE *f, const struct metric_group *g)
{
	fputs("{comm=", f);
	put_value(f, g->comm);
	if (g->container[0]) {
		fputs(",container=", f);
		put_value(f, g->container);
	}
	fputc('}', f);
}

/* One series per group of a per-group metric; value() picks the figure. */
static void per_group(FILE *f, const struct metrics *m, const char *name, const char *type,
		      const char *help, uint64_t (*value)(const struct metric_group *g))
{
	header(f, name, type, help);
	for (size_t i = 0; i < m->nr_groups; i++) {
		fprintf(f, "anonleak_%s", name);
		group_labels(f, &m->groups[i]);
		fprintf(f, " %" PRIu64 "\n", value(&m->groups[i]));
	}
}

static uint64_t g_procs(const struct metric_group *g) { return g->procs; }
static uint64_t g_bytes(const struct metric_group *g) { return g->live_bytes; }
static uint64_t g_count(const struct metric_group *g) { return g->live_count; }
static uint64_t g_mapped(const struct metric_group *g) { return g->mapped_bytes; }
static uint64_t g_unmapped(const struct metric_group *g) { return g->unmapped_bytes; }
static uint64_t g_resident(const struct metric_group *g) { return g->resident; }

static void oldest(FILE *f, const struct metrics *m)
{
	header(f, "oldest_live_age_seconds", "gauge",
	       "Age of the oldest live anonymous mapping of the group's processes.");
	for (size_t i = 0; i < m->nr_groups; i++) {
		if (!m->groups[i].has_oldest)
			continue;
		fputs("anonleak_oldest_live_age_seconds", f);
		group_labels(f, &m->groups[i]);
		fprintf(f, " %.3f\n", (double)m->groups[i].oldest_age_ns / NSEC_PER_SEC);
	}
}

static void sites(FILE *f, const struct metrics *m, bool resident)
{
	header(f, resident ? "site_resident_bytes" : "site_live_bytes", "gauge", resident ?
	       "Resident bytes of the live anonymous mappings of the largest call sites." :
	       "Live anonymous bytes of the largest call sites (top N per process).");
	for (size_t i = 0; i < m->nr_sites; i++) {
		const struct metric_site *s = &m->sites[i];

		if (resident && !s->has_resident)
			continue;
		fputs(resident ? "anonleak_site_resident_bytes{comm=" :
		      "anonleak_site_live_bytes{comm=", f);
		put_value(f, s->group->comm);
		if (s->group->container[0]) {
			fputs(",container=", f);
			put_value(f, s->group->container);
		}
		fprintf(f, ",site=\"%s\",function=", s->hash);
		put_value(f, s->function);
		fprintf(f, "} %" PRIu64 "\n", resident ? s->resident : s->live_bytes);
	}
}

static void module(FILE *f, const struct module_stats *st)
{
	const struct { const char *reason; uint64_t v; } drops[] = {
		{ "nomem", st->drops_nomem }, { "max_mappings", st->drops_mappings },
		{ "max_sites", st->drops_sites }, { "max_procs", st->drops_procs },
		{ "max_exited", st->drops_exited },
	};

	header(f, "dropped_total", "counter",
	       "Records the module could not make, by reason (no memory, a cap reached).");
	for (size_t i = 0; i < ARRAY_SIZE(drops); i++)
		fprintf(f, "anonleak_dropped_total{reason=\"%s\"} %" PRIu64 "\n", drops[i].reason,
			drops[i].v);
	header(f, "probe_missed_total", "counter", "Probe hits the kernel missed.");
	fprintf(f, "anonleak_probe_missed_total %" PRIu64 "\n", st->missed);
	header(f, "module_memory_bytes", "gauge", "Memory of the module's records.");
	fprintf(f, "anonleak_module_memory_bytes %" PRIu64 "\n", status_tracking_bytes(st));
	header(f, "module_live_bytes", "gauge",
	       "Live anonymous bytes of every tracked process, running or exited.");
	fprintf(f, "anonleak_module_live_bytes %" PRIu64 "\n", st->live_bytes);
}

void metrics_print(FILE *f, const struct metrics *m, const struct module_stats *st)
{
	bool resident = false;

	for (size_t i = 0; i < m->nr_groups; i++)
		resident |= m->groups[i].has_resident;
	per_group(f, m, "processes", "gauge", "Running processes with tracked mappings.", g_procs);
	per_group(f, m, "live_bytes", "gauge",
		  "Bytes of live anonymous mappings of running processes.", g_bytes);
	per_group(f, m, "live_mappings", "gauge", "Live anonymous mappings of running processes.",
		  g_count);
	per_group(f, m, "mapped_bytes_total", "counter",
		  "Anonymous bytes mapped by the group's processes since tracking began.", g_mapped);
	per_group(f, m, "unmapped_bytes_total", "counter",
		  "Anonymous bytes unmapped by the group's processes since tracking began.",
		  g_unmapped);
	if (resident)
		per_group(f, m, "resident_bytes", "gauge",
			  "Resident bytes of the live anonymous mappings (from pagemap).", g_resident);
	oldest(f, m);
	sites(f, m, false);
	if (resident)
		sites(f, m, true);
	header(f, "sites_omitted", "gauge",
	       "Live call sites left out of anonleak_site_live_bytes (--top, --max-series).");
	fprintf(f, "anonleak_sites_omitted %zu\n", m->sites_omitted);
	header(f, "groups_merged", "gauge",
	       "Groups folded into comm=\"" METRICS_OTHER "\" by --max-series.");
	fprintf(f, "anonleak_groups_merged %zu\n", m->groups_merged);
	module(f, st);
	header(f, "build_info", "gauge", "The anonleak tool's version and protocol version.");
	fprintf(f, "anonleak_build_info{version=\"%s\",protocol=\"%d\"} 1\n", ANONLEAK_VERSION,
		ANONLEAK_GENL_VERSION);
}
