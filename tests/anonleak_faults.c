// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures injected into anonleak, on a kernel with
 * CONFIG_FAILSLAB and CONFIG_FAIL_FUNCTION (the debug lane; skipped
 * elsewhere).
 *
 * Booted with slub_debug=A,al_range,al_site_* (the debug lane does), the
 * module's slab caches are marked SLAB_FAILSLAB, so failslab's cache-filter
 * fails its own allocations and nothing else; the task-filter limits
 * failures to processes with /proc/PID/make-it-fail set. Every
 * allocation the module makes in its probes (ranges, split ranges, moved
 * ranges, sites) can fail this way:
 *   - exactly N failures are N drops, and the records are exactly the
 *     mappings that were not dropped;
 *   - random failures under random churn: nothing oopses, every site's
 *     counters add up, no record is a mapping the process does not have,
 *     and once injection stops new mappings are recorded normally.
 * fail_function on should_failslab fails every slab allocation of a task
 * making netlink requests (the module's replies and dump buffers included):
 * requests fail cleanly, later ones are exact. And failslab without the
 * cache filter fails allocations while the module loads: a load either
 * works or fails cleanly, and a normal load afterwards works.
 *
 * Prints "injected failures survived: N" (all tests of this run together).
 * ANONLEAK_TEST_SCALE (percent, default 100) scales the operation counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

#define FAILSLAB "/sys/kernel/debug/failslab"
#define FAILFN "/sys/kernel/debug/fail_function"

static int make_it_fail(pid_t pid, int on)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/make-it-fail", pid);
	return al_put(path, "%d", on);
}

/* The failure counts this program injected, across tests (shared page). */
static unsigned long *injected;

static void __attribute__((constructor)) shared_counter(void)
{
	injected = mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (injected == MAP_FAILED)
		injected = NULL;
}

/* Only the harness's main process prints the figure. */
static void __attribute__((destructor)) report(void)
{
	if (injected && injected[1] == (unsigned long)getpid())
		al_say("injected failures survived: %lu\n", injected[0]);
}

static void count_injected(unsigned long n)
{
	if (injected)
		__atomic_add_fetch(&injected[0], n, __ATOMIC_RELAXED);
}

/*
 * failslab for the module's caches only, for tasks with make-it-fail, off
 * until armed. Returns 0, or -1 when this kernel cannot.
 */
static int failslab_setup(bool cache_filter)
{
	if (access(FAILSLAB "/cache-filter", W_OK))
		return -1;
	if (al_put(FAILSLAB "/probability", "0") ||
	    al_put(FAILSLAB "/times", "0") ||
	    al_put(FAILSLAB "/interval", "1") ||
	    al_put(FAILSLAB "/space", "0") ||
	    al_put(FAILSLAB "/verbose", "0") ||
	    al_put(FAILSLAB "/task-filter", "Y") ||
	    al_put(FAILSLAB "/ignore-gfp-wait", "N") ||
	    al_put(FAILSLAB "/cache-filter", "%s", cache_filter ? "Y" : "N"))
		return -1;
	return 0;
}

static void failslab_arm(unsigned int pct, long times)
{
	al_put(FAILSLAB "/times", "%ld", times);
	al_put(FAILSLAB "/probability", "%u", pct);
}

/* Disarm; returns how many failures were injected of @times. */
static long failslab_disarm(long times)
{
	long left;

	al_put(FAILSLAB "/probability", "0");
	left = al_get(FAILSLAB "/times");
	al_put(FAILSLAB "/times", "0");
	if (left < 0)
		return -1;
	count_injected(times - left);
	return times - left;
}

AL_RAW_SITE(fl_site)
AL_RAW_SITE(fl_churn_site)

/* ---- GET_MAPPINGS, GET_SITES helpers ---- */

static int mappings(pid_t pid, struct al_t_maps *c)
{
	memset(c, 0, sizeof(*c));
	return al_t_mappings(pid, c, NULL);
}

static uint64_t stat_of(struct al_t_stats *s, int a)
{
	return s->c[a];
}

/* Every site's counters add up. Returns the number that do not. */
static unsigned int inconsistent_sites(uint32_t pid, char *why, size_t wl)
{
	struct al_t_dump d;
	unsigned int bad;

	if (al_t_sites(pid, &d)) {
		free(d.sites);
		return 1000;
	}
	bad = al_t_sites_bad(&d, false, why, wl);
	free(d.sites);
	return bad;
}

/*
 * What the CLI reports for @pid is what the module recorded: the totals of
 * "anonleak report --pid PID --json" are the sums over the process's sites.
 * Returns 0, or 1 with @why filled in.
 */
