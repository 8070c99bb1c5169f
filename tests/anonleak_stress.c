// SPDX-License-Identifier: GPL-2.0
/*
 * Stress, bounded by operation counts. WORKERS processes of THREADS threads
 * each make seeded random mmap / munmap (whole, head, tail, middle) /
 * MAP_FIXED / mremap (shrink, grow in place or moving) operations, fork
 * children that map and exit, and fork children that exec this program
 * again (it maps, cuts a hole and exits in a constructor). Every thread has
 * call sites of its own (KSITES functions) and keeps an exact model of the
 * pieces it owns and of what the module must count for each of its sites.
 *
 * Phase 1 (robustness): the churn runs while a dumper process loops
 * GET_SITES / GET_PROCS / GET_MAPPINGS and a loader process unloads and
 * reloads the module over and over. Nothing can be compared with the
 * module then; the workers check their models against /proc/self/maps, and
 * afterwards the loaded module must be self-consistent. The guest runner
 * fails the run on any kernel splat.
 *
 * Phase 2 (exact): a freshly loaded module, the same churn and the dumper,
 * in rounds. After each round every thread and the dumper pause, and this
 * process checks, for each worker: per site, live count and bytes, maps,
 * unmaps, splits, mapped and unmapped bytes equal the model's; the ranges
 * GET_MAPPINGS reports for the workers' sites are exactly the model's
 * pieces; every model piece and every recorded range is anonymous memory
 * in /proc/PID/maps. In total: every site's counters add up (live =
 * mapped - unmapped), the sums over all sites equal the module's MAPS,
 * UNMAPS, LIVE_COUNT and LIVE_BYTES, nothing was dropped or missed. Once
 * the workers have exited, their records keep exactly what was outstanding.
 *
 * Cap exhaustion under churn (small max_mappings / max_sites, drops counted
 * exactly) is tested by anonleak_faults (caps.exhausted_under_churn_drops_exact),
 * on every kernel.
 *
 * ANONLEAK_TEST_SCALE (percent, default 100) scales the operation counts
 * and the number of reloads. Prints the figures: operations held, forks,
 * execs, reloads, dumps, checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

#define WORKERS 3
#define THREADS 8
#define KSITES 4
#define MAXP 48
#define ROUNDS 3
#define EXEC_ARG "--anonleak-stress-exec"

/* ---- call sites: KSITES per thread, four flavours of mmap ---- */

#define ST_SITES(t)							\
static AL_SITE_FN(st_##t##_0, (void *a, size_t l, int f),		\
		  syscall(SYS_mmap, a, l, RW, f, -1, 0))		\
static AL_SITE_FN(st_##t##_1, (void *a, size_t l, int f),		\
		  mmap(a, l, RW, f, -1, 0))				\
static AL_SITE_FN(st_##t##_2, (void *a, size_t l, int f),		\
		  mmap(a, l, RW, f | MAP_NORESERVE, -1, 0))		\
static AL_SITE_FN(st_##t##_3, (void *a, size_t l, int f),		\
		  mmap(a, l, RW, f | MAP_POPULATE, -1, 0))

ST_SITES(0) ST_SITES(1) ST_SITES(2) ST_SITES(3)
ST_SITES(4) ST_SITES(5) ST_SITES(6) ST_SITES(7)

static AL_SITE void st_end(void)
{
}

typedef void *(*site_fn)(void *, size_t, int);
#define ST_ROW(t) { st_##t##_0, st_##t##_1, st_##t##_2, st_##t##_3 }
static site_fn const st_fn[THREADS][KSITES] = {
	ST_ROW(0), ST_ROW(1), ST_ROW(2), ST_ROW(3),
	ST_ROW(4), ST_ROW(5), ST_ROW(6), ST_ROW(7),
};

/* Sites of the fork and exec children: not in the models. */
AL_RAW_SITE(st_child)

/* Every site function in memory order of st_fn, then the two after them. */
#define ST_ALL(t) st_##t##_0, st_##t##_1, st_##t##_2, st_##t##_3
static void *const st_bounds[THREADS * KSITES + 2] = {
	ST_ALL(0), ST_ALL(1), ST_ALL(2), ST_ALL(3),
	ST_ALL(4), ST_ALL(5), ST_ALL(6), ST_ALL(7), st_end, st_child,
};

