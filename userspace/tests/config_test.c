// SPDX-License-Identifier: GPL-2.0
/*
 * config.c: KEY=VALUE parsing (every key, its range, malformed input,
 * repeats), and the text and JSON printers.
 */
#define _GNU_SOURCE	/* open_memstream */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/anonleak.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "core/config.h"
#include "print/config.h"
#include "proto/util.h"

TEST(every_key)
{
	static const struct { const char *arg; enum config_key key; uint64_t v; } good[] = {
		{ "enabled=0", CFG_ENABLED, 0 },
		{ "enabled=1", CFG_ENABLED, 1 },
		{ "stack_depth=1", CFG_STACK_DEPTH, 1 },
		{ "stack_depth=32", CFG_STACK_DEPTH, 32 },
		{ "min_size=0", CFG_MIN_SIZE, 0 },
		{ "min_size=64K", CFG_MIN_SIZE, 65536 },
		{ "min_size=2MiB", CFG_MIN_SIZE, 2 << 20 },
		{ "filter_pid=0", CFG_FILTER_PID, 0 },
		{ "filter_pid=2147483647", CFG_FILTER_PID, 2147483647 },
		{ "filter_uid=0", CFG_FILTER_UID, 0 },
		{ "filter_uid=1000", CFG_FILTER_UID, 1000 },
		{ "filter_uid=any", CFG_FILTER_UID, ANONLEAK_UID_ANY },
		{ "max_mappings=1048576", CFG_MAX_MAPPINGS, 1048576 },
		{ "max_sites=1", CFG_MAX_SITES, 1 },
		{ "max_procs=18446744073709551615", CFG_MAX_PROCS, UINT64_MAX },
		{ "max_exited=0", CFG_MAX_EXITED, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct module_config c = { 0 };
		char why[160];

		ASSERT_EQ(0, config_parse_arg(&c, good[i].arg, why, sizeof(why)))
			TH_LOG("'%s': %s", good[i].arg, why);
		EXPECT_EQ(1U << good[i].key, c.present) TH_LOG("'%s'", good[i].arg);
		EXPECT_EQ(good[i].v, c.v[good[i].key]) TH_LOG("'%s'", good[i].arg);
		config_release(&c);
	}
}

TEST(comm)
{
	struct module_config c = { 0 };
	char why[160];

	ASSERT_EQ(0, config_parse_arg(&c, "filter_comm=", why, sizeof(why)));
	EXPECT_STREQ("", c.filter_comm);
	EXPECT_EQ(1U << CFG_FILTER_COMM, c.present);
	config_release(&c);
	/* everything after the first '=' is the name, '=' included */
	ASSERT_EQ(0, config_parse_arg(&c, "filter_comm=a=b c", why, sizeof(why)));
	EXPECT_STREQ("a=b c", c.filter_comm);
	config_release(&c);
	ASSERT_EQ(0, config_parse_arg(&c, "filter_comm=123456789012345", why, sizeof(why)));
	config_release(&c);
	EXPECT_EQ(-ERANGE, config_parse_arg(&c, "filter_comm=1234567890123456", why,
					    sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "longer than 15")) TH_LOG("%s", why);
	EXPECT_EQ(NULL, c.filter_comm);
	EXPECT_EQ(0, c.present);
}

TEST(malformed)
{
	static const struct { const char *arg; int err; const char *why; } bad[] = {
		{ "enabled", -EINVAL, "not KEY=VALUE" },
		{ "", -EINVAL, "not KEY=VALUE" },
		{ "=1", -EINVAL, "unknown key ''" },
		{ "Enabled=1", -EINVAL, "unknown key 'Enabled'" },
		{ "enable=1", -EINVAL, "unknown key 'enable'" },
		{ "enabledx=1", -EINVAL, "unknown key 'enabledx'" },
		{ " enabled=1", -EINVAL, "unknown key" },
		{ "enabled=2", -EINVAL, "0 or 1" },
		{ "enabled=", -EINVAL, "0 or 1" },
		{ "enabled=yes", -EINVAL, "0 or 1" },
		{ "stack_depth=0", -ERANGE, "out of range 1..32" },
		{ "stack_depth=33", -ERANGE, "out of range 1..32" },
		{ "stack_depth=", -EINVAL, "malformed number" },
		{ "stack_depth=8 ", -EINVAL, "malformed number" },
		{ "stack_depth=-1", -EINVAL, "malformed number" },
		{ "stack_depth=99999999999999999999", -ERANGE, "out of range" },
		{ "min_size=1X", -EINVAL, "malformed size" },
		{ "min_size=1.5M", -EINVAL, "malformed size" },
		{ "min_size=", -EINVAL, "malformed size" },
		{ "min_size=99999999999T", -ERANGE, "too large" },
		{ "filter_pid=-1", -EINVAL, "malformed number" },
		{ "filter_pid=2147483648", -ERANGE, "out of range" },
		{ "filter_pid=none", -EINVAL, "malformed number" },
		{ "filter_uid=anyone", -EINVAL, "a uid or \"any\"" },
		{ "filter_uid=4294967296", -ERANGE, "out of range" },
		{ "filter_uid=", -EINVAL, "malformed number" },
		{ "max_sites=1k", -EINVAL, "malformed number" },
		{ "max_exited=0x10", -EINVAL, "malformed number" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct module_config c = { 0 };
		char why[160];

		EXPECT_EQ(bad[i].err, config_parse_arg(&c, bad[i].arg, why, sizeof(why)))
			TH_LOG("'%s'", bad[i].arg);
		EXPECT_NE(NULL, strstr(why, bad[i].why)) TH_LOG("'%s': %s", bad[i].arg, why);
		EXPECT_EQ(0, c.present) TH_LOG("'%s' set something", bad[i].arg);
	}
}

TEST(repeated_and_combined)
{
	struct module_config c = { 0 };
	char why[160];

	ASSERT_EQ(0, config_parse_arg(&c, "enabled=1", why, sizeof(why)));
	ASSERT_EQ(0, config_parse_arg(&c, "filter_comm=x", why, sizeof(why)));
	ASSERT_EQ(0, config_parse_arg(&c, "max_exited=9", why, sizeof(why)));
	EXPECT_EQ(-EEXIST, config_parse_arg(&c, "enabled=0", why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "enabled given twice")) TH_LOG("%s", why);
	EXPECT_EQ(-EEXIST, config_parse_arg(&c, "filter_comm=y", why, sizeof(why)));
	EXPECT_EQ(1, c.v[CFG_ENABLED]);
	EXPECT_STREQ("x", c.filter_comm);
	EXPECT_EQ((1U << CFG_ENABLED) | (1U << CFG_FILTER_COMM) | (1U << CFG_MAX_EXITED),
		  c.present);
	config_release(&c);
}

TEST(copy)
{
	struct module_config a = { 0 }, b;
	char why[160];

	ASSERT_EQ(0, config_parse_arg(&a, "filter_comm=srv", why, sizeof(why)));
	ASSERT_EQ(0, config_parse_arg(&a, "stack_depth=3", why, sizeof(why)));
	ASSERT_EQ(0, config_copy(&b, &a));
	config_release(&a);
	EXPECT_STREQ("srv", b.filter_comm);
	EXPECT_EQ(3, b.v[CFG_STACK_DEPTH]);
	config_release(&b);
}

static void full_config(struct module_config *c, const char *comm)
{
	static const char *const args[] = {
		"enabled=1", "stack_depth=8", "min_size=4K", "filter_pid=0", "filter_uid=any",
		"max_mappings=1048576", "max_sites=65536", "max_procs=16384", "max_exited=256",
	};
	char why[160];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ARRAY_SIZE(args); i++)
		config_parse_arg(c, args[i], why, sizeof(why));
	config_set_comm(c, comm);
}

TEST(print_text)
{
	struct module_config c;
	char *out = NULL;

	full_config(&c, "a\"b");
	CAPTURE(out, config_print(f, &c, false));
	EXPECT_STREQ("enabled=1\nstack_depth=8\nmin_size=4096\nfilter_pid=0\nfilter_uid=any\n"
		     "filter_comm=a\\\"b\nmax_mappings=1048576\nmax_sites=65536\n"
		     "max_procs=16384\nmax_exited=256\n", out);
	free(out);
	c.v[CFG_FILTER_UID] = 1000;
	c.present &= ~(1U << CFG_MAX_SITES);
	CAPTURE(out, config_print(f, &c, false));
	EXPECT_NE(NULL, strstr(out, "filter_uid=1000\n")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "max_sites")) TH_LOG("%s", out);
	free(out);
	config_release(&c);
}

