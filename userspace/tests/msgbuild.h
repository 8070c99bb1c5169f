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

#include "proto/util.h"	/* ARRAY_SIZE */

#define TEST_FAMILY	0x1f
#define MSG_BUF_SIZE	8192

/* Name an attribute at a level, for mutations: SITE_ATTR(ANONLEAK_SITE_A_ID). */
#define TOP_ATTR(t)	(t)
#define SITE_ATTR(t)	(0x100 | (t))
#define FRAME_ATTR(t)	(0x200 | (t))
#define STATS_ATTR(t)	(0x300 | (t))
#define PROC_ATTR(t)	(0x400 | (t))
#define MAPPING_ATTR(t)	(0x500 | (t))
#define CONFIG_ATTR(t)	(0x600 | (t))
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

static inline struct nlmsghdr *msg_start(void *buf, uint8_t cmd)
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
static inline void put_num(struct nlmsghdr *nlh, const struct mutation *mu, int id,
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

static inline void put_frames(struct nlmsghdr *nlh, const struct mutation *mu,
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
static inline struct nlmsghdr *build_site_msg(void *buf, const struct mutation *mu)
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
static inline struct nlmsghdr *build_stats_msg(void *buf, const struct mutation *mu)
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
	put_num(nlh, mu, STATS_ATTR(ANONLEAK_STATS_A_FILTERED), ANONLEAK_STATS_A_FILTERED,
		ANONLEAK_STATS_A_FILTERED * 10, true);
	put_num(nlh, mu, STATS_ATTR(ANONLEAK_STATS_A_UNNAMED), ANONLEAK_STATS_A_UNNAMED,
		ANONLEAK_STATS_A_UNNAMED * 10, true);
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

/* Put a u8, honouring omit (shorten makes it a u32). */
static inline void put_u8(struct nlmsghdr *nlh, const struct mutation *mu, int id,
			  uint16_t type, uint8_t v)
{
	if (mu->omit == id)
		return;
	if (mu->shorten == id)
		mnl_attr_put_u32(nlh, type, v);
	else
		mnl_attr_put_u8(nlh, type, v);
}

/*
 * A GET_PROCS message: pid 4242 "leaky", uid 1000, proc id 9, exited at
 * 990 s, started at 400 s, now 1000 s; 40 live mappings of 2.5 MiB, 3 sites.
 */
static inline struct nlmsghdr *build_proc_msg(void *buf, const struct mutation *mu)
{
	const uint64_t s = 1000000000ULL;
	struct nlmsghdr *nlh;
	struct nlattr *proc;

	memset(buf, 0, MSG_BUF_SIZE);
	nlh = msg_start(buf, ANONLEAK_CMD_GET_PROCS);
	if (mu->extras)
		mnl_attr_put_strz(nlh, ANONLEAK_A_MAX + 2, "future");
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_PID), ANONLEAK_A_PID, 4242, false);
	if (mu->omit != TOP_ATTR(ANONLEAK_A_COMM))
		mnl_attr_put_strz(nlh, ANONLEAK_A_COMM, "leaky");
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_PROC_ID), ANONLEAK_A_PROC_ID, 9, true);
	put_u8(nlh, mu, TOP_ATTR(ANONLEAK_A_PROC_STATE), ANONLEAK_A_PROC_STATE,
	       ANONLEAK_PROC_EXITED);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_UID), ANONLEAK_A_UID, 1000, false);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_START_TIME), ANONLEAK_A_START_TIME, 400 * s, true);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_NOW), ANONLEAK_A_NOW, 1000 * s, true);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_EXIT_TIME), ANONLEAK_A_EXIT_TIME, 990 * s, true);
	if (mu->omit == TOP_ATTR(ANONLEAK_A_PROC))
		return nlh;
	proc = mnl_attr_nest_start(nlh, ANONLEAK_A_PROC);
	if (mu->extras)
		mnl_attr_put_u64(nlh, ANONLEAK_PROC_A_PAD, 0);
	put_num(nlh, mu, PROC_ATTR(ANONLEAK_PROC_A_LIVE_COUNT), ANONLEAK_PROC_A_LIVE_COUNT, 40,
		true);
	put_num(nlh, mu, PROC_ATTR(ANONLEAK_PROC_A_LIVE_BYTES), ANONLEAK_PROC_A_LIVE_BYTES,
		5 << 19, true);
	put_num(nlh, mu, PROC_ATTR(ANONLEAK_PROC_A_SITES), ANONLEAK_PROC_A_SITES, 3, true);
	if (mu->extras)
		mnl_attr_put_u32(nlh, ANONLEAK_PROC_A_MAX + 4, 7);
	mnl_attr_nest_end(nlh, proc);
	return nlh;
}

/* Ranges of the sample GET_MAPPINGS message. */
static const struct { uint64_t start, length; uint32_t prot, flags; uint64_t birth, site; }
sample_ranges[] = {
	{ 0x7f0000000000, 0x10000, 3, 0x22, 900000000000ULL, 6 },
	{ 0x7f0000020000, 0x200000, 0, 0x4022, 999500000000ULL, 7 },
};

