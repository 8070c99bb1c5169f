/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building the leak report (core/model.h): GET_SITES messages grouped by
 * process record, sorted, cut and symbolized. Pure functions: printing
 * is print/report.h.
 */
#ifndef ANONLEAK_CORE_REPORT_H
#define ANONLEAK_CORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "proto/request.h"
#include "proto/sites.h"

/*
 * Move m's contents into r (m is left zeroed), under the process record
 * with m->proc_id. Returns 0 or -ENOMEM (m is then released).
 */
int report_add(struct report *r, struct site_msg *m);

/* Where query_sites() puts its messages for report_sink(). */
struct report_feed {
	struct report *r;
	/* The messages to keep (the others are released); NULL: all. */
	bool (*keep)(const void *arg, const struct site_msg *m);
	const void *arg;
};

/* A sink (proto/request.h) that report_add()s into f->r; a restart empties it. */
struct sink report_sink(struct report_feed *f);

/*
 * Compute per-process and total sums, then sort processes by live bytes
 * (then pid, proc id) and each process's sites by live bytes (then live
 * count, site id), largest first. With r->sort_resident, resident bytes
 * come first in both orders (unknown counts as 0).
 */
void report_finish(struct report *r);

/*
 * Keep only the n largest (process, site) blocks of a finished report, in
 * report order (live bytes, then live count, then site id; resident
 * bytes first with r->sort_resident); drop processes left without sites,
 * recompute the sums and sort again. The number of sites removed is
 * added to r->nr_cut.
 */
void report_keep_top(struct report *r, size_t n);

/*
 * Remove the sites for which drop() is true from a finished report, and
 * processes left without sites; recompute the sums. Returns the number
 * of sites removed, their live bytes in *bytes.
 */
size_t report_drop_sites(struct report *r, bool (*drop)(const struct site_info *s),
			 uint64_t *bytes);

/* Call fn for every frame that has an object and an offset. */
void report_symbolize(struct report *r, symbolize_fn fn, void *ctx);

#endif
