/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Build anonleak generic netlink messages in memory with libmnl, the way
 * the kernel lays them out, with optional damage for the parser tests.
 */
#ifndef ANONLEAK_TEST_MSGBUILD_H
#define ANONLEAK_TEST_MSGBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "util.h"	/* ARRAY_SIZE */

#define TEST_FAMILY	0x1f
#define MSG_BUF_SIZE	8192

/* Name an attribute at a level, for mutations: SITE_ATTR(ANONLEAK_SITE_A_ID). */
#define TOP_ATTR(t)	(t)
#define SITE_ATTR(t)	(0x100 | (t))
#define FRAME_ATTR(t)	(0x200 | (t))
#define STATS_ATTR(t)	(0x300 | (t))
#define NO_ATTR		(-1)

struct mutation {
	int omit;	/* leave this attribute out */
	int shorten;	/* send this u64/u32 attribute with the wrong width */
	bool extras;	/* add unknown attributes at every level */
};

static const struct mutation no_mutation = { NO_ATTR, NO_ATTR, false };

struct test_frame {
	uint64_t addr, offset;
	const char *object;	/* NULL: neither OBJECT nor OFFSET */
};

/* The sample site used by most tests. */
static const struct test_frame sample_frames[] = {
	{ 0x7f0000001234, 0x1234, "/usr/lib/libc.so.6" },
	{ 0x555500000abc, 0xabc, "/usr/bin/demo" },
	{ 0x7ffff7dd0000, 0, NULL },
};

static struct nlmsghdr *msg_start(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = TEST_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = ANONLEAK_GENL_VERSION;
	return nlh;
}

/* Put a u64 (or u32 when wide is false), honouring the mutation. */
static void put_num(struct nlmsghdr *nlh, const struct mutation *mu, int id,
		    uint16_t type, uint64_t v, bool wide)
{
	if (mu->omit == id)
		return;
	if (mu->shorten == id)
		wide = !wide;
	if (wide)
		mnl_attr_put_u64(nlh, type, v);
	else
		mnl_attr_put_u32(nlh, type, (uint32_t)v);
}

static void put_frames(struct nlmsghdr *nlh, const struct mutation *mu,
		       const struct test_frame *frames, size_t n)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, ANONLEAK_SITE_A_FRAMES);

	if (mu->extras)		/* not a frame: the list only holds type 0 */
		mnl_attr_put_u32(nlh, 5, 0xdead);
	for (size_t i = 0; i < n; i++) {
		struct nlattr *f = mnl_attr_nest_start(nlh, 0);

		put_num(nlh, mu, FRAME_ATTR(ANONLEAK_FRAME_A_ADDR), ANONLEAK_FRAME_A_ADDR,
			frames[i].addr, true);
		if (frames[i].object) {
			put_num(nlh, mu, FRAME_ATTR(ANONLEAK_FRAME_A_OFFSET),
				ANONLEAK_FRAME_A_OFFSET, frames[i].offset, true);
			mnl_attr_put_strz(nlh, ANONLEAK_FRAME_A_OBJECT, frames[i].object);
			mnl_attr_put(nlh, ANONLEAK_FRAME_A_BUILD_ID, 4, "\xde\xad\xbe\xef");
		}
		if (mu->extras)
			mnl_attr_put_strz(nlh, ANONLEAK_FRAME_A_MAX + 7, "future");
		mnl_attr_nest_end(nlh, f);
	}
	mnl_attr_nest_end(nlh, list);
}

/*
 * A GET_SITES message: pid 1234 "demo", proc id 7, running, now 1000 s,
 * site 0x1f with 3 live mappings of 12 MiB, oldest 100 s old.
 */
static struct nlmsghdr *build_site_msg(void *buf, const struct mutation *mu)
{
	const uint64_t s = 1000000000ULL;
	struct nlmsghdr *nlh;
	struct nlattr *site;

