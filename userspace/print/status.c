// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "print/format.h"
#include "print/json.h"
#include "print/status.h"

uint64_t status_tracking_bytes(const struct module_stats *st)
{
	uint64_t a, b;

	if (__builtin_mul_overflow(st->live_count, st->mapping_size, &a) ||
	    __builtin_mul_overflow(st->sites, st->site_size, &b) ||
	    __builtin_add_overflow(a, b, &a))
		return UINT64_MAX;
	return a;
}

static void print_unwind_text(FILE *f, const struct module_stats *st)
{
	char b1[FMT_BUF_LEN], b2[FMT_BUF_LEN];

	fprintf(f, "  %-12s%" PRIu64 " tables, %" PRIu64 " rows, %s of max_unwind_bytes %s, %"
		PRIu64 " uploads refused\n", "unwind", st->unwind_tables, st->unwind_rows,
		fmt_size(b1, st->unwind_bytes), fmt_size(b2, st->max_unwind_bytes),
		st->unwind_refused);
	fprintf(f, "  %-12s%" PRIu64 " frames from tables, %" PRIu64
		" lookups without a table, %" PRIu64 " partial sites\n", "stacks",
		st->unwind_frames, st->unwind_no_table, st->partial_sites);
	fprintf(f, "  %-12s%" PRIu64 " kept (%s, max_exemplars %" PRIu64 "), %" PRIu64
		" dropped\n", "exemplars", st->exemplars, fmt_size(b1, st->exemplar_bytes),
		st->max_exemplars, st->drops_exemplars);
	fprintf(f, "  %-12s%" PRIu64 " object events sent, %" PRIu64 " over the rate dropped\n",
		"announced", st->object_events, st->object_events_dropped);
}

static void print_unwind_json(struct json *j, const struct module_stats *st)
{
	json_u64(j, "unwind_tables", st->unwind_tables);
	json_u64(j, "unwind_rows", st->unwind_rows);
	json_u64(j, "unwind_bytes", st->unwind_bytes);
	json_u64(j, "unwind_refused", st->unwind_refused);
	json_u64(j, "unwind_frames", st->unwind_frames);
	json_u64(j, "unwind_no_table", st->unwind_no_table);
	json_u64(j, "partial_sites", st->partial_sites);
	json_u64(j, "exemplars", st->exemplars);
	json_u64(j, "exemplar_bytes", st->exemplar_bytes);
	json_u64(j, "drops_exemplars", st->drops_exemplars);
	json_u64(j, "object_events", st->object_events);
	json_u64(j, "object_events_dropped", st->object_events_dropped);
	json_u64(j, "max_unwind_bytes", st->max_unwind_bytes);
	json_u64(j, "max_exemplars", st->max_exemplars);
}

static void print_text(FILE *f, const struct module_stats *st, uint32_t version)
{
	char b1[FMT_BUF_LEN];

	fprintf(f, "anonleak module (protocol version %" PRIu32 ")\n", version);
	fprintf(f, "  %-12s%" PRIu64 " recorded, %" PRIu64 " unmapped\n", "mappings",
		st->maps, st->unmaps);
	fprintf(f, "  %-12s%" PRIu64 " mappings, %s (%" PRIu64 " bytes)\n", "live",
		st->live_count, fmt_size(b1, st->live_bytes), st->live_bytes);
	fprintf(f, "  %-12s%" PRIu64 " running, %" PRIu64 " exited\n", "processes",
		st->procs, st->exited);
	fprintf(f, "  %-12s%" PRIu64 "\n", "sites", st->sites);
	fprintf(f, "  %-12s%" PRIu64 " (no memory %" PRIu64 ", max_mappings %" PRIu64
		", max_sites %" PRIu64 ", max_procs %" PRIu64 ", exited forgotten %" PRIu64 ")\n",
		"drops", st->drops, st->drops_nomem, st->drops_mappings, st->drops_sites,
		st->drops_procs, st->drops_exited);
	fprintf(f, "  %-12s%" PRIu64 " probe hits\n", "missed", st->missed);
	if (st->has_filtered)
		fprintf(f, "  %-12s%" PRIu64 " mappings excluded by the filters\n", "filtered",
			st->filtered);
	if (st->has_unnamed && st->unnamed)
		fprintf(f, "  %-12s%" PRIu64 " frames without their file (no memory or no path)\n",
			"unnamed", st->unnamed);
	if (st->has_unwind)
		print_unwind_text(f, st);
	fprintf(f, "  %-12s%" PRIu64 " bytes per mapping, %" PRIu64
		" bytes per site (stack depth %" PRIu64 ")\n", "memory",
		st->mapping_size, st->site_size, st->stack_depth);
	fprintf(f, "  %-12s~%s for live mappings and sites\n", "in use",
		fmt_size(b1, status_tracking_bytes(st)));
	fprintf(f, "  %-12smax_mappings %" PRIu64 ", max_sites %" PRIu64 ", max_procs %" PRIu64
		", max_exited %" PRIu64 "\n", "caps",
		st->max_mappings, st->max_sites, st->max_procs, st->max_exited);
	fprintf(f, "  %-12s", "probes");
	for (size_t i = 0; i < st->nr_probes; i++) {
		fputs(i ? ", " : "", f);
		fputs_escaped(st->probes[i], f);
	}
	fputs(st->nr_probes ? "\n" : "(none)\n", f);
}

static void print_json(FILE *f, const struct module_stats *st, uint32_t version)
{
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_u64(&j, "version", version);
	json_u64(&j, "maps", st->maps);
	json_u64(&j, "unmaps", st->unmaps);
	json_u64(&j, "live_count", st->live_count);
	json_u64(&j, "live_bytes", st->live_bytes);
	json_u64(&j, "procs", st->procs);
	json_u64(&j, "exited", st->exited);
	json_u64(&j, "sites", st->sites);
	json_u64(&j, "drops", st->drops);
	json_u64(&j, "drops_nomem", st->drops_nomem);
	json_u64(&j, "drops_mappings", st->drops_mappings);
	json_u64(&j, "drops_sites", st->drops_sites);
	json_u64(&j, "drops_procs", st->drops_procs);
	json_u64(&j, "drops_exited", st->drops_exited);
	json_u64(&j, "missed", st->missed);
	if (st->has_filtered)
		json_u64(&j, "filtered", st->filtered);
	if (st->has_unnamed)
		json_u64(&j, "unnamed", st->unnamed);
	if (st->has_unwind)
		print_unwind_json(&j, st);
	json_u64(&j, "mapping_size", st->mapping_size);
	json_u64(&j, "site_size", st->site_size);
	json_u64(&j, "stack_depth", st->stack_depth);
	json_u64(&j, "max_mappings", st->max_mappings);
	json_u64(&j, "max_sites", st->max_sites);
	json_u64(&j, "max_procs", st->max_procs);
	json_u64(&j, "max_exited", st->max_exited);
	json_array_begin(&j, "probes");
	for (size_t i = 0; i < st->nr_probes; i++)
		json_string(&j, NULL, st->probes[i]);
	json_array_end(&j);
	json_object_end(&j);
}

void status_print(FILE *f, const struct module_stats *st, uint32_t version, bool json)
{
	(json ? print_json : print_text)(f, st, version);
}
