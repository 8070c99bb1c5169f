// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c's receive loop. A scripted fake kernel (through the send/recv
 * hooks of nl_priv.h) drives NLM_F_DUMP_INTR retries, extack messages in
 * NLMSG_ERROR and NLMSG_DONE, stale replies, bad types and truncation.
 * The real_* tests talk to the host kernel's "nlctrl" family; they skip
 * when generic netlink cannot be opened.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "kselftest_harness.h"
#include "proto/nl.h"
#include "proto/nl_priv.h"
#include "core/config.h"
#include "proto/config.h"
#include "proto/request.h"

#define FAKE_FAMILY	0x42
#define FAKE_PORTID	4242
#define MAX_BUFS	16

enum fake_mode {
	FAKE_DOIT,		/* one reply, then the ACK */
	FAKE_DUMP,		/* stale message, 3 messages over 2 buffers, DONE */
	FAKE_ERR_CAPPED,	/* NLMSG_ERROR -EINVAL, request not echoed, extack */
	FAKE_ERR_ECHOED,	/* the same with the request echoed before the TLVs */
	FAKE_DONE_ERR,		/* one message, then DONE carrying -EMSGSIZE + extack */
	FAKE_BAD_TYPE,		/* a message of another family */
	FAKE_TRUNCATED,		/* the last message claims more than was received */
	FAKE_ERR_BLAME,		/* -ERANGE blaming the config attribute blame_attr */
};

struct fake {
	enum fake_mode mode;
	int runs;		/* requests received */
	int intr_runs;		/* the first intr_runs dumps are flagged DUMP_INTR */
	uint16_t last_flags;
	_Alignas(struct nlmsghdr) char bufs[MAX_BUFS][4096];
	size_t lens[MAX_BUFS];
	int head, tail;		/* queue of buffers to be received */
	uint16_t blame_attr;	/* FAKE_ERR_BLAME */
};

static struct nlmsghdr *put_msg(char *buf, size_t *len, uint16_t type, uint16_t flags,
				uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	return nlh;
}

static void end_msg(size_t *len, struct nlmsghdr *nlh)
{
	*len += MNL_ALIGN(nlh->nlmsg_len);
}

static void put_data(char *buf, size_t *len, uint16_t type, uint32_t seq, bool intr, uint32_t v)
{
	struct nlmsghdr *nlh = put_msg(buf, len, type, NLM_F_MULTI | (intr ? NLM_F_DUMP_INTR : 0),
				       seq);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = 2;
	mnl_attr_put_u32(nlh, 1, v);
	end_msg(len, nlh);
}

/* NLMSGERR_ATTR_OFFS of the config attribute type in req, or 0. */
static uint32_t blame_offset(const struct nlmsghdr *req, uint16_t type)
{
	const struct nlattr *nest, *a;

	mnl_attr_for_each(nest, req, GENL_HDRLEN)
		if (mnl_attr_get_type(nest) == ANONLEAK_A_CONFIG)
			mnl_attr_for_each_nested(a, nest)
				if (mnl_attr_get_type(a) == type)
					return (const char *)a - (const char *)req;
	return 0;
}

/* NLMSG_ERROR for req; echo its payload unless capped; extack msg if any. */
static void put_error_offs(char *buf, size_t *len, const struct nlmsghdr *req, int error,
			   bool capped, const char *msg, uint32_t offs);

static void put_error(char *buf, size_t *len, const struct nlmsghdr *req, int error,
		      bool capped, const char *msg)
{
	put_error_offs(buf, len, req, error, capped, msg, 0);
}

static void put_error_offs(char *buf, size_t *len, const struct nlmsghdr *req, int error,
			   bool capped, const char *msg, uint32_t offs)
{
	struct nlmsghdr *nlh = put_msg(buf, len, NLMSG_ERROR, 0, req->nlmsg_seq);
	size_t body = sizeof(struct nlmsgerr) + (capped ? 0 : req->nlmsg_len - sizeof(*req));
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, body);

	e->error = error;
	memcpy(&e->msg, req, capped ? sizeof(*req) : req->nlmsg_len);
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	if (offs) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	}
	end_msg(len, nlh);
}

