/* SPDX-License-Identifier: GPL-2.0 */
/* ANONLEAK_CMD_GET_STATS: the module's counters, limits and probes. */
#ifndef ANONLEAK_PROTO_STATS_H
#define ANONLEAK_PROTO_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/attr.h"
#include "proto/nl.h"

/* The reply; u32 attributes are widened to u64. */
struct module_stats {
	uint64_t maps, unmaps, live_count, live_bytes;
	uint64_t procs, exited, sites;
	uint64_t drops, drops_nomem, drops_mappings, drops_sites, drops_procs, drops_exited;
	uint64_t missed;
	uint64_t filtered;	/* valid if has_filtered (modules before filters lack it) */
	bool has_filtered;
	uint64_t unnamed;	/* valid if has_unnamed (newer modules) */
	bool has_unnamed;
	/* unwind tables and exemplars: valid if has_unwind (newer modules) */
	uint64_t unwind_tables, unwind_rows, unwind_bytes, unwind_refused;
	uint64_t unwind_frames, unwind_no_table, partial_sites;
	uint64_t exemplars, exemplar_bytes, drops_exemplars;
	uint64_t object_events, object_events_dropped;
	uint64_t max_unwind_bytes, max_exemplars;
	bool has_unwind;
	uint64_t mapping_size, site_size, stack_depth;
	uint64_t max_mappings, max_sites, max_procs, max_exited;
	size_t nr_probes;
	char **probes;		/* kernel symbols probed */
};

void module_stats_release(struct module_stats *st);

/*
 * The reply. Required: every counter the UAPI header lists, except
 * ANONLEAK_STATS_A_FILTERED and _UNNAMED (added later) and the probe
 * list, whose absence means "none".
 */
int parse_stats_msg(const struct nlmsghdr *nlh, struct module_stats *st, struct parse_err *err);

/* The request; *st is released on error. */
int query_stats(struct nl *nl, struct module_stats *st, struct parse_err *perr);

#endif