/*
 * Which thread's site (t * KSITES + k) a return address lies in, or -1.
 * A site function ends at the next function start or after 256 bytes.
 */
static int site_of(uint64_t addr)
{
	return al_fn_of(addr, st_bounds, THREADS * KSITES,
			THREADS * KSITES + 2);
}

/* The innermost of our site functions on a site's stack. */
static int site_of_site(const struct al_t_site *s)
{
	unsigned int j;
	int k;

	for (j = 1; j < s->depth; j++) {
		k = site_of(s->frames[j]);
		if (k >= 0)
			return k;
	}
	return -1;
}

/* ---- the exec child: this program again, with EXEC_ARG ---- */

static void __attribute__((constructor)) exec_child(int argc, char **argv)
{
	char *p;

	if (argc < 2 || strcmp(argv[1], EXEC_ARG))
		return;
	p = st_child(3 * PG);
	if (p == MAP_FAILED)
		_exit(1);
	p[0] = 1;
	_exit(munmap(p + PG, PG) ? 2 : 0);
}

/* ---- per-thread models, in memory shared with this process ---- */

/* What the module must count for one site (all its stacks together). */
struct sitec {
	uint64_t maps, unmaps, splits, mapped, unmapped, live_count, live_bytes;
};

struct tmodel {
	unsigned int seed;
	int t;
	int n;
	struct al_piece p[MAXP];
	struct sitec c[KSITES];
	unsigned long ops, maps, unmaps, fixed, mremaps, forks, execs;
	unsigned long failures;
	char why[160];
};

struct shared {
	pthread_barrier_t done, go;	/* phase 2: threads + this process */
	unsigned int ops;		/* per thread and round */
	unsigned int rounds;
	int exact;			/* phase 2: barriers between rounds */
	pid_t workers[WORKERS];
	struct tmodel m[WORKERS][THREADS];
	/* dumper */
	int pause, paused, stop;
	unsigned long dumps_ok, dumps_err, dump_msgs, dump_intr;
	unsigned long dump_bad;		/* phase 2: unexpected errors */
	int dump_bad_err;
	/* loader */
	int churning;
	unsigned long reloads, rmmod_busy;
	char loader_why[160];
};

static struct shared *S;

static unsigned int rnd(struct tmodel *m, unsigned int n)
{
	return rand_r(&m->seed) % n;
}

static void failed(struct tmodel *m, const char *what)
{
	int e = errno;

	if (!m->failures++)
		snprintf(m->why, sizeof(m->why), "thread %d: %s: %s", m->t,
			 what, strerror(e));
}

static void add(struct tmodel *m, uintptr_t s, uintptr_t e, int site)
{
	al_piece_add(m->p, &m->n, s, e, site);
}

/* A new mapping [s, e) from site k. */
static void mapped(struct tmodel *m, uintptr_t s, uintptr_t e, int k)
{
	struct sitec *c = &m->c[k];

	add(m, s, e, k);
	c->maps++;
	c->mapped += e - s;
	c->live_count++;
	c->live_bytes += e - s;
	m->maps++;
}

/* [s, e), inside piece i, goes away (munmap, MAP_FIXED, mremap shrink). */
static void cut(struct tmodel *m, int i, uintptr_t s, uintptr_t e)
{
	struct al_piece q = al_piece_cut(m->p, &m->n, i, s, e);
	struct sitec *c = &m->c[q.site];

	c->unmapped += e - s;
	c->live_bytes -= e - s;
	if (q.start < s && e < q.end) {
		c->splits++;
		c->live_count++;
	} else if (s <= q.start && q.end <= e) {
		c->unmaps++;
		c->live_count--;
	}
}

static void op_map(struct tmodel *m)
{
	int k = rnd(m, KSITES);
	size_t len = (1 + rnd(m, 8)) * PG;
	void *p = st_fn[m->t][k](NULL, len, PA);

	if (p == MAP_FAILED)
		return failed(m, "mmap");
	mapped(m, (uintptr_t)p, (uintptr_t)p + len, k);
}

