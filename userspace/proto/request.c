// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "proto/request.h"

void site_query_put(struct nlmsghdr *nlh, const struct site_query *q)
{
	if (q->pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, q->pid);
	if (q->has_min_bytes)
		mnl_attr_put_u64(nlh, ANONLEAK_A_MIN_BYTES, q->min_bytes);
	if (q->has_min_age)
		mnl_attr_put_u64(nlh, ANONLEAK_A_MIN_AGE, q->min_age);
}

struct sites_ctx {
	const struct site_sink *sink;
	struct parse_err *perr;
};

static int sites_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sites_ctx *c = data;
	struct site_msg m;
	int ret = parse_site_msg(nlh, &m, c->perr);

	if (ret)
		return ret;
	return c->sink->add(c->sink->ctx, &m);
}

static void sites_reset(void *data)
{
	struct sites_ctx *c = data;

	c->sink->reset(c->sink->ctx);
}

int query_sites(struct nl *nl, const struct site_query *q, const struct site_sink *sink,
		struct parse_err *perr, bool *inconsistent)
{
	static const struct nl_dump_ops ops = { .msg = sites_msg_cb, .reset = sites_reset };
	struct sites_ctx c = { .sink = sink, .perr = perr };
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_SITES, 0);

	perr->msg[0] = '\0';
	site_query_put(nlh, q);
	return nl_dump(nl, nlh, &ops, &c, inconsistent);
}

struct procs_ctx {
	struct proc_list *l;
	struct parse_err *perr;
};

static int procs_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct procs_ctx *c = data;
	struct proc_info p;
	int ret = parse_proc_msg(nlh, &p, c->perr);

	if (ret)
		return ret;
	return proc_list_add(c->l, &p);
}

static void procs_reset(void *data)
{
	struct procs_ctx *c = data;

	proc_list_release(c->l);
}

int query_procs(struct nl *nl, pid_t pid, struct proc_list *l, struct parse_err *perr,
		bool *inconsistent)
{
	static const struct nl_dump_ops ops = { .msg = procs_msg_cb, .reset = procs_reset };
	struct procs_ctx c = { .l = l, .perr = perr };
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_PROCS, 0);

	perr->msg[0] = '\0';
	proc_list_release(l);
	if (pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	return nl_dump(nl, nlh, &ops, &c, inconsistent);
}

struct mappings_ctx {
	struct mapping_list *m;
	struct parse_err *perr;
};

static int mappings_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mappings_ctx *c = data;
	struct mapping_list batch;
	int ret = parse_mappings_msg(nlh, &batch, c->perr);

	if (ret)
		return ret;
	return mappings_append(c->m, &batch);
}

static void mappings_reset(void *data)
{
	struct mappings_ctx *c = data;

	mappings_release(c->m);
}

int query_mappings(struct nl *nl, pid_t pid, struct mapping_list *m, struct parse_err *perr,
		   bool *inconsistent)
{
	static const struct nl_dump_ops ops = { .msg = mappings_msg_cb, .reset = mappings_reset };
	struct mappings_ctx c = { .m = m, .perr = perr };
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_MAPPINGS, 0);

	perr->msg[0] = '\0';
	mappings_release(m);
	mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	return nl_dump(nl, nlh, &ops, &c, inconsistent);
}

struct config_ctx {
	struct module_config *cfg;
	struct parse_err *perr;
	bool have;
};

static int config_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct config_ctx *c = data;
	int ret;

	if (c->have) {
		snprintf(c->perr->msg, sizeof(c->perr->msg), "more than one config reply");
		return -EPROTO;
	}
	ret = parse_config_msg(nlh, c->cfg, c->perr);
	c->have = !ret;
	return ret;
}

int query_get_config(struct nl *nl, struct module_config *cfg, struct parse_err *perr)
{
	struct config_ctx c = { .cfg = cfg, .perr = perr };
	struct nl_req req;
	int ret;

	perr->msg[0] = '\0';
	memset(cfg, 0, sizeof(*cfg));
	ret = nl_doit(nl, nl_request(nl, &req, ANONLEAK_CMD_GET_CONFIG, 0), config_reply_cb, &c);
	if (!ret && !c.have) {
		snprintf(perr->msg, sizeof(perr->msg), "no config reply");
		ret = -EPROTO;
	}
	if (ret)
		config_release(cfg);
	return ret;
}

/* SET_CONFIG and CLEAR answer with an ACK only. */
static int no_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return -EPROTO;
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
	ret = nl_doit(nl, nlh, no_reply_cb, NULL);
	if (ret)
		*bad_key = key_at(nlh, nl_error_offset(nl));
	return ret;
}

int query_clear(struct nl *nl, pid_t pid)
{
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_CLEAR, 0);

	if (pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	return nl_doit(nl, nlh, no_reply_cb, NULL);
}