static void put_done(char *buf, size_t *len, uint32_t seq, bool intr, int error, const char *msg)
{
	struct nlmsghdr *nlh = put_msg(buf, len, NLMSG_DONE,
				       NLM_F_MULTI | (intr ? NLM_F_DUMP_INTR : 0), seq);
	int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*e = error;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	end_msg(len, nlh);
}

static ssize_t fake_send(struct nl *nl, const void *buf, size_t n)
{
	struct fake *f = nl->priv;
	const struct nlmsghdr *req = buf;
	uint32_t seq = req->nlmsg_seq;
	bool intr = f->runs < f->intr_runs;
	char *b = f->bufs[f->tail];
	size_t *len = &f->lens[f->tail];

	(void)n;
	if (f->tail + 3 > MAX_BUFS)
		return errno = ENOBUFS, -1;
	f->runs++;
	f->last_flags = req->nlmsg_flags;
	*len = 0;
	switch (f->mode) {
	case FAKE_DOIT:
		put_data(b, len, FAKE_FAMILY, seq, false, 1);
		put_error(b, len, req, 0, true, NULL);
		break;
	case FAKE_DUMP:
		put_data(b, len, FAKE_FAMILY, seq - 1, false, 99);	/* stale: skipped */
		put_data(b, len, FAKE_FAMILY, seq, false, f->runs * 10 + 1);
		put_data(b, len, FAKE_FAMILY, seq, intr, f->runs * 10 + 2);
		b = f->bufs[++f->tail];
		len = &f->lens[f->tail];
		*len = 0;
		put_data(b, len, FAKE_FAMILY, seq, intr, f->runs * 10 + 3);
		put_done(b, len, seq, intr, 0, NULL);
		break;
	case FAKE_ERR_CAPPED:
	case FAKE_ERR_ECHOED:
		put_error(b, len, req, -EINVAL, f->mode == FAKE_ERR_CAPPED, "bad ANONLEAK_A_PID");
		break;
	case FAKE_DONE_ERR:
		put_data(b, len, FAKE_FAMILY, seq, false, 1);
		put_done(b, len, seq, false, -EMSGSIZE, "site too large");
		break;
	case FAKE_BAD_TYPE:
		put_data(b, len, FAKE_FAMILY + 1, seq, false, 1);
		put_done(b, len, seq, false, 0, NULL);
		break;
	case FAKE_ERR_BLAME:
		put_error_offs(b, len, req, -ERANGE, true, "integer out of range",
			       blame_offset(req, f->blame_attr));
		break;
	case FAKE_TRUNCATED:
		put_data(b, len, FAKE_FAMILY, seq, false, 1);
		put_data(b, len, FAKE_FAMILY, seq, false, 2);
		*len -= 4;	/* the second message's header says 4 bytes more */
		break;
	}
	f->tail++;
	return n;
}

static ssize_t fake_recv(struct nl *nl, void *buf, size_t n)
{
	struct fake *f = nl->priv;

	if (f->head == f->tail)
		return errno = EAGAIN, -1;	/* a test bug, not a hang */
	if (f->lens[f->head] > n)
		return errno = ENOSPC, -1;
	memcpy(buf, f->bufs[f->head], f->lens[f->head]);
	return f->lens[f->head++];
}

struct collect {
	int count, resets, fail_at;
	uint32_t values[8];
};

static int collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct nlattr *a = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN);

	if (++c->count == c->fail_at)
		return -EPROTO;
	if (c->count <= 8)
		c->values[c->count - 1] = mnl_attr_get_u32(a);
	return 0;
}

static void collect_reset(void *data)
{
	struct collect *c = data;

	c->count = 0;
	c->resets++;
}