/* munmap of a piece, whole or a random part (head, tail or middle). */
static void op_unmap(struct tmodel *m, bool whole)
{
	int i = rnd(m, m->n);
	uintptr_t s = m->p[i].start, e = m->p[i].end;

	if (!whole)
		al_piece_part(&m->p[i], &m->seed, &s, &e);
	if (munmap((void *)s, e - s))
		return failed(m, "munmap");
	cut(m, i, s, e);
	m->unmaps++;
}

/* MAP_FIXED from another of the thread's sites over part of a piece. */
static void op_fixed(struct tmodel *m)
{
	int i = rnd(m, m->n), k = rnd(m, KSITES);
	uintptr_t s, e;

	al_piece_part(&m->p[i], &m->seed, &s, &e);
	if (st_fn[m->t][k]((void *)s, e - s, PA | MAP_FIXED) != (void *)s)
		return failed(m, "mmap MAP_FIXED");
	cut(m, i, s, e);
	m->maps--;
	mapped(m, s, e, k);
	m->fixed++;
}

/* mremap of a whole piece: shrink, grow in place or moving, move. */
static void op_mremap(struct tmodel *m)
{
	int i = rnd(m, m->n);
	struct al_piece q = m->p[i];
	size_t old = q.end - q.start, len = (1 + rnd(m, 12)) * PG;
	struct sitec *c = &m->c[q.site];
	void *p;

	p = mremap((void *)q.start, old, len, rnd(m, 2) ? MREMAP_MAYMOVE : 0);
	if (p == MAP_FAILED) {
		/* growing in place without room fails; nothing changed */
		if (errno != ENOMEM)
			failed(m, "mremap");
		return;
	}
	m->mremaps++;
	if (len < old) {
		if (p != (void *)q.start)
			return failed(m, "mremap shrink moved");
		cut(m, i, q.start + len, q.end);
		return;
	}
	al_piece_del(m->p, &m->n, i);
	add(m, (uintptr_t)p, (uintptr_t)p + len, q.site);
	c->mapped += len - old;
	c->live_bytes += len - old;
}

