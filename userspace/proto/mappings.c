// SPDX-License-Identifier: GPL-2.0
/*
 * A mappings message: message (mappings_msg_fields) ->
 * ANONLEAK_A_MAPPINGS (a list of type-0 nests) -> a range (mapping_fields).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/anonleak.h>

#include "proto/mappings.h"
#include "proto/request.h"

void mapping_list_release(struct mapping_list *m)
{
	free(m->maps);
	memset(m, 0, sizeof(*m));
}

int mapping_list_append(struct mapping_list *dst, struct mapping_list *src)
{
	if (!dst->nr && !dst->maps) {
		dst->pid = src->pid;
		dst->proc_id = src->proc_id;
	}
	dst->now = src->now;
	if (src->nr && dst->cap - dst->nr < src->nr) {
		size_t ncap = dst->cap * 2 > dst->nr + src->nr ? dst->cap * 2 : dst->nr + src->nr;
		struct mapping_info *n = reallocarray(dst->maps, ncap, sizeof(*n));

		if (!n) {
			mapping_list_release(src);
			return -ENOMEM;
		}
		dst->maps = n;
		dst->cap = ncap;
	}
	if (src->nr)
		memcpy(dst->maps + dst->nr, src->maps, src->nr * sizeof(*src->maps));
	dst->nr += src->nr;
	mapping_list_release(src);
	return 0;
}

static const struct field mapping_fields[] = {
	FIELD(ANONLEAK_MAPPING_A_START, 64, false, struct mapping_info, start),
	FIELD(ANONLEAK_MAPPING_A_LENGTH, 64, false, struct mapping_info, length),
	FIELD(ANONLEAK_MAPPING_A_PROT, 32, false, struct mapping_info, prot),
	FIELD(ANONLEAK_MAPPING_A_FLAGS, 32, false, struct mapping_info, flags),
	FIELD(ANONLEAK_MAPPING_A_BIRTH, 64, false, struct mapping_info, birth),
	FIELD(ANONLEAK_MAPPING_A_SITE_ID, 64, false, struct mapping_info, site_id),
};

static int list_other(struct level *lv, const struct nlattr *a)
{
	struct mapping_list *m = lv->obj;
	struct mapping_info *r;
	struct level range;

	if (mnl_attr_get_type(a) != 0)
		return MNL_CB_OK;
	r = parse_list_add(lv->ps, a, (void **)&m->maps, &m->cap, &m->nr, sizeof(*r), "range");
	if (!r)
		return MNL_CB_ERROR;
	range = LEVEL(lv->ps, mapping_fields, r, NULL);
	if (parse_nest(a, level_cb, &range, lv->ps, "a range") < 0 ||
	    check_required(range.tab, range.nr, range.seen, lv->ps) < 0)
		return MNL_CB_ERROR;
	if (r->length == 0 || r->start + r->length < r->start)
		return parse_fail(lv->ps, -EPROTO, "range %zu: bad length 0x%llx at 0x%llx",
				  m->nr - 1, (unsigned long long)r->length,
				  (unsigned long long)r->start);
	return MNL_CB_OK;
}

static const struct field mappings_msg_fields[] = {
	FIELD(ANONLEAK_A_PID, 32, false, struct mapping_list, pid),
	FIELD(ANONLEAK_A_PROC_ID, 64, false, struct mapping_list, proc_id),
	FIELD(ANONLEAK_A_NOW, 64, false, struct mapping_list, now),
};

static int msg_other(struct level *lv, const struct nlattr *a)
{
	struct level list = LEVEL_OF(lv->ps, lv->obj, list_other);

	if (mnl_attr_get_type(a) != ANONLEAK_A_MAPPINGS)
		return MNL_CB_OK;
	return parse_level(lv, a, "ANONLEAK_A_MAPPINGS", &list);
}

int parse_mappings_msg(const struct nlmsghdr *nlh, struct mapping_list *m,
		       struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct level top = LEVEL(&ps, mappings_msg_fields, m, msg_other);

	memset(m, 0, sizeof(*m));
	if (parse_msg(nlh, &top, "mappings", NEST(ANONLEAK_A_MAPPINGS)))
		mapping_list_release(m);
	return ps.ret;
}

DEFINE_PARSE_FN(parse_item, parse_mappings_msg)
DEFINE_ADD_FN(list_append, mapping_list_append)
DEFINE_RELEASE_FN(list_reset, mapping_list_release)

int query_mappings(struct nl *nl, pid_t pid, struct mapping_list *m, struct parse_err *perr,
		   bool *inconsistent)
{
	const struct sink sink = { .add = list_append, .reset = list_reset, .ctx = m };
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_MAPPINGS, 0);
	struct mapping_list batch;

	mapping_list_release(m);
	mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	return request_dump(nl, nlh, parse_item, &batch, &sink, perr, inconsistent);
}
