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
