// SPDX-License-Identifier: GPL-2.0
/*
 * The receive loop is our own rather than mnl_cb_run(): it has to read
 * the extack message out of NLMSG_ERROR and NLMSG_DONE, and to finish
 * reading a dump marked NLM_F_DUMP_INTR (mnl_cb_run stops at the first
 * such message) so the socket is clean for the retry.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "proto/nl.h"
#include "proto/nl_priv.h"
#include "proto/attr.h"

/* Result of one receive buffer: keep reading, or the run is over. */
enum { RUN_MORE = 1, RUN_DONE = 0 };

static int errmsg_attr_cb(const struct nlattr *a, void *data)
{
	struct nl *nl = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->error_msg, sizeof(nl->error_msg), "%s", mnl_attr_get_str(a));
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		nl->error_off = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* Pick up NLMSGERR_ATTR_MSG from the TLVs at payload offset off. */
static void read_extack(struct nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	off = MNL_ALIGN(off);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return;
	if (!nla_stream_ok((const char *)mnl_nlmsg_get_payload(nlh) + off, len - off))
		return;
	mnl_attr_parse(nlh, off, errmsg_attr_cb, nl);
}

/* NLMSG_ERROR: 0 for an ACK, else the kernel's -errno. */
static int handle_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EPROTO;
	if (e->error >= 0)
		return 0;
	/* The request is echoed unless NETLINK_CAP_ACK took effect. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	read_extack(nl, nlh, off);
	return e->error;
}

/* NLMSG_DONE of a dump: an int, negative if the dump failed, then TLVs. */
static int handle_done(struct nl *nl, const struct nlmsghdr *nlh)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return 0;
	read_extack(nl, nlh, sizeof(int));
	return err;
}

static int process(struct nl *nl, const void *buf, size_t n, unsigned int seq,
		   uint16_t type, nl_msg_cb cb, void *data, bool *intr)
{
	const struct nlmsghdr *nlh = buf;
	int len = n, ret;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		/* Leftovers of an earlier run that ended early. */
		if (!mnl_nlmsg_portid_ok(nlh, nl->portid) || !mnl_nlmsg_seq_ok(nlh, seq))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
			ret = handle_error(nl, nlh);
			return ret < 0 ? ret : RUN_DONE;
		case NLMSG_DONE:
			ret = handle_done(nl, nlh);
			return ret < 0 ? ret : RUN_DONE;
		case NLMSG_OVERRUN:
			return -ENOBUFS;
		}
		if (nlh->nlmsg_type != type) {
			snprintf(nl->error_msg, sizeof(nl->error_msg),
				 "unexpected netlink message type %u", nlh->nlmsg_type);
			return -EPROTO;
		}
		ret = cb(nlh, data);
		if (ret < 0)
			return ret;
	}
	if (len != 0) {
		snprintf(nl->error_msg, sizeof(nl->error_msg), "truncated netlink message");
		return -EPROTO;
	}
	return RUN_MORE;
}

/*
 * Send req and read until its NLMSG_DONE or NLMSG_ERROR (ACK): every
 * request carries NLM_F_ACK or NLM_F_DUMP, so one of them always ends it.
 */
