// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel unwinder, from the outside: unwind tables written by hand
 * for this program's own text, uploaded with UNWIND_LOAD, and the stacks
 * the module takes with them.
 *
 * The functions that make the mappings are in anonleak_unwind_asm.S:
 * assembly without frame pointers (one clobbers rbp, one realigns its
 * stack as gcc does, one keeps a frame pointer), each with hand-written
 * CFI and, next to it, the rows of the table (anonleak_unwind.h). No libdw:
 * the table is those rows, turned into file offsets with /proc/self/maps.
 * Every chain starts in ul_entry(), whose CFI says it is the outermost
 * frame, so a walk with the table is COMPLETE there.
 *
 * Checked: distinct chains are distinct sites with exact counts and exact
 * return addresses and flags; without a table (none at all, another file's
 * only, or a stale one) the same chains merge or are PARTIAL; GET_UNWIND,
 * re-upload, UNWIND_DROP; uploads refused with a message and no change;
 * exemplars and their cap; OBJECT_EVENTs and their rate limit; anonymous
 * executable code; signal frames through our own restorer and glibc's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"
#include "anonleak_unwind.h"

#define U_SP(off, fp, fpoff) { (off), (fpoff), ANONLEAK_UNWIND_CFA_SP, (fp) }

/* The rules the rows of anonleak_unwind_asm.S name. */
static const struct anonleak_unwind_rule ul_rules[UL_NRULES] = {
	[UL_R_UNKNOWN] = { 0, 0, ANONLEAK_UNWIND_CFA_UNKNOWN, 0 },
	[UL_R_END] = { 0, 0, ANONLEAK_UNWIND_CFA_END, 0 },
	[UL_R_SP8] = U_SP(8, ANONLEAK_UNWIND_FP_SAME, 0),
	[UL_R_SP16] = U_SP(16, ANONLEAK_UNWIND_FP_SAME, 0),
	[UL_R_SP24] = U_SP(24, ANONLEAK_UNWIND_FP_SAME, 0),
	[UL_R_SP32] = U_SP(32, ANONLEAK_UNWIND_FP_SAME, 0),
	[UL_R_SP16_FP] = U_SP(16, ANONLEAK_UNWIND_FP_AT_CFA, -16),
	[UL_R_FP16] = { 16, -16, ANONLEAK_UNWIND_CFA_FP, ANONLEAK_UNWIND_FP_AT_CFA },
	[UL_R_DEREF] = { -8, 0, ANONLEAK_UNWIND_CFA_FP_DEREF, ANONLEAK_UNWIND_FP_AT_FP },
	[UL_R_SIGNAL] = { 0, 0, ANONLEAK_UNWIND_CFA_SIGNAL, 0 },
	[UL_R_FILL_A] = { 1, 0, ANONLEAK_UNWIND_CFA_UNKNOWN, 0 },
	[UL_R_FILL_B] = { 2, 0, ANONLEAK_UNWIND_CFA_UNKNOWN, 0 },
};

#define F(x) ((uint64_t)(uintptr_t)(x))
#define UL_FLAGS_HOW (ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_PARTIAL | \
		      ANONLEAK_SITE_F_COMPLETE | ANONLEAK_SITE_F_ANON_EXEC | \
		      ANONLEAK_SITE_F_TRUNCATED)
#define UL_FLAGS_WALK (UL_FLAGS_HOW & ~ANONLEAK_SITE_F_TRUNCATED)

/* A chain of calls from ul_entry() down to the mmap syscall. */
struct chain {
	const char *name;
	void *(*fn)(size_t);
	unsigned int depth;
	uint64_t frames[6];	/* what a walk with the table must give */
	unsigned int maps;	/* how many mappings, of @pages pages each */
	unsigned int pages;
	unsigned int unmaps;	/* of them unmapped again */
};

static void chains_init(struct chain *c)
{
	const struct chain all[] = {
		{ "leaf", ul_leaf, 2, { F(ul_leaf_sys_ret), F(ul_entry_ret) }, 2, 1, 0 },
		{ "a", ul_mid_a, 3, { F(ul_leaf_sys_ret), F(ul_mid_a_ret),
				      F(ul_entry_ret) }, 3, 2, 1 },
		{ "x", ul_mid_x, 4, { F(ul_leaf_sys_ret), F(ul_mid_c_ret),
				      F(ul_mid_x_ret), F(ul_entry_ret) }, 2, 3, 0 },
		{ "x2", ul_mid_x2, 4, { F(ul_leaf_sys_ret), F(ul_mid_c_ret),
					F(ul_mid_x2_ret), F(ul_entry_ret) }, 3, 1, 2 },
		{ "y", ul_mid_y, 4, { F(ul_leaf_sys_ret), F(ul_mid_c_ret),
				      F(ul_mid_y_ret), F(ul_entry_ret) }, 1, 5, 0 },
		{ "clob", ul_clob, 4, { F(ul_leaf_sys_ret), F(ul_mid_b_ret),
					F(ul_clob_ret), F(ul_entry_ret) }, 4, 1, 1 },
		{ "fp", ul_mid_fp, 3, { F(ul_leaf_sys_ret), F(ul_mid_fp_ret),
					F(ul_entry_ret) }, 2, 2, 0 },
	};

	memcpy(c, all, sizeof(all));
}

#define NCHAINS 7
enum { C_LEAF, C_A, C_X, C_X2, C_Y, C_CLOB, C_FP };

/* Every chain goes through here, from one call site: same frames above. */
static AL_SITE void *run_chain(void *(*fn)(size_t), size_t arg)
{
	void *p = ul_entry(fn, arg);

	al_barrier();
	return p;
}

/* Map chain @c's mappings, unmap the first @c->unmaps: 0 or -1. */
static int chain_run(const struct chain *c)
{
	unsigned int i;
	void *p[16];

	for (i = 0; i < c->maps; i++) {
		p[i] = run_chain(c->fn, c->pages * PG);
		if (p[i] == MAP_FAILED)
			return -1;
	}
	for (i = 0; i < c->unmaps; i++)
		if (munmap(p[i], c->pages * PG))
			return -1;
	return 0;
}

/*
 * Chains @which[0..@n) of @c, one after the other, from one call site: so
 * that a walk that cannot tell them apart sees the same frames above.
 */
static AL_SITE int chains_run(const struct chain *c, const int *which,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (chain_run(&c[which[i]]))
			return -1;
	return 0;
}

static const int x_and_x2[] = { C_X, C_X2 };

/* The site of @d with exactly these frames, or NULL. */
static struct al_t_site *site_exact(struct al_t_dump *d, const uint64_t *frames,
				    unsigned int depth)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (d->sites[i].depth == depth &&
		    !memcmp(d->sites[i].frames, frames, depth * sizeof(*frames)))
			return &d->sites[i];
	return NULL;
}

