// SPDX-License-Identifier: GPL-2.0
/* See al_nl.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "al_nl.h"

/* Big enough for the largest batch the kernel builds for a dump (32 KiB). */
#define AL_T_BUF (1 << 16)

struct al_t_sock {
	struct mnl_socket *nl;
	unsigned int portid;
	char *buf;
};

static int al_t_open(struct al_t_sock *s)
{
	int one = 1, err;

	s->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!s->nl)
		return -errno;
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(s->nl);
		return err;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	return 0;
}

static int al_t_ext_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		snprintf(data, AL_T_EXT, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* The result an NLMSG_ERROR (an ACK if 0) or NLMSG_DONE carries. */
static int al_t_end(const struct nlmsghdr *nlh, char *ext)
{
	/* The error, then the (capped) request or nothing, then the TLVs. */
	size_t off = nlh->nlmsg_type == NLMSG_ERROR ?
		     sizeof(struct nlmsgerr) : sizeof(int);
	int err = *(int *)mnl_nlmsg_get_payload(nlh);

	if (ext && (nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		mnl_attr_parse(nlh, off, al_t_ext_cb, ext);
	return err;
}

/* Read the replies to request @seq; *@intr: one was NLM_F_DUMP_INTR. */
static int al_t_replies(struct al_t_sock *s, unsigned int seq,
			struct al_t_call *c, bool *intr)
{
	struct nlmsghdr *nlh;
	int len;

	for (;;) {
		len = mnl_socket_recvfrom(s->nl, s->buf, AL_T_BUF);
		if (len < 0)
			return -errno;
		c->recvs++;
		c->bytes += len;
		for (nlh = (struct nlmsghdr *)s->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != s->portid)
				continue;	/* not a reply to this request */
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE)
				return al_t_end(nlh, c->ext);
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;
			c->msgs++;
			if (c->cb && c->cb(nlh, c->data) < MNL_CB_OK)
				return -EBADMSG;
		}
	}
}

/* One request of @c to @family, and its replies. */
static int al_t_try(struct al_t_sock *s, int family, struct al_t_call *c,
		    bool *intr)
{
	static unsigned int seqs;
	unsigned int seq = __atomic_add_fetch(&seqs, 1, __ATOMIC_RELAXED);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(c->reqbuf ? c->reqbuf : s->buf);
	struct genlmsghdr *g;
	int sndbuf;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | c->flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = c->cmd;
	g->version = ANONLEAK_GENL_VERSION;
	if (c->build)
		c->build(nlh, c->barg);
	if (nlh->nlmsg_len > AL_T_BUF / 2) {
		sndbuf = 2 * nlh->nlmsg_len;
		setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_SNDBUFFORCE,
			   &sndbuf, sizeof(sndbuf));
	}
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	*intr = false;
	return al_t_replies(s, seq, c, intr);
}

static void al_t_put_name(struct nlmsghdr *nlh, void *arg)
{
	(void)arg;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ANONLEAK_GENL_NAME);
}

static int al_t_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(a, MNL_TYPE_U16))
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* The family's id, looked up on @s. */
static int al_t_lookup(struct al_t_sock *s)
{
	uint16_t id = 0;
	struct al_t_call c = {
		.cmd = CTRL_CMD_GETFAMILY, .build = al_t_put_name,
		.cb = al_t_family_cb, .data = &id,
	};
	bool intr;
	int ret = al_t_try(s, GENL_ID_CTRL, &c, &intr);

	if (ret)
		return ret;
	return id ? id : -ENOENT;
}

int al_t_call(struct al_t_call *c)
{
	char buf[AL_T_BUF];
	struct al_t_sock s = { .buf = buf };
	unsigned int tries = c->n && c->tries ? c->tries : 1;
	int family = c->family, ret;
	bool intr;

	c->intr = false;
	c->tried = 0;
	c->msgs = c->recvs = c->bytes = 0;
	if (c->ext)
		c->ext[0] = 0;
	if (family < 0)
		return family;
	ret = al_t_open(&s);
	if (ret)
		return ret;
	if (!family)
		family = al_t_lookup(&s);
	ret = family < 0 ? family : 0;
	while (!ret && c->tried < tries) {
		if (c->tried)
			*c->n = 0;
		ret = al_t_try(&s, family, c, &intr);
		c->tried++;
		c->intr |= intr;
		if (!intr)
			break;
	}
	mnl_socket_close(s.nl);
	return ret;
}

int al_t_req(int family, uint8_t cmd, uint16_t flags, al_t_build_t build,
	     void *barg, mnl_cb_t cb, void *data, char ext[AL_T_EXT])
{
	struct al_t_call c = {
		.family = family, .cmd = cmd, .flags = flags, .build = build,
		.barg = barg, .cb = cb, .data = data, .ext = ext,
	};

	return al_t_call(&c);
}

