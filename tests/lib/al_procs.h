/* SPDX-License-Identifier: GPL-2.0 */
/* GET_PROCS (and exit events, which carry the same attributes). */
#ifndef AL_PROCS_H
#define AL_PROCS_H

#include <stdint.h>

#include "al_nl.h"

struct al_t_proc {
	uint32_t pid, uid;
	uint8_t state;
	uint64_t proc_id, start, exit;		/* times: CLOCK_BOOTTIME ns */
	uint64_t count, bytes, sites;		/* live ranges, bytes; sites */
	char comm[16];
};

struct al_t_procs {
	struct al_t_proc *v;			/* free() it */
	unsigned int n, cap;
	bool intr;
};

/* The records of @pid (0: all) into @ps: 0 or -errno. */
int al_t_procs(uint32_t pid, struct al_t_procs *ps);

/* The record of @pid in @ps, or NULL. */
struct al_t_proc *al_t_proc_of(struct al_t_procs *ps, uint32_t pid);

/* Parsers for callers that see the messages themselves. */
int al_t_proc_parse(const struct nlmsghdr *nlh, struct al_t_proc *p);
int al_t_procs_cb(const struct nlmsghdr *nlh, void *procs);

#endif /* AL_PROCS_H */
