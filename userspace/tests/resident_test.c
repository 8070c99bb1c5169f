// SPDX-License-Identifier: GPL-2.0
/*
 * Resident bytes (core/resident.h): pagemap entries read from a fake
 * pagemap file (present bits in a pattern, ranges across batches, a
 * budget, a file that ends early), from this process's own pagemap over
 * a mapping with a known number of touched pages, summed per site; the
 * order of --sort resident; the text, JSON, pprof and metrics outputs.
 */
#define _GNU_SOURCE	/* open_memstream */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/anonleak.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "core/metrics.h"
#include "core/report.h"
#include "core/resident.h"
#include "print/metrics.h"
#include "print/pprof.h"
#include "print/report.h"
#include "proto/stats.h"

#define PG	4096ULL

/* Page i of the fake pagemap is present when present(i). */
static bool present(uint64_t i)
{
	return i % 3 == 0 || i % 7 == 1;
}

/* A fake pagemap of n entries (present ones with a PFN and soft-dirty, as the kernel's). */
static int fake_pagemap(struct __test_metadata *_metadata, uint64_t n)
{
	char path[] = "/tmp/anonleak-pagemap.XXXXXX";
	int fd = mkstemp(path);
	uint64_t *e = calloc(n, sizeof(*e));

	if (fd < 0 || !e)
		abort();
	unlink(path);
	for (uint64_t i = 0; i < n; i++)
		e[i] = present(i) ? PAGEMAP_PRESENT | (1ULL << 55) | (i + 100) :
		       i % 5 == 0 ? 1ULL << 62 : 0;	/* swapped: not resident */
	if (write(fd, e, n * sizeof(*e)) != (ssize_t)(n * sizeof(*e)))
		abort();
	free(e);
	return fd;
}

static uint64_t expected(uint64_t first, uint64_t n)
{
	uint64_t nr = 0;

	for (uint64_t i = first; i < first + n; i++)
		nr += present(i);
	return nr * PG;
}

TEST(count_present)
{
	const uint64_t e[] = { PAGEMAP_PRESENT, 0, 1ULL << 62, PAGEMAP_PRESENT | 5, ~0ULL, 1 };

	EXPECT_EQ(3, pagemap_count_present(e, 6));
	EXPECT_EQ(0, pagemap_count_present(e, 0));
}

TEST(ranges_of_a_fake_pagemap)
{
	const uint64_t n = 3 * RESIDENT_BATCH + 17;
	int fd = fake_pagemap(_metadata, n);
	uint64_t budget = RESIDENT_MAX_PAGES, bytes = 1;

	/* one page, then pages 10..29 */
	ASSERT_EQ(0, pagemap_range_resident(fd, 0, PG, PG, &budget, &bytes));
	EXPECT_EQ(PG, bytes);
	ASSERT_EQ(0, pagemap_range_resident(fd, 10 * PG, 20 * PG, PG, &budget, &bytes));
	EXPECT_EQ(expected(10, 20), bytes);
	EXPECT_EQ(RESIDENT_MAX_PAGES - 21, budget);
	/* unaligned: every page the range touches (5 and 6) */
	ASSERT_EQ(0, pagemap_range_resident(fd, 5 * PG + 100, PG, PG, &budget, &bytes));
	EXPECT_EQ(expected(5, 2), bytes);
	/* across three batch boundaries, to the last entry */
	budget = n;
	ASSERT_EQ(0, pagemap_range_resident(fd, PG, (n - 1) * PG, PG, &budget, &bytes));
	EXPECT_EQ(expected(1, n - 1), bytes);
	EXPECT_EQ(1, budget);
	/* over the budget: nothing read */
	budget = 10;
	EXPECT_EQ(-E2BIG, pagemap_range_resident(fd, 0, 11 * PG, PG, &budget, &bytes));
	EXPECT_EQ(10, budget);
	/* the file ends inside the range */
	budget = RESIDENT_MAX_PAGES;
	EXPECT_EQ(-EIO, pagemap_range_resident(fd, (n - 2) * PG, 4 * PG, PG, &budget, &bytes));
	/* bad arguments */
	EXPECT_EQ(-EINVAL, pagemap_range_resident(fd, 0, PG, 3000, &budget, &bytes));
	EXPECT_EQ(-EINVAL, pagemap_range_resident(fd, 0, 0, PG, &budget, &bytes));
	EXPECT_EQ(-EINVAL, pagemap_range_resident(fd, UINT64_MAX - PG, 2 * PG, PG, &budget,
						  &bytes));
	close(fd);
	EXPECT_EQ(-EBADF, pagemap_range_resident(fd, 0, PG, PG, &budget, &bytes));
}