static const struct nl_dump_ops collect_ops = { .msg = collect_cb, .reset = collect_reset };

FIXTURE(fake)
{
	struct nl *nl;
	struct fake f;
	struct collect c;
	struct nl_req req;
};

FIXTURE_SETUP(fake)
{
	memset(&self->f, 0, sizeof(self->f));
	memset(&self->c, 0, sizeof(self->c));
	self->nl = nl_new();
	ASSERT_NE(NULL, self->nl);
	self->nl->send = fake_send;
	self->nl->recv = fake_recv;
	self->nl->priv = &self->f;
	self->nl->family = FAKE_FAMILY;
	self->nl->portid = FAKE_PORTID;
}

FIXTURE_TEARDOWN(fake)
{
	nl_close(self->nl);
}

static struct nlmsghdr *request(FIXTURE_DATA(fake) *self)
{
	return nl_request(self->nl, &self->req, 2, 0);
}

TEST_F(fake, doit_reply_then_ack)
{
	self->f.mode = FAKE_DOIT;
	ASSERT_EQ(0, nl_doit(self->nl, request(self), collect_cb, &self->c));
	EXPECT_EQ(1, self->c.count);
	EXPECT_TRUE(self->f.last_flags & NLM_F_ACK);
	EXPECT_FALSE(self->f.last_flags & NLM_F_DUMP);
}

TEST_F(fake, dump_two_buffers)
{
	bool inconsistent = true;

	self->f.mode = FAKE_DUMP;
	ASSERT_EQ(0, nl_dump(self->nl, request(self), &collect_ops, &self->c, &inconsistent));
	EXPECT_FALSE(inconsistent);
	EXPECT_EQ(1, self->f.runs);
	EXPECT_TRUE(self->f.last_flags & NLM_F_DUMP);
	/* the stale message (other seq) was skipped */
	ASSERT_EQ(3, self->c.count);
	EXPECT_EQ(11, self->c.values[0]);
	EXPECT_EQ(13, self->c.values[2]);
	EXPECT_EQ(0, self->c.resets);
}

TEST_F(fake, dump_intr_retried)
{
	bool inconsistent = true;

	self->f.mode = FAKE_DUMP;
	self->f.intr_runs = 1;
	ASSERT_EQ(0, nl_dump(self->nl, request(self), &collect_ops, &self->c, &inconsistent));
	EXPECT_FALSE(inconsistent);
	EXPECT_EQ(2, self->f.runs);
	EXPECT_EQ(1, self->c.resets);
	/* only the second run's messages remain */
	ASSERT_EQ(3, self->c.count);
	EXPECT_EQ(21, self->c.values[0]);
	EXPECT_EQ(23, self->c.values[2]);
}

TEST_F(fake, dump_intr_gives_up)
{
	bool inconsistent = false;

	self->f.mode = FAKE_DUMP;
	self->f.intr_runs = 100;
	ASSERT_EQ(0, nl_dump(self->nl, request(self), &collect_ops, &self->c, &inconsistent));
	EXPECT_TRUE(inconsistent);
	EXPECT_EQ(NL_DUMP_TRIES, self->f.runs);
	EXPECT_EQ(NL_DUMP_TRIES - 1, self->c.resets);
	ASSERT_EQ(3, self->c.count);	/* the last run's results are kept */
	EXPECT_EQ(NL_DUMP_TRIES * 10 + 1, self->c.values[0]);
}

TEST_F(fake, error_extack_capped)
{
	self->f.mode = FAKE_ERR_CAPPED;
	EXPECT_EQ(-EINVAL, nl_doit(self->nl, request(self), collect_cb, &self->c));
	EXPECT_STREQ("bad ANONLEAK_A_PID", nl_error_msg(self->nl));
	EXPECT_EQ(0, self->c.count);
}