/* A GET_MAPPINGS message for pid 4242 (proc id 9), now 1000 s, two ranges. */
static inline struct nlmsghdr *build_mappings_msg(void *buf,
						   const struct mutation *mu)
{
	struct nlmsghdr *nlh;
	struct nlattr *list;

	memset(buf, 0, MSG_BUF_SIZE);
	nlh = msg_start(buf, ANONLEAK_CMD_GET_MAPPINGS);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_PID), ANONLEAK_A_PID, 4242, false);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_PROC_ID), ANONLEAK_A_PROC_ID, 9, true);
	put_num(nlh, mu, TOP_ATTR(ANONLEAK_A_NOW), ANONLEAK_A_NOW, 1000000000000ULL, true);
	if (mu->omit == TOP_ATTR(ANONLEAK_A_MAPPINGS))
		return nlh;
	list = mnl_attr_nest_start(nlh, ANONLEAK_A_MAPPINGS);
	if (mu->extras)		/* not a range: the list only holds type 0 */
		mnl_attr_put_u32(nlh, 3, 0xdead);
	for (size_t i = 0; i < ARRAY_SIZE(sample_ranges); i++) {
		struct nlattr *r = mnl_attr_nest_start(nlh, 0);

		put_num(nlh, mu, MAPPING_ATTR(ANONLEAK_MAPPING_A_START), ANONLEAK_MAPPING_A_START,
			sample_ranges[i].start, true);
		put_num(nlh, mu, MAPPING_ATTR(ANONLEAK_MAPPING_A_LENGTH),
			ANONLEAK_MAPPING_A_LENGTH, sample_ranges[i].length, true);
		put_num(nlh, mu, MAPPING_ATTR(ANONLEAK_MAPPING_A_PROT), ANONLEAK_MAPPING_A_PROT,
			sample_ranges[i].prot, false);
		put_num(nlh, mu, MAPPING_ATTR(ANONLEAK_MAPPING_A_FLAGS), ANONLEAK_MAPPING_A_FLAGS,
			sample_ranges[i].flags, false);
		put_num(nlh, mu, MAPPING_ATTR(ANONLEAK_MAPPING_A_BIRTH), ANONLEAK_MAPPING_A_BIRTH,
			sample_ranges[i].birth, true);
		put_num(nlh, mu, MAPPING_ATTR(ANONLEAK_MAPPING_A_SITE_ID),
			ANONLEAK_MAPPING_A_SITE_ID, sample_ranges[i].site, true);
		if (mu->extras)
			mnl_attr_put_strz(nlh, ANONLEAK_MAPPING_A_MAX + 1, "future");
		mnl_attr_nest_end(nlh, r);
	}
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

/*
 * A GET_CONFIG reply: enabled, depth 8, min_size 4096, pid 0, uid any,
 * comm "nginx", caps 1048576, 65536, 16384, 256.
 */
static inline struct nlmsghdr *build_config_msg(void *buf, const struct mutation *mu)
{
	struct nlmsghdr *nlh;
	struct nlattr *cfg;

	memset(buf, 0, MSG_BUF_SIZE);
	nlh = msg_start(buf, ANONLEAK_CMD_GET_CONFIG);
	if (mu->extras)
		mnl_attr_put_u64(nlh, ANONLEAK_A_MAX + 1, 1);
	if (mu->omit == TOP_ATTR(ANONLEAK_A_CONFIG))
		return nlh;
	cfg = mnl_attr_nest_start(nlh, ANONLEAK_A_CONFIG);
	put_u8(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_ENABLED), ANONLEAK_CONFIG_A_ENABLED, 1);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_STACK_DEPTH), ANONLEAK_CONFIG_A_STACK_DEPTH,
		8, false);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_MIN_SIZE), ANONLEAK_CONFIG_A_MIN_SIZE,
		4096, true);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_FILTER_PID), ANONLEAK_CONFIG_A_FILTER_PID,
		0, false);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_FILTER_UID), ANONLEAK_CONFIG_A_FILTER_UID,
		ANONLEAK_UID_ANY, false);
	if (mu->omit != CONFIG_ATTR(ANONLEAK_CONFIG_A_FILTER_COMM))
		mnl_attr_put_strz(nlh, ANONLEAK_CONFIG_A_FILTER_COMM, "nginx");
	if (mu->extras)
		mnl_attr_put_u64(nlh, ANONLEAK_CONFIG_A_PAD, 0);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_MAX_MAPPINGS),
		ANONLEAK_CONFIG_A_MAX_MAPPINGS, 1048576, true);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_MAX_SITES), ANONLEAK_CONFIG_A_MAX_SITES,
		65536, true);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_MAX_PROCS), ANONLEAK_CONFIG_A_MAX_PROCS,
		16384, true);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_MAX_EXITED), ANONLEAK_CONFIG_A_MAX_EXITED,
		256, true);
	put_u8(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_UNWIND), ANONLEAK_CONFIG_A_UNWIND, 1);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_MAX_UNWIND_BYTES),
		ANONLEAK_CONFIG_A_MAX_UNWIND_BYTES, 64 << 20, true);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_MAX_EXEMPLARS),
		ANONLEAK_CONFIG_A_MAX_EXEMPLARS, 4096, true);
	put_num(nlh, mu, CONFIG_ATTR(ANONLEAK_CONFIG_A_EXEMPLAR_SIZE),
		ANONLEAK_CONFIG_A_EXEMPLAR_SIZE, 4096, false);
	if (mu->extras)
		mnl_attr_put_strz(nlh, ANONLEAK_CONFIG_A_MAX + 3, "future");
	mnl_attr_nest_end(nlh, cfg);
	return nlh;
}

/* The first attribute of type at the top level of a genl message. */
static inline struct nlattr *find_top(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* The first attribute of type directly inside nest. */
static inline struct nlattr *find_in(struct nlattr *nest, uint16_t type)
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
