// SPDX-License-Identifier: GPL-2.0
/*
 * GET_MAPPINGS messages: mappings_msg_cb -> list_cb -> mapping_cb. Every
 * attribute of a range is required; the list holds type-0 nests only
 * (other types are skipped, as anywhere else).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "proto/attr.h"
#include "core/util.h"

static const struct field mapping_fields[] = {
	FIELD(ANONLEAK_MAPPING_A_START, 64, false, struct mapping_info, start),
	FIELD(ANONLEAK_MAPPING_A_LENGTH, 64, false, struct mapping_info, length),
	FIELD(ANONLEAK_MAPPING_A_PROT, 32, false, struct mapping_info, prot),
	FIELD(ANONLEAK_MAPPING_A_FLAGS, 32, false, struct mapping_info, flags),
	FIELD(ANONLEAK_MAPPING_A_BIRTH, 64, false, struct mapping_info, birth),
	FIELD(ANONLEAK_MAPPING_A_SITE_ID, 64, false, struct mapping_info, site_id),
};

static const struct field mappings_msg_fields[] = {
	FIELD(ANONLEAK_A_PID, 32, false, struct mapping_list, pid),
	FIELD(ANONLEAK_A_PROC_ID, 64, false, struct mapping_list, proc_id),
	FIELD(ANONLEAK_A_NOW, 64, false, struct mapping_list, now),
};

struct mapping_ctx {
	struct pstate *ps;
	struct mapping_info *map;
	uint64_t seen;
};

static int mapping_cb(const struct nlattr *a, void *data)
{
	struct mapping_ctx *c = data;

	return put_field(mapping_fields, ARRAY_SIZE(mapping_fields), a, c->map, &c->seen,
			 c->ps) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

struct mappings_ctx {
	struct pstate *ps;
	struct mapping_list *m;
	uint64_t seen;
};

static int list_cb(const struct nlattr *a, void *data)
{
	struct mappings_ctx *c = data;
	struct mapping_list *m = c->m;
	struct mapping_ctx mc = { .ps = c->ps };

	if (mnl_attr_get_type(a) != 0)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return parse_fail(c->ps, -EPROTO, "range %zu is not a nest", m->nr);
	if (array_grow((void **)&m->maps, &m->cap, m->nr, sizeof(*m->maps)) < 0)
		return parse_fail(c->ps, -ENOMEM, "out of memory");
	mc.map = &m->maps[m->nr];
	memset(mc.map, 0, sizeof(*mc.map));
	if (parse_nest(a, mapping_cb, &mc, c->ps, "a range") < 0 ||
	    check_required(mapping_fields, ARRAY_SIZE(mapping_fields), mc.seen, c->ps) < 0)
		return MNL_CB_ERROR;
	if (mc.map->length == 0 || mc.map->start + mc.map->length < mc.map->start)
		return parse_fail(c->ps, -EPROTO, "range %zu: bad length 0x%llx at 0x%llx", m->nr,
				  (unsigned long long)mc.map->length,
				  (unsigned long long)mc.map->start);
	m->nr++;
	return MNL_CB_OK;
}

static int mappings_msg_cb(const struct nlattr *a, void *data)
{
	struct mappings_ctx *c = data;
	int ret;

	ret = put_field(mappings_msg_fields, ARRAY_SIZE(mappings_msg_fields), a, c->m,
			&c->seen, c->ps);
	if (ret)
		return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	if (mnl_attr_get_type(a) != ANONLEAK_A_MAPPINGS)
		return MNL_CB_OK;
	if (parse_check_nest(c->ps, a, "ANONLEAK_A_MAPPINGS", &c->seen) < 0)
		return MNL_CB_ERROR;
	return parse_nest(a, list_cb, c, c->ps, "ANONLEAK_A_MAPPINGS");
}

int parse_mappings_msg(const struct nlmsghdr *nlh, struct mapping_list *m, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct mappings_ctx c = { .ps = &ps, .m = m };

	memset(m, 0, sizeof(*m));
	err->msg[0] = '\0';
	if (check_msg(nlh, &ps) < 0)
		goto out;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, mappings_msg_cb, &c) < 0) {
		parse_fail(&ps, -EPROTO, "bad mappings message");
		goto out;
	}
	if (check_required(mappings_msg_fields, ARRAY_SIZE(mappings_msg_fields), c.seen, &ps) < 0)
		goto out;
	if (!(c.seen & (1ULL << ANONLEAK_A_MAPPINGS)))
		parse_fail(&ps, -EPROTO, "ANONLEAK_A_MAPPINGS missing");
out:
	if (ps.ret)
		mappings_release(m);
	return ps.ret;
}
