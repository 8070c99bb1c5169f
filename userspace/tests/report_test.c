// SPDX-License-Identifier: GPL-2.0
/*
 * report.c and report_print.c on a small fixed data set: grouping by
 * process record, sort order, the text and JSON output compared byte for
 * byte, escaping of a hostile comm, and the symbolize hook.
 */
#define _GNU_SOURCE	/* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/anonleak.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "core/report.h"
#include "print/report.h"

#define S 1000000000ULL	/* ns per second */

struct fx_frame {
	uint64_t addr, offset;
	const char *object;
};

struct fx_site {
	uint32_t pid;
	const char *comm;
	uint64_t proc_id;
	uint8_t state;
	uint64_t now;
	struct site_info s;	/* counters only; frames from below */
	struct fx_frame frames[3];
	size_t nr_frames;
};

/*
 * pid 100 "small": one site, 4 KiB live.
 * pid 200 "big" (exited): a 3 MiB site and a site with nothing live.
 * Given out of order, as if the dump had interleaved them.
 */
static const struct fx_site fixture[] = {
	{ 200, "big", 2, ANONLEAK_PROC_EXITED, 2000 * S,
	  { .id = 0x21, .live_count = 0, .live_bytes = 0, .total_maps = 5, .total_unmaps = 5,
	    .mapped_bytes = 20480, .unmapped_bytes = 20480, .peak_bytes = 8192,
	    .first_seen = 100 * S, .last_seen = 1500 * S },
	  { { 0 } }, 0 },
	{ 100, "small", 1, ANONLEAK_PROC_RUNNING, 1000 * S,
	  { .id = 0x10, .live_count = 1, .live_bytes = 4096, .total_maps = 3, .total_unmaps = 2,
	    .mapped_bytes = 12288, .unmapped_bytes = 8192, .peak_bytes = 8192,
	    .first_seen = 400 * S, .last_seen = 990 * S, .oldest = 900 * S, .has_oldest = true },
	  { { 0x7f0000001234, 0x1234, "/usr/lib/libc.so.6" },
	    { 0x555500000abc, 0xabc, "/usr/bin/small" } }, 2 },
	{ 200, "big", 2, ANONLEAK_PROC_EXITED, 2000 * S,
	  { .id = 0x20, .live_count = 2, .live_bytes = 3 << 20, .total_maps = 2,
	    .total_unmaps = 0, .mapped_bytes = 3 << 20, .unmapped_bytes = 0,
	    .peak_bytes = 3 << 20, .first_seen = 1990 * S, .last_seen = 1999500000000ULL,
	    .oldest = 1990 * S, .has_oldest = true },
	  { { 0x7f00deadbeef, 0, NULL } }, 1 },
};

static int add_fx(struct report *r, const struct fx_site *fx)
{
	struct site_msg m = { 0 };

	m.pid = fx->pid;
	m.comm = strdup(fx->comm);
	m.proc_id = fx->proc_id;
	m.state = fx->state;
	m.now = fx->now;
	m.site = fx->s;
	m.site.now = fx->now;
	m.site.nr_frames = fx->nr_frames;
	m.site.frames = calloc(fx->nr_frames + 1, sizeof(struct frame_info));
	for (size_t i = 0; i < fx->nr_frames; i++) {
		m.site.frames[i].addr = fx->frames[i].addr;
		if (fx->frames[i].object) {
			m.site.frames[i].object = strdup(fx->frames[i].object);
			m.site.frames[i].offset = fx->frames[i].offset;
			m.site.frames[i].has_offset = true;
		}
	}
	return report_add(r, &m);
}

static void load_fixture(struct report *r)
{
	report_init(r);
	for (size_t i = 0; i < ARRAY_SIZE(fixture); i++)
		add_fx(r, &fixture[i]);
	report_finish(r);
}

