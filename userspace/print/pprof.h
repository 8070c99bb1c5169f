/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report as a gzipped pprof profile (google/pprof proto/profile.proto),
 * hand-encoded with print/pb.h. Sample types in the order of Go's heap
 * profiles: alloc_objects/count (maps since tracking began), alloc_space/
 * bytes (bytes mapped since then), inuse_objects/count (live mappings, or
 * outstanding at exit), inuse_space/bytes (their bytes), then, with
 * resident, resident_space/bytes; default inuse_space, period_type
 * space/bytes. One sample per (process, site), leaf first, labelled pid,
 * comm, and cgroup, pod and container where known. One Mapping per object
 * (build-id; its addresses are file offsets, so memory_start equals
 * file_offset), and a fake "[unknown]" one for frames without an object.
 */
#ifndef ANONLEAK_PRINT_PPROF_H
#define ANONLEAK_PRINT_PPROF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/model.h"
#include "print/pb.h"

/* The uncompressed Profile message into out (pb_init()ed): 0 or -errno. */
int pprof_encode(const struct report *r, bool resident, uint64_t time_ns, struct pb *out);

/* The gzipped profile to f: 0 or -errno. */
int pprof_write(FILE *f, const struct report *r, bool resident, uint64_t time_ns);

#endif