TEST(own_pagemap_counts_touched_pages)
{
	const size_t n = 64, k = 23;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t budget = RESIDENT_MAX_PAGES, bytes;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, madvise(p, n * page, MADV_NOHUGEPAGE));
	for (size_t i = 0; i < k; i++)
		p[(i * 37 % n) * page] = 1;	/* 23 distinct pages: 37 is prime to 64 */
	ASSERT_EQ(0, pagemap_range_resident(fd, (uintptr_t)p, n * page, page, &budget, &bytes));
	EXPECT_EQ(k * page, bytes);
	munmap(p, n * page);
	close(fd);
}

static void add(struct report *r, uint32_t pid, const char *comm, uint8_t state, uint64_t id,
		uint64_t live)
{
	struct site_msg m = { .pid = pid, .proc_id = pid, .comm = strdup(comm), .now = 100,
			      .state = state };
	char sym[16];

	m.site = (struct site_info){ .id = id, .live_count = live / PG, .live_bytes = live,
				     .now = 100 };
	snprintf(sym, sizeof(sym), "fn%llu", (unsigned long long)id);
	m.site.frames = calloc(1, sizeof(*m.site.frames));
	if (!m.site.frames || !(m.site.frames[0].symbol = strdup(sym)))
		abort();
	m.site.frames[0].addr = 0x1000 * id;
	m.site.nr_frames = m.site.cap_frames = 1;
	if (report_add(r, &m))
		abort();
}

/* pid 10 running: sites 1 (8 pages live), 2 (7), 3 (1); pid 20 exited: site 4. */
static void load(struct __test_metadata *_metadata, struct report *r)
{
	report_init(r);
	add(r, 10, "app", ANONLEAK_PROC_RUNNING, 1, 8 * PG);
	add(r, 10, "app", ANONLEAK_PROC_RUNNING, 2, 7 * PG);
	add(r, 10, "app", ANONLEAK_PROC_RUNNING, 3, 1 * PG);
	add(r, 20, "gone", ANONLEAK_PROC_EXITED, 4, 4 * PG);
	report_finish(r);
}

/* The ranges of pid 10, out of order, one of a site the report lacks. */
static const struct mapping_info ranges[] = {
	{ .start = 42 * PG, .length = 4 * PG, .site_id = 2 },	/* 42 43 45 present */
	{ .start = 0, .length = 8 * PG, .site_id = 1 },		/* 0 1 3 6 */
	{ .start = 60 * PG, .length = 3 * PG, .site_id = 99 },
	{ .start = 48 * PG, .length = 3 * PG, .site_id = 2 },	/* 48 50 */
};

