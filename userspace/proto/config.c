// SPDX-License-Identifier: GPL-2.0
/*
 * The settings: the key table, requests and the GET_CONFIG reply
 * (message -> ANONLEAK_A_CONFIG -> one attribute per key, read by the
 * table). Every setting is required in the reply ("every setting", says
 * the UAPI header); unknown settings are skipped.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "proto/config.h"
#include "proto/request.h"

#define KEY(n, a, w, k, lo, hi) { n, ANONLEAK_CONFIG_A_##a, w, CFG_KIND_##k, lo, hi }

const struct config_key_info config_keys[CFG_NR] = {
	[CFG_ENABLED] = KEY("enabled", ENABLED, 8, BOOL, 0, 1),
	[CFG_STACK_DEPTH] = KEY("stack_depth", STACK_DEPTH, 32, NUM, 1, ANONLEAK_MAX_FRAMES),
	[CFG_MIN_SIZE] = KEY("min_size", MIN_SIZE, 64, SIZE, 0, UINT64_MAX),
	[CFG_FILTER_PID] = KEY("filter_pid", FILTER_PID, 32, NUM, 0, INT_MAX),
	[CFG_FILTER_UID] = KEY("filter_uid", FILTER_UID, 32, UID, 0, UINT32_MAX),
	[CFG_FILTER_COMM] = KEY("filter_comm", FILTER_COMM, 0, COMM, 0, 0),
	[CFG_MAX_MAPPINGS] = KEY("max_mappings", MAX_MAPPINGS, 64, NUM, 0, UINT64_MAX),
	[CFG_MAX_SITES] = KEY("max_sites", MAX_SITES, 64, NUM, 0, UINT64_MAX),
	[CFG_MAX_PROCS] = KEY("max_procs", MAX_PROCS, 64, NUM, 0, UINT64_MAX),
	[CFG_MAX_EXITED] = KEY("max_exited", MAX_EXITED, 64, NUM, 0, UINT64_MAX),
	[CFG_UNWIND] = KEY("unwind", UNWIND, 8, BOOL, 0, 1),
	[CFG_MAX_UNWIND_BYTES] = KEY("max_unwind_bytes", MAX_UNWIND_BYTES, 64, SIZE,
				     ANONLEAK_MAX_UNWIND_BYTES_MIN, ANONLEAK_MAX_UNWIND_BYTES_MAX),
	[CFG_MAX_EXEMPLARS] = KEY("max_exemplars", MAX_EXEMPLARS, 64, NUM,
				  ANONLEAK_MAX_EXEMPLARS_MIN, ANONLEAK_MAX_EXEMPLARS_MAX),
	[CFG_EXEMPLAR_SIZE] = KEY("exemplar_size", EXEMPLAR_SIZE, 32, SIZE,
				  ANONLEAK_EXEMPLAR_SIZE_MIN, ANONLEAK_EXEMPLAR_SIZE_MAX),
};

void config_release(struct module_config *c)
{
	free(c->filter_comm);
	memset(c, 0, sizeof(*c));
}

int config_copy(struct module_config *dst, const struct module_config *src)
{
	*dst = *src;
	dst->filter_comm = NULL;
	if (src->filter_comm) {
		dst->filter_comm = strdup(src->filter_comm);
		if (!dst->filter_comm)
			return -ENOMEM;
	}
	return 0;
}

void config_set(struct module_config *c, enum config_key key, uint64_t v)
{
	c->v[key] = v;
	c->present |= 1U << key;
}

int config_set_comm(struct module_config *c, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -ENOMEM;
	free(c->filter_comm);
	c->filter_comm = d;
	c->present |= 1U << CFG_FILTER_COMM;
	return 0;
}

/* One key's attribute; false if it does not fit. */
static bool put_key(struct nlmsghdr *nlh, size_t buf_len, const struct module_config *c,
		    int key)
{
	const struct config_key_info *k = &config_keys[key];

	switch (k->width) {
	case 8:
		return mnl_attr_put_u8_check(nlh, buf_len, k->attr, c->v[key]);
	case 32:
		return mnl_attr_put_u32_check(nlh, buf_len, k->attr, c->v[key]);
	case 64:
		return mnl_attr_put_u64_check(nlh, buf_len, k->attr, c->v[key]);
	}
	return mnl_attr_put_strz_check(nlh, buf_len, k->attr,
				       c->filter_comm ? c->filter_comm : "");
}

