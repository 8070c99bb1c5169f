// SPDX-License-Identifier: GPL-2.0
/*
 * procs.c and mappings.c: order, the text and JSON output compared byte
 * for byte, MAP_* and PROT_* decoding.
 */
#define _GNU_SOURCE	/* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/anonleak.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "core/model.h"
#include "print/mappings.h"
#include "print/procs.h"
#include "proto/util.h"

#define S NSEC_PER_SEC

static void load_procs(struct proc_list *l)
{
	struct proc_info in[] = {
		{ .pid = 30, .proc_id = 3, .state = ANONLEAK_PROC_RUNNING, .uid = 0,
		  .now = 1000 * S, .start_time = 995 * S, .live_count = 1, .live_bytes = 4096,
		  .sites = 1 },
		{ .pid = 4242, .proc_id = 9, .state = ANONLEAK_PROC_EXITED, .uid = 1000,
		  .now = 1000 * S, .start_time = 400 * S, .exit_time = 990 * S,
		  .has_exit_time = true, .live_count = 40, .live_bytes = 5 << 19, .sites = 3 },
		{ .pid = 7, .proc_id = 1, .state = 5, .uid = 65534, .now = 1000 * S,
		  .start_time = 1000 * S, .live_count = 1, .live_bytes = 4096, .sites = 1 },
	};
	const char *comms[] = { "sh", "lea\"ky", "odd" };

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		in[i].comm = strdup(comms[i]);
		proc_list_add(l, &in[i]);
	}
	procs_sort(l);
}

TEST(procs_order)
{
	struct proc_list l;

	load_procs(&l);
	ASSERT_EQ(3, l.nr);
	EXPECT_EQ(4242, l.procs[0].pid);	/* largest first */
	EXPECT_EQ(7, l.procs[1].pid);		/* then by pid */
	EXPECT_EQ(30, l.procs[2].pid);
	proc_list_release(&l);
}

TEST(procs_text)
{
	static const char want[] =
		"    PID  COMM                    UID  STATE    MAPPINGS        LIVE  SITES"
		"     AGE  EXITED\n"
		"   4242  lea\\\"ky                1000  exited         40     2.5 MiB      3"
		"   10m0s  10s ago\n"
		"      7  odd                   65534  5               1     4.0 KiB      1"
		"     0ms  -\n"
		"     30  sh                        0  running         1     4.0 KiB      1"
		"      5s  -\n"
		"summary: 3 processes (1 exited), 42 live mappings, 2.5 MiB (2629632 bytes) live\n";
	struct proc_list l;
	char *out = NULL;

	load_procs(&l);
	CAPTURE(out, procs_print(f, &l, false));
	EXPECT_STREQ(want, out);
	free(out);
	proc_list_release(&l);
}

TEST(procs_json)
{
	static const char want[] =
		"{\"processes\":["
		"{\"pid\":4242,\"comm\":\"lea\\\"ky\",\"proc_id\":9,\"uid\":1000,"
		"\"state\":\"exited\",\"live_count\":40,\"live_bytes\":2621440,\"sites\":3,"
		"\"age_ms\":600000,\"exit_age_ms\":10000},"
		"{\"pid\":7,\"comm\":\"odd\",\"proc_id\":1,\"uid\":65534,\"state\":\"unknown\","
		"\"live_count\":1,\"live_bytes\":4096,\"sites\":1,\"age_ms\":0},"
		"{\"pid\":30,\"comm\":\"sh\",\"proc_id\":3,\"uid\":0,\"state\":\"running\","
		"\"live_count\":1,\"live_bytes\":4096,\"sites\":1,\"age_ms\":5000}],"
		"\"live_count\":42,\"live_bytes\":2629632}\n";
	struct proc_list l;
	char *out = NULL;

	load_procs(&l);
	CAPTURE(out, procs_print(f, &l, true));
	EXPECT_STREQ(want, out);
	free(out);
	proc_list_release(&l);

	memset(&l, 0, sizeof(l));
	CAPTURE(out, procs_print(f, &l, true));
	EXPECT_STREQ("{\"processes\":[],\"live_count\":0,\"live_bytes\":0}\n", out);
	free(out);
}

/* The names joined with '|'. */
static char *flags_str(uint32_t flags)
{
	static char buf[MAP_NAMES_MAX * MAP_NAME_LEN];
	struct map_names n;

	mapping_flags_decode(flags, &n);
	buf[0] = '\0';
	for (size_t i = 0; i < n.nr; i++) {
		if (i)
			strcat(buf, "|");
		strcat(buf, n.name[i]);
	}
	return buf;
}

