// SPDX-License-Identifier: GPL-2.0
/* util.c: strict number/size/duration parsing and human formatting. */
#include <errno.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "core/numbers.h"
#include "print/format.h"

TEST(u64_good)
{
	uint64_t v = 1;

	ASSERT_EQ(0, parse_u64("0", &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, parse_u64("42", &v));
	EXPECT_EQ(42, v);
	ASSERT_EQ(0, parse_u64("007", &v));	/* decimal, not octal */
	EXPECT_EQ(7, v);
	ASSERT_EQ(0, parse_u64("18446744073709551615", &v));
	EXPECT_EQ(UINT64_MAX, v);
}

TEST(u64_bad)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "+1", "-1", "1x", "0x10", "1.5", "１", "12\n",
	};
	uint64_t v = 77;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, parse_u64(bad[i], &v)) TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(77, v) TH_LOG("'%s' changed the output", bad[i]);
	}
	EXPECT_EQ(-ERANGE, parse_u64("18446744073709551616", &v));
	EXPECT_EQ(-ERANGE, parse_u64("99999999999999999999999", &v));
	EXPECT_EQ(77, v);
}

TEST(pid)
{
	pid_t pid = 0;

	ASSERT_EQ(0, parse_pid("1", &pid));
	EXPECT_EQ(1, pid);
	ASSERT_EQ(0, parse_pid("2147483647", &pid));
	EXPECT_EQ(2147483647, pid);
	EXPECT_EQ(-ERANGE, parse_pid("0", &pid));
	EXPECT_EQ(-ERANGE, parse_pid("2147483648", &pid));
	EXPECT_EQ(-ERANGE, parse_pid("99999999999999999999", &pid));
	EXPECT_EQ(-EINVAL, parse_pid("-1", &pid));
	EXPECT_EQ(-EINVAL, parse_pid("12abc", &pid));
	EXPECT_EQ(-EINVAL, parse_pid("", &pid));
	EXPECT_EQ(2147483647, pid);
}

TEST(size_parse)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "10B", 10 },
		{ "4K", 4096 }, { "4KiB", 4096 }, { "16M", 16 << 20 }, { "16MiB", 16 << 20 },
		{ "1G", 1ULL << 30 }, { "2GiB", 2ULL << 30 }, { "3T", 3ULL << 40 },
		{ "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = {
		"", "K", "4k", "4KB", "4 K", "-4K", "4K ", "4Ki", "1.5G", "4KiBs", "0x10",
	};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		EXPECT_EQ(0, parse_size(good[i].s, &v)) TH_LOG("rejected '%s'", good[i].s);
		EXPECT_EQ(good[i].v, v) TH_LOG("'%s'", good[i].s);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, parse_size(bad[i], &v)) TH_LOG("accepted '%s'", bad[i]);
	}
	EXPECT_EQ(-ERANGE, parse_size("16777216T", &v));	/* 2^64 */
	EXPECT_EQ(-ERANGE, parse_size("18446744073709551615K", &v));
	EXPECT_EQ(-ERANGE, parse_size("18446744073709551616", &v));
}

TEST(duration_parse)
{
	static const struct { const char *s; uint64_t ns; } good[] = {
		{ "0", 0 }, { "30", 30 * NSEC_PER_SEC }, { "30s", 30 * NSEC_PER_SEC },
		{ "5m", 300 * NSEC_PER_SEC }, { "1h", 3600 * NSEC_PER_SEC },
		{ "2d", 2 * 86400 * NSEC_PER_SEC }, { "250ms", 250 * NSEC_PER_MSEC },
		{ "7us", 7000 }, { "9ns", 9 },
		{ "1h30m", 5400 * NSEC_PER_SEC }, { "5m12s", 312 * NSEC_PER_SEC },
		{ "1h02m", 3720 * NSEC_PER_SEC }, { "1s500ms", 1500 * NSEC_PER_MSEC },
		{ "18446744073ns", 18446744073ULL },
	};
	static const char *const bad[] = {
		"", "s", "5x", "5 m", " 5m", "5m ", "-5s", "+5s", "1.5s", "5S",
		"1h30", "30m1h", "5m5m", "1hh", "5sec", "m5",
	};
	uint64_t ns;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		EXPECT_EQ(0, parse_duration(good[i].s, &ns)) TH_LOG("rejected '%s'", good[i].s);
		EXPECT_EQ(good[i].ns, ns) TH_LOG("'%s'", good[i].s);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, parse_duration(bad[i], &ns)) TH_LOG("accepted '%s'", bad[i]);
	}
	/* 2^64 ns is about 584 years */
	EXPECT_EQ(-ERANGE, parse_duration("213504d", &ns));
	EXPECT_EQ(-ERANGE, parse_duration("18446744074", &ns));
	EXPECT_EQ(-ERANGE, parse_duration("213503d23h59m59s1000ms", &ns));
	EXPECT_EQ(-ERANGE, parse_duration("99999999999999999999ns", &ns));
}

TEST(size_format)
{
	static const struct { uint64_t v; const char *s; } cases[] = {
		{ 0, "0 B" }, { 1, "1 B" }, { 1023, "1023 B" },
		{ 1024, "1.0 KiB" }, { 1536, "1.5 KiB" }, { 4096, "4.0 KiB" },
		{ 1048575, "1.0 MiB" },		/* rounds up into the next unit */
		{ 12 << 20, "12.0 MiB" }, { (12 << 20) + (1 << 19), "12.5 MiB" },
		{ 3149824, "3.0 MiB" }, { 1ULL << 30, "1.0 GiB" },
		{ 5ULL << 40, "5.0 TiB" }, { UINT64_MAX, "16.0 EiB" },
	};
	char buf[FMT_BUF_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_STREQ(cases[i].s, fmt_size(buf, cases[i].v));
	}
}

TEST(duration_format)
{
	static const struct { uint64_t ns; const char *s; } cases[] = {
		{ 0, "0ms" }, { 999999, "0ms" }, { 850 * NSEC_PER_MSEC, "850ms" },
		{ NSEC_PER_SEC, "1s" }, { 59999 * NSEC_PER_MSEC, "59s" },
		{ 60 * NSEC_PER_SEC, "1m0s" }, { 312 * NSEC_PER_SEC, "5m12s" },
		{ 3720 * NSEC_PER_SEC, "1h02m" }, { 86399 * NSEC_PER_SEC, "23h59m" },
		{ (3 * 86400 + 4 * 3600) * NSEC_PER_SEC, "3d04h" },
		{ UINT64_MAX, "213503d23h" },
	};
	char buf[FMT_BUF_LEN];
	uint64_t back;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_STREQ(cases[i].s, fmt_duration(buf, cases[i].ns));
		/* what we print, we can parse */
		EXPECT_EQ(0, parse_duration(buf, &back)) TH_LOG("cannot parse '%s'", buf);
	}
}

TEST(escaped)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ASSERT_NE(NULL, f);
	fputs_escaped("ok \"q\" \\ \n\x01\x7f\xc3\xa9", f);
	fclose(f);
	EXPECT_STREQ("ok \\\"q\\\" \\\\ \\x0a\\x01\\x7f\\xc3\\xa9", out);
	free(out);
}

TEST_HARNESS_MAIN
