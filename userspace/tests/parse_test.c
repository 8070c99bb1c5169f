// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c against messages built with libmnl in memory: a full valid
 * site message, missing required attributes, wrong widths, truncation,
 * bogus frames, unknown attributes, and the stats reply.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "msgbuild.h"
#include "proto/sites.h"
#include "proto/stats.h"

static _Alignas(struct nlmsghdr) char buf[MSG_BUF_SIZE];

TEST(site_full_message)
{
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct parse_err err;
	struct site_msg m;
	struct site_info *s = &m.site;

	ASSERT_EQ(0, parse_site_msg(nlh, &m, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(1234, m.pid);
	EXPECT_STREQ("demo", m.comm);
	EXPECT_EQ(7, m.proc_id);
	EXPECT_EQ(ANONLEAK_PROC_RUNNING, m.state);
	EXPECT_EQ(1000000000000ULL, m.now);
	EXPECT_EQ(m.now, s->now);
	EXPECT_EQ(0x1f, s->id);
	EXPECT_EQ(3, s->live_count);
	EXPECT_EQ(12 << 20, s->live_bytes);
	EXPECT_EQ(5, s->total_maps);
	EXPECT_EQ(2, s->total_unmaps);
	EXPECT_EQ(20 << 20, s->mapped_bytes);
	EXPECT_EQ(8 << 20, s->unmapped_bytes);
	EXPECT_EQ(12 << 20, s->peak_bytes);
	EXPECT_EQ(400000000000ULL, s->first_seen);
	EXPECT_EQ(998000000000ULL, s->last_seen);
	EXPECT_TRUE(s->has_oldest);
	EXPECT_EQ(900000000000ULL, s->oldest);
	ASSERT_EQ(3, s->nr_frames);
	EXPECT_EQ(0x7f0000001234, s->frames[0].addr);
	EXPECT_TRUE(s->frames[0].has_offset);
	EXPECT_EQ(0x1234, s->frames[0].offset);
	EXPECT_STREQ("/usr/lib/libc.so.6", s->frames[0].object);
	ASSERT_EQ(4, s->frames[0].build_id_len);
	EXPECT_EQ(0, memcmp(s->frames[0].build_id, "\xde\xad\xbe\xef", 4));
	EXPECT_STREQ("/usr/bin/demo", s->frames[1].object);
	EXPECT_EQ(0xabc, s->frames[1].offset);
	/* innermost first, and the third has no object */
	EXPECT_EQ(0x7ffff7dd0000, s->frames[2].addr);
	EXPECT_FALSE(s->frames[2].has_offset);
	EXPECT_EQ(NULL, s->frames[2].object);
	EXPECT_EQ(NULL, s->frames[2].build_id);
	EXPECT_EQ(NULL, s->frames[0].symbol);
	site_msg_release(&m);
}

/* UID and EXIT_TIME came later: optional, but checked when present. */
TEST(site_uid_and_exit_time)
{
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct parse_err err;
	struct site_msg m;

	ASSERT_EQ(0, parse_site_msg(nlh, &m, &err)) TH_LOG("%s", err.msg);
	EXPECT_FALSE(m.has_uid);
	EXPECT_FALSE(m.has_exit_time);
	site_msg_release(&m);

	mnl_attr_put_u32(nlh, ANONLEAK_A_UID, 1000);
	mnl_attr_put_u64(nlh, ANONLEAK_A_EXIT_TIME, 999000000000ULL);
	mnl_attr_put_u64(nlh, ANONLEAK_A_START_TIME, 1);	/* not ours to read: skipped */
	ASSERT_EQ(0, parse_site_msg(nlh, &m, &err)) TH_LOG("%s", err.msg);
	EXPECT_TRUE(m.has_uid);
	EXPECT_EQ(1000, m.uid);
	EXPECT_TRUE(m.has_exit_time);
	EXPECT_EQ(999000000000ULL, m.exit_time);
	site_msg_release(&m);

	nlh = build_site_msg(buf, &no_mutation);
	mnl_attr_put_u64(nlh, ANONLEAK_A_UID, 1000);		/* a u32 sent as 8 bytes */
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_A_UID has length 8")) TH_LOG("%s", err.msg);
	nlh = build_site_msg(buf, &no_mutation);
	mnl_attr_put_u32(nlh, ANONLEAK_A_EXIT_TIME, 5);
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_A_EXIT_TIME")) TH_LOG("%s", err.msg);
}

TEST(site_unknown_attributes_ignored)
{
	struct mutation mu = no_mutation;
	struct parse_err err;
	struct site_msg m;

	mu.extras = true;
	ASSERT_EQ(0, parse_site_msg(build_site_msg(buf, &mu), &m, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(1234, m.pid);
	EXPECT_EQ(12 << 20, m.site.live_bytes);
	/* the type-5 entry in the frames list is not a frame */
	EXPECT_EQ(3, m.site.nr_frames);
	site_msg_release(&m);
}

TEST(site_optional_attributes)
{
	struct mutation mu = no_mutation;
	struct parse_err err;
	struct site_msg m;

	mu.omit = SITE_ATTR(ANONLEAK_SITE_A_OLDEST);
	ASSERT_EQ(0, parse_site_msg(build_site_msg(buf, &mu), &m, &err));
	EXPECT_FALSE(m.site.has_oldest);
	site_msg_release(&m);

	mu.omit = TOP_ATTR(ANONLEAK_A_COMM);
	ASSERT_EQ(0, parse_site_msg(build_site_msg(buf, &mu), &m, &err));
	EXPECT_STREQ("", m.comm);
	site_msg_release(&m);

	mu.omit = SITE_ATTR(ANONLEAK_SITE_A_FRAMES);
	ASSERT_EQ(0, parse_site_msg(build_site_msg(buf, &mu), &m, &err));
	EXPECT_EQ(0, m.site.nr_frames);
	site_msg_release(&m);
}

/* Each required attribute, left out in turn, is a protocol error naming it. */
TEST(site_missing_required)
{
	static const struct { int id; const char *name; } req[] = {
		{ TOP_ATTR(ANONLEAK_A_PID), "ANONLEAK_A_PID" },
		{ TOP_ATTR(ANONLEAK_A_PROC_ID), "ANONLEAK_A_PROC_ID" },
		{ TOP_ATTR(ANONLEAK_A_PROC_STATE), "ANONLEAK_A_PROC_STATE" },
		{ TOP_ATTR(ANONLEAK_A_NOW), "ANONLEAK_A_NOW" },
		{ TOP_ATTR(ANONLEAK_A_SITE), "ANONLEAK_A_SITE" },
		{ SITE_ATTR(ANONLEAK_SITE_A_ID), "ANONLEAK_SITE_A_ID" },
		{ SITE_ATTR(ANONLEAK_SITE_A_LIVE_COUNT), "ANONLEAK_SITE_A_LIVE_COUNT" },
		{ SITE_ATTR(ANONLEAK_SITE_A_LIVE_BYTES), "ANONLEAK_SITE_A_LIVE_BYTES" },
		{ SITE_ATTR(ANONLEAK_SITE_A_TOTAL_MAPS), "ANONLEAK_SITE_A_TOTAL_MAPS" },
		{ SITE_ATTR(ANONLEAK_SITE_A_TOTAL_UNMAPS), "ANONLEAK_SITE_A_TOTAL_UNMAPS" },
		{ SITE_ATTR(ANONLEAK_SITE_A_MAPPED_BYTES), "ANONLEAK_SITE_A_MAPPED_BYTES" },
		{ SITE_ATTR(ANONLEAK_SITE_A_UNMAPPED_BYTES), "ANONLEAK_SITE_A_UNMAPPED_BYTES" },
		{ SITE_ATTR(ANONLEAK_SITE_A_PEAK_BYTES), "ANONLEAK_SITE_A_PEAK_BYTES" },
		{ SITE_ATTR(ANONLEAK_SITE_A_FIRST_SEEN), "ANONLEAK_SITE_A_FIRST_SEEN" },
		{ SITE_ATTR(ANONLEAK_SITE_A_LAST_SEEN), "ANONLEAK_SITE_A_LAST_SEEN" },
		{ FRAME_ATTR(ANONLEAK_FRAME_A_ADDR), "ANONLEAK_FRAME_A_ADDR" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(req); i++) {
		struct mutation mu = no_mutation;
		struct parse_err err;
		struct site_msg m;

		mu.omit = req[i].id;
		EXPECT_EQ(-EPROTO, parse_site_msg(build_site_msg(buf, &mu), &m, &err))
			TH_LOG("accepted a message without %s", req[i].name);
		EXPECT_NE(NULL, strstr(err.msg, req[i].name)) TH_LOG("message: %s", err.msg);
		/* released on error: nothing left to free */
		EXPECT_EQ(NULL, m.comm);
		EXPECT_EQ(NULL, m.site.frames);
	}
}

/* A u64 sent as 4 bytes (or a u32 as 8) is rejected, at every level. */
TEST(site_wrong_widths)
{
	static const int ids[] = {
		TOP_ATTR(ANONLEAK_A_PID), TOP_ATTR(ANONLEAK_A_PROC_ID), TOP_ATTR(ANONLEAK_A_NOW),
		SITE_ATTR(ANONLEAK_SITE_A_LIVE_BYTES), SITE_ATTR(ANONLEAK_SITE_A_OLDEST),
		FRAME_ATTR(ANONLEAK_FRAME_A_ADDR), FRAME_ATTR(ANONLEAK_FRAME_A_OFFSET),
	};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct mutation mu = no_mutation;
		struct parse_err err;
		struct site_msg m;

		mu.shorten = ids[i];
		EXPECT_EQ(-EPROTO, parse_site_msg(build_site_msg(buf, &mu), &m, &err))
			TH_LOG("accepted wrong width for attribute 0x%x", ids[i]);
		EXPECT_NE(NULL, strstr(err.msg, "length")) TH_LOG("message: %s", err.msg);
	}
}

TEST(site_bad_u8_and_string)
{
	struct parse_err err;
	struct site_msg m;
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct nlattr *a = find_top(nlh, ANONLEAK_A_PROC_STATE);

	/* PROC_STATE widened to 2 bytes: still fits its 4-byte padding */
	ASSERT_NE(NULL, a);
	a->nla_len += 1;
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));

	/* COMM without its terminating NUL */
	nlh = build_site_msg(buf, &no_mutation);
	a = find_top(nlh, ANONLEAK_A_COMM);
	ASSERT_NE(NULL, a);
	((char *)mnl_attr_get_payload(a))[mnl_attr_get_payload_len(a) - 1] = 'x';
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_A_COMM")) TH_LOG("message: %s", err.msg);
}

/* The message ends in the middle of an attribute: nla_len beyond the buffer. */
TEST(site_truncated_message)
{
	struct mutation mu = no_mutation;
	struct parse_err err;
	struct site_msg m;
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	uint32_t full = nlh->nlmsg_len;

	for (uint32_t cut = 4; cut < 64; cut += 4) {
		nlh->nlmsg_len = full - cut;
		EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err))
			TH_LOG("accepted message cut by %u bytes", cut);
	}
	/* too short even for the genl header */
	nlh->nlmsg_len = sizeof(*nlh) + 2;
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));

	/*
	 * Cut inside the last attribute when it is an optional one (COMM):
	 * libmnl's iterator would just stop there; the parser must not.
	 */
	mu.omit = TOP_ATTR(ANONLEAK_A_COMM);
	nlh = build_site_msg(buf, &mu);
	mnl_attr_put_strz(nlh, ANONLEAK_A_COMM, "a-long-enough-comm");
	full = nlh->nlmsg_len;
	ASSERT_EQ(0, parse_site_msg(nlh, &m, &err)) TH_LOG("%s", err.msg);
	EXPECT_STREQ("a-long-enough-comm", m.comm);
	site_msg_release(&m);
	nlh->nlmsg_len = full - 8;
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "malformed")) TH_LOG("message: %s", err.msg);
}