TEST(print_json)
{
	struct module_config c;
	char *out = NULL;

	full_config(&c, "");
	CAPTURE(out, config_print(f, &c, true));
	EXPECT_STREQ("{\"enabled\":true,\"stack_depth\":8,\"min_size\":4096,\"filter_pid\":0,"
		     "\"filter_uid\":null,\"filter_comm\":\"\",\"max_mappings\":1048576,"
		     "\"max_sites\":65536,\"max_procs\":16384,\"max_exited\":256}\n", out);
	free(out);
	c.v[CFG_ENABLED] = 0;
	c.v[CFG_FILTER_UID] = 0;
	CAPTURE(out, config_print(f, &c, true));
	EXPECT_NE(NULL, strstr(out, "{\"enabled\":false,")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"filter_uid\":0,")) TH_LOG("%s", out);
	free(out);
	config_release(&c);
}

/* The table matches the UAPI attribute widths. */
TEST(key_table)
{
	for (int key = 0; key < CFG_NR; key++) {
		const struct config_key_info *k = &config_keys[key];

		EXPECT_NE(NULL, k->name);
		EXPECT_TRUE(k->attr > ANONLEAK_CONFIG_A_PAD && k->attr <= ANONLEAK_CONFIG_A_MAX);
		EXPECT_TRUE(k->width == 0 || k->width == 8 || k->width == 32 || k->width == 64);
		for (int other = 0; other < key; other++) {
			EXPECT_NE(config_keys[other].attr, k->attr);
		}
	}
	EXPECT_EQ(8, config_keys[CFG_ENABLED].width);
	EXPECT_EQ(32, config_keys[CFG_STACK_DEPTH].width);
	EXPECT_EQ(32, config_keys[CFG_FILTER_PID].width);
	EXPECT_EQ(32, config_keys[CFG_FILTER_UID].width);
	EXPECT_EQ(0, config_keys[CFG_FILTER_COMM].width);
	EXPECT_EQ(64, config_keys[CFG_MAX_EXITED].width);
}

TEST_HARNESS_MAIN
