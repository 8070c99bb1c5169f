/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal anonleak netlink client for the benchmark: GET_STATS, and dumps
 * read as fast as possible and thrown away (only counted). Independent of
 * the CLI on purpose: it measures the kernel side.
 */
#ifndef BENCH_NLREAD_H
#define BENCH_NLREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/anonleak.h>

struct nlr_stats {
	uint64_t c[ANONLEAK_STATS_A_MAX + 1];	/* by attribute */
};

struct nlr_dump {
	uint64_t msgs;		/* netlink messages with records */
	uint64_t items;		/* ranges (GET_MAPPINGS) or sites (GET_SITES) */
	uint64_t bytes;		/* bytes received */
	uint64_t recvs;		/* recv() calls */
	bool intr;		/* NLM_F_DUMP_INTR seen */
};

/* 0, -ENOENT if the family is not registered, or -errno. */
int nlr_stats(struct nlr_stats *st);
/* Dump @cmd (GET_MAPPINGS, GET_SITES), with ANONLEAK_A_PID if @pid. */
int nlr_dump(uint8_t cmd, uint32_t pid, struct nlr_dump *d);

#endif
