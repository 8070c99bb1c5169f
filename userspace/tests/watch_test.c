// SPDX-License-Identifier: GPL-2.0
/*
 * watch.c, watch_print.c and frames.c on synthetic samples: the growth
 * rate (exact lines, a leaker's staircase sampled with jitter, noise,
 * shrinking), the "only grows" flag, merging dumps into histories, the
 * window, the top frame, the ranking and both printers.
 */
#define _GNU_SOURCE	/* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/anonleak.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "core/frames.h"
#include "proto/util.h"
#include "core/watch.h"
#include "print/watch.h"

#define S	NSEC_PER_SEC
#define MS	NSEC_PER_MSEC
#define BOOT	(123456 * S)	/* samples are ns since boot: far from 0 */

static double rel_err(double got, double want)
{
	return (got - want) / want < 0 ? (want - got) / want : (got - want) / want;
}

TEST(rate_exact_line)
{
	struct growth_sample s[5];
	double r = 0;

	for (int i = 0; i < 5; i++)
		s[i] = (struct growth_sample){ BOOT + i * S, 1000000 + 1000 * i };
	ASSERT_TRUE(growth_rate(s, 5, &r));
	EXPECT_TRUE(rel_err(r, 60000) < 1e-9) TH_LOG("rate %f", r);
	/* uneven spacing does not matter for a line */
	for (int i = 0; i < 5; i++)
		s[i] = (struct growth_sample){ BOOT + i * i * 300 * MS, 4096 * i * i * 3 };
	ASSERT_TRUE(growth_rate(s, 5, &r));
	EXPECT_TRUE(rel_err(r, 4096 * 10 * 60) < 1e-9) TH_LOG("rate %f", r);
	/* two samples: the slope between them */
	ASSERT_TRUE(growth_rate(s + 3, 2, &r));
	EXPECT_TRUE(rel_err(r, 4096.0 * 3 * 7 / 2.1 * 60) < 1e-9) TH_LOG("rate %f", r);
}

TEST(rate_flat_and_shrinking)
{
	struct growth_sample s[4];
	double r = 1;

	for (int i = 0; i < 4; i++)
		s[i] = (struct growth_sample){ BOOT + i * S, 1 << 20 };
	ASSERT_TRUE(growth_rate(s, 4, &r));
	EXPECT_TRUE(r == 0) TH_LOG("rate %f", r);
	EXPECT_FALSE(growth_only_grows(s, 4));
	for (int i = 0; i < 4; i++)
		s[i] = (struct growth_sample){ BOOT + i * S, (1 << 20) - 2048 * i };
	ASSERT_TRUE(growth_rate(s, 4, &r));
	EXPECT_TRUE(rel_err(r, -2048 * 60) < 1e-9) TH_LOG("rate %f", r);
	EXPECT_FALSE(growth_only_grows(s, 4));
}

TEST(rate_undefined)
{
	struct growth_sample s[3] = {
		{ BOOT, 1 }, { BOOT, 5000 }, { BOOT, 9000 },
	};
	double r = 42;

	EXPECT_FALSE(growth_rate(s, 0, &r));
	EXPECT_FALSE(growth_rate(s, 1, &r));
	EXPECT_FALSE(growth_rate(s, 3, &r));	/* no time passed */
	EXPECT_EQ(42, r);
	EXPECT_FALSE(growth_only_grows(s, 1));
}

/*
 * A leaker mapping 64 KiB every 100 ms (at a random phase), sampled every
 * second with up to 50 ms of jitter on either side: the rate over 5 and
 * over 13 samples is within 5% of 37.5 MiB/min (the test wants 20%).
 */
TEST(rate_staircase_with_jitter)
{
	const double want = 65536.0 * 10 * 60;
	unsigned int seed = 7;

	for (int round = 0; round < 200; round++) {
		uint64_t phase = rand_r(&seed) % (100 * MS);
		size_t n = round & 1 ? 5 : 13;
		struct growth_sample s[13];
		double r;

		for (size_t i = 0; i < n; i++) {
			uint64_t t = i * S + rand_r(&seed) % (100 * MS) + 950 * MS;

			s[i].t = BOOT + t;
			s[i].bytes = 65536 * ((t + phase) / (100 * MS));
		}
		ASSERT_TRUE(growth_rate(s, n, &r));
		EXPECT_TRUE(rel_err(r, want) < 0.05)
			TH_LOG("round %d, %zu samples: %.0f vs %.0f", round, n, r, want);
		EXPECT_TRUE(growth_only_grows(s, n));
	}
}

