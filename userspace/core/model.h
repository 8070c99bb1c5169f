/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's model above the messages (proto/ has one struct per
 * message): the report, which gathers site messages by process record,
 * and the orders the listings are shown in.
 */
#ifndef ANONLEAK_CORE_MODEL_H
#define ANONLEAK_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/mappings.h"
#include "proto/procs.h"
#include "proto/sites.h"

/* The sites of one process record, gathered from consecutive messages. */
struct report_proc {
	uint64_t proc_id;
	uint32_t pid;
	char *comm;
	uint8_t state;
	uint32_t uid;
	bool has_uid;
	uint64_t exit_time;
	bool has_exit_time;
	uint64_t cgroup_id;		/* valid if has_cgroup_id */
	bool has_cgroup_id;
	/* By core/cgroup.h (report_resolve_cgroups); NULL where unknown. */
	char *cgroup, *pod, *container;	/* path, Kubernetes pod UID, container id */
	uint64_t now;			/* ANONLEAK_A_NOW of the latest message */
	uint64_t live_count, live_bytes;	/* sums over sites, by report_finish() */
	/*
	 * By core/resident.h: resident_err 0 and the sum over the sites
	 * (report_finish()) if has_resident; else why it is unknown:
	 * -ESRCH the process exited, -E2BIG over the pagemap budget, or the
	 * error of reading its pagemap or mappings.
	 */
	uint64_t resident;
	bool has_resident;
	int resident_err;
	size_t nr_sites, cap_sites;
	struct site_info *sites;
};

struct report {
	size_t nr_procs, cap_procs;
	struct report_proc *procs;
	size_t nr_sites;			/* over all processes */
	uint64_t live_count, live_bytes;	/* totals, by report_finish() */
	size_t nr_cut;				/* sites removed by report_keep_top() */
	bool show_resident;			/* resident figures were asked for */
	bool sort_resident;			/* report_finish(): resident bytes first */
	uint64_t resident;			/* over processes with has_resident */
};

void report_init(struct report *r);
void report_release(struct report *r);
void report_proc_release(struct report_proc *p);

/*
 * Resolve a frame to a symbol: fills f->symbol etc., or leaves them unset.
 * return_address is true for every frame but the innermost (the kernel
 * reports return addresses there, so lookups use addr - 1).
 */
typedef void (*symbolize_fn)(void *ctx, struct frame_info *f, bool return_address);

/* anonleak procs: largest live bytes first, then pid, then proc id. */
void procs_sort(struct proc_list *l);

/* anonleak mappings: by start address (batches arrive in order; this makes sure). */
void mappings_sort(struct mapping_list *m);

#endif