/* How many sites of @d have a frame equal to @addr. */
static unsigned int sites_with(struct al_t_dump *d, uint64_t addr)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < d->n; i++)
		for (j = 0; j < d->sites[i].depth; j++)
			if (d->sites[i].frames[j] == addr) {
				n++;
				break;
			}
	return n;
}

/* The site of @d whose first two frames are @f0, @f1 (only one may be). */
static struct al_t_site *site_of2(struct al_t_dump *d, uint64_t f0, uint64_t f1,
				  unsigned int *count)
{
	struct al_t_site *s = NULL;
	unsigned int i;

	*count = 0;
	for (i = 0; i < d->n; i++)
		if (d->sites[i].depth >= 2 && d->sites[i].frames[0] == f0 &&
		    d->sites[i].frames[1] == f1) {
			s = &d->sites[i];
			(*count)++;
		}
	return s;
}

/* The sites of @d, for a failure's log. */
static void log_sites(struct al_t_dump *d)
{
	char line[512];
	unsigned int i, j;
	int n;

	for (i = 0; i < d->n; i++) {
		n = snprintf(line, sizeof(line), "site %llu flags %#llx maps %llu:",
			     (unsigned long long)d->sites[i].c[ANONLEAK_SITE_A_ID],
			     (unsigned long long)d->sites[i].c[ANONLEAK_SITE_A_FLAGS],
			     (unsigned long long)d->sites[i].c[ANONLEAK_SITE_A_TOTAL_MAPS]);
		for (j = 0; j < d->sites[i].depth && n < (int)sizeof(line) - 20; j++)
			n += snprintf(line + n, sizeof(line) - n, " %#llx",
				      (unsigned long long)d->sites[i].frames[j]);
		al_say("%s\n", line);
	}
}

/* This program's table: the rows of the .S, at their file offsets. */
struct table {
	struct al_t_fmap m;
	struct anonleak_unwind_row rows[4 * UL_FILL_PAIRS];
	unsigned int n;
};

static int table_build(struct table *t)
{
	const struct ul_row_delta *r;
	uint32_t base;
	int err = al_t_fmap_of((uintptr_t)ul_text_start, &t->m);

	if (err)
		return err;
	if ((uintptr_t)ul_text_end >= t->m.end)
		return -ERANGE;	/* the text is one mapping: it is here */
	base = al_t_fmap_off(&t->m, (uintptr_t)ul_text_start);
	t->n = 0;
	for (r = ul_rows; r < ul_rows_end; r++) {
		if (t->n == sizeof(t->rows) / sizeof(t->rows[0]))
			return -E2BIG;
		t->rows[t->n].off = base + r->delta;
		t->rows[t->n++].rule = r->rule;
	}
	return 0;
}

/* Set the rule of the row that covers @addr: the row's index, or -1. */
static int table_set_rule(struct table *t, uintptr_t addr, uint32_t rule)
{
	uint32_t off = al_t_fmap_off(&t->m, addr);
	int i;

	for (i = t->n - 1; i >= 0; i--)
		if (t->rows[i].off <= off) {
			t->rows[i].rule = rule;
			return i;
		}
	return -1;
}

static void table_upload_of(const struct table *t, struct al_t_upload *u)
{
	memset(u, 0, sizeof(*u));
	al_t_upload_of(u, &t->m);
	u->rows = t->rows;
	u->rows_bytes = t->n * sizeof(t->rows[0]);
	u->rules = ul_rules;
	u->rules_bytes = sizeof(ul_rules);
}

static int table_load(const struct table *t, char ext[AL_T_EXT])
{
	struct al_t_upload u;

	table_upload_of(t, &u);
	return al_t_unwind_load(&u, ext);
}

/* A table for a file that is not mapped anywhere: @n rows. */
static int fake_load(uint32_t dev, uint64_t ino, unsigned int n, size_t chunk,
		     char ext[AL_T_EXT])
{
	struct anonleak_unwind_row *rows = calloc(n, sizeof(*rows));
	struct al_t_upload u = {
		.dev = dev, .ino = ino, .size = 4096 + n, .mtime = 1,
		.path = "/nonexistent/fake", .rules = ul_rules,
		.rules_bytes = sizeof(ul_rules), .chunk = chunk,
	};
	unsigned int i;
	int ret;

	if (!rows)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rows[i].off = 16 * i;
		rows[i].rule = i + 1 < n ? UL_R_SP8 + i % 4 : UL_R_UNKNOWN;
	}
	u.rows = rows;
	u.rows_bytes = n * sizeof(*rows);
	ret = al_t_unwind_load(&u, ext);
	free(rows);
	return ret;
}

#define FAKE_DEV ((15U << 20) | 77)

static double time_factor(void)
{
	const char *s = getenv("ANONLEAK_TIME_FACTOR");
	double f = s ? strtod(s, NULL) : 1;

	return f >= 1 && f < 1000 ? f : 1;
}

FIXTURE(unwind) {
	struct al_t_config cfg0;
	struct table t;
	struct chain c[NCHAINS];
	struct al_t_dump d;
};

FIXTURE_SETUP(unwind)
{
	memset(&self->d, 0, sizeof(self->d));
	if (geteuid())
		SKIP(return, "needs root");
	if (al_t_family() == -ENOENT)
		ASSERT_EQ(0, al_ko_ensure());
	ASSERT_LT(0, al_t_family()) TH_LOG("the anonleak family is not registered");
	ASSERT_EQ(0, al_t_get_config(&self->cfg0));
	ASSERT_EQ(1, self->cfg0.v[ANONLEAK_CONFIG_A_UNWIND]);
	ASSERT_LE(4, self->cfg0.v[ANONLEAK_CONFIG_A_STACK_DEPTH]);
	ASSERT_EQ(0, al_t_unwind_drop(0, 0, true, NULL));
	ASSERT_EQ(0, table_build(&self->t));
	chains_init(self->c);
}

FIXTURE_TEARDOWN(unwind)
{
	free(self->d.sites);
	if (geteuid())
		return;
	al_t_unwind_drop(0, 0, true, NULL);
	al_t_set_config(&self->cfg0, AL_T_CFG_ALL, NULL);
}

#define DUMP(self) do {							\
	free((self)->d.sites);						\
	ASSERT_EQ(0, al_t_sites(getpid(), &(self)->d));			\
} while (0)