static struct report_proc *proc_of(struct report *r, uint32_t pid)
{
	for (size_t i = 0; i < r->nr_procs; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	return NULL;
}

static const struct site_info *site_of(struct report *r, uint32_t pid, uint64_t id)
{
	struct report_proc *p = proc_of(r, pid);

	for (size_t j = 0; p && j < p->nr_sites; j++)
		if (p->sites[j].id == id)
			return &p->sites[j];
	return NULL;
}

/* Fill pid 10 from the fake pagemap, pid 20 unknown (exited). */
static void fill(struct __test_metadata *_metadata, struct report *r, int fd)
{
	struct mapping_list m = { .pid = 10, .proc_id = 10, .nr = ARRAY_SIZE(ranges),
				  .maps = (struct mapping_info *)ranges };
	uint64_t budget = RESIDENT_MAX_PAGES;

	r->show_resident = true;
	ASSERT_EQ(0, resident_fill_proc(proc_of(r, 10), &m, fd, PG, &budget));
	EXPECT_EQ(RESIDENT_MAX_PAGES - 15, budget);	/* site 99's range not read */
	resident_unknown(proc_of(r, 20), -ESRCH);
	report_finish(r);
}

TEST(sums_per_site_and_process)
{
	int fd = fake_pagemap(_metadata, 128);
	struct report r;

	load(_metadata, &r);
	fill(_metadata, &r, fd);
	ASSERT_NE(NULL, site_of(&r, 10, 1));
	EXPECT_TRUE(site_of(&r, 10, 1)->has_resident);
	EXPECT_EQ(expected(0, 8), site_of(&r, 10, 1)->resident);
	EXPECT_EQ(expected(42, 4) + expected(48, 3), site_of(&r, 10, 2)->resident);
	EXPECT_TRUE(site_of(&r, 10, 3)->has_resident);	/* no range: 0, known */
	EXPECT_EQ(0, site_of(&r, 10, 3)->resident);
	EXPECT_FALSE(site_of(&r, 20, 4)->has_resident);
	EXPECT_TRUE(proc_of(&r, 10)->has_resident);
	EXPECT_EQ(expected(0, 8) + expected(42, 4) + expected(48, 3), proc_of(&r, 10)->resident);
	EXPECT_FALSE(proc_of(&r, 20)->has_resident);
	EXPECT_STREQ("process exited", resident_unknown_reason(proc_of(&r, 20)));
	EXPECT_EQ(proc_of(&r, 10)->resident, r.resident);
	report_release(&r);
	close(fd);
}

TEST(a_failed_read_leaves_the_process_unknown)
{
	int fd = fake_pagemap(_metadata, 44);	/* ends inside site 2's first range */
	struct mapping_list m = { .nr = ARRAY_SIZE(ranges), .maps = (struct mapping_info *)ranges };
	uint64_t budget = RESIDENT_MAX_PAGES;
	struct report r;

	load(_metadata, &r);
	EXPECT_EQ(-EIO, resident_fill_proc(proc_of(&r, 10), &m, fd, PG, &budget));
	EXPECT_FALSE(proc_of(&r, 10)->has_resident);
	for (size_t j = 0; j < proc_of(&r, 10)->nr_sites; j++)
		EXPECT_FALSE(proc_of(&r, 10)->sites[j].has_resident);
	EXPECT_STREQ(strerror(EIO), resident_unknown_reason(proc_of(&r, 10)));
	budget = 3;
	EXPECT_EQ(-E2BIG, resident_fill_proc(proc_of(&r, 10), &m, fd, PG, &budget));
	EXPECT_STREQ("pagemap budget reached", resident_unknown_reason(proc_of(&r, 10)));
	report_release(&r);
	close(fd);
}

TEST(sort_by_resident)
{
	int fd = fake_pagemap(_metadata, 128);
	struct report r;

	load(_metadata, &r);
	fill(_metadata, &r, fd);
	/* by live bytes: gone (4 pages) after app (16); sites 1, 2, 3 */
	EXPECT_EQ(10, r.procs[0].pid);
	EXPECT_EQ(1, r.procs[0].sites[0].id);
	/* by resident bytes: site 2 (5 of its 7 pages) over site 1 (4 of 8) */
	ASSERT_LT(expected(0, 8), expected(42, 4) + expected(48, 3)) {
		TH_LOG("the pattern no longer makes site 2 the more resident");
	}
	r.sort_resident = true;
	report_finish(&r);
	EXPECT_EQ(2, r.procs[0].sites[0].id);
	EXPECT_EQ(1, r.procs[0].sites[1].id);
	EXPECT_EQ(3, r.procs[0].sites[2].id);
	EXPECT_EQ(10, r.procs[0].pid);		/* resident over unknown (exited) */
	/* --top 1 keeps the most resident site, not the largest */
	report_keep_top(&r, 1);
	ASSERT_EQ(1, r.nr_sites);
	EXPECT_EQ(2, r.procs[0].sites[0].id);
	report_release(&r);
	close(fd);
}

TEST(text_and_json)
{
	int fd = fake_pagemap(_metadata, 128);
	char want[128], *out;
	struct report r;

	load(_metadata, &r);
	fill(_metadata, &r, fd);
	CAPTURE(out, report_print(f, &r, false, false));
	snprintf(want, sizeof(want), "  resident    %s", "");
	EXPECT_NE(NULL, strstr(out, want));
	snprintf(want, sizeof(want), "(%llu bytes)\n  total", (unsigned long long)expected(0, 8));
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  resident    unknown (process exited)\n"));
	snprintf(want, sizeof(want), "(%llu bytes) resident (unknown for 1 process)",
		 (unsigned long long)r.resident);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	free(out);
	CAPTURE(out, report_print(f, &r, true, false));
	snprintf(want, sizeof(want), "\"live_bytes\":%llu,\"resident_bytes\":%llu,",
		 8 * PG, (unsigned long long)expected(0, 8));
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"live_bytes\":16384,\"resident_bytes\":null,"));
	EXPECT_NE(NULL, strstr(out, "\"resident_unknown\":\"process exited\""));
	snprintf(want, sizeof(want), "\"live_bytes\":%llu,\"resident_bytes\":%llu}",
		 (unsigned long long)r.live_bytes, (unsigned long long)r.resident);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	free(out);
	r.show_resident = false;	/* not asked for: not there */
	CAPTURE(out, report_print(f, &r, true, false));
	EXPECT_EQ(NULL, strstr(out, "resident"));
	free(out);
	CAPTURE(out, report_print(f, &r, false, false));
	EXPECT_EQ(NULL, strstr(out, "resident"));
	free(out);
	report_release(&r);
	close(fd);
}