static int cli_report_differs(pid_t pid, char *why, size_t wl)
{
	const char *cli = getenv("ANONLEAK_CLI") ?: "userspace/anonleak";
	char cmd[256], want[128], out[1 << 16];
	uint64_t count, bytes;
	struct al_t_dump d;
	size_t len = 0, n;
	FILE *f;
	int st;

	if (al_t_sites(pid, &d)) {
		free(d.sites);
		snprintf(why, wl, "pid %d: GET_SITES failed", pid);
		return 1;
	}
	al_t_sum_live(&d, false, &count, &bytes);
	free(d.sites);
	snprintf(cmd, sizeof(cmd), "%s report --numeric --json --pid %d", cli, pid);
	f = popen(cmd, "r");
	if (!f) {
		snprintf(why, wl, "%s: %s", cmd, strerror(errno));
		return 1;
	}
	while ((n = fread(out + len, 1, sizeof(out) - 1 - len, f)) > 0)
		len += n;
	st = pclose(f);
	while (len && out[len - 1] == '\n')
		len--;
	out[len] = 0;
	n = snprintf(want, sizeof(want), "\"live_count\":%llu,\"live_bytes\":%llu}",
		     (unsigned long long)count, (unsigned long long)bytes);
	if (st != 0 || len < n || strcmp(out + len - n, want)) {
		snprintf(why, wl, "%s: status %#x, output ends '%s', want '%s'", cmd,
			 st, out + (len > n + 20 ? len - n - 20 : 0), want);
		return 1;
	}
	return 0;
}

/* Records that are not inside a real anonymous mapping of @pid. */
static unsigned int phantoms(pid_t pid, struct al_t_maps *rec)
{
	unsigned int i, bad = 0;
	struct al_vmas real;

	/* The heap too; merged neighbours as one. */
	al_anon_vmas(pid, AL_VMA_HEAP | AL_VMA_MERGE, &real);
	for (i = 0; i < rec->n; i++)
		bad += !al_vmas_cover(&real, rec->v[i].start,
				      rec->v[i].start + rec->v[i].len);
	free(real.v);
	return bad;
}

FIXTURE(faults) {
	bool ok;	/* failslab is there */
	bool caches;	/* and the module's caches are marked for it */
};

/* Are all the module's caches marked SLAB_FAILSLAB (slub_debug=A,...)? */
static bool caches_marked(void)
{
	static const char * const c[] = {
		"al_range", "al_site_8", "al_site_16", "al_site_24", "al_site_32",
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/failslab", c[i]);
		if (al_get(path) != 1)
			return false;
	}
	return true;
}

FIXTURE_SETUP(faults)
{
	if (geteuid())
		SKIP(return, "needs root");
	if (failslab_setup(true))
		SKIP(return, "no failslab (CONFIG_FAILSLAB, debugfs)");
	if (al_t_family() < 0)
		al_ko_ensure();
	ASSERT_LT(0, al_t_family());
	if (injected && !injected[1])
		injected[1] = getppid();
	self->ok = true;
	self->caches = caches_marked();
}

/* The tests that fail the module's own allocations and nothing else. */
#define NEED_MARKED_CACHES() do {					\
	if (!self->ok)							\
		return;		/* skipped by the setup */		\
	if (!self->caches)						\
		SKIP(return, "the module's caches are not marked for failslab: boot with slub_debug=A,al_range,al_site_*"); \
} while (0)

FIXTURE_TEARDOWN(faults)
{
	al_put(FAILSLAB "/probability", "0");
	al_put(FAILSLAB "/times", "0");
	al_put(FAILFN "/inject", "%s", "");
	al_ko_ensure();
}

