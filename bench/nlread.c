// SPDX-License-Identifier: GPL-2.0
/* See nlread.h. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nlread.h"

/* Big enough for the largest batch the kernel builds for a dump (32 KiB). */
static char nlr_buf[1 << 16];

struct nlr {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
};

static int nlr_open(struct nlr *r)
{
	r->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(r->nl);
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned int)time(NULL);
	return 0;
}

static struct nlmsghdr *nlr_put(struct nlr *r, uint16_t type, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nlr_buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = ANONLEAK_GENL_VERSION;
	return nlh;
}

static int nlr_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(a, MNL_TYPE_U16))
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* Send @nlh and run @cb on the replies until the ack. */
static int nlr_talk(struct nlr *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = mnl_socket_recvfrom(r->nl, nlr_buf, sizeof(nlr_buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(nlr_buf, ret, seq, r->portid, cb, data);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
}

static int nlr_family(struct nlr *r, uint16_t *id)
{
	struct nlmsghdr *nlh = nlr_put(r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	int ret;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ANONLEAK_GENL_NAME);
	*id = 0;
	ret = nlr_talk(r, nlh, nlr_family_cb, id);
	if (ret == -ENOENT || (!ret && !*id))
		return -ENOENT;
	return ret;
}

static int nlr_stats_attr(const struct nlattr *a, void *data)
{
	struct nlr_stats *st = data;
	int t = mnl_attr_get_type(a);

	if (t > ANONLEAK_STATS_A_MAX)
		return MNL_CB_OK;
	if (!mnl_attr_validate(a, MNL_TYPE_U64))
		st->c[t] = mnl_attr_get_u64(a);
	else if (!mnl_attr_validate(a, MNL_TYPE_U32))
		st->c[t] = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int nlr_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ANONLEAK_A_STATS)
			mnl_attr_parse_nested(a, nlr_stats_attr, data);
	return MNL_CB_OK;
}

int nlr_stats(struct nlr_stats *st)
{
	struct nlmsghdr *nlh;
	struct nlr r;
	uint16_t id;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = nlr_open(&r);
	if (ret)
		return ret;
	ret = nlr_family(&r, &id);
	if (!ret) {
		nlh = nlr_put(&r, id, ANONLEAK_CMD_GET_STATS, 0);
		ret = nlr_talk(&r, nlh, nlr_stats_cb, st);
	}
	mnl_socket_close(r.nl);
	return ret;
}

/* Count the records of one dump message; nothing is kept. */
static void nlr_count(const struct nlmsghdr *nlh, uint8_t cmd,
		      struct nlr_dump *d)
{
	const struct nlattr *a, *m;

	d->msgs++;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (cmd != ANONLEAK_CMD_GET_MAPPINGS) {
		d->items++;
		return;
	}
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ANONLEAK_A_MAPPINGS)
			mnl_attr_for_each_nested(m, a)
				d->items++;
}

int nlr_dump(uint8_t cmd, uint32_t pid, struct nlr_dump *d)
{
	struct nlmsghdr *nlh;
	unsigned int seq;
	struct nlr r;
	uint16_t id;
	int ret;

	memset(d, 0, sizeof(*d));
	ret = nlr_open(&r);
	if (ret)
		return ret;
	ret = nlr_family(&r, &id);
	if (ret)
		goto out;
	nlh = nlr_put(&r, id, cmd, NLM_F_DUMP);
	if (pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(r.nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		int len = mnl_socket_recvfrom(r.nl, nlr_buf, sizeof(nlr_buf));

		if (len < 0) {
			ret = -errno;
			goto out;
		}
		d->recvs++;
		d->bytes += len;
		for (nlh = (struct nlmsghdr *)nlr_buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				ret = e->error;
				if (ret)
					goto out;
				continue;
			}
			nlr_count(nlh, cmd, d);
		}
	}
out:
	mnl_socket_close(r.nl);
	return ret;
}
