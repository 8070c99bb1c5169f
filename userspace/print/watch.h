/* SPDX-License-Identifier: GPL-2.0 */
/* Printers of anonleak watch's snapshots (core/watch.h). */
#ifndef ANONLEAK_PRINT_WATCH_H
#define ANONLEAK_PRINT_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/watch.h"

/* How a snapshot is printed. */
struct watch_view {
	uint64_t interval;		/* ns between samples */
	size_t max_rows;		/* text: at most this many sites; 0: all */
	bool json;
};

/*
 * Text: a header line, then a table of the growing sites (PID, COMM,
 * SITE, LIVE, GROWTH/MIN, ONLY-GROWS, TOP FRAME), or a line saying none
 * grows. JSON: one object on one line, the report's "processes" and
 * "sites" with every site, the processes in the order of their best site
 * (growing first, by rate), with growth_bytes_per_min once it is known.
 */
void watch_print(FILE *f, const struct watch *w, const struct watch_view *v);

#endif
