/* SPDX-License-Identifier: GPL-2.0 */
/* ANONLEAK_CMD_GET_MAPPINGS: the live tracked ranges of one process. */
#ifndef ANONLEAK_PROTO_MAPPINGS_H
#define ANONLEAK_PROTO_MAPPINGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/attr.h"
#include "proto/nl.h"

/* One live tracked range. */
struct mapping_info {
	uint64_t start, length;
	uint32_t prot, flags;		/* PROT_*, MAP_* as mapped */
	uint64_t birth;
	uint64_t site_id;
};

/* One message's batch of ranges, or all of them appended (mapping_list_append). */
struct mapping_list {
	uint32_t pid;
	uint64_t proc_id;
	uint64_t now;
	size_t nr, cap;
	struct mapping_info *maps;
};

void mapping_list_release(struct mapping_list *m);

/* Move src's ranges to the end of dst (src is released); -ENOMEM. */
int mapping_list_append(struct mapping_list *dst, struct mapping_list *src);

/*
 * One message: its batch of ranges into m. Every attribute of a range is
 * required; the list holds type-0 nests only (other types are skipped,
 * as anywhere else).
 */
int parse_mappings_msg(const struct nlmsghdr *nlh, struct mapping_list *m,
		       struct parse_err *err);

/* The dump of pid's ranges, every batch appended into m (reset first). */
int query_mappings(struct nl *nl, pid_t pid, struct mapping_list *m, struct parse_err *perr,
		   bool *inconsistent);

#endif