int config_put(struct nlmsghdr *nlh, size_t buf_len, const struct module_config *c)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, buf_len, ANONLEAK_A_CONFIG);
	bool ok = nest;

	for (int key = 0; ok && key < CFG_NR; key++)
		if (c->present & (1U << key))
			ok = put_key(nlh, buf_len, c, key);
	if (!ok) {
		if (nest)
			mnl_attr_nest_cancel(nlh, nest);
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

/* A setting inside ANONLEAK_A_CONFIG; lv->seen gets bit (1 << key). */
static int key_other(struct level *lv, const struct nlattr *a)
{
	static const enum mnl_attr_data_type by_width[] = {
		[0] = MNL_TYPE_NUL_STRING, [1] = MNL_TYPE_U8, [4] = MNL_TYPE_U32, [8] = MNL_TYPE_U64,
	};
	struct module_config *cfg = lv->obj;
	uint16_t type = mnl_attr_get_type(a);
	int key;

	for (key = 0; key < CFG_NR && config_keys[key].attr != type; key++)
		;
	if (key == CFG_NR)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, by_width[config_keys[key].width / 8]) < 0)
		return parse_fail(lv->ps, -EPROTO, "config %s: bad attribute of length %u",
				  config_keys[key].name, (unsigned int)mnl_attr_get_payload_len(a));
	lv->seen |= BIT64(key);
	switch (config_keys[key].width) {
	case 8:
		config_set(cfg, key, mnl_attr_get_u8(a));
		break;
	case 32:
		config_set(cfg, key, mnl_attr_get_u32(a));
		break;
	case 64:
		config_set(cfg, key, mnl_attr_get_u64(a));
		break;
	default:
		if (config_set_comm(cfg, mnl_attr_get_str(a)) < 0)
			return parse_fail(lv->ps, -ENOMEM, "out of memory");
		break;
	}
	return MNL_CB_OK;
}

static int msg_other(struct level *lv, const struct nlattr *a)
{
	struct level keys = LEVEL_OF(lv->ps, lv->obj, key_other);

	if (mnl_attr_get_type(a) != ANONLEAK_A_CONFIG)
		return MNL_CB_OK;
	if (parse_level(lv, a, "ANONLEAK_A_CONFIG", &keys) < 0)
		return MNL_CB_ERROR;
	for (int key = 0; key < CFG_NR; key++)
		if (!(keys.seen & BIT64(key)))
			return parse_fail(lv->ps, -EPROTO, "config %s (attribute %u) missing",
					  config_keys[key].name, config_keys[key].attr);
	return MNL_CB_OK;
}

int parse_config_msg(const struct nlmsghdr *nlh, struct module_config *cfg,
		     struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct level top = LEVEL_OF(&ps, cfg, msg_other);

	memset(cfg, 0, sizeof(*cfg));
	if (parse_msg(nlh, &top, "config", NEST(ANONLEAK_A_CONFIG)))
		config_release(cfg);
	return ps.ret;
}

DEFINE_PARSE_FN(parse_reply, parse_config_msg)
DEFINE_RELEASE_FN(release_reply, config_release)

static const struct reply_type config_reply = {
	"config", parse_reply, release_reply, sizeof(struct module_config),
};

int query_get_config(struct nl *nl, struct module_config *cfg, struct parse_err *perr)
{
	struct nl_req req;

	return request_one(nl, nl_request(nl, &req, ANONLEAK_CMD_GET_CONFIG, 0), &config_reply,
			   cfg, perr);
}

/* The key of the attribute at byte offset off of the request, or -1. */
static int key_at(const struct nlmsghdr *nlh, uint32_t off)
{
	const struct nlattr *nest, *a;

	if (!off || off >= nlh->nlmsg_len)
		return -1;
	mnl_attr_for_each(nest, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(nest) != ANONLEAK_A_CONFIG)
			continue;
		mnl_attr_for_each_nested(a, nest) {
			if ((const char *)a - (const char *)nlh != off)
				continue;
			for (int key = 0; key < CFG_NR; key++)
				if (config_keys[key].attr == mnl_attr_get_type(a))
					return key;
		}
	}
	return -1;
}

int query_set_config(struct nl *nl, const struct module_config *cfg, int *bad_key)
{
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_SET_CONFIG, 0);
	int ret = config_put(nlh, sizeof(req.buf), cfg);

	*bad_key = -1;
	if (ret)
		return ret;
	ret = request_ack(nl, nlh);
	if (ret)
		*bad_key = key_at(nlh, nl_error_offset(nl));
	return ret;
}