static void op_fork(struct tmodel *m, bool exec)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return failed(m, "fork");
	if (!pid) {
		char *p;

		if (exec) {
			execl("/proc/self/exe", "al_stress_exec", EXEC_ARG,
			      (char *)NULL);
			_exit(127);
		}
		p = st_child(2 * PG);
		if (p == MAP_FAILED)
			_exit(1);
		p[0] = 1;
		_exit(munmap(p, PG) ? 2 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return failed(m, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = 0;
		return failed(m, exec ? "exec child failed" : "fork child failed");
	}
	if (exec)
		m->execs++;
	else
		m->forks++;
}

/*
 * Op @i of @total this thread makes in the phase: a fork child every 50
 * ops, an exec child every 200, and at least two and one in a phase (forks
 * and execs are what costs most on the debug kernel).
 */
static void step(struct tmodel *m, unsigned int i, unsigned int total)
{
	unsigned int fe = total < 100 ? total / 2 + 1 : 50;
	unsigned int ee = total < 200 ? total : 200;
	unsigned int r = rnd(m, 10);

	/* Every op adds at most two pieces: keep room for them. */
	if (m->n >= MAXP - 4)
		op_unmap(m, true);
	else if (m->n < 4 || r < 3)
		op_map(m);
	else if (r < 5)
		op_unmap(m, false);
	else if (r < 6)
		op_unmap(m, true);
	else if (r < 8)
		op_fixed(m);
	else
		op_mremap(m);
	m->ops++;
	if (i % fe == fe / 2)
		op_fork(m, false);
	if (i % ee == ee - 1)
		op_fork(m, true);
}

static void *st_thread(void *arg)
{
	struct tmodel *m = arg;
	unsigned int r, i;

	for (r = 0; r < S->rounds; r++) {
		for (i = 0; i < S->ops; i++)
			step(m, r * S->ops + i, S->rounds * S->ops);
		if (S->exact) {
			pthread_barrier_wait(&S->done);
			pthread_barrier_wait(&S->go);
		}
	}
	return NULL;
}

/* Phase 1: the worker checks its own models against its maps. */
static unsigned long self_check(int w)
{
	unsigned long bad = 0;
	struct al_vmas v;
	int t, i;

	al_anon_vmas(0, AL_VMA_MERGE, &v);
	for (t = 0; t < THREADS; t++) {
		struct tmodel *m = &S->m[w][t];

		for (i = 0; i < m->n; i++)
			if (!al_vmas_cover(&v, m->p[i].start, m->p[i].end)) {
				if (!bad++)
					al_say("worker %d thread %d: piece %lx-%lx not anonymous memory\n",
					       w, t, m->p[i].start, m->p[i].end);
			}
	}
	free(v.v);
	return bad;
}

static void worker(int w)
{
	pthread_t th[THREADS];
	unsigned long bad = 0;
	int t;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (t = 0; t < THREADS; t++) {
		struct tmodel *m = &S->m[w][t];

		m->t = t;
		m->seed = 0x57e55 + 1000 * w + t + (S->exact ? 500 : 0);
		if (pthread_create(&th[t], NULL, st_thread, m))
			_exit(3);
	}
	for (t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	if (!S->exact)
		bad = self_check(w);
	_exit(bad ? 1 : 0);
}

/* ---- the dumper ---- */

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	__atomic_add_fetch(&S->dump_msgs, 1, __ATOMIC_RELAXED);
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		__atomic_add_fetch(&S->dump_intr, 1, __ATOMIC_RELAXED);
	return MNL_CB_OK;
}

static void dumped(int err)
{
	/*
	 * With the module loaded throughout (phase 2) the only error is
	 * -ESRCH: GET_MAPPINGS of a worker before its first mapping or after
	 * its exit.
	 */
	if (err && S->exact && err != -ESRCH && !S->dump_bad++)
		S->dump_bad_err = err;
	if (err)
		__atomic_add_fetch(&S->dumps_err, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&S->dumps_ok, 1, __ATOMIC_RELAXED);
}

static void dumper(void)
{
	struct al_t_dump d;
	unsigned int i;
	uint32_t pid;
	int fam;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 0; !__atomic_load_n(&S->stop, __ATOMIC_ACQUIRE); i++) {
		if (__atomic_load_n(&S->pause, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&S->paused, 1, __ATOMIC_RELEASE);
			while (__atomic_load_n(&S->pause, __ATOMIC_ACQUIRE))
				usleep(1000);
			__atomic_store_n(&S->paused, 0, __ATOMIC_RELEASE);
		}
		/* Errors are expected while the module is away (phase 1). */
		dumped(al_t_sites_tries(0, &d, 1));
		if (d.intr)
			__atomic_add_fetch(&S->dump_intr, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&S->dump_msgs, d.n, __ATOMIC_RELAXED);
		free(d.sites);
		fam = al_t_family();
		if (fam < 0) {
			dumped(fam);
			usleep(2000);
			continue;
		}
		dumped(al_t_req(fam, ANONLEAK_CMD_GET_PROCS, NLM_F_DUMP, NULL,
				NULL, count_cb, NULL, NULL));
		pid = S->workers[i % WORKERS];
		/* -ESRCH before the worker's first mapping: fine too */
		if (pid)
			dumped(al_t_req(fam, ANONLEAK_CMD_GET_MAPPINGS, NLM_F_DUMP,
					al_t_put_pid, &pid, count_cb, NULL, NULL));
		usleep(2000);
	}
	_exit(0);
}

static void dumper_pause(bool on)
{
	int i;

	__atomic_store_n(&S->pause, on, __ATOMIC_RELEASE);
	for (i = 0; on && i < 60000; i++) {
		if (__atomic_load_n(&S->paused, __ATOMIC_ACQUIRE))
			break;
		usleep(1000);
	}
}

/* ---- the loader ---- */

static int unload(void)
{
	return al_ko_remove(&S->rmmod_busy);
}

static int reload(void)
{
	int err = unload();

	return err ? err : al_ko_insert();
}