/* N failures, N drops; the records are the mappings not dropped. */
TEST_F(faults, exact_drops_for_ranges)
{
	enum { M = 40, N = 7 };
	struct al_t_stats s0, s1;
	struct al_t_maps rec;
	void *p[M];
	unsigned int i, j, found = 0;

	NEED_MARKED_CACHES();
	ASSERT_NE(MAP_FAILED, fl_site(PG));	/* the site exists */
	ASSERT_EQ(0, al_t_stats(&s0));
	ASSERT_EQ(0, make_it_fail(getpid(), 1));
	failslab_arm(100, N);
	for (i = 0; i < M; i++)
		p[i] = fl_site(2 * PG);
	EXPECT_EQ(N, failslab_disarm(N));
	ASSERT_EQ(0, make_it_fail(getpid(), 0));
	for (i = 0; i < M; i++)
		ASSERT_NE(MAP_FAILED, p[i]);

	ASSERT_EQ(0, al_t_stats(&s1));
	EXPECT_EQ(N, stat_of(&s1, ANONLEAK_STATS_A_DROPS_NOMEM) -
		     stat_of(&s0, ANONLEAK_STATS_A_DROPS_NOMEM));
	EXPECT_EQ(M - N, stat_of(&s1, ANONLEAK_STATS_A_MAPS) -
			 stat_of(&s0, ANONLEAK_STATS_A_MAPS));
	ASSERT_EQ(0, mappings(getpid(), &rec));
	for (i = 0; i < M; i++)
		for (j = 0; j < rec.n; j++)
			if (rec.v[j].start == (uintptr_t)p[i] &&
			    rec.v[j].len == 2 * PG) {
				/* Only the first N were dropped. */
				EXPECT_LE(N, i);
				found++;
			}
	EXPECT_EQ(M - N, found);
	EXPECT_EQ(0, inconsistent_sites(getpid(), NULL, 0));
	free(rec.v);
}

/* A range cut in two needs a new record: a failure loses the right part. */
TEST_F(faults, exact_drops_for_splits)
{
	enum { M = 12, N = 5 };
	struct al_t_stats s0, s1;
	struct al_t_maps rec;
	char *p[M];
	unsigned int i, j, left = 0, right = 0;
	char why[512] = "";

	NEED_MARKED_CACHES();
	for (i = 0; i < M; i++) {
		p[i] = fl_site(5 * PG);
		ASSERT_NE(MAP_FAILED, p[i]);
	}
	ASSERT_EQ(0, al_t_stats(&s0));
	ASSERT_EQ(0, make_it_fail(getpid(), 1));
	failslab_arm(100, N);
	for (i = 0; i < M; i++)
		ASSERT_EQ(0, munmap(p[i] + 2 * PG, PG));
	EXPECT_EQ(N, failslab_disarm(N));
	ASSERT_EQ(0, make_it_fail(getpid(), 0));

	ASSERT_EQ(0, al_t_stats(&s1));
	EXPECT_EQ(N, stat_of(&s1, ANONLEAK_STATS_A_DROPS_NOMEM) -
		     stat_of(&s0, ANONLEAK_STATS_A_DROPS_NOMEM));
	ASSERT_EQ(0, mappings(getpid(), &rec));
	for (i = 0; i < M; i++)
		for (j = 0; j < rec.n; j++) {
			if (rec.v[j].start == (uintptr_t)p[i] &&
			    rec.v[j].len == 2 * PG)
				left++;
			if (rec.v[j].start == (uintptr_t)(p[i] + 3 * PG) &&
			    rec.v[j].len == 2 * PG) {
				EXPECT_LE(N, i);
				right++;
			}
		}
	EXPECT_EQ(M, left);
	EXPECT_EQ(M - N, right);
	EXPECT_EQ(0, inconsistent_sites(getpid(), why, sizeof(why)))
		TH_LOG("%s", why);
	free(rec.v);
}

/* mremap() of a whole range to @n bytes, moving it if need be. */
static void regrow(char **live, size_t *len, size_t n)
{
	void *q = mremap(*live, *len, n, MREMAP_MAYMOVE);

	if (q != MAP_FAILED) {
		*live = q;
		*len = n;
	}
}