static const char text_block_big[] =
	"anonleak site 0x20 in pid 200 (comm \"big\", exited):\n"
	"  live        2 mappings, 3.0 MiB (3145728 bytes)\n"
	"  total       2 maps, 0 unmaps\n"
	"  mapped      3.0 MiB (3145728 bytes)\n"
	"  unmapped    0 B (0 bytes)\n"
	"  peak        3.0 MiB (3145728 bytes)\n"
	"  oldest live 10s\n"
	"  first seen  10s ago\n"
	"  last seen   500ms ago\n"
	"  backtrace:\n"
	"    [<00007f00deadbeef>]\n"
	"\n";

static const char text_block_idle[] =
	"anonleak site 0x21 in pid 200 (comm \"big\", exited):\n"
	"  live        0 mappings, 0 B (0 bytes)\n"
	"  total       5 maps, 5 unmaps\n"
	"  mapped      20.0 KiB (20480 bytes)\n"
	"  unmapped    20.0 KiB (20480 bytes)\n"
	"  peak        8.0 KiB (8192 bytes)\n"
	"  first seen  31m40s ago\n"
	"  last seen   8m20s ago\n"
	"  backtrace: (none)\n"
	"\n";

static const char text_block_small[] =
	"anonleak site 0x10 in pid 100 (comm \"small\", running):\n"
	"  live        1 mapping, 4.0 KiB (4096 bytes)\n"
	"  total       3 maps, 2 unmaps\n"
	"  mapped      12.0 KiB (12288 bytes)\n"
	"  unmapped    8.0 KiB (8192 bytes)\n"
	"  peak        8.0 KiB (8192 bytes)\n"
	"  oldest live 1m40s\n"
	"  first seen  10m0s ago\n"
	"  last seen   10s ago\n"
	"  backtrace:\n"
	"    [<00007f0000001234>] /usr/lib/libc.so.6+0x1234\n"
	"    [<0000555500000abc>] /usr/bin/small+0xabc\n"
	"\n";

static const char summary[] =
	"summary: 2 processes, 3 sites, 3 live mappings, 3.0 MiB (3149824 bytes) live";

TEST(group_and_sort)
{
	struct report r;

	load_fixture(&r);
	ASSERT_EQ(2, r.nr_procs);
	EXPECT_EQ(3, r.nr_sites);
	EXPECT_EQ(3, r.live_count);
	EXPECT_EQ((3 << 20) + 4096, r.live_bytes);
	/* the big process first, its sites merged and sorted */
	EXPECT_EQ(200, r.procs[0].pid);
	EXPECT_STREQ("big", r.procs[0].comm);
	ASSERT_EQ(2, r.procs[0].nr_sites);
	EXPECT_EQ(0x20, r.procs[0].sites[0].id);
	EXPECT_EQ(0x21, r.procs[0].sites[1].id);
	EXPECT_EQ(2, r.procs[0].live_count);
	EXPECT_EQ(3 << 20, r.procs[0].live_bytes);
	EXPECT_EQ(100, r.procs[1].pid);
	EXPECT_EQ(4096, r.procs[1].live_bytes);
	report_release(&r);
}

TEST(sort_ties)
{
	/* equal bytes: process by pid, site by live count then id */
	static const struct { uint32_t pid; uint64_t proc_id, id, count, bytes; } in[] = {
		{ 30, 3, 5, 1, 100 }, { 10, 1, 9, 1, 100 }, { 10, 1, 8, 1, 100 },
		{ 10, 1, 7, 2, 100 }, { 20, 2, 1, 1, 50 }, { 30, 4, 6, 1, 200 },
	};
	struct report r;

	report_init(&r);
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		struct site_msg m = { .pid = in[i].pid, .proc_id = in[i].proc_id };

		m.comm = strdup("t");
		m.site.id = in[i].id;
		m.site.live_count = in[i].count;
		m.site.live_bytes = in[i].bytes;
		ASSERT_EQ(0, report_add(&r, &m));
	}
	report_finish(&r);
	ASSERT_EQ(4, r.nr_procs);
	/* proc 1 (pid 10) has 300 bytes; pid 30 appears as two records */
	EXPECT_EQ(1, r.procs[0].proc_id);
	EXPECT_EQ(4, r.procs[1].proc_id);	/* 200 bytes */
	EXPECT_EQ(3, r.procs[2].proc_id);	/* 100 bytes */
	EXPECT_EQ(2, r.procs[3].proc_id);	/* 50 bytes */
	ASSERT_EQ(3, r.procs[0].nr_sites);
	EXPECT_EQ(7, r.procs[0].sites[0].id);	/* 2 mappings */
	EXPECT_EQ(8, r.procs[0].sites[1].id);
	EXPECT_EQ(9, r.procs[0].sites[2].id);
	report_release(&r);

	/* equal live bytes across processes: lower pid first */
	report_init(&r);
	for (uint32_t pid = 5; pid > 0; pid--) {
		struct site_msg m = { .pid = pid, .proc_id = 100 + pid };

		m.comm = strdup("t");
		m.site.live_bytes = 4096;
		ASSERT_EQ(0, report_add(&r, &m));
	}
	report_finish(&r);
	for (size_t i = 0; i < r.nr_procs; i++) {
		EXPECT_EQ(i + 1, r.procs[i].pid);
	}
	report_release(&r);
}