/* Site @s has what chain @c made: counts and bytes. */
#define EXPECT_CHAIN_COUNTS(s_, ch_, times) do {			\
	uint64_t maps_ = (uint64_t)(ch_)->maps * (times);		\
	uint64_t live_ = maps_ - (uint64_t)(ch_)->unmaps * (times);	\
	uint64_t len_ = (uint64_t)(ch_)->pages * PG;			\
									\
	EXPECT_EQ(maps_, (s_)->c[ANONLEAK_SITE_A_TOTAL_MAPS]) TH_LOG("%s", (ch_)->name); \
	EXPECT_EQ(live_, (s_)->c[ANONLEAK_SITE_A_LIVE_COUNT]) TH_LOG("%s", (ch_)->name); \
	EXPECT_EQ(live_ * len_, (s_)->c[ANONLEAK_SITE_A_LIVE_BYTES]);	\
	EXPECT_EQ(maps_ * len_, (s_)->c[ANONLEAK_SITE_A_MAPPED_BYTES]);	\
} while (0)

TEST_F(unwind, table_makes_distinct_complete_sites)
{
	struct al_t_stats st0, st1;
	struct al_t_utables ts;
	uint64_t frames = 0;
	char ext[AL_T_EXT];
	unsigned int i;

	ASSERT_EQ(0, table_load(&self->t, ext)) TH_LOG("refused: %s", ext);
	ASSERT_EQ(0, al_t_unwinds(&ts));
	ASSERT_EQ(1, ts.n);
	EXPECT_EQ(self->t.n, ts.v[0].v[ANONLEAK_UNWIND_A_NROWS]);
	EXPECT_EQ(UL_NRULES, ts.v[0].v[ANONLEAK_UNWIND_A_NRULES]);
	free(ts.v);

	ASSERT_EQ(0, al_t_stats(&st0));
	for (i = 0; i < NCHAINS; i++) {
		ASSERT_EQ(0, chain_run(&self->c[i])) TH_LOG("%s", self->c[i].name);
		frames += (uint64_t)self->c[i].maps * self->c[i].depth;
	}
	ASSERT_EQ(0, al_t_stats(&st1));
	/* One table step per frame after the first, and the END step. */
	EXPECT_EQ(frames, st1.c[ANONLEAK_STATS_A_UNWIND_FRAMES] -
			  st0.c[ANONLEAK_STATS_A_UNWIND_FRAMES]);
	EXPECT_EQ(0, st1.c[ANONLEAK_STATS_A_UNWIND_NO_TABLE] -
		     st0.c[ANONLEAK_STATS_A_UNWIND_NO_TABLE]);
	EXPECT_EQ(0, st1.c[ANONLEAK_STATS_A_PARTIAL_SITES] -
		     st0.c[ANONLEAK_STATS_A_PARTIAL_SITES]);

	DUMP(self);
	for (i = 0; i < NCHAINS; i++) {
		const struct chain *c = &self->c[i];
		struct al_t_site *s = site_exact(&self->d, c->frames, c->depth);
		uint64_t fl;

		ASSERT_NE(NULL, s) TH_LOG("chain %s: no site with its frames", c->name);
		EXPECT_CHAIN_COUNTS(s, c, 1);
		fl = s->c[ANONLEAK_SITE_A_FLAGS];
		EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_COMPLETE,
			  fl & UL_FLAGS_HOW) TH_LOG("chain %s: flags %#llx", c->name,
						    (unsigned long long)fl);
	}
	/* Each return address of a middle function is in exactly one site. */
	EXPECT_EQ(1, sites_with(&self->d, F(ul_mid_x_ret)));
	EXPECT_EQ(1, sites_with(&self->d, F(ul_mid_x2_ret)));
	EXPECT_EQ(1, sites_with(&self->d, F(ul_mid_y_ret)));
	EXPECT_EQ(3, sites_with(&self->d, F(ul_mid_c_ret)));
}