TEST_F(fake, error_extack_after_echo)
{
	struct nlmsghdr *req = request(self);

	mnl_attr_put_u32(req, 3, 1234);	/* something to echo */
	self->f.mode = FAKE_ERR_ECHOED;
	EXPECT_EQ(-EINVAL, nl_doit(self->nl, req, collect_cb, &self->c));
	EXPECT_STREQ("bad ANONLEAK_A_PID", nl_error_msg(self->nl));
}

TEST_F(fake, done_with_error)
{
	bool inconsistent;

	self->f.mode = FAKE_DONE_ERR;
	EXPECT_EQ(-EMSGSIZE, nl_dump(self->nl, request(self), &collect_ops, &self->c,
				     &inconsistent));
	EXPECT_STREQ("site too large", nl_error_msg(self->nl));
	EXPECT_EQ(1, self->c.count);
}

TEST_F(fake, unexpected_type)
{
	bool inconsistent;

	self->f.mode = FAKE_BAD_TYPE;
	EXPECT_EQ(-EPROTO, nl_dump(self->nl, request(self), &collect_ops, &self->c,
				   &inconsistent));
	EXPECT_NE(NULL, strstr(nl_error_msg(self->nl), "type")) TH_LOG("%s", nl_error_msg(self->nl));
	EXPECT_EQ(0, self->c.count);
}

TEST_F(fake, truncated_buffer)
{
	bool inconsistent;

	self->f.mode = FAKE_TRUNCATED;
	EXPECT_EQ(-EPROTO, nl_dump(self->nl, request(self), &collect_ops, &self->c,
				   &inconsistent));
	EXPECT_EQ(1, self->c.count);
}

/* A callback error ends the run; the next request skips the leftovers. */
TEST_F(fake, callback_error_then_clean_request)
{
	bool inconsistent;

	self->f.mode = FAKE_DUMP;
	self->c.fail_at = 1;
	EXPECT_EQ(-EPROTO, nl_dump(self->nl, request(self), &collect_ops, &self->c,
				   &inconsistent));
	/* the second buffer of that dump is still queued */
	EXPECT_EQ(1, self->f.tail - self->f.head);
	memset(&self->c, 0, sizeof(self->c));
	ASSERT_EQ(0, nl_dump(self->nl, request(self), &collect_ops, &self->c, &inconsistent));
	ASSERT_EQ(3, self->c.count);
	EXPECT_EQ(21, self->c.values[0]);
}

/* ---- the host kernel's nlctrl family ---- */

static int open_nlctrl(struct __test_metadata *_metadata, struct nl **nl, uint32_t max)
{
	char why[256];
	int ret = nl_open_family(nl, "nlctrl", max, why, sizeof(why));

	if (ret == -EPERM || ret == -EACCES || ret == -EAFNOSUPPORT || ret == -EPROTONOSUPPORT)
		return ret;
	if (ret)
		TH_LOG("nl_open_family: %d %s", ret, why);
	return ret;
}

#define OPEN_NLCTRL_OR_SKIP(nl, max) do {					\
	int __r = open_nlctrl(_metadata, &(nl), (max));				\
	if (__r == -EPERM || __r == -EACCES || __r == -EAFNOSUPPORT ||		\
	    __r == -EPROTONOSUPPORT)						\
		SKIP(return, "no generic netlink here (%d)", __r);		\
	ASSERT_EQ(0, __r);							\
} while (0)