/* Noise around a slow leak still gives its slope roughly. */
TEST(rate_noisy)
{
	struct growth_sample s[60];
	unsigned int seed = 99;
	double r;

	for (int i = 0; i < 60; i++) {
		int noise = (int)(rand_r(&seed) % 200001) - 100000;

		s[i] = (struct growth_sample){ BOOT + i * S, 10000000 + 20000 * i + noise };
	}
	ASSERT_TRUE(growth_rate(s, 60, &r));
	EXPECT_TRUE(rel_err(r, 20000 * 60) < 0.1) TH_LOG("rate %f", r);
	EXPECT_FALSE(growth_only_grows(s, 60));
}

TEST(only_grows)
{
	static const struct { uint64_t b[4]; bool want; } cases[] = {
		{ { 1, 2, 3, 4 }, true },
		{ { 1, 2, 2, 3 }, true },	/* a pause is fine */
		{ { 0, 0, 0, 1 }, true },
		{ { 1, 3, 2, 4 }, false },	/* one dip */
		{ { 4, 4, 4, 4 }, false },	/* flat */
		{ { 4, 3, 2, 1 }, false },
		{ { 2, 3, 4, 3 }, false },	/* dip at the end */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct growth_sample s[4];

		for (int k = 0; k < 4; k++)
			s[k] = (struct growth_sample){ BOOT + k * S, cases[i].b[k] };
		EXPECT_EQ(cases[i].want, growth_only_grows(s, 4)) TH_LOG("case %zu", i);
	}
}

TEST(libc_and_loader)
{
	static const struct { const char *path; bool libc, loader; } objs[] = {
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", true, false },
		{ "/lib/x86_64-linux-gnu/libc-2.31.so", true, false },
		{ "/lib/x86_64-linux-gnu/libpthread.so.0", true, false },
		{ "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", true, true },
		{ "/lib/ld-musl-x86_64.so.1", true, true },
		{ "/lib64/ld-2.17.so", true, true },
		{ "ld.so", true, true },
		{ "/usr/lib/libcrypto.so.3", false, false },
		{ "/usr/lib/libcurl.so.4", false, false },
		{ "/usr/bin/ld", false, false },
		{ "/srv/libc.so.6/app", false, false },	/* the file name counts */
		{ "/srv/leaky", false, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
		EXPECT_EQ(objs[i].libc, object_is_libc(objs[i].path)) TH_LOG("%s", objs[i].path);
		EXPECT_EQ(objs[i].loader, object_is_loader(objs[i].path)) TH_LOG("%s", objs[i].path);
	}
}

static struct frame_info fr(uint64_t addr, const char *object)
{
	return (struct frame_info){ .addr = addr, .object = (char *)object,
				  .has_offset = object != NULL, .offset = addr & 0xfff };
}

TEST(top_frame)
{
	struct frame_info frames[4];
	struct site_info s = { .frames = frames };
	size_t index = 99;

	/* libc, loader, the program: the program's */
	frames[0] = fr(1, "/lib/libc.so.6");
	frames[1] = fr(2, "/lib/ld-linux-x86-64.so.2");
	frames[2] = fr(3, NULL);
	frames[3] = fr(4, "/srv/app");
	s.nr_frames = 4;
	EXPECT_EQ(&frames[3], site_top_frame(&s, &index));
	EXPECT_EQ(3, index);
	EXPECT_FALSE(site_is_loader(&s));
	/* nothing outside libc: frame 1 */
	s.nr_frames = 3;
	EXPECT_EQ(&frames[1], site_top_frame(&s, &index));
	EXPECT_EQ(1, index);
	/* a single frame */
	s.nr_frames = 1;
	EXPECT_EQ(&frames[0], site_top_frame(&s, &index));
	EXPECT_EQ(0, index);
	s.nr_frames = 0;
	EXPECT_EQ(NULL, site_top_frame(&s, &index));
	EXPECT_FALSE(site_is_loader(&s));
	/* loader sites: every frame with an object is ld.so */
	frames[0] = fr(1, "/lib/ld-linux-x86-64.so.2");
	frames[1] = fr(2, NULL);
	frames[2] = fr(3, "/lib/ld-linux-x86-64.so.2");
	s.nr_frames = 3;
	EXPECT_TRUE(site_is_loader(&s));
	frames[1] = fr(2, "/lib/libc.so.6");
	EXPECT_FALSE(site_is_loader(&s));
	frames[0] = fr(1, NULL);
	frames[1] = fr(2, NULL);
	frames[2] = fr(3, NULL);
	EXPECT_FALSE(site_is_loader(&s));	/* nothing known */
}

/* A GET_SITES message as the parser would hand it over. */
static struct site_msg msg(uint64_t proc_id, uint64_t id, uint64_t now, uint64_t bytes)
{
	struct site_msg m = { .pid = 100 + proc_id, .proc_id = proc_id, .now = now };

	m.comm = strdup(proc_id == 1 ? "leaky" : "other");
	m.uid = 1000;
	m.has_uid = true;
	m.site.id = id;
	m.site.live_bytes = bytes;
	m.site.live_count = bytes / 4096;
	m.site.nr_frames = 2;
	m.site.frames = calloc(2, sizeof(struct frame_info));
	m.site.frames[0].addr = 0x7f0000001000;
	m.site.frames[0].object = strdup("/lib/libc.so.6");
	m.site.frames[0].has_offset = true;
	m.site.frames[1].addr = 0x555500000abc;
	m.site.frames[1].object = strdup("/srv/leaky");
	m.site.frames[1].offset = 0xabc;
	m.site.frames[1].has_offset = true;
	return m;
}

static void sample(struct watch *w, const struct site_msg *msgs, size_t n,
		   symbolize_fn fn, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		struct site_msg m = msgs[i];

		watch_collect(w, &m);
	}
	watch_commit(w, fn, ctx);
}