static void loader(unsigned int min, unsigned int max)
{
	unsigned int seed = 77;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (S->reloads < max &&
	       (S->reloads < min || __atomic_load_n(&S->churning, __ATOMIC_ACQUIRE))) {
		/* loaded for a while, so that records pile up */
		usleep(20000 + rand_r(&seed) % 150000);
		err = unload();
		if (err) {
			snprintf(S->loader_why, sizeof(S->loader_why),
				 "rmmod: %s", strerror(-err));
			_exit(1);
		}
		usleep(rand_r(&seed) % 20000);
		err = al_ko_insert();
		if (err) {
			snprintf(S->loader_why, sizeof(S->loader_why),
				 "insmod: %s", strerror(-err));
			_exit(1);
		}
		S->reloads++;
	}
	_exit(0);
}

/* ---- the checks ---- */

static unsigned long checks;

#define CHECK_EQ(want, got, fmt, ...) do {				\
	checks++;							\
	EXPECT_EQ(want, got) TH_LOG(fmt, ##__VA_ARGS__);		\
} while (0)

#define CHECK_TRUE(cond, fmt, ...) do {					\
	checks++;							\
	EXPECT_TRUE(cond) TH_LOG(fmt, ##__VA_ARGS__);			\
} while (0)

struct totals {
	uint64_t maps, unmaps, run_count, run_bytes;
	unsigned int sites, bad;
};

static void sum_sites(const struct al_t_dump *d, struct totals *t)
{
	char why[512];
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < d->n; i++) {
		t->maps += d->sites[i].c[ANONLEAK_SITE_A_TOTAL_MAPS];
		t->unmaps += d->sites[i].c[ANONLEAK_SITE_A_TOTAL_UNMAPS];
	}
	al_t_sum_live(d, true, &t->run_count, &t->run_bytes);
	t->sites = d->n;
	/* Counts of exited processes are what was outstanding at exit. */
	t->bad = al_t_sites_bad(d, true, why, sizeof(why));
	if (t->bad)
		al_say("%s\n", why);
}

static bool stats_same(const struct al_t_stats *a, const struct al_t_stats *b)
{
	return a->c[ANONLEAK_STATS_A_MAPS] == b->c[ANONLEAK_STATS_A_MAPS] &&
	       a->c[ANONLEAK_STATS_A_UNMAPS] == b->c[ANONLEAK_STATS_A_UNMAPS] &&
	       a->c[ANONLEAK_STATS_A_LIVE_COUNT] == b->c[ANONLEAK_STATS_A_LIVE_COUNT] &&
	       a->c[ANONLEAK_STATS_A_LIVE_BYTES] == b->c[ANONLEAK_STATS_A_LIVE_BYTES];
}

/*
 * A dump of every site with the stats around it unchanged, once the reaper
 * has freed the ranges of exited processes (LIVE_COUNT counts ranges).
 */
static int quiet_dump(struct al_t_dump *d, struct al_t_stats *st,
		      struct totals *t)
{
	struct al_t_stats st2;
	int i, err = 0;

	for (i = 0; i < 100; i++) {
		err = al_t_stats(st);
		if (!err)
			err = al_t_sites(0, d);
		if (!err)
			err = al_t_stats(&st2);
		if (err)
			return err;
		sum_sites(d, t);
		if (!d->intr && stats_same(st, &st2) &&
		    st->c[ANONLEAK_STATS_A_LIVE_COUNT] == t->run_count &&
		    st->c[ANONLEAK_STATS_A_SITES] == t->sites)
			return 0;
		free(d->sites);
		usleep(50000);
	}
	return al_t_sites(0, d) ?: (sum_sites(d, t), 0);
}

static void check_totals(struct __test_metadata *_metadata,
			 const struct al_t_stats *st, const struct totals *t,
			 bool exact_maps)
{
	CHECK_EQ(0, t->bad, "%u of %u sites do not add up", t->bad, t->sites);
	CHECK_EQ(st->c[ANONLEAK_STATS_A_LIVE_COUNT], t->run_count,
		 "LIVE_COUNT vs the running processes' sites");
	CHECK_EQ(st->c[ANONLEAK_STATS_A_LIVE_BYTES], t->run_bytes,
		 "LIVE_BYTES vs the running processes' sites");
	CHECK_EQ(st->c[ANONLEAK_STATS_A_SITES], t->sites, "SITES");
	if (!exact_maps)
		return;
	CHECK_EQ(st->c[ANONLEAK_STATS_A_MAPS], t->maps, "MAPS vs sum of sites");
	CHECK_EQ(st->c[ANONLEAK_STATS_A_UNMAPS], t->unmaps,
		 "UNMAPS vs sum of sites");
	CHECK_EQ(0, st->c[ANONLEAK_STATS_A_DROPS], "drops");
	CHECK_EQ(0, st->c[ANONLEAK_STATS_A_DROPS_EXITED], "exited dropped");
	CHECK_EQ(0, st->c[ANONLEAK_STATS_A_MISSED], "probe hits missed");
}

