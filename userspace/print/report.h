/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printers of the leak report (core/model.h), and of single frames for
 * the other printers. Ages are each message's ANONLEAK_A_NOW minus a
 * timestamp, never the local clock, so output depends on the data alone.
 */
#ifndef ANONLEAK_PRINT_REPORT_H
#define ANONLEAK_PRINT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/fleet.h"
#include "core/model.h"
#include "print/json.h"
#include "proto/sites.h"

/*
 * kmemleak-like text: one block per (process, site) in report order,
 * then a summary line; sites with no live bytes are left out unless all.
 * Or (json) {"processes":[...]} with every site, in report order.
 */
void report_print(FILE *f, const struct report *r, bool json, bool all);

/*
 * report_print(), or by cgroup or pod (core/fleet.h): per group, largest
 * live bytes first, a header line and its processes' sites (text), or
 * {"by":"cgroup","groups":[{"cgroup":KEY,"process_count":N,"live_count":N,
 * "live_bytes":N,"processes":[...]}],"live_count":N,"live_bytes":N}.
 * Returns 0 or -ENOMEM.
 */
int report_print_by(FILE *f, const struct report *r, bool json, bool all, enum report_by by);

/* The members of report_print()'s JSON object, into an open object. */
void report_json_members(struct json *j, const struct report *r);

/* The members naming a process record; uid NULL if unknown. */
void report_json_proc(struct json *j, uint32_t pid, const char *comm, uint64_t proc_id,
		      const uint32_t *uid, uint8_t state);

/* One frame as a JSON object (the "frames" entries); key as json.h. */
void report_json_frame(struct json *j, const char *key, const struct frame_info *fr);

/*
 * A frame on one line: "sym+0x20 (/usr/bin/demo+0xabc) demo.c:42", or
 * fewer parts when not symbolized or not file-backed; escaped as the
 * text report.
 */
void frame_describe(FILE *f, const struct frame_info *fr);

#endif