static const struct watch_site *find(const struct watch *w, uint64_t proc_id, uint64_t id)
{
	for (size_t i = 0; i < w->nr; i++)
		if (w->sites[i].proc_id == proc_id && w->sites[i].id == id)
			return &w->sites[i];
	return NULL;
}

struct sym_log {
	int calls;
	bool return_address;
};

static void fake_symbolize(void *ctx, struct frame_info *f, bool return_address)
{
	struct sym_log *log = ctx;

	log->calls++;
	log->return_address = return_address;
	f->symbol = strdup("leak_fn");
	f->symbol_offset = 0x10;
}

TEST(merge_histories)
{
	struct sym_log log = { 0 };
	struct watch w;
	const struct watch_site *a;

	watch_init(&w, 60 * S);
	/* sample 1: A (proc 1, site 5) and B (proc 2, site 3), out of order */
	sample(&w, (struct site_msg[]){ msg(1, 5, BOOT, 4096), msg(2, 3, BOOT, 8192) }, 2,
	       fake_symbolize, &log);
	EXPECT_EQ(1, w.nr_samples);
	ASSERT_EQ(2, w.nr);
	EXPECT_EQ(3, w.sites[0].id);	/* kept by key */
	EXPECT_EQ(2, log.calls);	/* each new site's top frame, once */
	EXPECT_TRUE(log.return_address);	/* frame 1 is a return address */
	a = find(&w, 1, 5);
	ASSERT_NE(NULL, a);
	EXPECT_FALSE(a->has_rate);
	ASSERT_TRUE(a->has_top);
	EXPECT_STREQ("/srv/leaky", a->top.object);
	EXPECT_STREQ("leak_fn", a->top.symbol);
	EXPECT_STREQ("leaky", a->comm);

	/* sample 2: A grew, B is gone, C (proc 1, site 9) and a pid reuse of site 5 */
	sample(&w, (struct site_msg[]){ msg(1, 5, BOOT + S, 8192), msg(1, 9, BOOT + S, 1),
					   msg(3, 5, BOOT + S, 4096) }, 3, fake_symbolize, &log);
	EXPECT_EQ(4, log.calls);	/* C and the new site 5, not A again */
	ASSERT_EQ(3, w.nr);
	EXPECT_EQ(NULL, find(&w, 2, 3));
	a = find(&w, 1, 5);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(2, a->nr);
	ASSERT_TRUE(a->has_rate);
	EXPECT_TRUE(rel_err(a->rate, 4096 * 60) < 1e-9) TH_LOG("rate %f", a->rate);
	EXPECT_TRUE(a->only_grows);
	EXPECT_EQ(8192, a->live_bytes);
	ASSERT_NE(NULL, find(&w, 3, 5));
	EXPECT_EQ(1, find(&w, 3, 5)->nr);

	/* sample 3: nothing at all */
	sample(&w, NULL, 0, NULL, NULL);
	EXPECT_EQ(0, w.nr);
	EXPECT_EQ(3, w.nr_samples);
	watch_release(&w);
}