/* No table anywhere: frame pointers only. */
TEST_F(unwind, without_tables_chains_merge)
{
	const struct chain *x = &self->c[C_X], *x2 = &self->c[C_X2];
	struct al_t_site *s;
	unsigned int n;

	ASSERT_EQ(0, chains_run(self->c, x_and_x2, 2));
	ASSERT_EQ(0, chain_run(&self->c[C_CLOB]));
	DUMP(self);
	/* The word at rsp, then the frame pointer chain of run_chain(). */
	s = site_of2(&self->d, F(ul_leaf_sys_ret), F(ul_mid_c_ret), &n);
	if (n != 1)
		log_sites(&self->d);
	ASSERT_EQ(1, n);
	EXPECT_EQ(x->maps + x2->maps, s->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
	/* Eight frame-pointer frames, and more: TRUNCATED may be set. */
	EXPECT_EQ(0, s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_WALK);
	EXPECT_EQ(0, sites_with(&self->d, F(ul_mid_x_ret)));
	EXPECT_EQ(0, sites_with(&self->d, F(ul_mid_x2_ret)));
	/* rbp is garbage in ul_clob's callees: the chain stops at once. */
	s = site_of2(&self->d, F(ul_leaf_sys_ret), F(ul_mid_b_ret), &n);
	ASSERT_EQ(1, n);
	EXPECT_EQ(2, s->depth);
	EXPECT_EQ(self->c[C_CLOB].maps, s->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
}

/*
 * A table loaded, but not for this file (another file's only, or ours
 * with a wrong mtime or size): frame-pointer steps, PARTIAL, merged.
 */
static void expect_partial_merged(struct __test_metadata *_metadata,
				  FIXTURE_DATA(unwind) *self, unsigned int times)
{
	const struct chain *x = &self->c[C_X], *x2 = &self->c[C_X2];
	struct al_t_stats st0, st1;
	struct al_t_site *s;
	unsigned int n;

	ASSERT_EQ(0, al_t_stats(&st0));
	ASSERT_EQ(0, chains_run(self->c, x_and_x2, 2));
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_LE(x->maps + x2->maps, st1.c[ANONLEAK_STATS_A_UNWIND_NO_TABLE] -
				      st0.c[ANONLEAK_STATS_A_UNWIND_NO_TABLE]);
	EXPECT_EQ(0, st1.c[ANONLEAK_STATS_A_UNWIND_FRAMES] -
		     st0.c[ANONLEAK_STATS_A_UNWIND_FRAMES]);
	DUMP(self);
	s = site_of2(&self->d, F(ul_leaf_sys_ret), F(ul_mid_c_ret), &n);
	if (n != 1)
		log_sites(&self->d);
	ASSERT_EQ(1, n);
	EXPECT_EQ((x->maps + x2->maps) * times, s->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
	EXPECT_EQ(ANONLEAK_SITE_F_PARTIAL, s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_WALK);
	EXPECT_EQ(0, sites_with(&self->d, F(ul_mid_x_ret)));
	EXPECT_EQ(0, sites_with(&self->d, F(ul_mid_x2_ret)));
}

TEST_F(unwind, another_files_table_only_gives_partial_sites)
{
	struct al_t_site *s;
	unsigned int n;

	ASSERT_EQ(0, fake_load(FAKE_DEV, 4242, 8, 0, NULL));
	expect_partial_merged(_metadata, self, 1);
	ASSERT_EQ(0, chain_run(&self->c[C_CLOB]));
	DUMP(self);
	s = site_of2(&self->d, F(ul_leaf_sys_ret), F(ul_mid_b_ret), &n);
	ASSERT_EQ(1, n);
	EXPECT_EQ(2, s->depth);
	EXPECT_EQ(ANONLEAK_SITE_F_PARTIAL, s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_HOW);
}

TEST_F(unwind, stale_table_is_not_used)
{
	struct al_t_upload u;
	const struct chain *a = &self->c[C_A];
	struct al_t_site *s;

	unsigned int k;

	/* A wrong mtime, then a wrong size; one call site for both. */
	for (k = 1; k <= 2; k++) {
		table_upload_of(&self->t, &u);
		u.mtime += k == 1;
		u.size += k == 2;
		ASSERT_EQ(0, al_t_unwind_load(&u, NULL));
		expect_partial_merged(_metadata, self, k);
	}
	/* The right identity: used at once. */
	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_EQ(0, chain_run(a));
	DUMP(self);
	s = site_exact(&self->d, a->frames, a->depth);
	ASSERT_NE(NULL, s);
	EXPECT_CHAIN_COUNTS(s, a, 1);
}

TEST_F(unwind, get_unwind_lists_tables_and_stats_add_up)
{
	static const uint8_t bid[] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3 };
	struct al_t_utables ts;
	struct al_t_upload u;
	struct al_t_stats st;
	struct timespec now;
	uint64_t rows = 0, bytes = 0, min;
	unsigned int i;

	table_upload_of(&self->t, &u);
	u.build_id = bid;
	u.build_id_len = sizeof(bid);
	ASSERT_EQ(0, al_t_unwind_load(&u, NULL));
	/* 10,000 rows: two ROWS attributes, then the same in 64-byte ones. */
	ASSERT_EQ(0, fake_load(FAKE_DEV, 1, 10000, 0, NULL));
	ASSERT_EQ(0, fake_load(FAKE_DEV, 2, 10000, 64, NULL));
	ASSERT_EQ(0, al_t_unwinds(&ts));
	ASSERT_EQ(3, ts.n);
	EXPECT_EQ(self->t.m.dev, ts.v[0].v[ANONLEAK_UNWIND_A_DEV]);
	EXPECT_EQ(self->t.m.ino, ts.v[0].v[ANONLEAK_UNWIND_A_INO]);
	EXPECT_EQ(self->t.m.size, ts.v[0].v[ANONLEAK_UNWIND_A_SIZE]);
	EXPECT_EQ(self->t.m.mtime, ts.v[0].v[ANONLEAK_UNWIND_A_MTIME]);
	EXPECT_STREQ(self->t.m.path, ts.v[0].path);
	EXPECT_EQ(sizeof(bid), ts.v[0].build_id_len);
	EXPECT_EQ(0, memcmp(bid, ts.v[0].build_id, sizeof(bid)));
	EXPECT_EQ(0, ts.v[1].build_id_len);
	EXPECT_STREQ("/nonexistent/fake", ts.v[1].path);
	clock_gettime(CLOCK_BOOTTIME, &now);
	for (i = 0; i < ts.n; i++) {
		const uint64_t *v = ts.v[i].v;
		uint64_t nrows = i ? 10000 : self->t.n;

		EXPECT_EQ(nrows, v[ANONLEAK_UNWIND_A_NROWS]);
		EXPECT_EQ(UL_NRULES, v[ANONLEAK_UNWIND_A_NRULES]);
		/* Rows, rules and a page index at least; a page more at most. */
		min = nrows * sizeof(struct anonleak_unwind_row) + sizeof(ul_rules);
		EXPECT_LE(min, v[ANONLEAK_UNWIND_A_BYTES]);
		EXPECT_GT(min + nrows + 4096, v[ANONLEAK_UNWIND_A_BYTES]);
		EXPECT_LT(0, v[ANONLEAK_UNWIND_A_LOADED]);
		EXPECT_GE(now.tv_sec * 1000000000ULL + now.tv_nsec,
			  v[ANONLEAK_UNWIND_A_LOADED]);
		if (i)
			EXPECT_LT(ts.v[i - 1].v[ANONLEAK_UNWIND_A_ID],
				  v[ANONLEAK_UNWIND_A_ID]);
		rows += v[ANONLEAK_UNWIND_A_NROWS];
		bytes += v[ANONLEAK_UNWIND_A_BYTES];
	}
	EXPECT_EQ(ts.v[1].v[ANONLEAK_UNWIND_A_BYTES], ts.v[2].v[ANONLEAK_UNWIND_A_BYTES]);
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(3, st.c[ANONLEAK_STATS_A_UNWIND_TABLES]);
	EXPECT_EQ(rows, st.c[ANONLEAK_STATS_A_UNWIND_ROWS]);
	EXPECT_EQ(bytes, st.c[ANONLEAK_STATS_A_UNWIND_BYTES]);
	free(ts.v);
}

TEST_F(unwind, reupload_replaces_the_table)
{
	const struct chain *a = &self->c[C_A];
	struct al_t_utables ts;
	struct table *bad = malloc(sizeof(*bad));
	struct al_t_site *s;
	uint64_t id0;

	ASSERT_NE(NULL, bad);
	*bad = self->t;
	/* ul_mid_a without its rule: the walk stops there. */
	ASSERT_LE(0, table_set_rule(bad, (uintptr_t)ul_mid_a_ret - 1, UL_R_UNKNOWN));
	ASSERT_EQ(0, table_load(bad, NULL));
	free(bad);
	ASSERT_EQ(0, al_t_unwinds(&ts));
	ASSERT_EQ(1, ts.n);
	id0 = ts.v[0].v[ANONLEAK_UNWIND_A_ID];
	free(ts.v);
	ASSERT_EQ(0, chain_run(a));
	DUMP(self);
	s = site_exact(&self->d, a->frames, 2);
	ASSERT_NE(NULL, s) TH_LOG("the walk did not stop at ul_mid_a");
	EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_PARTIAL,
		  s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_HOW);
	EXPECT_EQ(NULL, site_exact(&self->d, a->frames, a->depth));

	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_EQ(0, al_t_unwinds(&ts));
	ASSERT_EQ(1, ts.n);
	EXPECT_LT(id0, ts.v[0].v[ANONLEAK_UNWIND_A_ID]);
	free(ts.v);
	ASSERT_EQ(0, chain_run(a));
	DUMP(self);
	s = site_exact(&self->d, a->frames, a->depth);
	ASSERT_NE(NULL, s) TH_LOG("the new table was not used");
	EXPECT_CHAIN_COUNTS(s, a, 1);
	EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_COMPLETE,
		  s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_HOW);
}

