// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/anonleak.h>

#include "proto/request.h"

struct dump_ctx {
	msg_parse_fn parse;
	void *item;
	const struct sink *sink;
	struct parse_err *perr;
};

static int dump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	int ret = c->parse(nlh, c->item, c->perr);

	if (ret)
		return ret;
	return c->sink->add(c->sink->ctx, c->item);
}

static void dump_reset(void *data)
{
	struct dump_ctx *c = data;

	c->sink->reset(c->sink->ctx);
}

int request_dump(struct nl *nl, struct nlmsghdr *req, msg_parse_fn parse, void *item,
		 const struct sink *sink, struct parse_err *perr, bool *inconsistent)
{
	static const struct nl_dump_ops ops = { .msg = dump_msg_cb, .reset = dump_reset };
	struct dump_ctx c = { .parse = parse, .item = item, .sink = sink, .perr = perr };

	perr->msg[0] = '\0';
	return nl_dump(nl, req, &ops, &c, inconsistent);
}

struct one_ctx {
	const struct reply_type *t;
	void *obj;
	struct parse_err *perr;
	bool have;
};

static int one_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct one_ctx *c = data;
	int ret;

	if (c->have) {
		snprintf(c->perr->msg, sizeof(c->perr->msg), "more than one %s reply", c->t->name);
		return -EPROTO;
	}
	ret = c->t->parse(nlh, c->obj, c->perr);
	c->have = !ret;
	return ret;
}

int request_one(struct nl *nl, struct nlmsghdr *req, const struct reply_type *t, void *obj,
		struct parse_err *perr)
{
	struct one_ctx c = { .t = t, .obj = obj, .perr = perr };
	int ret;

	perr->msg[0] = '\0';
	memset(obj, 0, t->size);
	ret = nl_doit(nl, req, one_reply_cb, &c);
	if (!ret && !c.have) {
		snprintf(perr->msg, sizeof(perr->msg), "no %s reply", t->name);
		ret = -EPROTO;
	}
	if (ret)
		t->release(obj);
	return ret;
}

/* An ACK is all these requests get: any message is a protocol error. */
static int no_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return -EPROTO;
}

int request_ack(struct nl *nl, struct nlmsghdr *req)
{
	return nl_doit(nl, req, no_reply_cb, NULL);
}

int query_clear(struct nl *nl, pid_t pid)
{
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_CLEAR, 0);

	if (pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	return request_ack(nl, nlh);
}