TEST(duplicates_and_discard)
{
	struct watch w;
	struct site_msg m;

	watch_init(&w, 60 * S);
	sample(&w, (struct site_msg[]){ msg(1, 5, BOOT, 1), msg(1, 5, BOOT, 2) }, 2, NULL, NULL);
	ASSERT_EQ(1, w.nr);
	EXPECT_EQ(1, w.sites[0].nr);
	/* a dump that starts over forgets what it collected */
	m = msg(1, 7, BOOT + S, 5);
	watch_collect(&w, &m);
	watch_discard(&w);
	sample(&w, (struct site_msg[]){ msg(1, 5, BOOT + S, 3) }, 1, NULL, NULL);
	ASSERT_EQ(1, w.nr);
	EXPECT_EQ(5, w.sites[0].id);
	EXPECT_EQ(2, w.sites[0].nr);
	watch_release(&w);
}

TEST(window)
{
	const struct watch_site *a;
	struct watch w;

	watch_init(&w, 3 * S);
	/* grows for 6 s, then stays flat for 4 s */
	for (int i = 0; i <= 10; i++)
		sample(&w, (struct site_msg[]){ msg(1, 5, BOOT + i * S, 4096 * (i < 6 ? i : 6)) },
		       1, NULL, NULL);
	a = find(&w, 1, 5);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(4, a->nr);		/* ages 0, 1, 2 and 3 s */
	EXPECT_EQ(BOOT + 7 * S, a->samples[0].t);
	ASSERT_TRUE(a->has_rate);
	EXPECT_TRUE(a->rate == 0) TH_LOG("rate %f", a->rate);	/* only the flat part */
	EXPECT_FALSE(a->only_grows);
	watch_release(&w);

	/* a window shorter than the interval still keeps two samples */
	watch_init(&w, 1);
	for (int i = 0; i < 5; i++)
		sample(&w, (struct site_msg[]){ msg(1, 5, BOOT + i * S, 4096 * i) }, 1, NULL,
		       NULL);
	a = find(&w, 1, 5);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(2, a->nr);
	EXPECT_TRUE(rel_err(a->rate, 4096 * 60) < 1e-9) TH_LOG("rate %f", a->rate);
	watch_release(&w);
}

/* Three samples: site 1 grows fast, 2 slowly with a dip, 3 is big and flat. */
static void ranked_fixture(struct watch *w)
{
	static const uint64_t bytes[3][3] = {
		{ 0, 1 << 20, 2 << 20 }, { 40960, 8192, 81920 }, { 9 << 20, 9 << 20, 9 << 20 },
	};

	watch_init(w, 60 * S);
	for (int i = 0; i < 3; i++)
		sample(w, (struct site_msg[]){ msg(1, 1, BOOT + i * S, bytes[0][i]),
						  msg(1, 2, BOOT + i * S, bytes[1][i]),
						  msg(2, 3, BOOT + i * S, bytes[2][i]) }, 3, NULL, NULL);
}

TEST(ranking)
{
	const struct watch_site **r;
	struct watch w;

	ranked_fixture(&w);
	r = watch_ranked(&w);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1, r[0]->id);
	EXPECT_TRUE(r[0]->only_grows);
	EXPECT_EQ(2, r[1]->id);
	EXPECT_TRUE(r[1]->has_rate && r[1]->rate > 0);
	EXPECT_FALSE(r[1]->only_grows);
	EXPECT_EQ(3, r[2]->id);
	free(r);
	watch_release(&w);
}

TEST(print_table)
{
	struct watch_view v = { .interval = S };
	struct watch w;
	char *out = NULL;

	ranked_fixture(&w);
	CAPTURE(out, watch_print(f, &w, &v));
	EXPECT_STREQ(
		"anonleak watch: sample 3, every 1s, window 1m0s; 2 of 3 sites growing\n"
		"    PID  COMM                 SITE        LIVE  GROWTH/MIN  ONLY-GROWS  TOP FRAME\n"
		"    101  leaky                 0x1     2.0 MiB    60.0 MiB  yes         "
		"/srv/leaky+0xabc\n"
		"    101  leaky                 0x2    80.0 KiB     1.2 MiB  no          "
		"/srv/leaky+0xabc\n", out);
	free(out);
	/* a row limit */
	v.max_rows = 1;
	CAPTURE(out, watch_print(f, &w, &v));
	EXPECT_NE(NULL, strstr(out, "(1 more)\n")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, " 0x2 ")) TH_LOG("%s", out);
	free(out);
	watch_release(&w);

	/* one sample: no rates yet */
	watch_init(&w, 60 * S);
	sample(&w, (struct site_msg[]){ msg(1, 1, BOOT, 1) }, 1, NULL, NULL);
	v.max_rows = 0;
	CAPTURE(out, watch_print(f, &w, &v));
	EXPECT_STREQ("anonleak watch: sample 1, every 1s, window 1m0s; 0 of 1 site growing\n"
		     "(rates need a second sample)\n", out);
	free(out);
	watch_release(&w);
}