static int run(struct nl *nl, struct nlmsghdr *req, uint16_t type, nl_msg_cb cb,
	       void *data, bool *intr)
{
	ssize_t n;
	int ret;

	nl->error_msg[0] = '\0';
	nl->error_off = 0;
	req->nlmsg_seq = ++nl->seq;
	if (nl->send(nl, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		n = nl->recv(nl, nl->rx, NL_RX_SIZE);
		if (n < 0 && errno == ENOSPC) {	/* libmnl's word for MSG_TRUNC */
			snprintf(nl->error_msg, sizeof(nl->error_msg),
				 "netlink message larger than %d bytes", NL_RX_SIZE);
			return -EMSGSIZE;
		}
		if (n < 0)
			return -errno;
		ret = process(nl, nl->rx, n, req->nlmsg_seq, type, cb, data, intr);
	} while (ret == RUN_MORE);
	return ret;
}

/* A request header in buf (len bytes, zeroed first). */
static struct nlmsghdr *put_header(void *buf, size_t len, uint16_t type, uint8_t cmd,
				   uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/* libmnl 1.0.4 leaves attribute padding as it finds it */
	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static struct nlmsghdr *put_request(struct nl_req *req, uint16_t type, uint8_t cmd,
				    uint8_t version, uint16_t flags)
{
	return put_header(req->buf, sizeof(req->buf), type, cmd, version, flags);
}

struct family_info {
	uint16_t id;
	uint32_t version;
	bool has_id;
	struct nl_group groups[NL_MAX_GROUPS];
	unsigned int nr_groups;
};

static int group_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_group *g = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(g->name, sizeof(g->name), "%s", mnl_attr_get_str(a));
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		g->id = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

/* CTRL_ATTR_MCAST_GROUPS: a list of nests, each a name and an id. */
static int groups_cb(const struct nlattr *a, void *data)
{
	struct family_info *fi = data;
	struct nl_group g = { 0 };

	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    !nla_stream_ok(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a)) ||
	    mnl_attr_parse_nested(a, group_attr_cb, &g) < 0)
		return MNL_CB_ERROR;
	if (g.id && g.name[0] && fi->nr_groups < NL_MAX_GROUPS)
		fi->groups[fi->nr_groups++] = g;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	struct family_info *fi = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		fi->id = mnl_attr_get_u16(a);
		fi->has_id = true;
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		fi->version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    !nla_stream_ok(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a)) ||
		    mnl_attr_parse_nested(a, groups_cb, data) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (len < GENL_HDRLEN ||
	    !nla_stream_ok((const char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
			   len - GENL_HDRLEN) ||
	    mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, data) < 0)
		return -EPROTO;
	return 0;
}

static int resolve_family(struct nl *nl, const char *name, uint32_t max_version)
{
	struct family_info fi = { 0 };
	struct nl_req req;
	struct nlmsghdr *nlh;
	int ret;

	nlh = put_request(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = run(nl, nlh, GENL_ID_CTRL, family_msg_cb, &fi, &(bool){ false });
	if (ret < 0)
		return ret;
	if (!fi.has_id) {
		snprintf(nl->error_msg, sizeof(nl->error_msg),
			 "family lookup reply lacks CTRL_ATTR_FAMILY_ID");
		return -EPROTO;
	}
	nl->family = fi.id;
	nl->version = fi.version;
	memcpy(nl->groups, fi.groups, sizeof(fi.groups));
	nl->nr_groups = fi.nr_groups;
	if (fi.version > max_version) {
		snprintf(nl->error_msg, sizeof(nl->error_msg),
			 "the kernel's %s family is version %u, this tool knows up to %u",
			 name, fi.version, max_version);
		return -EPROTO;
	}
	return 0;
}

static ssize_t mnl_send(struct nl *nl, const void *buf, size_t len)
{
	return mnl_socket_sendto(nl->sock, buf, len);
}

static ssize_t mnl_recv(struct nl *nl, void *buf, size_t len)
{
	return mnl_socket_recvfrom(nl->sock, buf, len);
}

struct nl *nl_new(void)
{
	struct nl *nl = calloc(1, sizeof(*nl));

	if (!nl)
		return NULL;
	nl->rx = malloc(NL_RX_SIZE);
	if (!nl->rx) {
		free(nl);
		return NULL;
	}
	nl->send = mnl_send;
	nl->recv = mnl_recv;
	nl->seq = time(NULL);
	return nl;
}

int nl_open_family(struct nl **out, const char *name, uint32_t max_version,
		   char *why, size_t why_len)
{
	struct nl *nl = nl_new();
	int one = 1, ret;

	*out = NULL;
	snprintf(why, why_len, "%s", "");
	if (!nl)
		return -ENOMEM;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		ret = -errno;
		goto err;
	}
	/* not for the commands "anonleak run" starts */
	fcntl(mnl_socket_get_fd(nl->sock), F_SETFD, FD_CLOEXEC);
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	/* Best effort: older kernels lack them, errors still arrive. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	ret = resolve_family(nl, name, max_version);
	if (ret < 0)
		goto err;
	*out = nl;
	return 0;
err:
	/* the caller gets no handle to ask nl_error_msg() */
	snprintf(why, why_len, "%s", nl->error_msg);
	nl_close(nl);
	return ret;
}

