// SPDX-License-Identifier: GPL-2.0
/* json.c: string escaping (any bytes in, valid JSON out) and nesting. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "print/json.h"

/* json_write_string() of len bytes of s, as a malloc'ed C string. */
static char *quoted(const char *s, size_t len)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	if (!f)
		return NULL;
	json_write_string(f, (const unsigned char *)s, len);
	fclose(f);
	return out;
}

#define EXPECT_QUOTED(expected, s, len) do {		\
	char *q = quoted(s, len);			\
	EXPECT_STREQ(expected, q);			\
	free(q);					\
} while (0)

TEST(escape_specials)
{
	EXPECT_QUOTED("\"\"", "", 0);
	EXPECT_QUOTED("\"plain comm\"", "plain comm", 10);
	EXPECT_QUOTED("\"a\\\"b\\\\c\"", "a\"b\\c", 5);
	EXPECT_QUOTED("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t", 5);
	EXPECT_QUOTED("\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f", 3);
	/* '/' need not be escaped */
	EXPECT_QUOTED("\"/usr/lib\"", "/usr/lib", 8);
}

TEST(escape_utf8)
{
	/* valid sequences of 2, 3 and 4 bytes pass through */
	EXPECT_QUOTED("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
		      "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	/* stray bytes become their Latin-1 code point */
	EXPECT_QUOTED("\"\\u00ff\"", "\xff", 1);
	EXPECT_QUOTED("\"\\u00c3(\"", "\xc3(", 2);		/* bad continuation */
	EXPECT_QUOTED("\"\\u00e2\\u0082\"", "\xe2\x82", 2);	/* cut short */
	EXPECT_QUOTED("\"\\u00c0\\u0080\"", "\xc0\x80", 2);	/* overlong NUL */
	EXPECT_QUOTED("\"\\u00ed\\u00a0\\u0080\"", "\xed\xa0\x80", 3); /* surrogate */
	EXPECT_QUOTED("\"\\u00f4\\u0090\\u0080\\u0080\"", "\xf4\x90\x80\x80", 4); /* > U+10FFFF */
}

/* A comm can hold any byte but NUL: quotes, backslashes, controls, junk. */
TEST(escape_hostile_comm)
{
	EXPECT_QUOTED("\"x\\\"y\\\\z\\u001b[31m\\n\\u00fe\"", "x\"y\\z\x1b[31m\n\xfe", 12);
}

TEST(writer_nesting)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	struct json j;

	ASSERT_NE(NULL, f);
	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_u64(&j, "a", 1);
	json_array_begin(&j, "l");
	json_u64(&j, NULL, 18446744073709551615ULL);
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_begin(&j, NULL);
	json_array_end(&j);
	json_string(&j, NULL, "s");
	json_array_end(&j);
	json_hex(&j, "h", 0x7fff0000abcdULL);
	json_hexbytes(&j, "b", (const unsigned char *)"\x01\xab", 2);
	json_string(&j, "k\"ey", "v");
	json_object_end(&j);
	fclose(f);
	EXPECT_STREQ("{\"a\":1,\"l\":[18446744073709551615,{},[],\"s\"],"
		     "\"h\":\"0x7fff0000abcd\",\"b\":\"01ab\",\"k\\\"ey\":\"v\"}\n", out);
	free(out);
}

TEST(scalars)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	struct json j;

	ASSERT_NE(NULL, f);
	json_init(&j, f);
	json_array_begin(&j, NULL);
	json_i64(&j, NULL, -5);
	json_i64(&j, NULL, INT64_MIN);
	json_i64(&j, NULL, 42);
	json_bool(&j, NULL, true);
	json_bool(&j, NULL, false);
	json_null(&j, NULL);
	json_object_begin(&j, NULL);
	json_null(&j, "n");
	json_bool(&j, "b", true);
	json_object_end(&j);
	json_array_end(&j);
	fclose(f);
	EXPECT_STREQ("[-5,-9223372036854775808,42,true,false,null,{\"n\":null,\"b\":true}]\n", out);
	free(out);
}

/* The hand-made number and hex formatting, at their edges. */
TEST(numbers_and_hex)
{
	static const unsigned char id[] = { 0x00, 0x0f, 0xa5, 0xff };
	unsigned char big[100];
	char *out = NULL, want[256];
	size_t n = 0, w;
	FILE *f = open_memstream(&out, &n);
	struct json j;

	ASSERT_NE(NULL, f);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)i;
	json_init(&j, f);
	json_array_begin(&j, NULL);
	json_u64(&j, NULL, 0);
	json_u64(&j, NULL, 10);
	json_u64(&j, NULL, UINT64_MAX);
	json_i64(&j, NULL, 0);
	json_i64(&j, NULL, INT64_MAX);
	json_hex(&j, NULL, 0);
	json_hex(&j, NULL, 0xabcdef);
	json_hex(&j, NULL, UINT64_MAX);
	json_hexbytes(&j, NULL, id, sizeof(id));
	json_hexbytes(&j, NULL, id, 0);
	json_array_end(&j);
	json_init(&j, f);
	json_hexbytes(&j, NULL, big, sizeof(big));
	fclose(f);
	w = (size_t)snprintf(want, sizeof(want), "[0,10,18446744073709551615,0,"
			     "9223372036854775807,\"0x0\",\"0xabcdef\","
			     "\"0xffffffffffffffff\",\"000fa5ff\",\"\"]\n");
	ASSERT_EQ(0, strncmp(want, out, w));
	/* 100 bytes: more than one buffer of hex digits */
	ASSERT_EQ(w + 202, n);
	for (size_t i = 0; i < sizeof(big); i++) {
		snprintf(want, sizeof(want), "%02x", (unsigned int)i);
		EXPECT_EQ(0, strncmp(want, out + w + 1 + 2 * i, 2));
	}
	EXPECT_EQ('"', out[w + 201]);
	free(out);
}

TEST_HARNESS_MAIN
