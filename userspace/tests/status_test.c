// SPDX-License-Identifier: GPL-2.0
/* status.c: the text and JSON printers for a fixed set of counters. */
#include <stdint.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "print/status.h"

static char *probe_names[] = { "do_mmap", "__vm_munmap" };

static const struct module_stats fixture = {
	.maps = 1234, .unmaps = 1200, .live_count = 34, .live_bytes = 1234567,
	.procs = 3, .exited = 2, .sites = 17,
	.drops = 7, .drops_nomem = 1, .drops_mappings = 2, .drops_sites = 3,
	.drops_procs = 0, .drops_exited = 1, .missed = 5,
	.filtered = 42, .has_filtered = true,
	.mapping_size = 64, .site_size = 600, .stack_depth = 16,
	.max_mappings = 1048576, .max_sites = 65536, .max_procs = 4096, .max_exited = 256,
	.nr_probes = 2, .probes = probe_names,
};

TEST(text)
{
	static const char want[] =
		"anonleak module (protocol version 1)\n"
		"  mappings    1234 recorded, 1200 unmapped\n"
		"  live        34 mappings, 1.2 MiB (1234567 bytes)\n"
		"  processes   3 running, 2 exited\n"
		"  sites       17\n"
		"  drops       7 (no memory 1, max_mappings 2, max_sites 3, max_procs 0, "
		"exited forgotten 1)\n"
		"  missed      5 probe hits\n"
		"  filtered    42 mappings excluded by the filters\n"
		"  memory      64 bytes per mapping, 600 bytes per site (stack depth 16)\n"
		"  in use      ~12.1 KiB for live mappings and sites\n"
		"  caps        max_mappings 1048576, max_sites 65536, max_procs 4096, "
		"max_exited 256\n"
		"  probes      do_mmap, __vm_munmap\n";
	char *out = NULL;

	CAPTURE(out, status_print(f, &fixture, 1, false));
	EXPECT_STREQ(want, out);
	free(out);
}

TEST(json)
{
	static const char want[] =
		"{\"version\":1,\"maps\":1234,\"unmaps\":1200,\"live_count\":34,"
		"\"live_bytes\":1234567,\"procs\":3,\"exited\":2,\"sites\":17,\"drops\":7,"
		"\"drops_nomem\":1,\"drops_mappings\":2,\"drops_sites\":3,\"drops_procs\":0,"
		"\"drops_exited\":1,\"missed\":5,\"filtered\":42,\"mapping_size\":64,\"site_size\":600,"
		"\"stack_depth\":16,\"max_mappings\":1048576,\"max_sites\":65536,"
		"\"max_procs\":4096,\"max_exited\":256,\"probes\":[\"do_mmap\",\"__vm_munmap\"]}\n";
	char *out = NULL;

	CAPTURE(out, status_print(f, &fixture, 1, true));
	EXPECT_STREQ(want, out);
	free(out);
}

TEST(no_probes_and_saturation)
{
	struct module_stats st = fixture;
	char *out = NULL;

	st.nr_probes = 0;
	st.probes = NULL;
	st.live_count = UINT64_MAX / 2;	/* * 64 overflows: shown saturated */
	CAPTURE(out, status_print(f, &st, 1, false));
	EXPECT_NE(NULL, strstr(out, "  probes      (none)\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  in use      ~16.0 EiB for")) TH_LOG("%s", out);
	free(out);
	CAPTURE(out, status_print(f, &st, 1, true));
	EXPECT_NE(NULL, strstr(out, "\"probes\":[]}")) TH_LOG("%s", out);
	free(out);
}

/* A module that predates the filters sends no count: neither line nor key. */
TEST(no_filtered_count)
{
	struct module_stats st = fixture;
	char *out = NULL;

	st.has_filtered = false;
	CAPTURE(out, status_print(f, &st, 1, false));
	EXPECT_EQ(NULL, strstr(out, "filtered")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  missed      5 probe hits\n  memory")) TH_LOG("%s", out);
	free(out);
	CAPTURE(out, status_print(f, &st, 1, true));
	EXPECT_EQ(NULL, strstr(out, "filtered")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"missed\":5,\"mapping_size\":64,")) TH_LOG("%s", out);
	free(out);
}

/* Frames left without their file: a line when there are any, always a key. */
TEST(unnamed_frames)
{
	struct module_stats st = fixture;
	char *out = NULL;

	CAPTURE(out, status_print(f, &st, 1, false));
	EXPECT_EQ(NULL, strstr(out, "unnamed")) TH_LOG("%s", out);
	free(out);
	st.has_unnamed = true;
	st.unnamed = 9;
	CAPTURE(out, status_print(f, &st, 1, false));
	EXPECT_NE(NULL, strstr(out, "  unnamed     9 frames without their file")) TH_LOG("%s", out);
	free(out);
	CAPTURE(out, status_print(f, &st, 1, true));
	EXPECT_NE(NULL, strstr(out, "\"filtered\":42,\"unnamed\":9,")) TH_LOG("%s", out);
	free(out);
}

TEST_HARNESS_MAIN