TEST(text_default_hides_idle_sites)
{
	struct report r;
	char *out = NULL, *want;

	load_fixture(&r);
	CAPTURE(out, report_print(f, &r, false, false));
	ASSERT_NE(-1, asprintf(&want, "%s%s%s; 1 site with nothing live not shown (--all)\n",
			       text_block_big, text_block_small, summary));
	EXPECT_STREQ(want, out);
	free(want);
	free(out);
	report_release(&r);
}

TEST(text_all)
{
	struct report r;
	char *out = NULL, *want;

	load_fixture(&r);
	CAPTURE(out, report_print(f, &r, false, true));
	ASSERT_NE(-1, asprintf(&want, "%s%s%s%s\n", text_block_big, text_block_idle,
			       text_block_small, summary));
	EXPECT_STREQ(want, out);
	free(want);
	free(out);
	report_release(&r);
}

TEST(text_empty)
{
	struct report r;
	char *out = NULL;

	report_init(&r);
	report_finish(&r);
	CAPTURE(out, report_print(f, &r, false, false));
	EXPECT_STREQ("summary: 0 processes, 0 sites, 0 live mappings, 0 B (0 bytes) live\n", out);
	free(out);
}

TEST(json_fixture)
{
	static const char want[] =
		"{\"processes\":["
		"{\"pid\":200,\"comm\":\"big\",\"proc_id\":2,\"state\":\"exited\","
		"\"live_count\":2,\"live_bytes\":3145728,\"sites\":["
		"{\"id\":32,\"live_count\":2,\"live_bytes\":3145728,\"total_maps\":2,"
		"\"total_unmaps\":0,\"mapped_bytes\":3145728,\"unmapped_bytes\":0,"
		"\"peak_bytes\":3145728,\"oldest_age_ms\":10000,\"first_seen_ms\":10000,"
		"\"last_seen_ms\":500,\"frames\":[{\"addr\":\"0x7f00deadbeef\"}]},"
		"{\"id\":33,\"live_count\":0,\"live_bytes\":0,\"total_maps\":5,"
		"\"total_unmaps\":5,\"mapped_bytes\":20480,\"unmapped_bytes\":20480,"
		"\"peak_bytes\":8192,\"first_seen_ms\":1900000,\"last_seen_ms\":500000,"
		"\"frames\":[]}]},"
		"{\"pid\":100,\"comm\":\"small\",\"proc_id\":1,\"state\":\"running\","
		"\"live_count\":1,\"live_bytes\":4096,\"sites\":["
		"{\"id\":16,\"live_count\":1,\"live_bytes\":4096,\"total_maps\":3,"
		"\"total_unmaps\":2,\"mapped_bytes\":12288,\"unmapped_bytes\":8192,"
		"\"peak_bytes\":8192,\"oldest_age_ms\":100000,\"first_seen_ms\":600000,"
		"\"last_seen_ms\":10000,\"frames\":["
		"{\"addr\":\"0x7f0000001234\",\"object\":\"/usr/lib/libc.so.6\",\"offset\":\"0x1234\"},"
		"{\"addr\":\"0x555500000abc\",\"object\":\"/usr/bin/small\",\"offset\":\"0xabc\"}]}]}"
		"],\"live_count\":3,\"live_bytes\":3149824}\n";
	struct report r;
	char *out = NULL;

	load_fixture(&r);
	CAPTURE(out, report_print(f, &r, true, false));
	EXPECT_STREQ(want, out);
	free(out);
	report_release(&r);
}

