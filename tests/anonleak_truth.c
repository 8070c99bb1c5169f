// SPDX-License-Identifier: GPL-2.0
/*
 * Ground truth: several threads make thousands of seeded random
 * mmap / munmap / MAP_FIXED / mremap operations, each keeping an exact model
 * of the pieces it owns and which site made them. Afterwards every piece of
 * the model must be an anonymous mapping in /proc/self/maps, and the module
 * must report, per site, exactly the model's piece count and bytes.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

#define NSITES 4
#define MAXP 128

AL_SITE_FN(gt_site0, (void *a, size_t l, int f),
	   syscall(SYS_mmap, a, l, RW, f, -1, 0))
AL_SITE_FN(gt_site1, (void *a, size_t l, int f), mmap(a, l, RW, f, -1, 0))
AL_SITE_FN(gt_site2, (void *a, size_t l, int f),
	   mmap(a, l, RW, f | MAP_NORESERVE, -1, 0))
AL_SITE_FN(gt_site3, (void *a, size_t l, int f),
	   mmap(a, l, RW, f | MAP_POPULATE, -1, 0))

AL_SITE void gt_end(void)
{
}

typedef void *(*site_fn)(void *, size_t, int);
static site_fn const sites[NSITES] = { gt_site0, gt_site1, gt_site2, gt_site3 };
/* The same, and the function after them: where their bodies end. */
static void *const site_bounds[] = {
	gt_site0, gt_site1, gt_site2, gt_site3, gt_end,
};

struct worker {
	unsigned int seed;
	int steps;
	struct al_piece p[MAXP];
	int n;
	int failures;
};

static void add(struct worker *w, uintptr_t s, uintptr_t e, int site)
{
	al_piece_add(w->p, &w->n, s, e, site);
}

static void del(struct worker *w, int i)
{
	al_piece_del(w->p, &w->n, i);
}

/* Remove [s, e) from piece i (it lies inside), as the kernel does. */
static void cut(struct worker *w, int i, uintptr_t s, uintptr_t e)
{
	al_piece_cut(w->p, &w->n, i, s, e);
}

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return rand_r(&w->seed) % n;
}

static void op_map(struct worker *w)
{
	int site = rnd(w, NSITES);
	size_t len = (1 + rnd(w, 8)) * PG;
	void *p = sites[site](NULL, len, MAP_PRIVATE | MAP_ANONYMOUS);

	if (p == MAP_FAILED) {
		w->failures++;
		return;
	}
	add(w, (uintptr_t)p, (uintptr_t)p + len, site);
}

/* munmap of a random part of a piece: whole, head, tail or middle. */
static void op_unmap(struct worker *w)
{
	int i = rnd(w, w->n);
	uintptr_t s, e;

	al_piece_part(&w->p[i], &w->seed, &s, &e);
	if (munmap((void *)s, e - s)) {
		w->failures++;
		return;
	}
	cut(w, i, s, e);
}

static void op_unmap_whole(struct worker *w)
{
	int i = rnd(w, w->n);

	if (munmap((void *)w->p[i].start, w->p[i].end - w->p[i].start)) {
		w->failures++;
		return;
	}
	del(w, i);
}

/* MAP_FIXED from another site over part of a piece. */
static void op_fixed(struct worker *w)
{
	int i = rnd(w, w->n), site = rnd(w, NSITES);
	uintptr_t s, e;

	al_piece_part(&w->p[i], &w->seed, &s, &e);
	if (sites[site]((void *)s, e - s,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) != (void *)s) {
		w->failures++;
		return;
	}
	cut(w, i, s, e);
	add(w, s, e, site);
}

/* mremap of a whole piece: shrink, grow (in place or moving), move. */
static void op_mremap(struct worker *w)
{
	int i = rnd(w, w->n);
	struct al_piece q = w->p[i];
	size_t old = q.end - q.start;
	size_t len = (1 + rnd(w, 12)) * PG;
	void *p;

	p = mremap((void *)q.start, old, len, rnd(w, 2) ? MREMAP_MAYMOVE : 0);
	if (p == MAP_FAILED) {
		/* growing in place without room may fail; nothing changed */
		if (errno != ENOMEM)
			w->failures++;
		return;
	}
	del(w, i);
	add(w, (uintptr_t)p, (uintptr_t)p + len, q.site);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	int step;

	for (step = 0; step < w->steps; step++) {
		unsigned int r = rnd(w, 10);

		/* Every op adds at most two pieces: keep room for them. */
		if (w->n >= MAXP - 4)
			op_unmap_whole(w);
		else if (w->n < 4 || r < 3)
			op_map(w);
		else if (r < 6)
			op_unmap(w);
		else if (r < 8)
			op_fixed(w);
		else
			op_mremap(w);
	}
	return NULL;
}

