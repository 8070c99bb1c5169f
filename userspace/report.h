/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The leak report: GET_SITES messages grouped by process record, sorted,
 * and printed as text or JSON. Pure functions on model.h structs.
 */
#ifndef ANONLEAK_REPORT_H
#define ANONLEAK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

void report_init(struct al_report *r);
void report_release(struct al_report *r);

/*
 * Move m's contents into r (m is left zeroed), under the process record
 * with m->proc_id. Returns 0 or -ENOMEM (m is then released).
 */
int report_add(struct al_report *r, struct al_site_msg *m);

/*
 * Compute per-process and total sums, then sort processes by live bytes
 * (then pid, proc id) and each process's sites by live bytes (then live
 * count, site id), largest first.
 */
void report_finish(struct al_report *r);

/*
 * Resolve a frame to a symbol: fills f->symbol etc., or leaves them unset.
 * return_address is true for every frame but the innermost (the kernel
 * reports return addresses there, so lookups use addr - 1).
 */
typedef void (*symbolize_fn)(void *ctx, struct al_frame *f, bool return_address);

/* Call fn for every frame that has an object and an offset. */
void report_symbolize(struct al_report *r, symbolize_fn fn, void *ctx);

/*
 * kmemleak-like text: one block per (process, site) in report order,
 * then a summary line. Sites with no live bytes are left out unless all.
 */
void report_print_text(FILE *f, const struct al_report *r, bool all);

/* {"processes":[...]} with every site, in report order. */
void report_print_json(FILE *f, const struct al_report *r);

#endif
