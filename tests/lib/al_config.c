// SPDX-License-Identifier: GPL-2.0
/* See al_config.h. */
#include <stdio.h>
#include <string.h>

#include "al_config.h"

static int al_t_config_cb(const struct nlmsghdr *nlh, void *data)
{
	struct al_t_config *c = data;
	const struct nlattr *a, *x;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != ANONLEAK_A_CONFIG)
			continue;
		al_t_uints(a, c->v, ANONLEAK_CONFIG_A_MAX,
			   AL_T_CFG_BIT(FILTER_COMM), &c->seen);
		mnl_attr_for_each_nested(x, a)
			if (mnl_attr_get_type(x) == ANONLEAK_CONFIG_A_FILTER_COMM) {
				snprintf(c->comm, sizeof(c->comm), "%s",
					 mnl_attr_get_str(x));
				c->seen |= AL_T_CFG_BIT(FILTER_COMM);
			}
	}
	return MNL_CB_OK;
}

int al_t_get_config(struct al_t_config *c)
{
	memset(c, 0, sizeof(*c));
	return al_t_req(0, ANONLEAK_CMD_GET_CONFIG, 0, NULL, NULL,
			al_t_config_cb, c, NULL);
}

struct al_t_config_set {
	const struct al_t_config *c;
	uint32_t mask;
};

/* The width of each numeric setting, in bits (the protocol's). */
#define AL_T_BITS(name, bits) [ANONLEAK_CONFIG_A_##name] = (bits)
static const uint8_t al_t_config_bits[ANONLEAK_CONFIG_A_MAX + 1] = {
	AL_T_BITS(ENABLED, 8), AL_T_BITS(STACK_DEPTH, 32), AL_T_BITS(MIN_SIZE, 64),
	AL_T_BITS(FILTER_PID, 32), AL_T_BITS(FILTER_UID, 32), AL_T_BITS(MAX_MAPPINGS, 64),
	AL_T_BITS(MAX_SITES, 64), AL_T_BITS(MAX_PROCS, 64), AL_T_BITS(MAX_EXITED, 64),
	AL_T_BITS(UNWIND, 8), AL_T_BITS(MAX_UNWIND_BYTES, 64), AL_T_BITS(MAX_EXEMPLARS, 64),
	AL_T_BITS(EXEMPLAR_SIZE, 32),
};

static void al_t_put_config(struct nlmsghdr *nlh, void *arg)
{
	const struct al_t_config_set *set = arg;
	struct nlattr *n = mnl_attr_nest_start(nlh, ANONLEAK_A_CONFIG);
	int t;

	for (t = 0; t <= ANONLEAK_CONFIG_A_MAX; t++) {
		if (!(set->mask & (1U << t)))
			continue;
		if (t == ANONLEAK_CONFIG_A_FILTER_COMM)
			mnl_attr_put_strz(nlh, t, set->c->comm);
		else if (al_t_config_bits[t])
			al_t_put_uint(nlh, t, al_t_config_bits[t], set->c->v[t]);
	}
	mnl_attr_nest_end(nlh, n);
}

int al_t_set_config(const struct al_t_config *c, uint32_t mask,
		    char ext[AL_T_EXT])
{
	struct al_t_config_set set = { .c = c, .mask = mask };

	return al_t_req(0, ANONLEAK_CMD_SET_CONFIG, 0, al_t_put_config, &set,
			NULL, NULL, ext);
}

int al_t_set_config1(int t, uint64_t v)
{
	struct al_t_config c = { .seen = 0 };

	c.v[t] = v;
	return al_t_set_config(&c, 1U << t, NULL);
}