/* An attribute inside a nest claims more than the nest holds. */
TEST(site_truncated_nest)
{
	struct parse_err err;
	struct site_msg m;
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct nlattr *site = find_top(nlh, ANONLEAK_A_SITE);
	struct nlattr *oldest = find_in(site, ANONLEAK_SITE_A_OLDEST);
	struct nlattr *frames = find_in(site, ANONLEAK_SITE_A_FRAMES);
	struct nlattr *frame = find_in(frames, 0);
	struct nlattr *addr = find_in(frame, ANONLEAK_FRAME_A_ADDR);

	/* OLDEST (optional, followed by FRAMES) runs past the end of the site */
	ASSERT_NE(NULL, oldest);
	ASSERT_NE(NULL, frames);
	oldest->nla_len = (char *)site + site->nla_len - (char *)oldest + 4;
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "malformed attributes inside ANONLEAK_A_SITE"))
		TH_LOG("message: %s", err.msg);

	/* a frame's ADDR runs past the end of the frame */
	nlh = build_site_msg(buf, &no_mutation);
	frame = find_in(find_in(find_top(nlh, ANONLEAK_A_SITE), ANONLEAK_SITE_A_FRAMES), 0);
	addr = find_in(frame, ANONLEAK_FRAME_A_ADDR);
	ASSERT_NE(NULL, addr);
	addr->nla_len = frame->nla_len;
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "malformed attributes inside a frame"))
		TH_LOG("message: %s", err.msg);
}

