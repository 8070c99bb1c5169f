/* SPDX-License-Identifier: GPL-2.0 */
/* GET_STATS: the module's counters. */
#ifndef AL_STATS_H
#define AL_STATS_H

#include <stdint.h>

#include "al_nl.h"

struct al_t_stats {
	uint64_t c[ANONLEAK_STATS_A_MAX + 1];	/* by attribute */
};

/* 0, -ENOENT if the family is not registered, or -errno. */
int al_t_stats(struct al_t_stats *st);

#endif /* AL_STATS_H */