int nl_open(struct nl **out, char *why, size_t why_len)
{
	return nl_open_family(out, ANONLEAK_GENL_NAME, ANONLEAK_GENL_VERSION, why, why_len);
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->rx);
	free(nl);
}

uint32_t nl_family_version(const struct nl *nl)
{
	return nl->version;
}

const char *nl_error_msg(const struct nl *nl)
{
	return nl->error_msg;
}

uint32_t nl_error_offset(const struct nl *nl)
{
	return nl->error_off;
}

struct nlmsghdr *nl_request(struct nl *nl, struct nl_req *req, uint8_t cmd, uint16_t flags)
{
	return put_request(req, nl->family, cmd, ANONLEAK_GENL_VERSION, flags);
}

struct nlmsghdr *nl_request_buf(struct nl *nl, void *buf, size_t len, uint8_t cmd,
				uint16_t flags)
{
	return put_header(buf, len, nl->family, cmd, ANONLEAK_GENL_VERSION, flags);
}

int nl_set_sndbuf(struct nl *nl, size_t len)
{
	int fd, v;

	if (!nl->sock)
		return 0;
	if (len > INT32_MAX / 2)
		return -EMSGSIZE;
	fd = mnl_socket_get_fd(nl->sock);
	v = len + 4096;
	/* FORCE passes net.core.wmem_max with CAP_NET_ADMIN; the plain one within it */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) < 0)
		return -errno;
	return 0;
}

int nl_join_group(struct nl *nl, const char *name)
{
	for (unsigned int i = 0; i < nl->nr_groups; i++) {
		unsigned int id = nl->groups[i].id;

		if (strcmp(nl->groups[i].name, name))
			continue;
		if (nl->sock && mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &id,
						      sizeof(id)) < 0)
			return -errno;
		return 0;
	}
	snprintf(nl->error_msg, sizeof(nl->error_msg),
		 "the module has no multicast group \"%s\"", name);
	return -ENOENT;
}

int nl_fd(const struct nl *nl)
{
	return nl->sock ? mnl_socket_get_fd(nl->sock) : -1;
}

int nl_recv_events(struct nl *nl, nl_msg_cb cb, void *data)
{
	const struct nlmsghdr *nlh;
	ssize_t n = nl->recv(nl, nl->rx, NL_RX_SIZE);
	int len, ret;

	if (n < 0)
		return -errno;	/* ENOBUFS: events were lost (the caller resyncs) */
	len = n;
	for (nlh = (const void *)nl->rx; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_pid != 0 || nlh->nlmsg_type != nl->family)
			continue;	/* not a multicast of the family */
		ret = cb(nlh, data);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int nl_doit(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data)
{
	req->nlmsg_flags |= NLM_F_ACK;
	return run(nl, req, nl->family, cb, data, &(bool){ false });
}

int nl_dump(struct nl *nl, struct nlmsghdr *req, const struct nl_dump_ops *ops,
	    void *data, bool *inconsistent)
{
	req->nlmsg_flags |= NLM_F_DUMP;
	for (int tries = 1;; tries++) {
		bool intr = false;
		int ret = run(nl, req, nl->family, ops->msg, data, &intr);

		if (ret < 0)
			return ret;
		*inconsistent = intr;
		if (!intr || tries == NL_DUMP_TRIES)
			return 0;
		ops->reset(data);
	}
}