TEST(metrics_lines)
{
	int fd = fake_pagemap(_metadata, 128);
	struct module_stats st = { 0 };
	struct metrics m;
	struct report r;
	char want[256], *out;

	load(_metadata, &r);
	fill(_metadata, &r, fd);
	ASSERT_EQ(0, metrics_build(&r, 10, 100, &m));
	CAPTURE(out, metrics_print(f, &m, &st));
	snprintf(want, sizeof(want), "# TYPE anonleak_resident_bytes gauge\n"
		 "anonleak_resident_bytes{comm=\"app\"} %llu\n",
		 (unsigned long long)proc_of(&r, 10)->resident);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "anonleak_resident_bytes{comm=\"gone\""));
	EXPECT_NE(NULL, strstr(out, "# TYPE anonleak_site_resident_bytes gauge\n"));
	for (uint64_t id = 1; id <= 2; id++) {
		snprintf(want, sizeof(want), "anonleak_site_resident_bytes{comm=\"app\",site=\"%s\","
			 "function=\"fn%llu\"} %llu\n", m.sites[id - 1].hash,
			 (unsigned long long)id,
			 (unsigned long long)site_of(&r, 10, id)->resident);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	}
	EXPECT_EQ(NULL, strstr(out, "function=\"fn4\"} ")) TH_LOG("exited: no series");
	free(out);
	metrics_release(&m);
	report_release(&r);
	close(fd);
}

TEST(pprof_sample_types)
{
	int fd = fake_pagemap(_metadata, 128);
	struct report r;
	struct pb with, without;

	load(_metadata, &r);
	fill(_metadata, &r, fd);
	pb_init(&with);
	pb_init(&without);
	ASSERT_EQ(0, pprof_encode(&r, true, 1, &with));
	ASSERT_EQ(0, pprof_encode(&r, false, 1, &without));
	EXPECT_NE(NULL, memmem(with.buf, with.len, "resident_space", 14));
	EXPECT_EQ(NULL, memmem(without.buf, without.len, "resident_space", 14));
	pb_release(&with);
	pb_release(&without);
	report_release(&r);
	close(fd);
}

TEST_HARNESS_MAIN
