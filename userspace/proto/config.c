// SPDX-License-Identifier: GPL-2.0
/*
 * The GET_CONFIG reply: config_msg_cb -> config_cb, driven by the key
 * table of config.c. Every setting is required ("every setting", says
 * the UAPI header); unknown settings are skipped.
 */
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "proto/attr.h"

struct config_ctx {
	struct pstate *ps;
	struct module_config *cfg;
	uint64_t seen;
};

static int config_cb(const struct nlattr *a, void *data)
{
	static const enum mnl_attr_data_type by_width[] = {
		[0] = MNL_TYPE_NUL_STRING, [1] = MNL_TYPE_U8, [4] = MNL_TYPE_U32, [8] = MNL_TYPE_U64,
	};
	struct config_ctx *c = data;
	uint16_t type = mnl_attr_get_type(a);

	for (int key = 0; key < CFG_NR; key++) {
		const struct config_key_info *k = &config_keys[key];

		if (k->attr != type)
			continue;
		if (mnl_attr_validate(a, by_width[k->width / 8]) < 0)
			return parse_fail(c->ps, -EPROTO, "config %s: bad attribute of length %u",
					  k->name, (unsigned int)mnl_attr_get_payload_len(a));
		c->seen |= 1ULL << key;
		switch (k->width) {
		case 8:
			config_set(c->cfg, key, mnl_attr_get_u8(a));
			break;
		case 32:
			config_set(c->cfg, key, mnl_attr_get_u32(a));
			break;
		case 64:
			config_set(c->cfg, key, mnl_attr_get_u64(a));
			break;
		default:
			if (config_set_comm(c->cfg, mnl_attr_get_str(a)) < 0)
				return parse_fail(c->ps, -ENOMEM, "out of memory");
			break;
		}
		return MNL_CB_OK;
	}
	return MNL_CB_OK;
}

static int config_msg_cb(const struct nlattr *a, void *data)
{
	struct config_ctx *c = data;
	struct config_ctx cc = { .ps = c->ps, .cfg = c->cfg };

	if (mnl_attr_get_type(a) != ANONLEAK_A_CONFIG)
		return MNL_CB_OK;
	if (parse_check_nest(c->ps, a, "ANONLEAK_A_CONFIG", &c->seen) < 0 ||
	    parse_nest(a, config_cb, &cc, c->ps, "ANONLEAK_A_CONFIG") < 0)
		return MNL_CB_ERROR;
	for (int key = 0; key < CFG_NR; key++)
		if (!(cc.seen & (1ULL << key)))
			return parse_fail(c->ps, -EPROTO, "config %s (attribute %u) missing",
					  config_keys[key].name, config_keys[key].attr);
	return MNL_CB_OK;
}

int parse_config_msg(const struct nlmsghdr *nlh, struct module_config *cfg, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct config_ctx c = { .ps = &ps, .cfg = cfg };

	memset(cfg, 0, sizeof(*cfg));
	err->msg[0] = '\0';
	if (check_msg(nlh, &ps) < 0)
		goto out;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, config_msg_cb, &c) < 0)
		parse_fail(&ps, -EPROTO, "bad config message");
	else if (!(c.seen & (1ULL << ANONLEAK_A_CONFIG)))
		parse_fail(&ps, -EPROTO, "ANONLEAK_A_CONFIG missing");
out:
	if (ps.ret)
		config_release(cfg);
	return ps.ret;
}