/* A comm with quotes, a backslash, controls and a stray byte, both outputs. */
TEST(hostile_comm)
{
	struct site_msg m = { .pid = 1, .proc_id = 1, .state = 9 };
	struct report r;
	char *out = NULL;

	report_init(&r);
	m.comm = strdup("a\"b\\c\n\x1b\xff");
	m.site.live_bytes = 1;
	ASSERT_EQ(0, report_add(&r, &m));
	report_finish(&r);

	CAPTURE(out, report_print(f, &r, false, false));
	/* unknown state: its number */
	EXPECT_EQ(0, strncmp(out, "anonleak site 0x0 in pid 1 (comm \"a\\\"b\\\\c\\x0a\\x1b\\xff\", "
			     "state 9):\n", 62)) TH_LOG("got: %s", out);
	free(out);

	CAPTURE(out, report_print(f, &r, true, false));
	EXPECT_NE(NULL, strstr(out, "\"comm\":\"a\\\"b\\\\c\\n\\u001b\\u00ff\",")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"state\":\"unknown\"")) TH_LOG("%s", out);
	free(out);
	report_release(&r);
}

/* A timestamp after the message's NOW prints as age 0, not a huge number. */
TEST(ages_clamped)
{
	struct site_msg m = { .pid = 1, .proc_id = 1, .now = 5 * S };
	struct report r;
	char *out = NULL;

	report_init(&r);
	m.comm = strdup("c");
	m.site.now = 5 * S;
	m.site.live_bytes = 1;
	m.site.first_seen = 6 * S;
	m.site.last_seen = 7 * S;
	ASSERT_EQ(0, report_add(&r, &m));
	report_finish(&r);
	CAPTURE(out, report_print(f, &r, true, false));
	EXPECT_NE(NULL, strstr(out, "\"first_seen_ms\":0,\"last_seen_ms\":0")) TH_LOG("%s", out);
	free(out);
	report_release(&r);
}

struct sym_calls {
	int calls;
	bool return_flags[8];
};

/* A stand-in symbolizer: names every frame of /usr/bin/small. */
static void fake_symbolize(void *ctx, struct frame_info *f, bool return_address)
{
	struct sym_calls *c = ctx;

	if (c->calls < 8)
		c->return_flags[c->calls] = return_address;
	c->calls++;
	if (strcmp(f->object, "/usr/bin/small"))
		return;
	f->symbol = strdup("leak_fn");
	f->symbol_offset = 0x20;
	f->source_file = strdup("demo.c");
	f->source_line = 42;
}