/* Random churn in several processes with failures at random. */
static void churn(unsigned int seed, unsigned int ops)
{
	enum { SLOTS = 48 };
	char *live[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	unsigned int i, k;

	for (i = 0; i < ops; i++) {
		k = rand_r(&seed) % SLOTS;
		if (!live[k]) {
			len[k] = (1 + rand_r(&seed) % 6) * PG;
			live[k] = fl_churn_site(len[k]);
			if (live[k] == MAP_FAILED)
				live[k] = NULL;
			continue;
		}
		switch (rand_r(&seed) % 5) {
		case 0:
			munmap(live[k], len[k]);
			live[k] = NULL;
			break;
		case 1:
			regrow(&live[k], &len[k], (1 + rand_r(&seed) % 8) * PG);
			break;
		case 2:
			/* a hole in the middle: a split */
			if (len[k] >= 3 * PG) {
				munmap(live[k] + PG, PG);
				munmap(live[k], len[k]);
				live[k] = NULL;
			}
			break;
		case 3:
			/* MAP_FIXED over part of it */
			if (mmap(live[k], PG, RW, PA | MAP_FIXED, -1, 0) == MAP_FAILED)
				break;
			break;
		default: {
			/*
			 * Part of a range grown: it cannot grow where it is,
			 * so it moves, and its record is split and cloned.
			 */
			void *q;

			if (len[k] < 3 * PG)
				break;
			q = mremap(live[k] + PG, PG, 2 * PG, MREMAP_MAYMOVE);
			if (q != MAP_FAILED)
				munmap(q, 2 * PG);
		}
		}
	}
}

TEST_F_TIMEOUT(faults, random_failures_under_churn, 900)
{
	enum { PROCS = 4 };
	unsigned int ops = al_scale(3000, 150), i, pct = 10;
	long times = 1000000, n;
	int ready[PROCS][2], go[2], status;
	pid_t kids[PROCS], reader;
	struct al_t_stats s0;
	char why[512] = "";
	bool all_ready = true;
	struct al_t_maps rec;

	NEED_MARKED_CACHES();
	/* A reader that dumps throughout, without failures of its own. */
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct al_t_dump d;

		for (;;) {
			if (!al_t_sites(0, &d))
				free(d.sites);
			usleep(20000);
		}
	}
	ASSERT_EQ(0, pipe(go));
	failslab_arm(pct, times);
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(0, pipe(ready[i]));
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (!kids[i]) {
			char c;

			close(ready[i][0]);
			close(go[1]);
			if (make_it_fail(getpid(), 1))
				_exit(2);
			churn(1000 + i, ops);
			/* Stop failing, report, and stay for the check. */
			make_it_fail(getpid(), 0);
			if (write(ready[i][1], "r", 1) != 1)
				_exit(3);
			if (read(go[0], &c, 1) < 0)
				_exit(4);
			_exit(0);
		}
		close(ready[i][1]);
	}
	close(go[0]);
	/* Each kid says it is done; one that died closes its pipe instead. */
	for (i = 0; i < PROCS; i++) {
		char c;

		if (read(ready[i][0], &c, 1) != 1) {
			all_ready = false;
			TH_LOG("churn process %d died", kids[i]);
		}
		close(ready[i][0]);
	}
	n = failslab_disarm(times);
	kill(reader, SIGKILL);
	waitpid(reader, NULL, 0);
	al_say("churn: %u processes x %u operations, %ld failures injected\n",
	       PROCS, ops, n);
	EXPECT_TRUE(all_ready);
	EXPECT_LT(0, n);

	/*
	 * While they are alive: no record that is not a real mapping, and
	 * the CLI's report says what the module recorded.
	 */
	for (i = 0; i < PROCS && all_ready; i++) {
		ASSERT_EQ(0, mappings(kids[i], &rec));
		EXPECT_EQ(0, phantoms(kids[i], &rec)) TH_LOG("pid %d", kids[i]);
		free(rec.v);
		EXPECT_EQ(0, cli_report_differs(kids[i], why, sizeof(why)))
			TH_LOG("%s", why);
	}
	EXPECT_EQ(0, inconsistent_sites(0, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(0, al_t_stats(&s0));
	EXPECT_LT(0, stat_of(&s0, ANONLEAK_STATS_A_DROPS_NOMEM));
	close(go[1]);	/* all of them go */
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("churn process %d: status %#x", kids[i], status);
	}
	EXPECT_EQ(0, inconsistent_sites(0, why, sizeof(why))) TH_LOG("%s", why);

	/* Recovered: a fresh process is recorded exactly. */
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct al_t_maps r;
		void *a = fl_site(3 * PG), *b = fl_site(PG);

		if (a == MAP_FAILED || b == MAP_FAILED || mappings(getpid(), &r))
			_exit(1);
		_exit(r.n == 2 ? 0 : 10 + r.n);
	}
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * fail_function on should_failslab: every slab allocation of a task asking
 * over netlink may fail, the module's reply and dump buffers included.
 */