/* The site function (0..NSITES-1) whose body holds @addr, or -1. */
static int site_of(uint64_t addr)
{
	return al_fn_of(addr, site_bounds, NSITES,
			sizeof(site_bounds) / sizeof(site_bounds[0]));
}

FIXTURE(truth) {
	struct worker w[4];
};

FIXTURE_VARIANT(truth) {
	int threads;
	int steps;
};

FIXTURE_VARIANT_ADD(truth, one_thread) {
	.threads = 1,
	.steps = 2000,
};

FIXTURE_VARIANT_ADD(truth, four_threads) {
	.threads = 4,
	.steps = 1500,
};

FIXTURE_SETUP(truth)
{
	memset(self->w, 0, sizeof(self->w));
}

FIXTURE_TEARDOWN(truth)
{
}

TEST_F(truth, random_ops_match_model_and_maps)
{
	uint64_t want_bytes[NSITES] = { 0 }, want_count[NSITES] = { 0 };
	uint64_t got_bytes[NSITES] = { 0 }, got_count[NSITES] = { 0 };
	pthread_t t[4];
	struct al_vmas anon;
	struct al_t_dump d;
	unsigned int i, j;
	int k, n = 0;

	for (k = 0; k < variant->threads; k++) {
		self->w[k].seed = 0x5eed + k;
		self->w[k].steps = al_scale(variant->steps, 200);
		ASSERT_EQ(0, pthread_create(&t[k], NULL, work, &self->w[k]));
	}
	for (k = 0; k < variant->threads; k++)
		ASSERT_EQ(0, pthread_join(t[k], NULL));

	/* Each piece inside one anonymous (pathless) mapping. */
	ASSERT_EQ(0, al_anon_vmas(0, 0, &anon));
	for (k = 0; k < variant->threads; k++) {
		struct worker *w = &self->w[k];

		EXPECT_EQ(0, w->failures);
		for (i = 0; i < (unsigned int)w->n; i++) {
			EXPECT_TRUE(al_vmas_cover(&anon, w->p[i].start, w->p[i].end))
				TH_LOG("piece %lx-%lx not an anonymous mapping",
				       w->p[i].start, w->p[i].end);
			want_bytes[w->p[i].site] += w->p[i].end - w->p[i].start;
			want_count[w->p[i].site]++;
			n++;
		}
	}
	free(anon.v);

	ASSERT_EQ(0, al_t_sites(getpid(), &d));
	for (i = 0; i < d.n; i++) {
		struct al_t_site *s = &d.sites[i];
		int site = -1;

		/* The innermost of our site functions on the stack. */
		for (j = 1; j < s->depth && site < 0; j++)
			site = site_of(s->frames[j]);
		if (site < 0)
			continue;
		got_bytes[site] += s->c[ANONLEAK_SITE_A_LIVE_BYTES];
		got_count[site] += s->c[ANONLEAK_SITE_A_LIVE_COUNT];
		EXPECT_EQ(s->c[ANONLEAK_SITE_A_LIVE_BYTES],
			  s->c[ANONLEAK_SITE_A_MAPPED_BYTES] -
			  s->c[ANONLEAK_SITE_A_UNMAPPED_BYTES]);
		EXPECT_EQ(s->c[ANONLEAK_SITE_A_LIVE_COUNT],
			  s->c[ANONLEAK_SITE_A_TOTAL_MAPS] +
			  s->c[ANONLEAK_SITE_A_SPLITS] -
			  s->c[ANONLEAK_SITE_A_TOTAL_UNMAPS]);
	}
	for (k = 0; k < NSITES; k++) {
		EXPECT_EQ(want_bytes[k], got_bytes[k]) TH_LOG("site %d bytes", k);
		EXPECT_EQ(want_count[k], got_count[k]) TH_LOG("site %d pieces", k);
	}
	TH_LOG("%d threads x %d steps: %d live pieces", variant->threads,
	       self->w[0].steps, n);
	free(d.sites);
}

AL_TEST_MAIN
