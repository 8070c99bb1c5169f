// SPDX-License-Identifier: GPL-2.0
/*
 * parse_proc.c, parse_mapping.c and parse_config.c against messages built
 * in memory: full messages, unknown attributes, each required attribute
 * left out, wrong widths, truncation inside nests, bogus list entries,
 * repeated nests, and random damage.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "msgbuild.h"
#include "core/config.h"
#include "proto/config.h"
#include "proto/mappings.h"
#include "proto/procs.h"

#define S 1000000000ULL

static _Alignas(struct nlmsghdr) char buf[MSG_BUF_SIZE];

/* ---- GET_PROCS ---- */

TEST(proc_full_message)
{
	struct mutation mu = no_mutation;
	struct proc_info p;
	struct parse_err err;

	mu.extras = true;	/* unknown attributes at both levels are skipped */
	ASSERT_EQ(0, parse_proc_msg(build_proc_msg(buf, &mu), &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(4242, p.pid);
	EXPECT_STREQ("leaky", p.comm);
	EXPECT_EQ(9, p.proc_id);
	EXPECT_EQ(ANONLEAK_PROC_EXITED, p.state);
	EXPECT_EQ(1000, p.uid);
	EXPECT_EQ(400 * S, p.start_time);
	EXPECT_EQ(1000 * S, p.now);
	EXPECT_TRUE(p.has_exit_time);
	EXPECT_EQ(990 * S, p.exit_time);
	EXPECT_EQ(40, p.live_count);
	EXPECT_EQ(5 << 19, p.live_bytes);
	EXPECT_EQ(3, p.sites);
	proc_info_release(&p);
}

TEST(proc_optional_attributes)
{
	struct mutation mu = no_mutation;
	struct proc_info p;
	struct parse_err err;

	mu.omit = TOP_ATTR(ANONLEAK_A_EXIT_TIME);	/* a running record */
	ASSERT_EQ(0, parse_proc_msg(build_proc_msg(buf, &mu), &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_FALSE(p.has_exit_time);
	proc_info_release(&p);

	mu.omit = TOP_ATTR(ANONLEAK_A_COMM);
	ASSERT_EQ(0, parse_proc_msg(build_proc_msg(buf, &mu), &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_STREQ("", p.comm);
	proc_info_release(&p);
}

TEST(proc_missing_required)
{
	static const struct { int id; const char *name; } req[] = {
		{ TOP_ATTR(ANONLEAK_A_PID), "ANONLEAK_A_PID" },
		{ TOP_ATTR(ANONLEAK_A_PROC_ID), "ANONLEAK_A_PROC_ID" },
		{ TOP_ATTR(ANONLEAK_A_PROC_STATE), "ANONLEAK_A_PROC_STATE" },
		{ TOP_ATTR(ANONLEAK_A_UID), "ANONLEAK_A_UID" },
		{ TOP_ATTR(ANONLEAK_A_START_TIME), "ANONLEAK_A_START_TIME" },
		{ TOP_ATTR(ANONLEAK_A_NOW), "ANONLEAK_A_NOW" },
		{ TOP_ATTR(ANONLEAK_A_PROC), "ANONLEAK_A_PROC" },
		{ PROC_ATTR(ANONLEAK_PROC_A_LIVE_COUNT), "ANONLEAK_PROC_A_LIVE_COUNT" },
		{ PROC_ATTR(ANONLEAK_PROC_A_LIVE_BYTES), "ANONLEAK_PROC_A_LIVE_BYTES" },
		{ PROC_ATTR(ANONLEAK_PROC_A_SITES), "ANONLEAK_PROC_A_SITES" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(req); i++) {
		struct mutation mu = no_mutation;
		struct proc_info p;
		struct parse_err err;

		mu.omit = req[i].id;
		EXPECT_EQ(-EPROTO, parse_proc_msg(build_proc_msg(buf, &mu), &p, &err))
			TH_LOG("accepted a message without %s", req[i].name);
		EXPECT_NE(NULL, strstr(err.msg, req[i].name)) TH_LOG("message: %s", err.msg);
		EXPECT_EQ(NULL, p.comm);	/* released on error */
	}
}

TEST(proc_wrong_widths)
{
	static const int ids[] = {
		TOP_ATTR(ANONLEAK_A_PID), TOP_ATTR(ANONLEAK_A_UID), TOP_ATTR(ANONLEAK_A_PROC_STATE),
		TOP_ATTR(ANONLEAK_A_START_TIME), TOP_ATTR(ANONLEAK_A_EXIT_TIME),
		PROC_ATTR(ANONLEAK_PROC_A_LIVE_BYTES), PROC_ATTR(ANONLEAK_PROC_A_SITES),
	};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct mutation mu = no_mutation;
		struct proc_info p;
		struct parse_err err;

		mu.shorten = ids[i];
		EXPECT_EQ(-EPROTO, parse_proc_msg(build_proc_msg(buf, &mu), &p, &err))
			TH_LOG("accepted wrong width for attribute 0x%x", ids[i]);
		EXPECT_NE(NULL, strstr(err.msg, "length")) TH_LOG("message: %s", err.msg);
	}
}

TEST(proc_truncated)
{
	struct nlmsghdr *nlh = build_proc_msg(buf, &no_mutation);
	struct nlattr *proc = find_top(nlh, ANONLEAK_A_PROC);
	struct nlattr *sites = find_in(proc, ANONLEAK_PROC_A_SITES);
	uint32_t full = nlh->nlmsg_len;
	struct proc_info p;
	struct parse_err err;

	for (uint32_t cut = 4; cut < 40; cut += 4) {
		nlh->nlmsg_len = full - cut;
		EXPECT_EQ(-EPROTO, parse_proc_msg(nlh, &p, &err)) TH_LOG("cut by %u accepted", cut);
	}
	nlh->nlmsg_len = full;
	/* the last counter claims more than its nest holds */
	ASSERT_NE(NULL, sites);
	sites->nla_len += 8;
	EXPECT_EQ(-EPROTO, parse_proc_msg(nlh, &p, &err));
	EXPECT_NE(NULL, strstr(err.msg, "malformed attributes inside ANONLEAK_A_PROC"))
		TH_LOG("message: %s", err.msg);
}

TEST(proc_bad_nest_and_repeat)
{
	struct nlmsghdr *nlh = build_proc_msg(buf, &no_mutation);
	struct proc_info p;
	struct parse_err err;
	struct nlattr *a;

	/* a second PROC nest */
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, ANONLEAK_A_PROC));
	EXPECT_EQ(-EPROTO, parse_proc_msg(nlh, &p, &err));
	EXPECT_NE(NULL, strstr(err.msg, "repeated")) TH_LOG("message: %s", err.msg);

	/* PROC as a 2-byte blob */
	nlh = build_proc_msg(buf, &(struct mutation){ TOP_ATTR(ANONLEAK_A_PROC), NO_ATTR, false });
	mnl_attr_put(nlh, ANONLEAK_A_PROC, 2, "ab");
	EXPECT_EQ(-EPROTO, parse_proc_msg(nlh, &p, &err));
	EXPECT_NE(NULL, strstr(err.msg, "not a nest")) TH_LOG("message: %s", err.msg);

	/* COMM without its NUL */
	nlh = build_proc_msg(buf, &no_mutation);
	a = find_top(nlh, ANONLEAK_A_COMM);
	ASSERT_NE(NULL, a);
	((char *)mnl_attr_get_payload(a))[mnl_attr_get_payload_len(a) - 1] = 'y';
	EXPECT_EQ(-EPROTO, parse_proc_msg(nlh, &p, &err));
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_A_COMM")) TH_LOG("message: %s", err.msg);
}

/* ---- GET_MAPPINGS ---- */

TEST(mappings_full_message)
{
	struct mutation mu = no_mutation;
	struct mapping_list m;
	struct parse_err err;

	mu.extras = true;	/* a type-3 list entry and unknown range attributes */
	ASSERT_EQ(0, parse_mappings_msg(build_mappings_msg(buf, &mu), &m, &err))
		TH_LOG("%s", err.msg);
	EXPECT_EQ(4242, m.pid);
	EXPECT_EQ(9, m.proc_id);
	EXPECT_EQ(1000 * S, m.now);
	ASSERT_EQ(2, m.nr);
	for (size_t i = 0; i < 2; i++) {
		EXPECT_EQ(sample_ranges[i].start, m.maps[i].start);
		EXPECT_EQ(sample_ranges[i].length, m.maps[i].length);
		EXPECT_EQ(sample_ranges[i].prot, m.maps[i].prot);
		EXPECT_EQ(sample_ranges[i].flags, m.maps[i].flags);
		EXPECT_EQ(sample_ranges[i].birth, m.maps[i].birth);
		EXPECT_EQ(sample_ranges[i].site, m.maps[i].site_id);
	}
	mapping_list_release(&m);
}

TEST(mappings_missing_required)
{
	static const struct { int id; const char *name; } req[] = {
		{ TOP_ATTR(ANONLEAK_A_PID), "ANONLEAK_A_PID" },
		{ TOP_ATTR(ANONLEAK_A_PROC_ID), "ANONLEAK_A_PROC_ID" },
		{ TOP_ATTR(ANONLEAK_A_NOW), "ANONLEAK_A_NOW" },
		{ TOP_ATTR(ANONLEAK_A_MAPPINGS), "ANONLEAK_A_MAPPINGS" },
		{ MAPPING_ATTR(ANONLEAK_MAPPING_A_START), "ANONLEAK_MAPPING_A_START" },
		{ MAPPING_ATTR(ANONLEAK_MAPPING_A_LENGTH), "ANONLEAK_MAPPING_A_LENGTH" },
		{ MAPPING_ATTR(ANONLEAK_MAPPING_A_PROT), "ANONLEAK_MAPPING_A_PROT" },
		{ MAPPING_ATTR(ANONLEAK_MAPPING_A_FLAGS), "ANONLEAK_MAPPING_A_FLAGS" },
		{ MAPPING_ATTR(ANONLEAK_MAPPING_A_BIRTH), "ANONLEAK_MAPPING_A_BIRTH" },
		{ MAPPING_ATTR(ANONLEAK_MAPPING_A_SITE_ID), "ANONLEAK_MAPPING_A_SITE_ID" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(req); i++) {
		struct mutation mu = no_mutation;
		struct mapping_list m;
		struct parse_err err;

		mu.omit = req[i].id;
		EXPECT_EQ(-EPROTO, parse_mappings_msg(build_mappings_msg(buf, &mu), &m, &err))
			TH_LOG("accepted a message without %s", req[i].name);
		EXPECT_NE(NULL, strstr(err.msg, req[i].name)) TH_LOG("message: %s", err.msg);
		EXPECT_EQ(NULL, m.maps);
	}
}

TEST(mappings_wrong_widths)
{
	static const int ids[] = {
		TOP_ATTR(ANONLEAK_A_PID), TOP_ATTR(ANONLEAK_A_NOW),
		MAPPING_ATTR(ANONLEAK_MAPPING_A_START), MAPPING_ATTR(ANONLEAK_MAPPING_A_PROT),
		MAPPING_ATTR(ANONLEAK_MAPPING_A_FLAGS), MAPPING_ATTR(ANONLEAK_MAPPING_A_SITE_ID),
	};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct mutation mu = no_mutation;
		struct mapping_list m;
		struct parse_err err;

		mu.shorten = ids[i];
		EXPECT_EQ(-EPROTO, parse_mappings_msg(build_mappings_msg(buf, &mu), &m, &err))
			TH_LOG("accepted wrong width for attribute 0x%x", ids[i]);
	}
}

TEST(mappings_bad_ranges)
{
	struct nlmsghdr *nlh = build_mappings_msg(buf, &no_mutation);
	struct nlattr *list = find_top(nlh, ANONLEAK_A_MAPPINGS);
	struct nlattr *first = find_in(list, 0), *len;
	struct mapping_list m;
	struct parse_err err;

	/* a zero length */
	ASSERT_NE(NULL, first);
	len = find_in(first, ANONLEAK_MAPPING_A_LENGTH);
	ASSERT_NE(NULL, len);
	memset(mnl_attr_get_payload(len), 0, 8);
	EXPECT_EQ(-EPROTO, parse_mappings_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "bad length")) TH_LOG("message: %s", err.msg);

	/* a range that wraps around the address space */
	nlh = build_mappings_msg(buf, &no_mutation);
	len = find_in(find_in(find_top(nlh, ANONLEAK_A_MAPPINGS), 0), ANONLEAK_MAPPING_A_LENGTH);
	ASSERT_NE(NULL, len);
	memset(mnl_attr_get_payload(len), 0xff, 8);
	EXPECT_EQ(-EPROTO, parse_mappings_msg(nlh, &m, &err));

	/* the second range's nest runs past the list */
	nlh = build_mappings_msg(buf, &no_mutation);
	list = find_top(nlh, ANONLEAK_A_MAPPINGS);
	first = find_in(list, 0);
	ASSERT_NE(NULL, first);
	mnl_attr_next(first)->nla_len += 16;
	EXPECT_EQ(-EPROTO, parse_mappings_msg(nlh, &m, &err));
	EXPECT_NE(NULL, strstr(err.msg, "malformed attributes inside ANONLEAK_A_MAPPINGS"))
		TH_LOG("message: %s", err.msg);
}

TEST(mappings_empty_batch_and_append)
{
	struct mapping_list all = { 0 }, m;
	struct parse_err err;
	struct nlmsghdr *nlh;

	/* an empty list is a valid batch */
	nlh = build_mappings_msg(buf, &(struct mutation){ TOP_ATTR(ANONLEAK_A_MAPPINGS), NO_ATTR,
							  false });
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, ANONLEAK_A_MAPPINGS));
	ASSERT_EQ(0, parse_mappings_msg(nlh, &m, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(0, m.nr);
	ASSERT_EQ(0, mapping_list_append(&all, &m));
	/* three batches of two */
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, parse_mappings_msg(build_mappings_msg(buf, &no_mutation), &m, &err));
		ASSERT_EQ(0, mapping_list_append(&all, &m));
		EXPECT_EQ(NULL, m.maps);
	}
	EXPECT_EQ(6, all.nr);
	EXPECT_EQ(4242, all.pid);
	EXPECT_EQ(sample_ranges[1].start, all.maps[5].start);
	mapping_list_release(&all);
}

/* ---- GET_CONFIG ---- */

TEST(config_full_message)
{
	struct mutation mu = no_mutation;
	struct module_config cfg;
	struct parse_err err;

	mu.extras = true;
	ASSERT_EQ(0, parse_config_msg(build_config_msg(buf, &mu), &cfg, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ((1U << CFG_NR) - 1, cfg.present);
	EXPECT_EQ(1, cfg.v[CFG_ENABLED]);
	EXPECT_EQ(8, cfg.v[CFG_STACK_DEPTH]);
	EXPECT_EQ(4096, cfg.v[CFG_MIN_SIZE]);
	EXPECT_EQ(0, cfg.v[CFG_FILTER_PID]);
	EXPECT_EQ(ANONLEAK_UID_ANY, cfg.v[CFG_FILTER_UID]);
	EXPECT_STREQ("nginx", cfg.filter_comm);
	EXPECT_EQ(1048576, cfg.v[CFG_MAX_MAPPINGS]);
	EXPECT_EQ(65536, cfg.v[CFG_MAX_SITES]);
	EXPECT_EQ(16384, cfg.v[CFG_MAX_PROCS]);
	EXPECT_EQ(256, cfg.v[CFG_MAX_EXITED]);
	EXPECT_EQ(1, cfg.v[CFG_UNWIND]);
	EXPECT_EQ(64 << 20, cfg.v[CFG_MAX_UNWIND_BYTES]);
	EXPECT_EQ(4096, cfg.v[CFG_MAX_EXEMPLARS]);
	EXPECT_EQ(4096, cfg.v[CFG_EXEMPLAR_SIZE]);
	config_release(&cfg);
}

TEST(config_missing_and_wrong)
{
	for (int key = 0; key < CFG_NR; key++) {
		struct mutation mu = no_mutation;
		struct module_config cfg;
		struct parse_err err;

		mu.omit = CONFIG_ATTR(config_keys[key].attr);
		EXPECT_EQ(-EPROTO, parse_config_msg(build_config_msg(buf, &mu), &cfg, &err))
			TH_LOG("accepted a reply without %s", config_keys[key].name);
		EXPECT_NE(NULL, strstr(err.msg, config_keys[key].name)) TH_LOG("%s", err.msg);
		EXPECT_EQ(NULL, cfg.filter_comm);
		if (key == CFG_FILTER_COMM)
			continue;
		mu = no_mutation;
		mu.shorten = CONFIG_ATTR(config_keys[key].attr);
		EXPECT_EQ(-EPROTO, parse_config_msg(build_config_msg(buf, &mu), &cfg, &err))
			TH_LOG("accepted wrong width for %s", config_keys[key].name);
	}
}

TEST(config_bad_messages)
{
	struct module_config cfg;
	struct parse_err err;
	struct nlmsghdr *nlh;
	struct nlattr *a;

	/* no CONFIG nest */
	nlh = build_config_msg(buf, &(struct mutation){ TOP_ATTR(ANONLEAK_A_CONFIG), NO_ATTR,
							false });
	EXPECT_EQ(-EPROTO, parse_config_msg(nlh, &cfg, &err));
	EXPECT_NE(NULL, strstr(err.msg, "ANONLEAK_A_CONFIG missing")) TH_LOG("%s", err.msg);

	/* two */
	nlh = build_config_msg(buf, &no_mutation);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, ANONLEAK_A_CONFIG));
	EXPECT_EQ(-EPROTO, parse_config_msg(nlh, &cfg, &err));

	/* an unterminated comm */
	nlh = build_config_msg(buf, &no_mutation);
	a = find_in(find_top(nlh, ANONLEAK_A_CONFIG), ANONLEAK_CONFIG_A_FILTER_COMM);
	ASSERT_NE(NULL, a);
	((char *)mnl_attr_get_payload(a))[mnl_attr_get_payload_len(a) - 1] = 'x';
	EXPECT_EQ(-EPROTO, parse_config_msg(nlh, &cfg, &err));
	EXPECT_NE(NULL, strstr(err.msg, "filter_comm")) TH_LOG("%s", err.msg);
	EXPECT_EQ(NULL, cfg.filter_comm);

	/* truncated in the middle of the nest */
	nlh = build_config_msg(buf, &no_mutation);
	nlh->nlmsg_len -= 6;
	EXPECT_EQ(-EPROTO, parse_config_msg(nlh, &cfg, &err));
}

/* config_put() output read back by the reply parser: the same layout. */
TEST(config_put_round_trip)
{
	struct module_config in = { 0 }, out;
	struct parse_err err;
	struct nlmsghdr *nlh;
	char why[160];

	for (int key = 0; key < CFG_NR; key++)
		if (key != CFG_FILTER_COMM)
			config_set(&in, key, 3 + key);
	config_set(&in, CFG_ENABLED, 1);
	config_set(&in, CFG_FILTER_UID, ANONLEAK_UID_ANY);
	ASSERT_EQ(0, config_set_comm(&in, "worker"));
	memset(buf, 0, sizeof(buf));
	nlh = msg_start(buf, ANONLEAK_CMD_SET_CONFIG);
	ASSERT_EQ(0, config_put(nlh, sizeof(buf), &in));
	ASSERT_EQ(0, parse_config_msg(nlh, &out, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(in.present, out.present);
	for (int key = 0; key < CFG_NR; key++) {
		EXPECT_EQ(in.v[key], out.v[key]) TH_LOG("key %s", config_keys[key].name);
	}
	EXPECT_STREQ("worker", out.filter_comm);
	config_release(&out);

	/* only the keys given are sent */
	config_release(&in);
	ASSERT_EQ(0, config_parse_arg(&in, "stack_depth=4", why, sizeof(why)));
	memset(buf, 0, sizeof(buf));
	nlh = msg_start(buf, ANONLEAK_CMD_SET_CONFIG);
	ASSERT_EQ(0, config_put(nlh, sizeof(buf), &in));
	EXPECT_EQ(NULL, find_in(find_top(nlh, ANONLEAK_A_CONFIG), ANONLEAK_CONFIG_A_ENABLED));
	ASSERT_NE(NULL, find_in(find_top(nlh, ANONLEAK_A_CONFIG), ANONLEAK_CONFIG_A_STACK_DEPTH));
	EXPECT_EQ(4, mnl_attr_get_u32(find_in(find_top(nlh, ANONLEAK_A_CONFIG),
					      ANONLEAK_CONFIG_A_STACK_DEPTH)));

	/* no room: an error, not an overflow */
	memset(buf, 0, sizeof(buf));
	nlh = msg_start(buf, ANONLEAK_CMD_SET_CONFIG);
	EXPECT_EQ(-EMSGSIZE, config_put(nlh, nlh->nlmsg_len + 8, &in));
	config_release(&in);
}

/* Random damage: 0 or -EPROTO, never a crash (run under ASan for reads). */
TEST(random_damage)
{
	struct mutation mu = no_mutation;
	unsigned int seed = 4242;
	int rejected = 0;

	mu.extras = true;
	for (int round = 0; round < 30000; round++) {
		int kind = round % 3, ret;
		struct nlmsghdr *nlh = kind == 0 ? build_proc_msg(buf, &mu) :
				       kind == 1 ? build_mappings_msg(buf, &mu) :
						   build_config_msg(buf, &mu);
		uint32_t len = nlh->nlmsg_len;
		struct parse_err err;
		char *exact;

		for (int i = 0, flips = 1 + rand_r(&seed) % 4; i < flips; i++)
			((unsigned char *)nlh)[sizeof(*nlh) + rand_r(&seed) % (len - sizeof(*nlh))] =
				rand_r(&seed);
		if (rand_r(&seed) % 8 == 0)
			len -= rand_r(&seed) % 32;
		nlh->nlmsg_len = len;
		exact = malloc(len);
		ASSERT_NE(NULL, exact);
		memcpy(exact, nlh, len);
		nlh = (struct nlmsghdr *)exact;
		if (kind == 0) {
			struct proc_info p;

			ret = parse_proc_msg(nlh, &p, &err);
			if (!ret)
				proc_info_release(&p);
		} else if (kind == 1) {
			struct mapping_list m;

			ret = parse_mappings_msg(nlh, &m, &err);
			if (!ret)
				mapping_list_release(&m);
		} else {
			struct module_config cfg;

			ret = parse_config_msg(nlh, &cfg, &err);
			if (!ret)
				config_release(&cfg);
		}
		free(exact);
		ASSERT_TRUE(ret == 0 || ret == -EPROTO) TH_LOG("round %d: %d", round, ret);
		rejected += ret != 0;
	}
	EXPECT_GT(rejected, 1000);
	EXPECT_LT(rejected, 30000);
}

TEST_HARNESS_MAIN