TEST_F_TIMEOUT(faults, netlink_requests_under_failing_allocations, 600)
{
	unsigned int i, rounds = al_scale(400, 40), ok = 0, failed = 0;
	long times = 100000, left;
	struct al_t_maps rec;
	void *p[16];
	pid_t kid;
	int status;

	if (!self->ok)
		return;	/* skipped by the setup */
	if (access(FAILFN "/inject", W_OK))
		SKIP(return, "no fail_function (CONFIG_FAIL_FUNCTION)");
	for (i = 0; i < 16; i++)
		ASSERT_NE(MAP_FAILED, p[i] = fl_site(PG));
	ASSERT_EQ(0, al_put(FAILFN "/inject", "should_failslab"));
	/* The file takes an unsigned number: -ENOMEM as an unsigned long. */
	ASSERT_EQ(0, al_put(FAILFN "/should_failslab" "/retval", "%lu",
			 (unsigned long)-ENOMEM));
	ASSERT_EQ(0, al_put(FAILFN "/task-filter", "Y"));
	ASSERT_EQ(0, al_put(FAILFN "/verbose", "0"));
	ASSERT_EQ(0, al_put(FAILFN "/interval", "1"));
	ASSERT_EQ(0, al_put(FAILFN "/times", "%ld", times));
	/* Low odds: a request makes dozens of allocations; some must pass. */
	ASSERT_EQ(0, al_put(FAILFN "/probability", "3"));

	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		struct al_t_stats st;
		struct al_t_dump d;

		if (make_it_fail(getpid(), 1))
			_exit(2);
		for (i = 0; i < rounds; i++) {
			int r;

			switch (i % 4) {
			case 0:
				r = al_t_stats(&st);
				break;
			case 1:
				r = al_t_sites(0, &d);
				free(d.sites);
				break;
			case 2:
				r = mappings(getppid(), &rec);
				free(rec.v);
				break;
			default:
				r = al_t_sites(getppid(), &d);
				free(d.sites);
			}
			if (r)
				failed++;
			else
				ok++;
		}
		make_it_fail(getpid(), 0);
		printf("# netlink under failures: %u requests ok, %u failed\n",
		       ok, failed);
		fflush(stdout);
		_exit(0);
	}
	ASSERT_EQ(kid, waitpid(kid, &status, 0));
	al_put(FAILFN "/probability", "0");
	left = al_get(FAILFN "/times");
	al_put(FAILFN "/inject", "%s", "");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_LE(0, left);
	count_injected(times - left);
	al_say("fail_function: %ld failures injected\n", times - left);
	EXPECT_LT(0, times - left);

	/* Afterwards: exact. */
	ASSERT_EQ(0, mappings(getpid(), &rec));
	qsort(rec.v, rec.n, sizeof(*rec.v), al_t_mapping_cmp);
	for (i = 0; i < 16; i++) {
		struct al_t_mapping key = { .start = (uintptr_t)p[i] };

		EXPECT_NE(NULL, bsearch(&key, rec.v, rec.n, sizeof(*rec.v),
					al_t_mapping_cmp));
	}
	free(rec.v);
	EXPECT_EQ(0, inconsistent_sites(getpid(), NULL, 0));
}

/*
 * Load the module from a child whose slab allocations may fail: only the
 * init_module() call itself runs with make-it-fail set, on an image read
 * beforehand (so that no failure lands in the filesystem the module file
 * lives on: the test guest reads it over 9p). Returns 0 when it loaded,
 * the errno when refused, -1 when the child could not try.
 */