TEST_F(unwind, drop_by_identity_and_all)
{
	struct al_t_utables ts;
	struct al_t_stats st;
	char ext[AL_T_EXT];

	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_EQ(0, fake_load(FAKE_DEV, 10, 5, 0, NULL));
	ASSERT_EQ(0, fake_load(FAKE_DEV, 11, 6, 0, NULL));
	ASSERT_EQ(0, al_t_unwind_drop(FAKE_DEV, 10, false, NULL));
	ASSERT_EQ(0, al_t_unwinds(&ts));
	EXPECT_EQ(2, ts.n);
	EXPECT_EQ(NULL, al_t_utable_of(&ts, FAKE_DEV, 10));
	EXPECT_NE(NULL, al_t_utable_of(&ts, FAKE_DEV, 11));
	EXPECT_NE(NULL, al_t_utable_of(&ts, self->t.m.dev, self->t.m.ino));
	free(ts.v);
	EXPECT_EQ(-ENOENT, al_t_unwind_drop(FAKE_DEV, 10, false, ext));
	EXPECT_NE(0, ext[0]);
	EXPECT_EQ(-EINVAL, al_t_unwind_drop_dev_only(FAKE_DEV, ext));
	EXPECT_NE(0, ext[0]);
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(2, st.c[ANONLEAK_STATS_A_UNWIND_TABLES]);
	EXPECT_EQ(self->t.n + 6, st.c[ANONLEAK_STATS_A_UNWIND_ROWS]);
	ASSERT_EQ(0, al_t_unwind_drop(0, 0, true, NULL));
	ASSERT_EQ(0, al_t_unwinds(&ts));
	EXPECT_EQ(0, ts.n);
	free(ts.v);
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(0, st.c[ANONLEAK_STATS_A_UNWIND_TABLES]);
	EXPECT_EQ(0, st.c[ANONLEAK_STATS_A_UNWIND_ROWS]);
	EXPECT_EQ(0, st.c[ANONLEAK_STATS_A_UNWIND_BYTES]);
	/* Dropping nothing is no error. */
	EXPECT_EQ(0, al_t_unwind_drop(0, 0, true, NULL));
}

/* @u is refused with @err and a message, and nothing changes. */
#define EXPECT_REFUSED(u, err, what) do {				\
	struct al_t_unwind_state b_, a_;						\
	char ext_[AL_T_EXT];						\
									\
	ASSERT_EQ(0, al_t_unwind_state(&b_));					\
	EXPECT_EQ(err, al_t_unwind_load(u, ext_)) TH_LOG("%s", what);	\
	EXPECT_NE(0, ext_[0]) TH_LOG("%s: no extack message", what);	\
	ASSERT_EQ(0, al_t_unwind_state(&a_));					\
	EXPECT_EQ(0, memcmp(&b_, &a_, sizeof(a_))) TH_LOG("%s changed the tables", what); \
} while (0)

TEST_F(unwind, bad_uploads_are_refused_and_change_nothing)
{
	struct anonleak_unwind_rule rules[UL_NRULES];
	struct anonleak_unwind_row rows[4];
	struct al_t_upload u, v;
	struct al_t_config cfg;
	struct al_t_unwind_state s0, s1;
	uint8_t junk[12] = { 0 };
	char ext[AL_T_EXT];

	ASSERT_EQ(0, table_load(&self->t, NULL));
	table_upload_of(&self->t, &u);
	memcpy(rules, ul_rules, sizeof(rules));
	memcpy(rows, self->t.rows, sizeof(rows));

	v = u;
	v.no_nest = true;
	EXPECT_REFUSED(&v, -EINVAL, "no UNWIND nest");
	v = u;
	v.skip = 1U << ANONLEAK_UNWIND_A_MTIME;
	EXPECT_REFUSED(&v, -EINVAL, "no MTIME");
	v = u;
	v.skip = 1U << ANONLEAK_UNWIND_A_INO;
	EXPECT_REFUSED(&v, -EINVAL, "no INO");
	v = u;
	v.build_id = junk;
	v.build_id_len = 0;
	EXPECT_REFUSED(&v, -EINVAL, "empty build-id");
	v = u;
	v.rows_bytes = 0;
	EXPECT_REFUSED(&v, -EINVAL, "no rows");
	v = u;
	v.rules_bytes = 0;
	EXPECT_REFUSED(&v, -EINVAL, "no rules");
	v = u;
	v.rows_bytes = 12;
	EXPECT_REFUSED(&v, -EINVAL, "rows truncated");
	v = u;
	v.rules_bytes = sizeof(ul_rules) - 4;
	EXPECT_REFUSED(&v, -EINVAL, "rules truncated");
	v = u;
	v.rows = rows;
	v.rows_bytes = sizeof(rows);
	rows[2].off = rows[1].off - 1;
	EXPECT_REFUSED(&v, -EINVAL, "rows unsorted");
	rows[2].off = rows[1].off;
	EXPECT_REFUSED(&v, -EINVAL, "two rows at one offset");
	memcpy(rows, self->t.rows, sizeof(rows));
	rows[3].rule = UL_NRULES;
	EXPECT_REFUSED(&v, -EINVAL, "rule index out of range");
	v = u;
	v.rules = rules;
	rules[UL_R_SP8].cfa = __ANONLEAK_UNWIND_CFA_MAX;
	EXPECT_REFUSED(&v, -EINVAL, "unknown CFA kind");
	memcpy(rules, ul_rules, sizeof(rules));
	rules[UL_R_SP8].fp = __ANONLEAK_UNWIND_FP_MAX;
	EXPECT_REFUSED(&v, -EINVAL, "unknown rbp kind");
	memcpy(rules, ul_rules, sizeof(rules));
	rules[UL_R_SP16].cfa_off = ANONLEAK_UNWIND_MAX_OFF + 1;
	EXPECT_REFUSED(&v, -EINVAL, "CFA offset too large");
	rules[UL_R_SP16].cfa_off = -ANONLEAK_UNWIND_MAX_OFF - 1;
	EXPECT_REFUSED(&v, -EINVAL, "CFA offset too small");
	/* The limits themselves are fine. */
	rules[UL_R_SP16].cfa_off = ANONLEAK_UNWIND_MAX_OFF;
	rules[UL_R_SP24].cfa_off = -ANONLEAK_UNWIND_MAX_OFF;
	v.dev = FAKE_DEV;
	EXPECT_EQ(0, al_t_unwind_load(&v, ext)) TH_LOG("%s", ext);
	EXPECT_EQ(0, al_t_unwind_drop(FAKE_DEV, v.ino, false, NULL));

	/* max_unwind_bytes: what is loaded now; a same-size replacement fits. */
	ASSERT_EQ(0, al_t_unwind_state(&s0));
	cfg = self->cfg0;
	cfg.v[ANONLEAK_CONFIG_A_MAX_UNWIND_BYTES] = s0.bytes;
	ASSERT_EQ(0, al_t_set_config(&cfg, AL_T_CFG_BIT(MAX_UNWIND_BYTES), NULL));
	EXPECT_EQ(0, al_t_unwind_load(&u, ext)) TH_LOG("%s", ext);
	ASSERT_EQ(0, al_t_unwind_state(&s1));
	EXPECT_EQ(s0.bytes, s1.bytes);
	EXPECT_NE(s0.ids[0], s1.ids[0]);
	v = u;
	v.rows_bytes -= sizeof(struct anonleak_unwind_row);
	v.ino = u.ino + 1;
	EXPECT_EQ(-ENOSPC, al_t_unwind_load(&v, ext));
	EXPECT_NE(0, ext[0]);
	v.ino = u.ino;
	v.rows = self->t.rows;
	v.rows_bytes = u.rows_bytes;
	v.path = "a longer path than before, so more bytes than the cap allows";
	EXPECT_EQ(-ENOSPC, al_t_unwind_load(&v, ext));
	ASSERT_EQ(0, al_t_unwind_state(&s0));
	EXPECT_EQ(s1.refused + 2, s0.refused);
	s0.refused = s1.refused;
	EXPECT_EQ(0, memcmp(&s0, &s1, sizeof(s1)));
}

