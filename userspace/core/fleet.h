/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fleet outputs (folded stacks, pprof, the HTML flame graph,
 * Prometheus metrics) share: a frame's name, a site's stable hash, and
 * how a report is grouped (--by) and filtered (--cgroup).
 */
#ifndef ANONLEAK_CORE_FLEET_H
#define ANONLEAK_CORE_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "proto/sites.h"

#define FRAME_NAME_LEN	256

/*
 * A frame's name: its symbol; else "object-basename+0xOFFSET"; else
 * "0xADDR". Cut to FRAME_NAME_LEN - 1 bytes.
 */
const char *frame_name(char buf[FRAME_NAME_LEN], const struct frame_info *f);

/*
 * A site's hash over what identifies its stack across runs and hosts:
 * each frame's symbol (and offset in it) when symbolized, else the object's
 * base name and file offset, else nothing (addresses change per run).
 * 8 lowercase hex digits into buf.
 */
const char *site_hash(char buf[9], const struct site_info *s);

enum report_by { BY_PROCESS, BY_CGROUP, BY_POD };

/* "process", "cgroup", "pod": the enum value, or -EINVAL. */
int report_by_parse(const char *s);

/* "process", "cgroup" or "pod". */
const char *report_by_name(enum report_by by);

/* The key a process is grouped under for by: comm, cgroup path or pod UID. */
const char *report_group_key(const struct report_proc *p, enum report_by by);

/*
 * Keep only the processes whose cgroup path is path or below it
 * (report_resolve_cgroups first); returns how many were dropped.
 */
size_t report_keep_cgroup(struct report *r, const char *path);

#endif