static struct nlattr *first_frame(struct nlmsghdr *nlh)
{
	return find_in(find_in(find_top(nlh, ANONLEAK_A_SITE), ANONLEAK_SITE_A_FRAMES), 0);
}

TEST(site_frame_without_addr)
{
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct nlattr *frame = first_frame(nlh), *addr;
	struct parse_err err;
	struct site_msg m;

	/* the first frame's ADDR turned into an unknown attribute */
	ASSERT_NE(NULL, frame);
	addr = mnl_attr_get_payload(frame);
	ASSERT_EQ(ANONLEAK_FRAME_A_ADDR, mnl_attr_get_type(addr));
	addr->nla_type = 0x3fff;
	ASSERT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err)) TH_LOG("frame without ADDR accepted");
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_FRAME_A_ADDR")) TH_LOG("message: %s", err.msg);
}

TEST(site_frame_object_unterminated)
{
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct nlattr *obj = find_in(mnl_attr_next(first_frame(nlh)), ANONLEAK_FRAME_A_OBJECT);
	struct parse_err err;
	struct site_msg m;

	ASSERT_NE(NULL, obj);
	((char *)mnl_attr_get_payload(obj))[mnl_attr_get_payload_len(obj) - 1] = '/';
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "OBJECT")) TH_LOG("message: %s", err.msg);
}

