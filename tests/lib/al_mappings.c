// SPDX-License-Identifier: GPL-2.0
/* See al_mappings.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "al_mappings.h"
#include "al_util.h"

int al_t_maps_init(struct al_t_maps *m, unsigned int cap)
{
	memset(m, 0, sizeof(*m));
	m->v = calloc(cap ? cap : 1, sizeof(*m->v));
	if (!m->v)
		return -ENOMEM;
	m->cap = cap;
	return 0;
}

static int al_t_entry_cb(const struct nlattr *a, void *data)
{
	struct al_t_maps *m = data;
	struct al_t_mapping *r = al_append(&m->v, &m->n, &m->cap, sizeof(*r), 256);

	if (!r)
		return MNL_CB_ERROR;
	al_t_uints(a, r->a, ANONLEAK_MAPPING_A_MAX, 0, NULL);
	return MNL_CB_OK;
}

int al_t_maps_cb(const struct nlmsghdr *nlh, void *maps)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ANONLEAK_A_MAPPINGS &&
		    mnl_attr_parse_nested(a, al_t_entry_cb, maps) < 0)
			return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int al_t_mappings(uint32_t pid, struct al_t_maps *m, char ext[AL_T_EXT])
{
	unsigned int i;
	int ret;

	m->n = 0;
	ret = al_t_dump(ANONLEAK_CMD_GET_MAPPINGS, pid, al_t_maps_cb, m, &m->n,
			AL_T_TRIES, &m->intr, ext);
	for (i = 0, m->bytes = 0; i < m->n; i++)
		m->bytes += m->v[i].len;
	return ret;
}

int al_t_mapping_cmp(const void *a, const void *b)
{
	const struct al_t_mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}