	memset(buf, 0, MSG_BUF_SIZE);
	nlh = msg_start(buf, ANONLEAK_CMD_GET_SITES);
	if (mu->extras)
		mnl_attr_put_u64(nlh, ANONLEAK_A_MAX + 3, 42);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_PID), ANONLEAK_A_PID, 1234, false);
	if (mu->omit != TOP_ATTR(ANONLEAK_A_COMM))
		mnl_attr_put_strz(nlh, ANONLEAK_A_COMM, "demo");
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_PROC_ID), ANONLEAK_A_PROC_ID, 7, true);
	if (mu->omit != TOP_ATTR(ANONLEAK_A_PROC_STATE))
		mnl_attr_put_u8(nlh, ANONLEAK_A_PROC_STATE, ANONLEAK_PROC_RUNNING);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_NOW), ANONLEAK_A_NOW, 1000 * s, true);
	if (mu->omit == TOP_ATTR(ANONLEAK_A_SITE))
		return nlh;
	site = mnl_attr_nest_start(nlh, ANONLEAK_A_SITE);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_ID), ANONLEAK_SITE_A_ID, 0x1f, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_LIVE_COUNT), ANONLEAK_SITE_A_LIVE_COUNT, 3, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_LIVE_BYTES), ANONLEAK_SITE_A_LIVE_BYTES,
		12 << 20, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_TOTAL_MAPS), ANONLEAK_SITE_A_TOTAL_MAPS, 5, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_TOTAL_UNMAPS), ANONLEAK_SITE_A_TOTAL_UNMAPS,
		2, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_MAPPED_BYTES), ANONLEAK_SITE_A_MAPPED_BYTES,
		20 << 20, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_UNMAPPED_BYTES),
		ANONLEAK_SITE_A_UNMAPPED_BYTES, 8 << 20, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_PEAK_BYTES), ANONLEAK_SITE_A_PEAK_BYTES,
		12 << 20, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_FIRST_SEEN), ANONLEAK_SITE_A_FIRST_SEEN,
		400 * s, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_LAST_SEEN), ANONLEAK_SITE_A_LAST_SEEN,
		998 * s, true);
	put_num(nlh, mu, SITE_ATTR(ANONLEAK_SITE_A_OLDEST), ANONLEAK_SITE_A_OLDEST, 900 * s, true);
	if (mu->extras) {
		mnl_attr_put_u64(nlh, ANONLEAK_SITE_A_PAD, 0);
		mnl_attr_put_u64(nlh, ANONLEAK_SITE_A_MAX + 1, 99);
	}
	if (mu->omit != SITE_ATTR(ANONLEAK_SITE_A_FRAMES))
		put_frames(nlh, mu, sample_frames, ARRAY_SIZE(sample_frames));
	mnl_attr_nest_end(nlh, site);
	return nlh;
}

/* A GET_STATS reply; every counter is its attribute type times 10. */
static struct nlmsghdr *build_stats_msg(void *buf, const struct mutation *mu)
{
	struct nlmsghdr *nlh;
	struct nlattr *stats, *probes;

	memset(buf, 0, MSG_BUF_SIZE);
	nlh = msg_start(buf, ANONLEAK_CMD_GET_STATS);
	if (mu->extras)
		mnl_attr_put_strz(nlh, ANONLEAK_A_MAX + 1, "future");
	stats = mnl_attr_nest_start(nlh, ANONLEAK_A_STATS);
	for (uint16_t t = ANONLEAK_STATS_A_MAPS; t <= ANONLEAK_STATS_A_MAX_EXITED; t++) {
		bool wide = t != ANONLEAK_STATS_A_MAPPING_SIZE && t != ANONLEAK_STATS_A_SITE_SIZE &&
			    t != ANONLEAK_STATS_A_STACK_DEPTH;

		put_num(nlh, mu, STATS_ATTR(t), t, t * 10, wide);
	}
	if (mu->extras)
		mnl_attr_put_u64(nlh, ANONLEAK_STATS_A_MAX + 1, 1);
	if (mu->omit != STATS_ATTR(ANONLEAK_STATS_A_PROBES)) {
		probes = mnl_attr_nest_start(nlh, ANONLEAK_STATS_A_PROBES);
		mnl_attr_put_strz(nlh, ANONLEAK_PROBE_A_NAME, "do_mmap");
		if (mu->extras)
			mnl_attr_put_u32(nlh, ANONLEAK_PROBE_A_MAX + 1, 3);
		mnl_attr_put_strz(nlh, ANONLEAK_PROBE_A_NAME, "__vm_munmap");
		mnl_attr_nest_end(nlh, probes);
	}
	mnl_attr_nest_end(nlh, stats);
	return nlh;
}

/* The first attribute of type at the top level of a genl message. */
static struct nlattr *find_top(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* The first attribute of type directly inside nest. */
static struct nlattr *find_in(struct nlattr *nest, uint16_t type)
{
	struct nlattr *a;

	if (!nest)
		return NULL;
	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

#endif
