/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal anonleak netlink reader for the selftests: independent of the
 * CLI on purpose, so that a bug in one does not hide in the other.
 */
#ifndef AL_NL_H
#define AL_NL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/anonleak.h>

struct al_t_site {
	uint32_t pid;
	uint64_t proc_id;
	uint8_t state;
	char comm[16];
	uint64_t c[ANONLEAK_SITE_A_MAX + 1];	/* counters by attribute */
	unsigned int depth;
	uint64_t frames[ANONLEAK_MAX_FRAMES];
};

struct al_t_dump {
	struct al_t_site *sites;
	unsigned int n, cap;
	bool intr;
};

struct al_t_stats {
	uint64_t c[ANONLEAK_STATS_A_MAX + 1];
};

static inline int al_t_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(a, MNL_TYPE_U16))
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* Run one request; @cb sees every reply message. Returns 0 or -errno. */
static inline int al_t_request(uint16_t type, uint8_t cmd, uint16_t flags,
			uint32_t pid_attr, uint16_t attr_type,
			mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	unsigned int seq = time(NULL), portid;
	int ret;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	if (type == GENL_ID_CTRL)
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ANONLEAK_GENL_NAME);
	else if (attr_type)
		mnl_attr_put_u32(nlh, attr_type, pid_attr);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
		if (ret <= MNL_CB_STOP) {
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

static inline int al_t_family(void)
{
	uint16_t id = 0;
	int ret;

	ret = al_t_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 0, 0,
			   al_t_family_cb, &id);
	if (ret)
		return ret;
	return id ? id : -ENOENT;
}

static inline int al_t_frame_cb(const struct nlattr *a, void *data)
{
	struct al_t_site *s = data;
	struct nlattr *f;

	if (s->depth >= ANONLEAK_MAX_FRAMES)
		return MNL_CB_ERROR;
	mnl_attr_for_each_nested(f, a)
		if (mnl_attr_get_type(f) == ANONLEAK_FRAME_A_ADDR &&
		    !mnl_attr_validate(f, MNL_TYPE_U64))
			s->frames[s->depth] = mnl_attr_get_u64(f);
	s->depth++;
	return MNL_CB_OK;
}

static inline int al_t_site_cb(const struct nlattr *a, void *data)
{
	struct al_t_site *s = data;
	int t = mnl_attr_get_type(a);

	if (t > ANONLEAK_SITE_A_MAX)
		return MNL_CB_OK;
	if (t == ANONLEAK_SITE_A_FRAMES)
		return mnl_attr_parse_nested(a, al_t_frame_cb, s);
	if (mnl_attr_validate(a, MNL_TYPE_U64))
		return MNL_CB_OK;
	s->c[t] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static inline int al_t_top_cb(const struct nlattr *a, void *data)
{
	struct al_t_site *s = data;

	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_A_PID:
		s->pid = mnl_attr_get_u32(a);
		break;
	case ANONLEAK_A_PROC_ID:
		s->proc_id = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_A_PROC_STATE:
		s->state = mnl_attr_get_u8(a);
		break;
	case ANONLEAK_A_COMM:
		snprintf(s->comm, sizeof(s->comm), "%s", mnl_attr_get_str(a));
		break;
	case ANONLEAK_A_SITE:
		return mnl_attr_parse_nested(a, al_t_site_cb, s);
	}
	return MNL_CB_OK;
}

static inline int al_t_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct al_t_dump *d = data;
	struct al_t_site *s;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->sites = realloc(d->sites, d->cap * sizeof(*d->sites));
		if (!d->sites)
			return MNL_CB_ERROR;
	}
	s = &d->sites[d->n];
	memset(s, 0, sizeof(*s));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), al_t_top_cb, s) < 0)
		return MNL_CB_ERROR;
	d->n++;
	return MNL_CB_OK;
}

/* Dump the sites of @pid (0: all). Returns 0 or -errno. */
static inline int al_t_sites(uint32_t pid, struct al_t_dump *d)
{
	int fam = al_t_family();

	memset(d, 0, sizeof(*d));
	if (fam < 0)
		return fam;
	return al_t_request(fam, ANONLEAK_CMD_GET_SITES, NLM_F_DUMP, pid,
			    pid ? ANONLEAK_A_PID : 0, al_t_dump_cb, d);
}

static inline int al_t_stats_nest_cb(const struct nlattr *a, void *data)
{
	struct al_t_stats *st = data;
	int t = mnl_attr_get_type(a);

	if (t > ANONLEAK_STATS_A_MAX)
		return MNL_CB_OK;
	if (!mnl_attr_validate(a, MNL_TYPE_U64))
		st->c[t] = mnl_attr_get_u64(a);
	else if (!mnl_attr_validate(a, MNL_TYPE_U32))
		st->c[t] = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static inline int al_t_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ANONLEAK_A_STATS)
			mnl_attr_parse_nested(a, al_t_stats_nest_cb, data);
	return MNL_CB_OK;
}

static inline int al_t_stats(struct al_t_stats *st)
{
	int fam = al_t_family();

	memset(st, 0, sizeof(*st));
	if (fam < 0)
		return fam;
	return al_t_request(fam, ANONLEAK_CMD_GET_STATS, 0, 0, 0,
			    al_t_stats_cb, st);
}

/*
 * General request: @build adds attributes; every reply message goes to @cb;
 * an error's extack message lands in @ext. Returns 0 or -errno.
 */
typedef void (*al_t_build_t)(struct nlmsghdr *nlh, void *arg);

static inline int al_t_ext_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		snprintf(data, 256, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static inline int al_t_req(int family, uint8_t cmd, uint16_t flags,
			   al_t_build_t build, void *barg, mnl_cb_t cb,
			   void *data, char ext[256])
{
	static char buf[1 << 16];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	unsigned int seq = 4242, portid;
	int one = 1, ret = 0, len;

	if (ext)
		ext[0] = 0;
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return -errno;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	if (build)
		build(nlh, barg);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			ret = -errno;
			goto out;
		}
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid)
				continue;	/* not a reply to this request */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (ext && (nlh->nlmsg_flags & NLM_F_ACK_TLVS))
					mnl_attr_parse(nlh, sizeof(*e), al_t_ext_cb, ext);
				ret = e->error;
				goto out;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				/* a dump ends here: no separate ACK follows */
				ret = *(int *)mnl_nlmsg_get_payload(nlh);
				if (ext && (nlh->nlmsg_flags & NLM_F_ACK_TLVS))
					mnl_attr_parse(nlh, sizeof(int), al_t_ext_cb, ext);
				goto out;
			}
			if (cb && cb(nlh, data) < MNL_CB_OK) {
				ret = -EBADMSG;
				goto out;
			}
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

/* The site of this dump whose frames hold a return address in [lo, hi). */
static inline struct al_t_site *al_t_find(struct al_t_dump *d, const void *lo,
				   const void *hi)
{
	unsigned int i, j;

	for (i = 0; i < d->n; i++)
		for (j = 1; j < d->sites[i].depth; j++)
			if (d->sites[i].frames[j] > (uintptr_t)lo &&
			    d->sites[i].frames[j] < (uintptr_t)hi)
				return &d->sites[i];
	return NULL;
}

static inline unsigned int al_t_count(struct al_t_dump *d, const void *lo,
			       const void *hi)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < d->n; i++)
		for (j = 1; j < d->sites[i].depth; j++)
			if (d->sites[i].frames[j] > (uintptr_t)lo &&
			    d->sites[i].frames[j] < (uintptr_t)hi) {
				n++;
				break;
			}
	return n;
}

#endif /* AL_NL_H */
