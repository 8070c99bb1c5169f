/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report reduced to Prometheus series of bounded cardinality: per
 * group of running processes (comm and container: never a pid) and the
 * largest sites of each process (comm, container, site hash, top
 * function), both capped; what the caps leave out is counted.
 */
#ifndef ANONLEAK_CORE_METRICS_H
#define ANONLEAK_CORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fleet.h"
#include "core/model.h"

/* The group that takes the processes beyond the cap on groups. */
#define METRICS_OTHER	"(other)"

struct metric_group {
	const char *comm, *container;	/* container "" if none */
	uint64_t procs, live_count, live_bytes, mapped_bytes, unmapped_bytes;
	uint64_t resident;		/* sum over sites with has_resident */
	uint64_t oldest_age_ns;		/* the oldest live mapping's age, if has_oldest */
	bool has_oldest, has_resident;
};

struct metric_site {
	const struct metric_group *group;
	char hash[9];
	char function[FRAME_NAME_LEN];
	uint64_t live_bytes, resident;
	bool has_resident;
};

struct metrics {
	size_t nr_groups, nr_sites;
	struct metric_group *groups;	/* largest live bytes first, (other) last */
	struct metric_site *sites;	/* largest live bytes first */
	size_t sites_omitted;		/* live sites not in sites[] (--top, --max-series) */
	size_t groups_merged;		/* groups folded into METRICS_OTHER */
};

/*
 * Build m from a finished, symbolized report: groups of running processes,
 * at most max_series of them (the smallest merged into METRICS_OTHER),
 * and at most top sites with live bytes per process, summed per (group,
 * hash), at most max_series of those. 0 or -ENOMEM.
 */
int metrics_build(const struct report *r, size_t top, size_t max_series, struct metrics *m);
void metrics_release(struct metrics *m);

#endif