TEST(site_frame_not_a_nest)
{
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct nlattr *frame = first_frame(nlh), *pad;
	struct parse_err err;
	struct site_msg m;
	uint16_t total;

	/*
	 * Shrink the first frame to a type-0 entry of 2 payload bytes and
	 * cover the rest of its old space with an unknown attribute, so the
	 * list stays well formed and only the entry is bogus.
	 */
	ASSERT_NE(NULL, frame);
	total = frame->nla_len;
	frame->nla_len = 6;
	pad = (struct nlattr *)((char *)frame + 8);
	pad->nla_len = total - 8;
	pad->nla_type = 0x3ffe;
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "not a nest")) TH_LOG("message: %s", err.msg);
}

TEST(site_frame_build_id_too_long)
{
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct nlattr *frames = find_in(find_top(nlh, ANONLEAK_A_SITE), ANONLEAK_SITE_A_FRAMES);
	struct nlattr *site = find_top(nlh, ANONLEAK_A_SITE), *f;
	char big[100] = { 0 };
	struct parse_err err;
	struct site_msg m;

	/* append a fourth frame at the end of the list (the list is last) */
	ASSERT_NE(NULL, frames);
	f = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u64(nlh, ANONLEAK_FRAME_A_ADDR, 1);
	mnl_attr_put(nlh, ANONLEAK_FRAME_A_BUILD_ID, sizeof(big), big);
	mnl_attr_nest_end(nlh, f);
	frames->nla_len += f->nla_len;
	site->nla_len += f->nla_len;
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "BUILD_ID")) TH_LOG("message: %s", err.msg);
}