TEST(print_json)
{
	static const char want[] =
		"{\"samples\":3,\"interval_ms\":500,\"window_ms\":60000,\"processes\":["
		"{\"pid\":101,\"comm\":\"leaky\",\"proc_id\":1,\"uid\":1000,\"state\":\"running\","
		"\"live_count\":532,\"live_bytes\":2179072,\"sites\":["
		"{\"id\":1,\"live_count\":512,\"live_bytes\":2097152,\"samples\":3,"
		"\"span_ms\":2000,\"growth_bytes_per_min\":62914560,\"only_grows\":true,"
		"\"top_frame\":{\"addr\":\"0x555500000abc\",\"object\":\"/srv/leaky\","
		"\"offset\":\"0xabc\"}},"
		"{\"id\":2,\"live_count\":20,\"live_bytes\":81920,\"samples\":3,"
		"\"span_ms\":2000,\"growth_bytes_per_min\":1228800,\"only_grows\":false,"
		"\"top_frame\":{\"addr\":\"0x555500000abc\",\"object\":\"/srv/leaky\","
		"\"offset\":\"0xabc\"}}]},"
		"{\"pid\":102,\"comm\":\"other\",\"proc_id\":2,\"uid\":1000,\"state\":\"running\","
		"\"live_count\":2304,\"live_bytes\":9437184,\"sites\":["
		"{\"id\":3,\"live_count\":2304,\"live_bytes\":9437184,\"samples\":3,"
		"\"span_ms\":2000,\"growth_bytes_per_min\":0,\"only_grows\":false,"
		"\"top_frame\":{\"addr\":\"0x555500000abc\",\"object\":\"/srv/leaky\","
		"\"offset\":\"0xabc\"}}]}],"
		"\"live_count\":2836,\"live_bytes\":11616256}\n";
	struct watch_view v = { .interval = 500 * MS, .json = true };
	struct watch w;
	char *out = NULL;

	ranked_fixture(&w);
	CAPTURE(out, watch_print(f, &w, &v));
	EXPECT_STREQ(want, out);
	free(out);
	watch_release(&w);

	/* one sample: no rate, and no key for it (not null) */
	watch_init(&w, 60 * S);
	sample(&w, (struct site_msg[]){ msg(1, 1, BOOT, 1) }, 1, NULL, NULL);
	CAPTURE(out, watch_print(f, &w, &v));
	EXPECT_EQ(NULL, strstr(out, "growth_bytes_per_min")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"samples\":1,\"span_ms\":0,\"only_grows\":false"))
		TH_LOG("%s", out);
	free(out);
	watch_release(&w);

	/* no sites */
	watch_init(&w, 60 * S);
	sample(&w, NULL, 0, NULL, NULL);
	CAPTURE(out, watch_print(f, &w, &v));
	EXPECT_STREQ("{\"samples\":1,\"interval_ms\":500,\"window_ms\":60000,\"processes\":[],"
		     "\"live_count\":0,\"live_bytes\":0}\n", out);
	free(out);
	watch_release(&w);
}

/* A process's sites stay together, the processes in the order of their best site. */
TEST(json_groups_by_process)
{
	struct watch_view v = { .interval = S, .json = true };
	const char *p1, *p2, *s2;
	struct watch w;
	char *out = NULL;

	watch_init(&w, 60 * S);
	/* proc 1 site 1 fastest, proc 2 site 3 second, proc 1 site 2 slowest */
	for (int i = 0; i < 2; i++)
		sample(&w, (struct site_msg[]){ msg(1, 1, BOOT + i * S, 1000000 * i),
						  msg(1, 2, BOOT + i * S, 1000 * i),
						  msg(2, 3, BOOT + i * S, 100000 * i) }, 3, NULL, NULL);
	CAPTURE(out, watch_print(f, &w, &v));
	p1 = strstr(out, "\"proc_id\":1,");
	p2 = strstr(out, "\"proc_id\":2,");
	s2 = strstr(out, "{\"id\":2,");
	ASSERT_NE(NULL, p1);
	ASSERT_NE(NULL, p2);
	ASSERT_NE(NULL, s2);
	EXPECT_TRUE(p1 < s2 && s2 < p2) TH_LOG("%s", out);
	free(out);
	watch_release(&w);
}

TEST_HARNESS_MAIN
