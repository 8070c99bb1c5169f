/* SPDX-License-Identifier: GPL-2.0 */
/* GET_MAPPINGS: one process's live tracked ranges. */
#ifndef AL_MAPPINGS_H
#define AL_MAPPINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_nl.h"

/* A range: its attributes by type, or by name. */
struct al_t_mapping {
	union {
		uint64_t a[ANONLEAK_MAPPING_A_MAX + 1];
		struct {		/* in the order of enum anonleak_mapping_attr */
			uint64_t unspec_, pad_;
			uint64_t start, len, prot, flags, birth, site_id;
		};
	};
};

_Static_assert(offsetof(struct al_t_mapping, site_id) ==
	       ANONLEAK_MAPPING_A_SITE_ID * sizeof(uint64_t) &&
	       offsetof(struct al_t_mapping, start) ==
	       ANONLEAK_MAPPING_A_START * sizeof(uint64_t) &&
	       sizeof(struct al_t_mapping) ==
	       (ANONLEAK_MAPPING_A_MAX + 1) * sizeof(uint64_t),
	       "struct al_t_mapping follows enum anonleak_mapping_attr");

struct al_t_maps {
	struct al_t_mapping *v;		/* free() it */
	unsigned int n, cap;
	uint64_t bytes;			/* sum of the lengths */
	bool intr;			/* a try was NLM_F_DUMP_INTR */
};

/*
 * Room for @cap ranges before the dump: growing the array while the dump
 * runs would change the caller's own mappings, and interrupt a dump of
 * itself. Else @m only needs to be zeroed. 0 or -ENOMEM.
 */
int al_t_maps_init(struct al_t_maps *m, unsigned int cap);

/*
 * The ranges of @pid into @m (its array kept), in the kernel's order,
 * tried up to AL_T_TRIES times while interrupted; @ext (or NULL) gets the
 * extack message. 0 or -errno (-ESRCH: no running process record).
 */
int al_t_mappings(uint32_t pid, struct al_t_maps *m, char ext[AL_T_EXT]);

/* The parser, for callers that see the messages themselves. */
int al_t_maps_cb(const struct nlmsghdr *nlh, void *maps);

/* For qsort() and bsearch(): by start address. */
int al_t_mapping_cmp(const void *a, const void *b);

#endif /* AL_MAPPINGS_H */