TEST(site_repeated_nest)
{
	struct parse_err err;
	struct site_msg m;
	struct nlmsghdr *nlh = build_site_msg(buf, &no_mutation);
	struct nlattr *site = mnl_attr_nest_start(nlh, ANONLEAK_A_SITE);

	mnl_attr_nest_end(nlh, site);
	EXPECT_EQ(-EPROTO, parse_site_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "repeated")) TH_LOG("message: %s", err.msg);
}

TEST(stats_full_message)
{
	struct module_stats st;
	struct parse_err err;
	struct mutation mu = no_mutation;

	mu.extras = true;	/* unknown attributes at every level are skipped */
	ASSERT_EQ(0, parse_stats_msg(build_stats_msg(buf, &mu), &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(ANONLEAK_STATS_A_MAPS * 10, st.maps);
	EXPECT_EQ(ANONLEAK_STATS_A_UNMAPS * 10, st.unmaps);
	EXPECT_EQ(ANONLEAK_STATS_A_LIVE_BYTES * 10, st.live_bytes);
	EXPECT_EQ(ANONLEAK_STATS_A_DROPS_EXITED * 10, st.drops_exited);
	EXPECT_EQ(ANONLEAK_STATS_A_MISSED * 10, st.missed);
	EXPECT_EQ(ANONLEAK_STATS_A_MAPPING_SIZE * 10, st.mapping_size);
	EXPECT_EQ(ANONLEAK_STATS_A_STACK_DEPTH * 10, st.stack_depth);
	EXPECT_EQ(ANONLEAK_STATS_A_MAX_EXITED * 10, st.max_exited);
	EXPECT_TRUE(st.has_filtered);
	EXPECT_EQ(ANONLEAK_STATS_A_FILTERED * 10, st.filtered);
	EXPECT_TRUE(st.has_unnamed);
	EXPECT_EQ(ANONLEAK_STATS_A_UNNAMED * 10, st.unnamed);
	ASSERT_EQ(2, st.nr_probes);
	EXPECT_STREQ("do_mmap", st.probes[0]);
	EXPECT_STREQ("__vm_munmap", st.probes[1]);
	module_stats_release(&st);
}

TEST(stats_bad_messages)
{
	struct module_stats st;
	struct parse_err err;
	struct mutation mu = no_mutation;
	struct nlmsghdr *nlh;

	mu.omit = STATS_ATTR(ANONLEAK_STATS_A_DROPS_SITES);
	EXPECT_EQ(-EPROTO, parse_stats_msg(build_stats_msg(buf, &mu), &st, &err));
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_STATS_A_DROPS_SITES")) TH_LOG("%s", err.msg);

	mu = no_mutation;
	mu.shorten = STATS_ATTR(ANONLEAK_STATS_A_SITE_SIZE);	/* u32 sent as 8 bytes */
	EXPECT_EQ(-EPROTO, parse_stats_msg(build_stats_msg(buf, &mu), &st, &err));

	mu = no_mutation;
	mu.shorten = STATS_ATTR(ANONLEAK_STATS_A_MAPS);		/* u64 sent as 4 bytes */
	EXPECT_EQ(-EPROTO, parse_stats_msg(build_stats_msg(buf, &mu), &st, &err));

	mu = no_mutation;
	mu.shorten = STATS_ATTR(ANONLEAK_STATS_A_FILTERED);	/* u64 sent as 4 bytes */
	EXPECT_EQ(-EPROTO, parse_stats_msg(build_stats_msg(buf, &mu), &st, &err));
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_STATS_A_FILTERED")) TH_LOG("%s", err.msg);

	mu = no_mutation;
	mu.omit = STATS_ATTR(ANONLEAK_STATS_A_PROBES);		/* optional */
	EXPECT_EQ(0, parse_stats_msg(build_stats_msg(buf, &mu), &st, &err));
	EXPECT_EQ(0, st.nr_probes);
	module_stats_release(&st);

	mu = no_mutation;
	mu.omit = STATS_ATTR(ANONLEAK_STATS_A_FILTERED);	/* modules before the filters */
	EXPECT_EQ(0, parse_stats_msg(build_stats_msg(buf, &mu), &st, &err)) TH_LOG("%s", err.msg);
	EXPECT_FALSE(st.has_filtered);
	EXPECT_EQ(0, st.filtered);
	module_stats_release(&st);

	/* no ANONLEAK_A_STATS at all, or twice */
	nlh = msg_start(buf, ANONLEAK_CMD_GET_STATS);
	EXPECT_EQ(-EPROTO, parse_stats_msg(nlh, &st, &err));
	nlh = build_stats_msg(buf, &no_mutation);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, ANONLEAK_A_STATS));
	EXPECT_EQ(-EPROTO, parse_stats_msg(nlh, &st, &err));
}

