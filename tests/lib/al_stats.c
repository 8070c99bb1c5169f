// SPDX-License-Identifier: GPL-2.0
/* See al_stats.h. */
#include <string.h>

#include "al_stats.h"

static int al_t_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct al_t_stats *st = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ANONLEAK_A_STATS)
			al_t_uints(a, st->c, ANONLEAK_STATS_A_MAX,
				   1U << ANONLEAK_STATS_A_PROBES, NULL);
	return MNL_CB_OK;
}

int al_t_stats(struct al_t_stats *st)
{
	memset(st, 0, sizeof(*st));
	return al_t_req(0, ANONLEAK_CMD_GET_STATS, 0, NULL, NULL,
			al_t_stats_cb, st, NULL);
}