/* The kernel blames one attribute of a SET_CONFIG: its key is named. */
TEST_F(fake, set_config_blames_a_key)
{
	struct module_config cfg = { 0 };
	char why[160];
	int key = 99;

	ASSERT_EQ(0, config_parse_arg(&cfg, "enabled=1", why, sizeof(why)));
	ASSERT_EQ(0, config_parse_arg(&cfg, "filter_comm=x", why, sizeof(why)));
	ASSERT_EQ(0, config_parse_arg(&cfg, "max_sites=5", why, sizeof(why)));
	self->f.mode = FAKE_ERR_BLAME;
	self->f.blame_attr = ANONLEAK_CONFIG_A_MAX_SITES;
	EXPECT_EQ(-ERANGE, query_set_config(self->nl, &cfg, &key));
	EXPECT_EQ(CFG_MAX_SITES, key);
	EXPECT_NE(0, nl_error_offset(self->nl));
	EXPECT_STREQ("integer out of range", nl_error_msg(self->nl));

	self->f.blame_attr = ANONLEAK_CONFIG_A_FILTER_COMM;
	EXPECT_EQ(-ERANGE, query_set_config(self->nl, &cfg, &key));
	EXPECT_EQ(CFG_FILTER_COMM, key);

	/* an offset that is no attribute of ours: no key */
	self->f.blame_attr = ANONLEAK_CONFIG_A_STACK_DEPTH;
	EXPECT_EQ(-ERANGE, query_set_config(self->nl, &cfg, &key));
	EXPECT_EQ(-1, key);
	EXPECT_EQ(0, nl_error_offset(self->nl));

	/* a later success clears the offset */
	self->f.mode = FAKE_DOIT;
	EXPECT_EQ(0, nl_doit(self->nl, request(self), collect_cb, &self->c));
	EXPECT_EQ(0, nl_error_offset(self->nl));
	config_release(&cfg);
}

TEST(real_open_and_errors)
{
	struct nl *nl;
	char why[256];

	OPEN_NLCTRL_OR_SKIP(nl, 1000);
	EXPECT_GE(nl_family_version(nl), 1);
	nl_close(nl);

	/* (names longer than GENL_NAMSIZ would fail with -EINVAL instead) */
	EXPECT_EQ(-ENOENT, nl_open_family(&nl, "anonleak-nope", 1, why, sizeof(why)));
	EXPECT_EQ(NULL, nl);
	EXPECT_EQ(-EPROTO, nl_open_family(&nl, "nlctrl", 0, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "nlctrl")) TH_LOG("%s", why);
	EXPECT_EQ(NULL, nl);
}

struct names {
	int count;
	bool saw_nlctrl;
};

static int name_cb(const struct nlattr *a, void *data)
{
	struct names *n = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
	    !strcmp(mnl_attr_get_str(a), "nlctrl"))
		n->saw_nlctrl = true;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct names *n = data;

	n->count++;
	return mnl_attr_parse(nlh, GENL_HDRLEN, name_cb, data) < 0 ? -EPROTO : 0;
}

static void names_reset(void *data)
{
	memset(data, 0, sizeof(struct names));
}

TEST(real_dump_families)
{
	static const struct nl_dump_ops ops = { .msg = family_cb, .reset = names_reset };
	struct names n = { 0 };
	struct nl_req req;
	bool inconsistent;
	struct nl *nl;

	OPEN_NLCTRL_OR_SKIP(nl, 1000);
	ASSERT_EQ(0, nl_dump(nl, nl_request(nl, &req, CTRL_CMD_GETFAMILY, 0), &ops, &n,
			     &inconsistent));
	EXPECT_GE(n.count, 1);
	EXPECT_TRUE(n.saw_nlctrl);
	nl_close(nl);
}

TEST(real_error_with_extack)
{
	struct nl_req buf;
	char name[64];
	struct names n = { 0 };
	struct nlmsghdr *req;
	struct nl *nl;
	int ret;

	OPEN_NLCTRL_OR_SKIP(nl, 1000);
	/* a family name longer than GENL_NAMSIZ fails policy validation */
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	req = nl_request(nl, &buf, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_doit(nl, req, family_cb, &n);
	EXPECT_LT(ret, 0);
	EXPECT_NE(0, nl_error_msg(nl)[0]) TH_LOG("no extack message for error %d", ret);
	TH_LOG("kernel said %d: %s", ret, nl_error_msg(nl));

	/* the socket is still usable */
	req = nl_request(nl, &buf, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(0, nl_doit(nl, req, family_cb, &n));
	EXPECT_TRUE(n.saw_nlctrl);
	nl_close(nl);
}

TEST_HARNESS_MAIN
