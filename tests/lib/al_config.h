/* SPDX-License-Identifier: GPL-2.0 */
/* GET_CONFIG and SET_CONFIG: the module's settings. */
#ifndef AL_CONFIG_H
#define AL_CONFIG_H

#include <stdint.h>

#include "al_nl.h"

struct al_t_config {
	uint64_t v[ANONLEAK_CONFIG_A_MAX + 1];	/* by attribute */
	char comm[16];				/* ANONLEAK_CONFIG_A_FILTER_COMM */
	uint32_t seen;				/* 1 << attribute, as read */
};

#define AL_T_CFG_BIT(t) (1U << ANONLEAK_CONFIG_A_##t)
/* Every setting. */
#define AL_T_CFG_ALL (((1U << (ANONLEAK_CONFIG_A_MAX + 1)) - 1) &	\
		      ~(1U << ANONLEAK_CONFIG_A_UNSPEC) &		\
		      ~(1U << ANONLEAK_CONFIG_A_PAD))

/* The settings into @c: 0 or -errno. */
int al_t_get_config(struct al_t_config *c);

/*
 * SET_CONFIG of the settings of @c that @mask names (AL_T_CFG_BIT()s),
 * each with the type the protocol gives it; @ext (or NULL) gets the
 * extack message. 0 or -errno.
 */
int al_t_set_config(const struct al_t_config *c, uint32_t mask,
		    char ext[AL_T_EXT]);

/* SET_CONFIG of one numeric setting @t (ANONLEAK_CONFIG_A_*) to @v. */
int al_t_set_config1(int t, uint64_t v);

#endif /* AL_CONFIG_H */