/* GET_EXEMPLAR -------------------------------------------------------- */

/*
 * What the module can copy of the stack from @rsp: up to @want bytes, the
 * pages present from there on (it cannot fault any in: a page of a large
 * stack buffer never written ends the copy), to the top of the stack.
 */
static uint64_t stack_present(uint64_t rsp, uint64_t want, uint64_t top)
{
	static unsigned char vec[8];
	uint64_t page = rsp & ~((uint64_t)PG - 1), len = 0;

	if (top - rsp < want)
		want = top - rsp;
	while (len < want && page < top) {
		if (mincore((void *)page, PG, vec) || !(vec[0] & 1))
			break;
		len += page + PG - (rsp + len);
		page += PG;
	}
	return len < want ? len : want;
}

static uint64_t stack_end(void)
{
	char line[512];
	unsigned long a, b;
	uint64_t end = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &a, &b) == 2)
			end = b;
	if (f)
		fclose(f);
	return end;
}

TEST_F(unwind, exemplar_has_registers_stack_and_maps)
{
	const struct chain *a = &self->c[C_A];
	uint64_t want, rsp, top = stack_end();
	struct al_t_exemplar ex;
	char ext[AL_T_EXT];
	struct al_t_site *s;
	uint64_t word;
	unsigned int i, found = 0;

	ASSERT_NE(0, top);
	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_EQ(0, chain_run(a));
	rsp = ul_last_rsp;
	want = stack_present(rsp, self->cfg0.v[ANONLEAK_CONFIG_A_EXEMPLAR_SIZE] & ~7ULL,
			     top);
	DUMP(self);
	s = site_exact(&self->d, a->frames, a->depth);
	ASSERT_NE(NULL, s);
	ASSERT_NE(0, s->c[ANONLEAK_SITE_A_FLAGS] & ANONLEAK_SITE_F_EXEMPLAR);
	ASSERT_EQ(0, al_t_exemplar(s->proc_id, s->c[ANONLEAK_SITE_A_ID], &ex, ext))
		TH_LOG("%s", ext);
	EXPECT_EQ(s->c[ANONLEAK_SITE_A_ID], ex.site_id);
	EXPECT_EQ(s->proc_id, ex.proc_id);
	EXPECT_EQ((uint32_t)getpid(), ex.pid);
	EXPECT_EQ(sizeof(ex.regs), ex.nregs_bytes);
	EXPECT_EQ(F(ul_leaf_sys_ret), ex.regs[16]);
	EXPECT_EQ(rsp, ex.regs[7]);
	EXPECT_EQ(PA, ex.regs[10]);	/* r10: the mmap flags */
	EXPECT_EQ(want, ex.stack_len);
	ASSERT_LE(40, ex.stack_len);
	/* ul_leaf's return address, ul_mid_a's 24 bytes, its return address. */
	memcpy(&word, ex.stack, 8);
	EXPECT_EQ(F(ul_mid_a_ret), word);
	memcpy(&word, ex.stack + 32, 8);
	EXPECT_EQ(F(ul_entry_ret), word);
	for (i = 0; i < ex.nmaps; i++) {
		if (ex.maps[i].start > (uintptr_t)ul_leaf ||
		    ex.maps[i].end <= (uintptr_t)ul_leaf)
			continue;
		found++;
		EXPECT_EQ(self->t.m.start, ex.maps[i].start);
		EXPECT_EQ(self->t.m.end, ex.maps[i].end);
		EXPECT_EQ(self->t.m.pgoff, ex.maps[i].off);
		EXPECT_STREQ(self->t.m.path, ex.maps[i].path);
	}
	EXPECT_EQ(1, found);
	free(ex.stack);

	EXPECT_EQ(-ENOENT, al_t_exemplar(s->proc_id + 1000000, s->c[ANONLEAK_SITE_A_ID],
					 &ex, ext));
	EXPECT_NE(0, ext[0]);
	free(ex.stack);
}

TEST_F(unwind, exemplar_cap_counts_drops)
{
	static const int which[] = { C_LEAF, C_A, C_X, C_X2, C_FP };
	struct al_t_stats st0, st1;
	struct al_t_exemplar ex;
	unsigned int i, with = 0, n = sizeof(which) / sizeof(which[0]);
	char ext[AL_T_EXT];
	uint64_t flagless = 0, proc_id = 0;

	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_EQ(0, al_t_stats(&st0));
	ASSERT_EQ(0, al_t_set_config1(ANONLEAK_CONFIG_A_MAX_EXEMPLARS,
				      st0.c[ANONLEAK_STATS_A_EXEMPLARS] + 2));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, chain_run(&self->c[which[i]]));
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_EXEMPLARS] + 2, st1.c[ANONLEAK_STATS_A_EXEMPLARS]);
	EXPECT_EQ(n - 2, st1.c[ANONLEAK_STATS_A_DROPS_EXEMPLARS] -
			 st0.c[ANONLEAK_STATS_A_DROPS_EXEMPLARS]);
	EXPECT_LT(st0.c[ANONLEAK_STATS_A_EXEMPLAR_BYTES], st1.c[ANONLEAK_STATS_A_EXEMPLAR_BYTES]);
	DUMP(self);
	for (i = 0; i < n; i++) {
		const struct chain *c = &self->c[which[i]];
		struct al_t_site *s = site_exact(&self->d, c->frames, c->depth);

		ASSERT_NE(NULL, s) TH_LOG("%s", c->name);
		if (s->c[ANONLEAK_SITE_A_FLAGS] & ANONLEAK_SITE_F_EXEMPLAR) {
			with++;
		} else {
			flagless = s->c[ANONLEAK_SITE_A_ID];
			proc_id = s->proc_id;
		}
	}
	EXPECT_EQ(2, with);
	ASSERT_NE(0, flagless);
	EXPECT_EQ(-ENOENT, al_t_exemplar(proc_id, flagless, &ex, ext));
	EXPECT_NE(0, ext[0]);
	free(ex.stack);
}