TEST(stats_probe_unterminated)
{
	struct nlmsghdr *nlh = build_stats_msg(buf, &no_mutation);
	struct nlattr *probes = find_in(find_top(nlh, ANONLEAK_A_STATS), ANONLEAK_STATS_A_PROBES);
	struct nlattr *second;
	struct parse_err err;
	struct module_stats st;

	ASSERT_NE(NULL, probes);
	second = mnl_attr_next(find_in(probes, ANONLEAK_PROBE_A_NAME));
	((char *)mnl_attr_get_payload(second))[mnl_attr_get_payload_len(second) - 1] = 'p';
	EXPECT_EQ(-EPROTO, parse_stats_msg(nlh, &st, &err));
	/* the first, valid, name was freed with the rest */
	EXPECT_EQ(NULL, st.probes);
	EXPECT_EQ(0, st.nr_probes);
}

/*
 * Random damage to valid messages (fixed seed, so reproducible): the
 * parsers must answer 0 or -EPROTO and never read out of bounds (run
 * under ASan to see the latter).
 */
TEST(random_damage)
{
	struct mutation mu = no_mutation;
	unsigned int seed = 12345;
	int rejected = 0;

	mu.extras = true;
	for (int round = 0; round < 20000; round++) {
		bool stats = round & 1;
		struct nlmsghdr *nlh = stats ? build_stats_msg(buf, &mu) : build_site_msg(buf, &mu);
		uint32_t len = nlh->nlmsg_len;
		int flips = 1 + rand_r(&seed) % 4, ret;
		struct parse_err err;
		char *exact;

		for (int i = 0; i < flips; i++) {
			uint32_t at = sizeof(*nlh) + rand_r(&seed) % (len - sizeof(*nlh));

			((unsigned char *)nlh)[at] = rand_r(&seed);
		}
		if (rand_r(&seed) % 8 == 0)
			len -= rand_r(&seed) % 64;
		nlh->nlmsg_len = len;
		/* a copy of exactly len bytes, so overreads hit ASan's redzone */
		exact = malloc(len);
		ASSERT_NE(NULL, exact);
		memcpy(exact, nlh, len);
		nlh = (struct nlmsghdr *)exact;
		if (stats) {
			struct module_stats st;

			ret = parse_stats_msg(nlh, &st, &err);
			if (!ret)
				module_stats_release(&st);
		} else {
			struct site_msg m;

			ret = parse_site_msg(nlh, &m, &err);
			if (!ret)
				site_msg_release(&m);
		}
		free(exact);
		ASSERT_TRUE(ret == 0 || ret == -EPROTO) TH_LOG("round %d: %d", round, ret);
		rejected += ret != 0;
	}
	/* most damage is caught; some lands in values and passes */
	EXPECT_GT(rejected, 1000);
	EXPECT_LT(rejected, 20000);
}

TEST(stream_check)
{
	unsigned char b[32] = { 0 };
	struct nlattr *a = (struct nlattr *)b;

	EXPECT_TRUE(nla_stream_ok(b, 0));
	a->nla_len = 8;
	EXPECT_TRUE(nla_stream_ok(b, 8));
	EXPECT_FALSE(nla_stream_ok(b, 6));	/* longer than the buffer */
	EXPECT_FALSE(nla_stream_ok(b, 10));	/* 2 stray bytes after it */
	a->nla_len = 7;				/* last attribute, padding cut */
	EXPECT_TRUE(nla_stream_ok(b, 7));
	a->nla_len = 2;				/* shorter than its own header */
	EXPECT_FALSE(nla_stream_ok(b, 8));
}

TEST_HARNESS_MAIN