TEST(map_flags)
{
	EXPECT_STREQ("PRIVATE|ANONYMOUS", flags_str(MAP_PRIVATE | MAP_ANONYMOUS));
	EXPECT_STREQ("SHARED|ANONYMOUS", flags_str(MAP_SHARED | MAP_ANONYMOUS));
	EXPECT_STREQ("SHARED_VALIDATE", flags_str(MAP_SHARED_VALIDATE));
	EXPECT_STREQ("PRIVATE|FIXED|ANONYMOUS|NORESERVE|POPULATE",
		     flags_str(MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE |
			       MAP_POPULATE));
	EXPECT_STREQ("PRIVATE|ANONYMOUS|STACK|FIXED_NOREPLACE",
		     flags_str(MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_FIXED_NOREPLACE));
	/* MAP_HUGETLB: the top bits are the page size */
	EXPECT_STREQ("PRIVATE|ANONYMOUS|HUGETLB",
		     flags_str(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB));
	EXPECT_STREQ("PRIVATE|ANONYMOUS|HUGETLB|HUGE_2MB",
		     flags_str(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | 21U << 26));
	EXPECT_STREQ("PRIVATE|ANONYMOUS|HUGETLB|HUGE_1GB",
		     flags_str(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | 30U << 26));
	EXPECT_STREQ("PRIVATE|ANONYMOUS|HUGETLB|HUGE_64KB",
		     flags_str(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | 16U << 26));
	/* without MAP_HUGETLB bit 26 is MAP_UNINITIALIZED */
	EXPECT_STREQ("PRIVATE|UNINITIALIZED", flags_str(MAP_PRIVATE | 1U << 26));
	/* a type of 0 and bits nobody knows */
	EXPECT_STREQ("TYPE_0x0|ANONYMOUS|0x200000", flags_str(MAP_ANONYMOUS | 0x200000));
	EXPECT_STREQ("TYPE_0xf", flags_str(0xf));
}

TEST(prot)
{
	char b[4];

	EXPECT_STREQ("---", mapping_prot_str(PROT_NONE, b));
	EXPECT_STREQ("r--", mapping_prot_str(PROT_READ, b));
	EXPECT_STREQ("rw-", mapping_prot_str(PROT_READ | PROT_WRITE, b));
	EXPECT_STREQ("r-x", mapping_prot_str(PROT_READ | PROT_EXEC, b));
	EXPECT_STREQ("rwx", mapping_prot_str(7 | PROT_GROWSDOWN, b));
}

static void load_mappings(struct mapping_list *m)
{
	static const struct mapping_info maps[] = {
		{ 0x7f0000020000, 0x200000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		  999500000000ULL, 7 },
		{ 0x7f0000000000, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		  900 * S, 0x1f },
	};

	memset(m, 0, sizeof(*m));
	m->pid = 4242;
	m->proc_id = 9;
	m->now = 1000 * S;
	m->maps = malloc(sizeof(maps));
	memcpy(m->maps, maps, sizeof(maps));
	m->nr = m->cap = ARRAY_SIZE(maps);
	mappings_sort(m);
}

TEST(mappings_text)
{
	static const char want[] =
		"START-END                              LENGTH  PROT     AGE     SITE  FLAGS\n"
		"00007f0000000000-00007f0000010000    64.0 KiB  rw-    1m40s     0x1f  "
		"PRIVATE|ANONYMOUS\n"
		"00007f0000020000-00007f0000220000     2.0 MiB  ---    500ms      0x7  "
		"PRIVATE|ANONYMOUS|NORESERVE\n"
		"summary: pid 4242, 2 live tracked mappings, 2.1 MiB (2162688 bytes)\n";
	struct mapping_list m;
	char *out = NULL;

	load_mappings(&m);
	CAPTURE(out, mappings_print(f, &m, false));
	EXPECT_STREQ(want, out);
	free(out);
	mapping_list_release(&m);
}

TEST(mappings_json)
{
	static const char want[] =
		"{\"pid\":4242,\"proc_id\":9,\"mappings\":["
		"{\"start\":\"0x7f0000000000\",\"end\":\"0x7f0000010000\",\"length\":65536,"
		"\"prot\":\"rw-\",\"prot_bits\":3,\"flags\":[\"PRIVATE\",\"ANONYMOUS\"],"
		"\"flags_bits\":\"0x22\",\"age_ms\":100000,\"site_id\":31},"
		"{\"start\":\"0x7f0000020000\",\"end\":\"0x7f0000220000\",\"length\":2097152,"
		"\"prot\":\"---\",\"prot_bits\":0,\"flags\":[\"PRIVATE\",\"ANONYMOUS\","
		"\"NORESERVE\"],\"flags_bits\":\"0x4022\",\"age_ms\":500,\"site_id\":7}],"
		"\"count\":2,\"bytes\":2162688}\n";
	struct mapping_list m;
	char *out = NULL;

	load_mappings(&m);
	CAPTURE(out, mappings_print(f, &m, true));
	EXPECT_STREQ(want, out);
	free(out);
	mapping_list_release(&m);
}

TEST_HARNESS_MAIN