static int load_failing(const char *path)
{
	static char *image;
	static size_t len;
	int status;
	pid_t pid;

	if (!image) {
		FILE *f = fopen(path, "re");
		size_t cap = 1 << 20, n;

		if (!f)
			return -1;
		image = malloc(cap);
		while (image && (n = fread(image + len, 1, cap - len, f)) > 0) {
			len += n;
			if (len == cap)
				image = realloc(image, cap *= 2);
		}
		fclose(f);
		if (!image || !len)
			return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (make_it_fail(getpid(), 1))
			_exit(255);
		if (syscall(SYS_init_module, image, len, ""))
			_exit(errno & 0x7f);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Loading with allocations failing: it loads, or fails cleanly. A first,
 * unfailing load measures the bytes of slab a load allocates (failslab's
 * "space" budget is spent and never reached); then the single failure of
 * each load ("times" 1) is placed by "space" over the last part of that,
 * where the module's init runs.
 */
TEST_F_TIMEOUT(faults, module_load_under_failing_allocations, 900)
{
	unsigned int i, loads = al_scale(60, 12), refused = 0, loaded = 0;
	long total = 0, budget = 1L << 30, used, window, left;

	if (!self->ok)
		return;	/* skipped by the setup */
	ASSERT_EQ(0, failslab_setup(false));
	al_ko_unload();
	al_put(FAILSLAB "/space", "%ld", budget);
	failslab_arm(100, 1);
	ASSERT_EQ(0, load_failing(al_ko()));
	al_put(FAILSLAB "/probability", "0");
	left = al_get(FAILSLAB "/space");
	al_put(FAILSLAB "/times", "0");
	ASSERT_LT(0, left);
	used = budget - left;
	window = used < 48 * 1024 ? used : 48 * 1024;
	al_say("a load allocates %ld bytes of slab; failing in its last %ld\n",
	       used, window);

	/*
	 * A failed kmem_cache_create() or vmalloc() dumps its stack: expected
	 * here, and the runner ignores stack dumps (only) between these marks.
	 */
	al_sh("echo 'anonleak-expect: noisy-enomem begin' > /dev/kmsg");
	for (i = 0; i < loads; i++) {
		int err;

		al_ko_unload();
		ASSERT_NE(0, !al_ko_loaded());
		al_put(FAILSLAB "/space", "%ld", used - window + window * i / loads);
		failslab_arm(100, 1);
		err = load_failing(al_ko());
		total += failslab_disarm(1);
		ASSERT_LE(0, err) TH_LOG("could not try to load %s", al_ko());
		if (err) {
			refused++;
			EXPECT_EQ(ENOMEM, err) TH_LOG("load %u refused with %s", i,
						      strerror(err));
			EXPECT_NE(0, !al_ko_loaded())
				TH_LOG("the load failed but the module is there");
		} else {
			loaded++;
			EXPECT_LT(0, al_t_family());
		}
	}
	al_put(FAILSLAB "/space", "0");
	failslab_setup(true);
	al_sh("echo 'anonleak-expect: noisy-enomem end' > /dev/kmsg");
	al_ko_unload();
	ASSERT_EQ(0, al_ko_load(""));
	ASSERT_NE(MAP_FAILED, fl_site(PG));
	EXPECT_EQ(0, inconsistent_sites(getpid(), NULL, 0));
	al_say("loads under failslab: %u loaded, %u refused (ENOMEM), %ld failures injected\n",
	       loaded, refused, total);
	EXPECT_LT(0, refused);
}

/* ---- caps exhausted under concurrent churn (any kernel) ---- */

/*
 * 4 processes x 8 threads map and unmap whole ranges from 32 call sites,
 * move whole ranges with mremap, replace their own ranges with MAP_FIXED,
 * fork children that map and exit, and exec; while max_mappings and
 * max_sites are far too small and a reader dumps. Only processes named
 * CAP_COMM are tracked (filter_comm), and nothing but the counted calls
 * maps memory during the measured window, so every counted mmap is exactly
 * one record or one drop: sum(mmaps) == maps + drops (exec'd images are
 * renamed, hence filtered). The caps hold throughout, and the counters add
 * up per site and in total.
 */
#define CAP_COMM "al_capstress"
#define CAP_PROCS 4
#define CAP_THREADS 8

struct cap_shared {
	/* threads + the test: ready, (snapshot), go; done, (snapshot), end */
	pthread_barrier_t ready, go, done, end;
	unsigned long mmaps;		/* successful anonymous mmaps */
	unsigned long over_cap;		/* the reader saw a cap exceeded */
	unsigned long dumps;
};

static struct cap_shared *cs;
static unsigned int cap_ops;

#define CAP_SITE(n) AL_RAW_SITE(cap_site_##n)
CAP_SITE(0) CAP_SITE(1) CAP_SITE(2) CAP_SITE(3) CAP_SITE(4) CAP_SITE(5)
CAP_SITE(6) CAP_SITE(7) CAP_SITE(8) CAP_SITE(9) CAP_SITE(10) CAP_SITE(11)
CAP_SITE(12) CAP_SITE(13) CAP_SITE(14) CAP_SITE(15) CAP_SITE(16)
CAP_SITE(17) CAP_SITE(18) CAP_SITE(19) CAP_SITE(20) CAP_SITE(21)
CAP_SITE(22) CAP_SITE(23) CAP_SITE(24) CAP_SITE(25) CAP_SITE(26)
CAP_SITE(27) CAP_SITE(28) CAP_SITE(29) CAP_SITE(30) CAP_SITE(31)

static void *(*const cap_sites[32])(size_t) = {
	cap_site_0, cap_site_1, cap_site_2, cap_site_3, cap_site_4,
	cap_site_5, cap_site_6, cap_site_7, cap_site_8, cap_site_9,
	cap_site_10, cap_site_11, cap_site_12, cap_site_13, cap_site_14,
	cap_site_15, cap_site_16, cap_site_17, cap_site_18, cap_site_19,
	cap_site_20, cap_site_21, cap_site_22, cap_site_23, cap_site_24,
	cap_site_25, cap_site_26, cap_site_27, cap_site_28, cap_site_29,
	cap_site_30, cap_site_31,
};

static void cap_count(unsigned long n)
{
	__atomic_add_fetch(&cs->mmaps, n, __ATOMIC_RELAXED);
}

static void *cap_thread(void *arg)
{
	unsigned int seed = (uintptr_t)arg, i, k;
	char *live[16] = { 0 };
	size_t len[16] = { 0 };

	/* Everything that maps by itself (stack, arena) is done by now. */
	pthread_barrier_wait(&cs->ready);
	pthread_barrier_wait(&cs->go);
	for (i = 0; i < cap_ops; i++) {
		k = rand_r(&seed) % 16;
		if (!live[k]) {
			len[k] = (1 + rand_r(&seed) % 4) * PG;
			live[k] = cap_sites[rand_r(&seed) % 32](len[k]);
			if (live[k] == MAP_FAILED)
				live[k] = NULL;
			else
				cap_count(1);
			continue;
		}
		switch (rand_r(&seed) % 6) {
		case 0:
		case 1:
			munmap(live[k], len[k]);
			live[k] = NULL;
			break;
		case 2:
			/* the whole range, grown or moved: no new record */
			regrow(&live[k], &len[k], len[k] + PG);
			break;
		case 3:
			/* replace the whole range: a new mapping */
			if (mmap(live[k], len[k], RW, PA | MAP_FIXED, -1, 0) != MAP_FAILED)
				cap_count(1);
			break;
		case 4: {
			/* a child that maps and exits */
			pid_t pid = fork();

			if (!pid) {
				if (cap_sites[rand_r(&seed) % 32](PG) != MAP_FAILED)
					cap_count(1);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
			break;
		}
		default: {
			/* exec: a new image, renamed, not tracked */
			pid_t pid;

			if (rand_r(&seed) % 4)
				break;
			pid = fork();
			if (!pid) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		}
	}
	for (k = 0; k < 16; k++)
		if (live[k])
			munmap(live[k], len[k]);
	pthread_barrier_wait(&cs->done);
	pthread_barrier_wait(&cs->end);
	return NULL;
}

static void cap_process(unsigned int n)
{
	pthread_t t[CAP_THREADS];
	pthread_attr_t attr;
	unsigned int i;

	prctl(PR_SET_NAME, CAP_COMM);
	pthread_attr_init(&attr);
	for (i = 0; i < CAP_THREADS; i++)
		if (pthread_create(&t[i], &attr, cap_thread,
				   (void *)(uintptr_t)(n * 100 + i + 1)))
			_exit(2);
	for (i = 0; i < CAP_THREADS; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

/* The settings the caps test changes. */
#define CAP_CFG (AL_T_CFG_BIT(MAX_MAPPINGS) | AL_T_CFG_BIT(MAX_SITES) |	\
		 AL_T_CFG_BIT(FILTER_COMM))

static uint64_t drops(struct al_t_stats *s)
{
	return s->c[ANONLEAK_STATS_A_DROPS_NOMEM] +
	       s->c[ANONLEAK_STATS_A_DROPS_MAPPINGS] +
	       s->c[ANONLEAK_STATS_A_DROPS_SITES] +
	       s->c[ANONLEAK_STATS_A_DROPS_PROCS];
}

/* Sum of live counts and bytes over the sites of running processes. */
static void running_live(uint64_t *count, uint64_t *bytes)
{
	struct al_t_dump d;

	*count = *bytes = 0;
	if (!al_t_sites(0, &d))
		al_t_sum_live(&d, true, count, bytes);
	free(d.sites);
}

FIXTURE(caps) {
	int family;
	struct al_t_config saved;
};

FIXTURE_SETUP(caps)
{
	if (al_t_family() < 0)
		al_ko_ensure();
	self->family = al_t_family();
	ASSERT_LT(0, self->family);
	ASSERT_EQ(0, al_t_get_config(&self->saved));
}

FIXTURE_TEARDOWN(caps)
{
	al_t_set_config(&self->saved, CAP_CFG, NULL);
}

TEST_F_TIMEOUT(caps, exhausted_under_churn_drops_exact, 900)
{
	enum { MAX_MAPPINGS = 100, MAX_SITES = 60 };
	struct al_t_config small = { .comm = CAP_COMM };
	struct al_t_stats s0, s1;
	pthread_barrierattr_t ba;
	uint64_t recorded, dropped, count, bytes;
	pid_t kids[CAP_PROCS], reader;
	char why[512] = "";
	unsigned int i;
	int status;

	small.v[ANONLEAK_CONFIG_A_MAX_MAPPINGS] = MAX_MAPPINGS;
	small.v[ANONLEAK_CONFIG_A_MAX_SITES] = MAX_SITES;
	cap_ops = al_scale(400, 20);
	cs = mmap(NULL, sizeof(*cs), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cs);
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	/* The threads, and this process taking snapshots in between. */
	ASSERT_EQ(0, pthread_barrier_init(&cs->ready, &ba, CAP_PROCS * CAP_THREADS + 1));
	ASSERT_EQ(0, pthread_barrier_init(&cs->go, &ba, CAP_PROCS * CAP_THREADS + 1));
	ASSERT_EQ(0, pthread_barrier_init(&cs->done, &ba, CAP_PROCS * CAP_THREADS + 1));
	ASSERT_EQ(0, pthread_barrier_init(&cs->end, &ba, CAP_PROCS * CAP_THREADS + 1));
	/* Nothing is tracked yet but this process: start from empty. */
	ASSERT_EQ(0, al_t_req(self->family, ANONLEAK_CMD_CLEAR, 0, NULL, NULL,
			      NULL, NULL, NULL));
	ASSERT_EQ(0, al_t_set_config(&small, CAP_CFG, why)) TH_LOG("%s", why);

	/* The reader: not tracked (its comm), checks the caps all along. */
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct al_t_stats st;

		prctl(PR_SET_NAME, "al_capreader");
		for (;;) {
			if (!al_t_stats(&st)) {
				if (st.c[ANONLEAK_STATS_A_LIVE_COUNT] > MAX_MAPPINGS ||
				    st.c[ANONLEAK_STATS_A_SITES] > MAX_SITES)
					__atomic_add_fetch(&cs->over_cap, 1, __ATOMIC_RELAXED);
				__atomic_add_fetch(&cs->dumps, 1, __ATOMIC_RELAXED);
			}
			usleep(10000);
		}
	}
	for (i = 0; i < CAP_PROCS; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (!kids[i])
			cap_process(i);
	}
	pthread_barrier_wait(&cs->ready);
	ASSERT_EQ(0, al_t_stats(&s0));
	pthread_barrier_wait(&cs->go);
	pthread_barrier_wait(&cs->done);
	ASSERT_EQ(0, al_t_stats(&s1));
	pthread_barrier_wait(&cs->end);
	for (i = 0; i < CAP_PROCS; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	kill(reader, SIGKILL);
	waitpid(reader, NULL, 0);

	/* Both snapshots were taken while every thread waited. */
	recorded = s1.c[ANONLEAK_STATS_A_MAPS] - s0.c[ANONLEAK_STATS_A_MAPS];
	dropped = drops(&s1) - drops(&s0);
	al_say("caps: %u processes x %u threads x %u ops, %lu mmaps: %llu recorded, %llu dropped (%llu at max_mappings, %llu at max_sites), %lu reader checks\n",
	       CAP_PROCS, CAP_THREADS, cap_ops, cs->mmaps,
	       (unsigned long long)recorded, (unsigned long long)dropped,
	       (unsigned long long)(s1.c[ANONLEAK_STATS_A_DROPS_MAPPINGS] -
	       s0.c[ANONLEAK_STATS_A_DROPS_MAPPINGS]),
	       (unsigned long long)(s1.c[ANONLEAK_STATS_A_DROPS_SITES] -
	       s0.c[ANONLEAK_STATS_A_DROPS_SITES]),
	       cs->dumps);
	EXPECT_EQ(cs->mmaps, recorded + dropped);
	EXPECT_LT(0, s1.c[ANONLEAK_STATS_A_DROPS_MAPPINGS] -
		     s0.c[ANONLEAK_STATS_A_DROPS_MAPPINGS]);
	EXPECT_LT(0, s1.c[ANONLEAK_STATS_A_DROPS_SITES] -
		     s0.c[ANONLEAK_STATS_A_DROPS_SITES]);
	EXPECT_EQ(0, cs->over_cap);
	EXPECT_GE(MAX_MAPPINGS, s1.c[ANONLEAK_STATS_A_LIVE_COUNT]);
	EXPECT_GE(MAX_SITES, s1.c[ANONLEAK_STATS_A_SITES]);
	EXPECT_EQ(0, inconsistent_sites(0, why, sizeof(why))) TH_LOG("%s", why);

	/*
	 * Quiet: the totals are the sums over the running processes' sites,
	 * once the reaper has freed the ranges of those that exited.
	 */
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, al_t_stats(&s1));
		running_live(&count, &bytes);
		if (s1.c[ANONLEAK_STATS_A_LIVE_COUNT] == count &&
		    s1.c[ANONLEAK_STATS_A_LIVE_BYTES] == bytes)
			break;
		usleep(100000);
	}
	EXPECT_EQ(s1.c[ANONLEAK_STATS_A_LIVE_COUNT], count);
	EXPECT_EQ(s1.c[ANONLEAK_STATS_A_LIVE_BYTES], bytes);
	munmap(cs, sizeof(*cs));
}

AL_TEST_MAIN