/* Anonymous executable code --------------------------------------------- */

TEST_F(unwind, anonymous_executable_code_is_marked)
{
	size_t len = ul_pic_leaf_end - ul_pic_leaf;
	uint64_t at = ul_pic_leaf_sys_ret - ul_pic_leaf;
	void *code = mmap(NULL, PG, RW, PA, -1, 0);
	void *(*fn)(size_t);
	struct al_t_site *s;
	unsigned int i, n = 0;

	ASSERT_NE(MAP_FAILED, code);
	memcpy(code, ul_pic_leaf, len);
	ASSERT_EQ(0, mprotect(code, PG, PROT_READ | PROT_EXEC));
	fn = (void *(*)(size_t))code;
	ASSERT_EQ(0, table_load(&self->t, NULL));
	for (i = 0; i < 3; i++)
		ASSERT_NE(MAP_FAILED, run_chain(fn, 2 * PG));
	DUMP(self);
	for (i = 0; i < self->d.n; i++) {
		s = &self->d.sites[i];
		if (s->frames[0] != F(code) + at)
			continue;
		n++;
		EXPECT_EQ(1, s->depth);
		EXPECT_EQ(ANONLEAK_SITE_F_ANON_EXEC | ANONLEAK_SITE_F_PARTIAL,
			  s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_HOW);
		EXPECT_EQ(3, s->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
		EXPECT_EQ(6 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	}
	EXPECT_EQ(1, n);
}

/* Signal frames ---------------------------------------------------------- */

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

#define UL_SA_RESTORER 0x04000000

/* SIGUSR1 to ul_sig_handler, through @restorer (NULL: glibc's own). */
static int sig_install(void *restorer, void **used)
{
	struct ksigaction k = {
		.handler = (void *)ul_sig_handler,
		.flags = UL_SA_RESTORER, .restorer = restorer,
	};
	struct sigaction sa = { .sa_handler = ul_sig_handler };

	if (restorer ? syscall(SYS_rt_sigaction, SIGUSR1, &k, NULL, 8) :
	    sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	/* The restorer the kernel will push: glibc's __restore_rt if ours. */
	if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, 8))
		return -errno;
	*used = k.restorer;
	return 0;
}

static void sig_chain(struct chain *c, void *restorer)
{
	struct chain s = {
		"signal", ul_raise, 5, { F(ul_leaf_sys_ret), F(ul_sig_handler_ret),
					 F(restorer), F(ul_raise_sys_ret),
					 F(ul_entry_ret) }, 2, 3, 0,
	};

	*c = s;
}

/* Map from the handler: ul_raise() -> SIGUSR1 -> handler -> ul_leaf(). */
static int sig_run(const struct chain *c)
{
	unsigned int i;

	ul_sig_fn = ul_leaf;
	ul_sig_len = c->pages * PG;
	for (i = 0; i < c->maps; i++) {
		ul_sig_result = MAP_FAILED;
		run_chain(ul_raise, SIGUSR1);
		if (ul_sig_result == MAP_FAILED)
			return -1;
	}
	return 0;
}

TEST_F(unwind, signal_frame_through_our_restorer)
{
	struct chain c;
	struct al_t_site *s;
	void *used;

	ASSERT_EQ(0, sig_install(ul_restore_rt, &used));
	ASSERT_EQ(F(ul_restore_rt), F(used));
	sig_chain(&c, ul_restore_rt);
	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_EQ(0, sig_run(&c));
	DUMP(self);
	s = site_exact(&self->d, c.frames, c.depth);
	ASSERT_NE(NULL, s) TH_LOG("no site with the frames through the signal frame");
	EXPECT_CHAIN_COUNTS(s, &c, 1);
	EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_COMPLETE,
		  s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_HOW);
}

/*
 * glibc's __restore_rt (what sigaction() installs; found through the
 * kernel, which reports the restorer back): without a table of libc the
 * walk is PARTIAL there; with a two-row table of our own for it (the
 * SIGNAL rule from the byte before it, as glibc's CFI says), COMPLETE.
 */
TEST_F(unwind, signal_frame_through_glibc_restorer)
{
	static const uint8_t sigreturn[] = { 0x48, 0xc7, 0xc0, 0x0f, 0, 0, 0, 0x0f, 0x05 };
	struct anonleak_unwind_row rows[2];
	struct al_t_upload u = { 0 };
	struct al_t_fmap libc;
	struct al_t_site *s;
	struct chain c;
	void *r;

	ASSERT_EQ(0, sig_install(NULL, &r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, al_t_fmap_of((uintptr_t)r, &libc));
	sig_chain(&c, r);
	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_EQ(0, sig_run(&c));
	DUMP(self);
	s = site_exact(&self->d, c.frames, 3);
	if (!s)
		s = site_of2(&self->d, c.frames[0], c.frames[1], &(unsigned int){0});
	ASSERT_NE(NULL, s);
	ASSERT_LE(3, s->depth);
	EXPECT_EQ(F(r), s->frames[2]);
	EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_PARTIAL,
		  s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_WALK);

	if (memcmp(r, sigreturn, sizeof(sigreturn)))
		SKIP(return, "glibc's restorer is not mov $15,%%rax; syscall");
	rows[0].off = al_t_fmap_off(&libc, (uintptr_t)r - 1);
	rows[0].rule = UL_R_SIGNAL;
	rows[1].off = rows[0].off + 1 + sizeof(sigreturn);
	rows[1].rule = UL_R_UNKNOWN;
	al_t_upload_of(&u, &libc);
	u.rows = rows;
	u.rows_bytes = sizeof(rows);
	u.rules = ul_rules;
	u.rules_bytes = sizeof(ul_rules);
	ASSERT_EQ(0, al_t_unwind_load(&u, NULL));
	ASSERT_EQ(0, sig_run(&c));
	DUMP(self);
	s = site_exact(&self->d, c.frames, c.depth);
	ASSERT_NE(NULL, s) TH_LOG("no complete stack through glibc's restorer");
	EXPECT_CHAIN_COUNTS(s, &c, 1);
	EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_COMPLETE,
		  s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_HOW);
}

