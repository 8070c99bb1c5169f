/* SPDX-License-Identifier: GPL-2.0 */
/* ANONLEAK_CMD_GET_PROCS: one message per process record. */
#ifndef ANONLEAK_PROTO_PROCS_H
#define ANONLEAK_PROTO_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/attr.h"
#include "proto/nl.h"

/* One message: one process record. */
struct proc_info {
	uint32_t pid;
	char *comm;			/* "" if the kernel sent none */
	uint64_t proc_id;
	uint8_t state;
	uint32_t uid;
	uint64_t now;
	uint64_t start_time;		/* CLOCK_BOOTTIME ns of the record's creation */
	uint64_t exit_time;		/* valid if has_exit_time */
	bool has_exit_time;
	uint64_t live_count, live_bytes, sites;
};

/* The messages of a dump, in the order they came. */
struct proc_list {
	size_t nr, cap;
	struct proc_info *procs;
};

void proc_info_release(struct proc_info *p);
void proc_list_release(struct proc_list *l);

/* Move p into l (p is left zeroed); -ENOMEM (p is then released). */
int proc_list_add(struct proc_list *l, struct proc_info *p);

/* "running", "exited", or NULL for a state this build does not know */
const char *proc_state_name(uint8_t state);

/*
 * One message. Required: everything the UAPI header lists without a
 * condition, except ANONLEAK_A_COMM (absent: ""); ANONLEAK_A_EXIT_TIME
 * is optional (exited records only).
 */
int parse_proc_msg(const struct nlmsghdr *nlh, struct proc_info *p, struct parse_err *err);

/* The dump, all records or those of pid, into l (reset first). */
int query_procs(struct nl *nl, pid_t pid, struct proc_list *l, struct parse_err *perr,
		bool *inconsistent);

#endif