/*
 * Worker @w against its models: per site; its recorded ranges; its maps.
 * @running: the worker is paused (else it has exited: counters only).
 */
static void check_worker(struct __test_metadata *_metadata, int w,
			 const struct al_t_dump *d, bool running)
{
	struct sitec got[THREADS * KSITES];
	uint64_t ids[1024];
	int idsite[1024], nids = 0, t, k, i;
	struct al_t_mapping *want;
	unsigned int j, nw = 0, nmine = 0, outside = 0;
	struct al_t_maps r = { 0 };
	struct al_vmas v;
	pid_t pid = S->workers[w];

	memset(got, 0, sizeof(got));
	for (j = 0; j < d->n; j++) {
		const struct al_t_site *s = &d->sites[j];
		struct sitec *g;

		if (s->pid != (uint32_t)pid)
			continue;
		CHECK_EQ(running ? ANONLEAK_PROC_RUNNING : ANONLEAK_PROC_EXITED,
			 s->state, "worker %d state", w);
		k = site_of_site(s);
		if (k < 0)
			continue;
		if (nids < 1024) {
			ids[nids] = s->c[ANONLEAK_SITE_A_ID];
			idsite[nids++] = k;
		}
		g = &got[k];
		g->maps += s->c[ANONLEAK_SITE_A_TOTAL_MAPS];
		g->unmaps += s->c[ANONLEAK_SITE_A_TOTAL_UNMAPS];
		g->splits += s->c[ANONLEAK_SITE_A_SPLITS];
		g->mapped += s->c[ANONLEAK_SITE_A_MAPPED_BYTES];
		g->unmapped += s->c[ANONLEAK_SITE_A_UNMAPPED_BYTES];
		g->live_count += s->c[ANONLEAK_SITE_A_LIVE_COUNT];
		g->live_bytes += s->c[ANONLEAK_SITE_A_LIVE_BYTES];
	}
	for (t = 0; t < THREADS; t++)
		for (k = 0; k < KSITES; k++) {
			const struct sitec *m = &S->m[w][t].c[k];
			const struct sitec *g = &got[t * KSITES + k];

			CHECK_EQ(m->maps, g->maps, "w%d t%d site %d maps", w, t, k);
			CHECK_EQ(m->unmaps, g->unmaps, "w%d t%d site %d unmaps", w, t, k);
			CHECK_EQ(m->splits, g->splits, "w%d t%d site %d splits", w, t, k);
			CHECK_EQ(m->mapped, g->mapped, "w%d t%d site %d mapped", w, t, k);
			CHECK_EQ(m->unmapped, g->unmapped, "w%d t%d site %d unmapped", w, t, k);
			CHECK_EQ(m->live_count, g->live_count, "w%d t%d site %d live", w, t, k);
			CHECK_EQ(m->live_bytes, g->live_bytes, "w%d t%d site %d live bytes", w, t, k);
		}
	if (!running)
		return;

	/* The recorded ranges of the workers' sites are the model's pieces. */
	want = calloc(THREADS * MAXP, sizeof(*want));
	for (t = 0; t < THREADS; t++)
		for (i = 0; i < S->m[w][t].n; i++) {
			const struct al_piece *p = &S->m[w][t].p[i];

			want[nw].start = p->start;
			want[nw].len = p->end - p->start;
			want[nw++].site_id = t * KSITES + p->site;
		}
	qsort(want, nw, sizeof(*want), al_t_mapping_cmp);
	CHECK_EQ(0, al_t_mappings(pid, &r, NULL), "GET_MAPPINGS of worker %d", w);
	CHECK_TRUE(!r.intr, "GET_MAPPINGS interrupted");
	CHECK_TRUE(!al_anon_vmas(pid, AL_VMA_MERGE, &v) && v.n > 0,
		   "/proc/%d/maps", pid);
	for (j = 0; j < r.n; j++) {
		struct al_t_mapping x = r.v[j];

		if (!al_vmas_cover(&v, x.start, x.start + x.len) && !outside++)
			TH_LOG("worker %d: recorded range %llx+%llx not anonymous memory",
			       w, (unsigned long long)x.start,
			       (unsigned long long)x.len);
		for (i = 0; i < nids && ids[i] != x.site_id; i++)
			;
		if (i == nids)
			continue;	/* a site of libc's: stacks and so on */
		x.site_id = idsite[i];
		if (nmine < nw &&
		    (want[nmine].start != x.start || want[nmine].len != x.len ||
		     want[nmine].site_id != x.site_id))
			TH_LOG("worker %d: range %u: recorded %llx+%llx site %llu, model %llx+%llx site %llu",
			       w, nmine, (unsigned long long)x.start,
			       (unsigned long long)x.len,
			       (unsigned long long)x.site_id,
			       (unsigned long long)want[nmine].start,
			       (unsigned long long)want[nmine].len,
			       (unsigned long long)want[nmine].site_id);
		else
			checks++;
		nmine++;
	}
	CHECK_EQ(0, outside, "worker %d: recorded ranges outside anonymous memory", w);
	CHECK_EQ(nw, nmine, "worker %d: recorded ranges of its sites", w);
	for (j = 0; j < nw; j++)
		if (!al_vmas_cover(&v, want[j].start, want[j].start + want[j].len))
			break;
	CHECK_EQ(nw, j, "worker %d: model piece %llx+%llx not anonymous memory",
		 w, j < nw ? (unsigned long long)want[j].start : 0ULL,
		 j < nw ? (unsigned long long)want[j].len : 0ULL);
	checks += nw;
	free(v.v);
	free(r.v);
	free(want);
}

