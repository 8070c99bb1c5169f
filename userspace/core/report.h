/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The leak report: GET_SITES messages grouped by process record, sorted,
 * and printed as text or JSON. Pure functions on model.h structs.
 */
#ifndef ANONLEAK_REPORT_H
#define ANONLEAK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/model.h"

void report_init(struct report *r);
void report_release(struct report *r);

/*
 * Move m's contents into r (m is left zeroed), under the process record
 * with m->proc_id. Returns 0 or -ENOMEM (m is then released).
 */
int report_add(struct report *r, struct site_msg *m);

/*
 * Compute per-process and total sums, then sort processes by live bytes
 * (then pid, proc id) and each process's sites by live bytes (then live
 * count, site id), largest first.
 */
void report_finish(struct report *r);

/*
 * Keep only the n largest (process, site) blocks of a finished report, in
 * report order (live bytes, then live count, then site id); drop
 * processes left without sites, recompute the sums and sort again. The
 * number of sites removed is added to r->nr_cut.
 */
void report_keep_top(struct report *r, size_t n);

/*
 * Remove the sites for which drop() is true from a finished report, and
 * processes left without sites; recompute the sums. Returns the number
 * of sites removed, their live bytes in *bytes.
 */
size_t report_drop_sites(struct report *r, bool (*drop)(const struct site_info *s),
			 uint64_t *bytes);

/*
 * Resolve a frame to a symbol: fills f->symbol etc., or leaves them unset.
 * return_address is true for every frame but the innermost (the kernel
 * reports return addresses there, so lookups use addr - 1).
 */
typedef void (*symbolize_fn)(void *ctx, struct frame_info *f, bool return_address);

/* Call fn for every frame that has an object and an offset. */
void report_symbolize(struct report *r, symbolize_fn fn, void *ctx);

/*
 * kmemleak-like text: one block per (process, site) in report order,
 * then a summary line. Sites with no live bytes are left out unless all.
 */
void report_print_text(FILE *f, const struct report *r, bool all);

/* {"processes":[...]} with every site, in report order. */
void report_print_json(FILE *f, const struct report *r);

struct json;

/* The members of report_print_json()'s object, into an open object. */
void report_json_members(struct json *j, const struct report *r);

/* One frame as a JSON object (the "frames" entries); key as json.h. */
void report_json_frame(struct json *j, const char *key, const struct frame_info *fr);

/*
 * A frame on one line: "sym+0x20 (/usr/bin/demo+0xabc) demo.c:42", or
 * fewer parts when not symbolized or not file-backed; escaped as the
 * text report. len >= 1.
 */
void frame_describe(FILE *f, const struct frame_info *fr);

#endif