TEST(symbolize_hook)
{
	struct sym_calls calls = { 0 };
	struct report r;
	char *out = NULL;

	load_fixture(&r);
	report_symbolize(&r, NULL, NULL);	/* the no-op hook */
	report_symbolize(&r, fake_symbolize, &calls);
	/* only frames with an object and offset; the innermost is not a return */
	ASSERT_EQ(2, calls.calls);
	EXPECT_FALSE(calls.return_flags[0]);
	EXPECT_TRUE(calls.return_flags[1]);

	CAPTURE(out, report_print(f, &r, false, false));
	EXPECT_NE(NULL, strstr(out, "    [<0000555500000abc>] leak_fn+0x20 (/usr/bin/small+0xabc) "
				    "demo.c:42\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "    [<00007f0000001234>] /usr/lib/libc.so.6+0x1234\n"));
	free(out);

	CAPTURE(out, report_print(f, &r, true, false));
	EXPECT_NE(NULL, strstr(out, "{\"addr\":\"0x555500000abc\",\"object\":\"/usr/bin/small\","
				    "\"offset\":\"0xabc\",\"symbol\":\"leak_fn\","
				    "\"symbol_offset\":\"0x20\",\"file\":\"demo.c\",\"line\":42,"
				    "\"source\":\"demo.c:42\"}"))
		TH_LOG("%s", out);
	free(out);
	report_release(&r);
}

/* uid and exit time, when the kernel sent them, in the header and in JSON. */
TEST(uid_and_exit)
{
	struct site_msg m = { .pid = 9, .proc_id = 4, .state = ANONLEAK_PROC_EXITED,
				 .now = 100 * S };
	struct report r;
	char *out = NULL;

	report_init(&r);
	m.comm = strdup("gone");
	m.uid = 1000;
	m.has_uid = true;
	m.exit_time = 88 * S;
	m.has_exit_time = true;
	m.site.id = 3;
	m.site.now = 100 * S;
	m.site.live_bytes = 4096;
	ASSERT_EQ(0, report_add(&r, &m));
	report_finish(&r);
	CAPTURE(out, report_print(f, &r, false, false));
	EXPECT_EQ(0, strncmp(out, "anonleak site 0x3 in pid 9 (comm \"gone\", uid 1000, "
			     "exited 12s ago):\n", 66)) TH_LOG("%s", out);
	free(out);
	CAPTURE(out, report_print(f, &r, true, false));
	EXPECT_NE(NULL, strstr(out, "{\"pid\":9,\"comm\":\"gone\",\"proc_id\":4,\"uid\":1000,"
				    "\"state\":\"exited\",\"exit_age_ms\":12000,\"live_count\":0,"))
		TH_LOG("%s", out);
	free(out);
	report_release(&r);
}

TEST(keep_top)
{
	struct report r;
	char *out = NULL;

	/* the 2 largest blocks: 3 MiB in "big" and 4 KiB in "small" */
	load_fixture(&r);
	report_keep_top(&r, 2);
	ASSERT_EQ(2, r.nr_procs);
	EXPECT_EQ(2, r.nr_sites);
	EXPECT_EQ(1, r.nr_cut);
	ASSERT_EQ(1, r.procs[0].nr_sites);
	EXPECT_EQ(0x20, r.procs[0].sites[0].id);
	EXPECT_EQ(0x10, r.procs[1].sites[0].id);
	CAPTURE(out, report_print(f, &r, false, false));
	EXPECT_NE(NULL, strstr(out, "summary: 2 processes, 2 sites, 3 live mappings, 3.0 MiB "
				    "(3149824 bytes) live; 1 smaller site not shown (--top)\n"))
		TH_LOG("%s", out);
	free(out);
	report_release(&r);

	/* only the largest: the small process goes */
	load_fixture(&r);
	report_keep_top(&r, 1);
	ASSERT_EQ(1, r.nr_procs);
	EXPECT_EQ(200, r.procs[0].pid);
	EXPECT_EQ(3 << 20, r.live_bytes);
	EXPECT_EQ(2, r.nr_cut);
	report_release(&r);

	/* more than there are: nothing changes */
	load_fixture(&r);
	report_keep_top(&r, 10);
	EXPECT_EQ(3, r.nr_sites);
	EXPECT_EQ(0, r.nr_cut);
	report_release(&r);
}

static bool drop_small(const struct site_info *s)
{
	return s->live_bytes < 65536;
}

TEST(drop_sites)
{
	struct report r;
	uint64_t bytes = 7;

	load_fixture(&r);
	EXPECT_EQ(2, report_drop_sites(&r, drop_small, &bytes));
	EXPECT_EQ(4096, bytes);
	ASSERT_EQ(1, r.nr_procs);
	EXPECT_EQ(1, r.nr_sites);
	EXPECT_EQ(0x20, r.procs[0].sites[0].id);
	EXPECT_EQ(3 << 20, r.live_bytes);
	EXPECT_EQ(2, r.live_count);
	report_release(&r);
}

TEST_HARNESS_MAIN
