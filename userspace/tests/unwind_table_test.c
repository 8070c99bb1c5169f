// SPDX-License-Identifier: GPL-2.0
/*
 * unwind_table.c on real objects: the host's libc.so.6 and this test
 * binary, whose functions below are built without frame pointers (and one
 * with a variable-sized frame, which needs rbp). Offsets are found through
 * /proc/self/maps as the kernel sees them; the rules checked are the ones
 * the x86-64 ABI fixes (function entry: CFA = rsp + 8, rbp unchanged; the
 * outermost frame _start; the signal trampoline) rather than any figure
 * of one compiler's output.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "core/unwind_table.h"
#include "selfmaps.h"

extern char _start[];

#define NOFP __attribute__((noinline, used, optimize("omit-frame-pointer")))

NOFP int leaf_fn(volatile int x)
{
	return x * 3 + 1;
}

NOFP int mid_fn(volatile int x)
{
	int a = leaf_fn(x), b = leaf_fn(a);

	return a + leaf_fn(b) * b;
}

NOFP int alloca_fn(int n)
{
	volatile char *p = __builtin_alloca(n);

	p[0] = (char)n;
	return p[0] + mid_fn(n);
}


/* Rows strictly sorted, rules in range and distinct, the last row UNKNOWN. */
static void check_shape(struct __test_metadata *_metadata, const struct unwind_table *t)
{
	ASSERT_GT(t->nr_rows, 1);
	ASSERT_GT(t->nr_rules, 1);
	for (size_t i = 0; i < t->nr_rows; i++) {
		ASSERT_LT(t->rows[i].rule, t->nr_rules);
		if (i) {
			ASSERT_LT(t->rows[i - 1].off, t->rows[i].off);
			ASSERT_NE(t->rows[i - 1].rule, t->rows[i].rule);
		}
	}
	for (size_t i = 0; i < t->nr_rules; i++)
		for (size_t j = i + 1; j < t->nr_rules; j++)
			ASSERT_NE(0, memcmp(&t->rules[i], &t->rules[j], sizeof(t->rules[i])));
	EXPECT_EQ(ANONLEAK_UNWIND_CFA_UNKNOWN, t->rules[t->rows[t->nr_rows - 1].rule].cfa);
}

/* The rule at code address addr of the table built for its object. */
static const struct anonleak_unwind_rule *rule_at(struct __test_metadata *_metadata,
						  struct unwind_table *t, const void *addr)
{
	char path[4096], why[160];
	uint64_t off;

	if (!t->nr_rows) {
		ASSERT_TRUE(locate(addr, path, sizeof(path), &off));
		ASSERT_EQ(0, unwind_table_build_path(path, t, why, sizeof(why))) {
			TH_LOG("%s: %s", path, why);
		}
	}
	ASSERT_TRUE(locate(addr, path, sizeof(path), &off));
	return unwind_table_lookup(t, off);
}

static void expect_entry(struct __test_metadata *_metadata, const struct anonleak_unwind_rule *r)
{
	ASSERT_NE(NULL, r);
	EXPECT_EQ(ANONLEAK_UNWIND_CFA_SP, r->cfa);
	EXPECT_EQ(8, r->cfa_off);
	EXPECT_EQ(ANONLEAK_UNWIND_FP_SAME, r->fp);
}

TEST(libc)
{
	struct unwind_table t = { 0 };
	struct timespec a, b;
	char path[4096], why[160];
	uint64_t off;
	void *mmap_fn = dlsym(RTLD_DEFAULT, "mmap");

	ASSERT_NE(NULL, mmap_fn);
	ASSERT_TRUE(locate(mmap_fn, path, sizeof(path), &off));
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(0, unwind_table_build_path(path, &t, why, sizeof(why))) TH_LOG("%s", why);
	clock_gettime(CLOCK_MONOTONIC, &b);
	TH_LOG("%s: %zu FDEs, %zu rows, %zu rules, %.1f ms", path, t.fdes, t.nr_rows,
	       t.nr_rules, (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	check_shape(_metadata, &t);
	EXPECT_STREQ(".eh_frame", t.source);
	EXPECT_GT(t.build_id_len, 0);
	EXPECT_GT(t.fdes, 100);
	expect_entry(_metadata, rule_at(_metadata, &t, mmap_fn));
	expect_entry(_metadata, rule_at(_metadata, &t, dlsym(RTLD_DEFAULT, "malloc")));
	unwind_table_release(&t);
}

/* glibc's sa_restorer, __restore_rt: its FDE is a signal frame. */
TEST(signal_trampoline)
{
	struct unwind_table t = { 0 };
	struct sigaction sa = { .sa_handler = SIG_IGN }, old;
	const struct anonleak_unwind_rule *r;

	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGUSR2, NULL, &old));
	signal(SIGUSR2, SIG_DFL);
	ASSERT_NE(NULL, (void *)old.sa_restorer);
	r = rule_at(_metadata, &t, (void *)old.sa_restorer);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(ANONLEAK_UNWIND_CFA_SIGNAL, r->cfa);
	unwind_table_release(&t);
}

TEST(program_without_frame_pointers)
{
	struct unwind_table t = { 0 };
	const struct anonleak_unwind_rule *r;
	char path[4096];
	uint64_t lo, hi;
	bool fp = false, deeper = false;

	expect_entry(_metadata, rule_at(_metadata, &t, (void *)leaf_fn));
	check_shape(_metadata, &t);
	expect_entry(_metadata, rule_at(_metadata, &t, (void *)mid_fn));
	expect_entry(_metadata, rule_at(_metadata, &t, (void *)alloca_fn));
	r = rule_at(_metadata, &t, _start);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(ANONLEAK_UNWIND_CFA_END, r->cfa);
	/* inside alloca_fn: the CFA moves off rsp + 8, and onto rbp */
	ASSERT_TRUE(locate((void *)alloca_fn, path, sizeof(path), &lo));
	ASSERT_TRUE(locate((void *)locate, path, sizeof(path), &hi));
	for (size_t i = 0; i < t.nr_rows; i++) {
		const struct anonleak_unwind_rule *x = &t.rules[t.rows[i].rule];

		if (t.rows[i].off <= lo || t.rows[i].off >= lo + 256)
			continue;
		fp |= x->cfa == ANONLEAK_UNWIND_CFA_FP && x->fp == ANONLEAK_UNWIND_FP_AT_CFA;
		deeper |= x->cfa == ANONLEAK_UNWIND_CFA_SP && x->cfa_off > 8;
	}
	EXPECT_TRUE(fp);
	EXPECT_TRUE(deeper);
	unwind_table_release(&t);
}

TEST(not_elf)
{
	struct unwind_table t;
	char why[160];

	EXPECT_EQ(-ENOEXEC, unwind_table_build_path("/proc/self/status", &t, why, sizeof(why)));
	EXPECT_STRNE("", why);
	EXPECT_EQ(0, t.nr_rows);
	EXPECT_EQ(-ENOENT, unwind_table_build_path("/nonexistent/x", &t, why, sizeof(why)));
}

TEST_HARNESS_MAIN