static void sum_models(unsigned long *ops, unsigned long *forks,
		       unsigned long *execs, unsigned long *fixed,
		       unsigned long *mremaps, unsigned long *fails)
{
	int w, t;

	*ops = *forks = *execs = *fixed = *mremaps = *fails = 0;
	for (w = 0; w < WORKERS; w++)
		for (t = 0; t < THREADS; t++) {
			struct tmodel *m = &S->m[w][t];

			*ops += m->ops;
			*forks += m->forks;
			*execs += m->execs;
			*fixed += m->fixed;
			*mremaps += m->mremaps;
			if (m->failures && !*fails)
				al_say("%s\n", m->why);
			*fails += m->failures;
		}
}

/*
 * A phase: WORKERS processes of THREADS threads, @ops operations per
 * thread and round, @rounds rounds (@exact: barriers between them), and
 * the dumper; its pid.
 */
static pid_t start_phase(struct __test_metadata *_metadata, unsigned int ops,
			 unsigned int rounds, int exact)
{
	pid_t dpid;
	int w;

	S->ops = ops;
	S->rounds = rounds;
	S->exact = exact;
	S->churning = !exact;
	memset(S->m, 0, sizeof(S->m));
	for (w = 0; w < WORKERS; w++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid)
			worker(w);
		S->workers[w] = pid;
	}
	dpid = fork();
	ASSERT_LE(0, dpid);
	if (!dpid)
		dumper();
	return dpid;
}