int al_t_dump(uint8_t cmd, uint32_t pid, mnl_cb_t cb, void *data,
	      unsigned int *n, unsigned int tries, bool *intr,
	      char ext[AL_T_EXT])
{
	struct al_t_call c = {
		.cmd = cmd, .flags = NLM_F_DUMP,
		.build = pid ? al_t_put_pid : NULL, .barg = &pid,
		.cb = cb, .data = data, .n = n, .tries = tries, .ext = ext,
	};
	int ret = al_t_call(&c);

	*intr = c.intr;
	return ret;
}

int al_t_family(void)
{
	struct al_t_sock s;
	char buf[AL_T_BUF];
	int ret;

	s.buf = buf;
	ret = al_t_open(&s);
	if (ret)
		return ret;
	ret = al_t_lookup(&s);
	mnl_socket_close(s.nl);
	return ret;
}

struct al_t_grp {
	const char *name;	/* looked for */
	int id;			/* found, or -1 */
};

static int al_t_grp_cb(const struct nlattr *a, void *data)
{
	struct al_t_grp *want = data;
	const struct nlattr *g, *x;

	if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(g, a) {
		const char *name = NULL;
		int id = -1;

		mnl_attr_for_each_nested(x, g) {
			if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(x);
			if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(x);
		}
		if (name && !strcmp(name, want->name))
			want->id = id;
	}
	return MNL_CB_OK;
}

static int al_t_groups_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), al_t_grp_cb, data);
}

int al_t_events_group(void)
{
	return al_t_group(ANONLEAK_MCGRP_EVENTS);
}

int al_t_group(const char *name)
{
	struct al_t_grp grp = { .name = name, .id = -1 };

	if (al_t_req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, al_t_put_name, NULL,
		     al_t_groups_cb, &grp, NULL))
		return -1;
	return grp.id;
}

/* An unsigned attribute, told by its length, into *@v: 0, or -1. */
static int al_t_uint(const struct nlattr *a, uint64_t *v)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		*v = mnl_attr_get_u8(a);
		return 0;
	case 2:
		*v = mnl_attr_get_u16(a);
		return 0;
	case 4:
		*v = mnl_attr_get_u32(a);
		return 0;
	case 8:
		*v = mnl_attr_get_u64(a);
		return 0;
	}
	return -1;
}

/* al_t_uints() of the attributes in [@payload, + @len). */
static void al_t_uints_in(const void *payload, size_t len, uint64_t *v,
			  unsigned int max, uint32_t skip, uint32_t *seen)
{
	const struct nlattr *attr;	/* mnl_attr_for_each_payload's */

	mnl_attr_for_each_payload(payload, len) {
		unsigned int t = mnl_attr_get_type(attr);

		if (t > max || (skip & (1U << t)) || al_t_uint(attr, &v[t]))
			continue;
		if (seen)
			*seen |= 1U << t;
	}
}

void al_t_uints(const struct nlattr *nest, uint64_t *v, unsigned int max,
		uint32_t skip, uint32_t *seen)
{
	al_t_uints_in(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
		      v, max, skip, seen);
}

void al_t_msg_uints(const struct nlmsghdr *nlh, uint64_t *v, unsigned int max)
{
	al_t_uints_in(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		      mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, v, max, 0,
		      NULL);
}

void al_t_put_uint(struct nlmsghdr *nlh, uint16_t type, int bits, uint64_t v)
{
	uint8_t u8 = v;
	uint16_t u16 = v;
	uint32_t u32 = v;

	mnl_attr_put(nlh, type, bits / 8, bits == 8 ? (void *)&u8 :
		     bits == 16 ? (void *)&u16 : bits == 32 ? (void *)&u32 :
		     (void *)&v);
}

void al_t_put_pid(struct nlmsghdr *nlh, void *pid)
{
	mnl_attr_put_u32(nlh, ANONLEAK_A_PID, *(uint32_t *)pid);
}

void al_t_put_attrs(struct nlmsghdr *nlh, void *attrs)
{
	const struct al_t_attrs *as = attrs;
	struct nlattr *nest = NULL;
	int i;

	for (i = 0; i < as->n; i++) {
		const struct al_t_attr *a = &as->a[i];

		switch (a->kind) {
		case 8:
		case 32:
		case 64:
			al_t_put_uint(nlh, a->type, a->kind, a->v);
			break;
		case 's':
			mnl_attr_put_strz(nlh, a->type, a->s);
			break;
		case 'n':
			nest = mnl_attr_nest_start(nlh, a->type);
			break;
		case 'e':
			mnl_attr_nest_end(nlh, nest);
			break;
		}
	}
}

int al_t_socket(bool ext, bool cap, int timeout_s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	if (ext)
		setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (cap)
		setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (timeout_s)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}