/* A mixed stack: glibc's syscall() has no table, the rest has. */
TEST_F(unwind, leaf_without_table_then_tables)
{
	struct al_t_site *s;
	unsigned int n;

	ASSERT_EQ(0, table_load(&self->t, NULL));
	ASSERT_NE(MAP_FAILED, run_chain(ul_via_libc, 3 * PG));
	ASSERT_NE(MAP_FAILED, run_chain(ul_via_libc, 3 * PG));
	DUMP(self);
	n = sites_with(&self->d, F(ul_via_libc_ret));
	ASSERT_EQ(1, n);
	for (n = 0; n < self->d.n; n++)
		if (self->d.sites[n].depth == 3 &&
		    self->d.sites[n].frames[1] == F(ul_via_libc_ret))
			break;
	ASSERT_GT(self->d.n, n) TH_LOG("not [syscall(), ul_via_libc, ul_entry]");
	s = &self->d.sites[n];
	EXPECT_EQ(F(ul_entry_ret), s->frames[2]);
	EXPECT_EQ(2, s->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
	EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND | ANONLEAK_SITE_F_PARTIAL,
		  s->c[ANONLEAK_SITE_A_FLAGS] & UL_FLAGS_HOW);
}

/* Object events ---------------------------------------------------------- */

static int objects_socket(void)
{
	int fd = al_t_socket(false, false, 0), grp = al_t_group(ANONLEAK_MCGRP_OBJECTS);
	int big = 1 << 20;

	if (fd < 0 || grp < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	return fd;
}

/* Object events on @fd until none came for @quiet_ms: their number. */
static unsigned int objects_read(int fd, int quiet_ms, struct al_t_objev *evs,
				 unsigned int max)
{
	static uint8_t buf[1 << 16];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int n = 0;

	while (poll(&p, 1, quiet_ms) == 1) {
		struct nlmsghdr *nlh = (void *)buf;
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		int l = len;

		if (len < 0)
			break;
		for (; NLMSG_OK(nlh, l); nlh = NLMSG_NEXT(nlh, l)) {
			struct al_t_objev ev;

			if (al_t_objev_parse(nlh, &ev))
				continue;
			if (n < max)
				evs[n] = ev;
			n++;
		}
	}
	return n;
}

TEST_F(unwind, object_event_for_a_new_executable_file)
{
	int quiet = (int)(500 * time_factor());
	struct al_t_objev ev[4];
	struct al_t_stats st0, st1;
	struct stat st, st2;
	struct al_t_upload u = { 0 };
	struct anonleak_unwind_row row = { 0, UL_R_UNKNOWN };
	int sk, fd, fd2;
	void *p, *q;

	sk = objects_socket();
	ASSERT_LE(0, sk);
	ASSERT_NE(MAP_FAILED, ul_leaf(PG));	/* tracked from now on */
	fd = al_t_exec_file(&st);
	fd2 = al_t_exec_file(&st2);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, al_t_stats(&st0));
	p = mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(1, objects_read(sk, quiet, ev, 4));
	EXPECT_EQ((uint32_t)getpid(), ev[0].pid);
	EXPECT_EQ(al_t_kdev(st.st_dev), ev[0].dev);
	EXPECT_EQ(st.st_ino, ev[0].ino);
	EXPECT_EQ(F(p), ev[0].start);
	EXPECT_EQ(F(p) + PG, ev[0].end);
	/* Once per file for a while: the same file again says nothing. */
	q = mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, objects_read(sk, quiet, ev, 4));
	/* A file that has its table is not announced. */
	al_t_upload_of_stat(&u, &st2);
	u.rows = &row;
	u.rows_bytes = sizeof(row);
	u.rules = ul_rules;
	u.rules_bytes = sizeof(ul_rules);
	ASSERT_EQ(0, al_t_unwind_load(&u, NULL));
	ASSERT_NE(MAP_FAILED, mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd2, 0));
	EXPECT_EQ(0, objects_read(sk, quiet, ev, 4));
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_EQ(1, st1.c[ANONLEAK_STATS_A_OBJECT_EVENTS] -
		     st0.c[ANONLEAK_STATS_A_OBJECT_EVENTS]);
	EXPECT_EQ(0, st1.c[ANONLEAK_STATS_A_OBJECT_EVENTS_DROPPED] -
		     st0.c[ANONLEAK_STATS_A_OBJECT_EVENTS_DROPPED]);
	close(fd);
	close(fd2);
	close(sk);
}

TEST_F(unwind, object_events_are_rate_limited)
{
	enum { N = 3 * ANONLEAK_OBJECT_EVENTS_PER_SEC };
	int quiet = (int)(1000 * time_factor()), fds[N], sk;
	struct al_t_stats st0, st1;
	uint64_t sent, dropped, bound;
	struct al_t_objev ev[4];
	unsigned int i, got;
	struct stat st;
	double t0, dt;

	sk = objects_socket();
	ASSERT_LE(0, sk);
	ASSERT_NE(MAP_FAILED, ul_leaf(PG));
	for (i = 0; i < N; i++) {
		fds[i] = al_t_exec_file(&st);
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, al_t_stats(&st0));
	t0 = al_now_s();
	for (i = 0; i < N; i++)
		ASSERT_NE(MAP_FAILED, mmap(NULL, PG, PROT_READ | PROT_EXEC,
					   MAP_PRIVATE, fds[i], 0));
	dt = al_now_s() - t0;
	got = objects_read(sk, quiet, ev, 4);
	ASSERT_EQ(0, al_t_stats(&st1));
	sent = st1.c[ANONLEAK_STATS_A_OBJECT_EVENTS] - st0.c[ANONLEAK_STATS_A_OBJECT_EVENTS];
	dropped = st1.c[ANONLEAK_STATS_A_OBJECT_EVENTS_DROPPED] -
		  st0.c[ANONLEAK_STATS_A_OBJECT_EVENTS_DROPPED];
	/* The budget refills once a second: the loop spans so many windows. */
	bound = ANONLEAK_OBJECT_EVENTS_PER_SEC * ((uint64_t)floor(dt) + 2);
	al_say("object events: %u files mapped in %.3f s: %llu sent, %llu dropped, %u received\n",
	       N, dt, (unsigned long long)sent, (unsigned long long)dropped, got);
	EXPECT_EQ(sent, got);
	EXPECT_EQ(N, sent + dropped);
	EXPECT_GE(bound, sent);
	if (bound < N)
		EXPECT_LT(0, dropped);
	for (i = 0; i < N; i++)
		close(fds[i]);
	close(sk);
}

AL_TEST_MAIN