static int wait_workers(void)
{
	int w, status, bad = 0;

	for (w = 0; w < WORKERS; w++) {
		if (waitpid(S->workers[w], &status, 0) != S->workers[w] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	return bad;
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
	pthread_barrierattr_t ba;

	/* Our own dump buffers must not be mappings (brk only). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	S = mmap(NULL, sizeof(*S), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, S);
	memset(S, 0, sizeof(*S));
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	ASSERT_EQ(0, pthread_barrier_init(&S->done, &ba, WORKERS * THREADS + 1));
	ASSERT_EQ(0, pthread_barrier_init(&S->go, &ba, WORKERS * THREADS + 1));
	if (!al_ko_loaded())
		al_ko_insert();
}

FIXTURE_TEARDOWN(stress)
{
	if (!al_ko_loaded())
		al_ko_insert();
	munmap(S, sizeof(*S));
}

TEST_F_TIMEOUT(stress, churn_while_dumping_and_reloading, 600)
{
	unsigned int min = al_scale(8, 3);
	unsigned long ops, forks, execs, fixed, mremaps, fails;
	struct al_t_stats st;
	struct al_t_dump d;
	struct totals t;
	pid_t dpid, lpid;
	int status, bad;
	double t0 = al_now_s();

	dpid = start_phase(_metadata, al_scale(800, 40), 1, 0);
	lpid = fork();
	ASSERT_LE(0, lpid);
	if (!lpid)
		loader(min, 4 * min);

	bad = wait_workers();
	__atomic_store_n(&S->churning, 0, __ATOMIC_RELEASE);
	ASSERT_EQ(lpid, waitpid(lpid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("loader: %s", S->loader_why);
	__atomic_store_n(&S->stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(dpid, waitpid(dpid, &status, 0));

	sum_models(&ops, &forks, &execs, &fixed, &mremaps, &fails);
	EXPECT_EQ(0, bad) TH_LOG("a worker failed (its pieces vs its maps)");
	EXPECT_EQ(0, fails);
	EXPECT_LE(min, S->reloads);
	EXPECT_LT(0, S->dumps_ok);
	al_say("phase 1: %d processes x %d threads x %u ops: %lu ops (%lu MAP_FIXED, %lu mremap), %lu forks, %lu execs; %lu reloads (%lu rmmod retries), %lu dumps ok, %lu failed, %lu messages (%lu interrupted); %.1f s\n",
	       WORKERS, THREADS, S->ops, ops, fixed, mremaps, forks, execs,
	       S->reloads, S->rmmod_busy, S->dumps_ok, S->dumps_err, S->dump_msgs,
	       S->dump_intr, al_now_s() - t0);

	/* Loaded again, quiet: whatever it recorded since adds up. */
	ASSERT_EQ(0, quiet_dump(&d, &st, &t));
	check_totals(_metadata, &st, &t, false);
	free(d.sites);
}

TEST_F_TIMEOUT(stress, exact_accounting_under_churn, 600)
{
	unsigned long ops, forks, execs, fixed, mremaps, fails;
	struct al_t_stats st;
	struct al_t_dump d;
	struct totals t;
	unsigned int r;
	int w, status;
	pid_t dpid;
	double t0 = al_now_s();

	/* From a fresh load, keeping every exited process: exact totals. */
	ASSERT_EQ(0, reload());
	ASSERT_LT(0, al_t_family());
	ASSERT_EQ(0, al_t_set_config1(ANONLEAK_CONFIG_A_MAX_EXITED, 1 << 20));

	dpid = start_phase(_metadata, al_scale(400, 20), ROUNDS, 1);

	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&S->done);
		dumper_pause(true);
		EXPECT_EQ(0, quiet_dump(&d, &st, &t));
		check_totals(_metadata, &st, &t, true);
		for (w = 0; w < WORKERS; w++)
			check_worker(_metadata, w, &d, true);
		free(d.sites);
		dumper_pause(false);
		pthread_barrier_wait(&S->go);
	}
	EXPECT_EQ(0, wait_workers());
	__atomic_store_n(&S->stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(dpid, waitpid(dpid, &status, 0));

	/* The workers have exited: their records keep what was outstanding. */
	ASSERT_EQ(0, quiet_dump(&d, &st, &t));
	check_totals(_metadata, &st, &t, true);
	for (w = 0; w < WORKERS; w++)
		check_worker(_metadata, w, &d, false);
	free(d.sites);

	sum_models(&ops, &forks, &execs, &fixed, &mremaps, &fails);
	EXPECT_EQ(0, fails);
	EXPECT_EQ(0, S->dump_bad) TH_LOG("dump error %d", S->dump_bad_err);
	al_say("phase 2: %d processes x %d threads x %u rounds x %u ops: %lu ops (%lu MAP_FIXED, %lu mremap), %lu forks, %lu execs; %lu dumps ok, %lu failed; %lu checks; %.1f s\n",
	       WORKERS, THREADS, ROUNDS, S->ops, ops, fixed, mremaps, forks, execs,
	       S->dumps_ok, S->dumps_err, checks, al_now_s() - t0);
}

AL_TEST_MAIN
