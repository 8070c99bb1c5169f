// SPDX-License-Identifier: GPL-2.0
/*
 * anonbench: the workloads of anonleak's benchmark (bench/README in
 * bench/RESULTS.md). Each stage measures itself with CLOCK_MONOTONIC, which
 * in a guest run with "-icount shift=0,sleep=off" counts guest instructions,
 * and appends one JSON object per result to --out (default stdout).
 *
 *   anonbench [OPTIONS] STAGE [STAGE OPTIONS]
 *
 *   --config NAME     configuration label of every result (default "none")
 *   --out FILE        append results here
 *   --wait signal     before measuring, wait for SIGUSR1 (a peer attaching)
 *   --wait uprobe     before measuring, wait until a uprobe sits on libc's
 *                     munmap() in this process (bcc memleak attaches it last)
 *   --ready FILE      create FILE when waiting, FILE.go when measuring
 *
 *   work    --pairs N --ops N --warmup N   micro then malloc workload
 *   micro   --pairs N --warmup N           micro only
 *   malloc  --ops N --warmup N             malloc workload only
 *   pairs   --pairs N                      pairs between trace_marker lines
 *   scale   --live N,N,.. --pairs N --warmup N --mode tracked|baseline
 *           [--dump] [--cli PATH]
 *   procs   --procs N --maps N --pairs N --warmup N
 *   sites   --sites N [--dump] [--cli PATH]
 *   exec    --name P --pidfile FILE -- CMD ARG...   a real program in a
 *           child (its pid in FILE, for the peer; it does the --wait),
 *           its CPU time reported (see stage_exec)
 *
 * Built twice: anonbench with frame pointers, anonbench-nofp with
 * -fomit-frame-pointer (the same chains, walkable only with unwind tables).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "al_nl.h"
#include "al_stats.h"
#include "slab.h"

#define NOINL __attribute__((noinline))
#define barrier() __asm__ volatile("" ::: "memory")
#define PG 4096UL
#define KiB 1024UL

static const char *config = "none";
static FILE *out;
static const char *ready_file;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("anonbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * One result: {"stage":S,"config":C,"metric":M,"value":V,"unit":U,...}.
 * @extra, if not NULL, is a printf format for more "key":value pairs.
 */
static void result(const char *stage, const char *metric, double value,
		   const char *unit, const char *extra, ...)
{
	va_list ap;

	fprintf(out, "{\"stage\":\"%s\",\"config\":\"%s\",\"metric\":\"%s\",\"value\":%.3f,\"unit\":\"%s\"",
		stage, config, metric, value, unit);
	if (extra) {
		fputc(',', out);
		va_start(ap, extra);
		vfprintf(out, extra, ap);
		va_end(ap);
	}
	fputs("}\n", out);
	fflush(out);
}

static void result_error(const char *stage, const char *what, int err)
{
	fprintf(out, "{\"stage\":\"%s\",\"config\":\"%s\",\"error\":\"%s: %s\"}\n",
		stage, config, what, strerror(err < 0 ? -err : err));
	fflush(out);
}

/* The module's counters, when it is loaded; nothing otherwise. */
static void result_stats(const char *stage, const char *extra)
{
	static const char *const names[ANONLEAK_STATS_A_MAX + 1] = {
		[ANONLEAK_STATS_A_MAPS] = "maps",
		[ANONLEAK_STATS_A_UNMAPS] = "unmaps",
		[ANONLEAK_STATS_A_LIVE_COUNT] = "live_count",
		[ANONLEAK_STATS_A_LIVE_BYTES] = "live_bytes",
		[ANONLEAK_STATS_A_PROCS] = "procs",
		[ANONLEAK_STATS_A_EXITED] = "exited",
		[ANONLEAK_STATS_A_SITES] = "sites",
		[ANONLEAK_STATS_A_DROPS] = "drops",
		[ANONLEAK_STATS_A_DROPS_NOMEM] = "drops_nomem",
		[ANONLEAK_STATS_A_DROPS_MAPPINGS] = "drops_mappings",
		[ANONLEAK_STATS_A_DROPS_SITES] = "drops_sites",
		[ANONLEAK_STATS_A_DROPS_PROCS] = "drops_procs",
		[ANONLEAK_STATS_A_DROPS_EXITED] = "drops_exited",
		[ANONLEAK_STATS_A_MISSED] = "missed",
		[ANONLEAK_STATS_A_MAPPING_SIZE] = "mapping_size",
		[ANONLEAK_STATS_A_SITE_SIZE] = "site_size",
		[ANONLEAK_STATS_A_STACK_DEPTH] = "stack_depth",
		[ANONLEAK_STATS_A_MAX_MAPPINGS] = "max_mappings",
		[ANONLEAK_STATS_A_FILTERED] = "filtered",
	};
	struct al_t_stats st;
	unsigned int i;
	bool first = true;

	if (al_t_stats(&st))
		return;
	fprintf(out, "{\"stage\":\"%s\",\"config\":\"%s\",\"metric\":\"stats\"%s%s,\"stats\":{",
		stage, config, extra ? "," : "", extra ? extra : "");
	for (i = 0; i <= ANONLEAK_STATS_A_MAX; i++) {
		if (!names[i])
			continue;
		fprintf(out, "%s\"%s\":%llu", first ? "" : ",", names[i],
			(unsigned long long)st.c[i]);
		first = false;
	}
	fputs("}}\n", out);
	fflush(out);
}

/* Slab growth between two snapshots, with the @top caches that grew most. */
static void result_slab(const char *stage, const char *metric,
			const struct slab_snap *a, const struct slab_snap *b,
			const char *extra)
{
	fprintf(out, "{\"stage\":\"%s\",\"config\":\"%s\",\"metric\":\"%s\",",
		stage, config, metric);
	if (extra)
		fprintf(out, "%s,", extra);
	slab_delta_json(out, a, b, 0);
	fputs("}\n", out);
	fflush(out);
}

/* One kmem_cache's state, e.g. anonleak's "al_range". */
static void result_cache(const char *stage, const struct slab_snap *s,
			 const char *name, const char *extra)
{
	const struct slab_cache *c = slab_find(s, name);

	if (!c)
		return;
	fprintf(out, "{\"stage\":\"%s\",\"config\":\"%s\",\"metric\":\"cache\",\"cache\":\"%s\",\"objsize\":%llu,\"active_objs\":%llu,\"num_objs\":%llu,\"bytes\":%llu%s%s}\n",
		stage, config, name, (unsigned long long)c->objsize,
		(unsigned long long)c->active_objs,
		(unsigned long long)c->num_objs, (unsigned long long)c->bytes,
		extra ? "," : "", extra ? extra : "");
	fflush(out);
}

/* Waiting for a peer tool ------------------------------------------------ */

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0)
		close(fd);
}

static void ready_mark(const char *suffix)
{
	char path[4096];

	if (!ready_file)
		return;
	snprintf(path, sizeof(path), "%s%s", ready_file, suffix);
	touch(path);
}

/*
 * A uprobe replaces the first byte of the probed instruction with int3 in
 * the processes it applies to: poll our own copy of libc's munmap().
 */
static void wait_uprobe(void)
{
	volatile unsigned char *fn = dlsym(RTLD_NEXT, "munmap");
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	unsigned char orig;

	if (!fn)
		fn = dlsym(RTLD_DEFAULT, "munmap");
	if (!fn)
		die("cannot find munmap() in libc");
	orig = *fn;
	ready_mark("");
	/*
	 * No time limit: idle guest time runs ahead of the host's in an
	 * icount guest. The driver stops us if the tool dies.
	 */
	while (*fn == orig)
		nanosleep(&ts, NULL);
}

static void wait_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ready_mark("");
	if (sigwait(&set, &sig))
		die("sigwait failed");
}

/* The microbenchmark: 4 KiB mmap+munmap pairs from a 6-deep call chain - */

static void *map_page(void)
{
	void *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

NOINL static void pair6(void)
{
	void *p = map_page();

	if (munmap(p, PG))
		die("munmap: %s", strerror(errno));
	barrier();
}

NOINL static void pair5(void) { pair6(); barrier(); }
NOINL static void pair4(void) { pair5(); barrier(); }
NOINL static void pair3(void) { pair4(); barrier(); }
NOINL static void pair2(void) { pair3(); barrier(); }
NOINL static void pair1(void) { pair2(); barrier(); }

/* The same pair, timing each half on its own (clock reads included). */
NOINL static void split6(uint64_t *tmap, uint64_t *tunmap)
{
	uint64_t t0, t1, t2;
	void *p;

	t0 = now_ns();
	p = map_page();
	t1 = now_ns();
	if (munmap(p, PG))
		die("munmap: %s", strerror(errno));
	t2 = now_ns();
	*tmap += t1 - t0;
	*tunmap += t2 - t1;
	barrier();
}

NOINL static void split5(uint64_t *a, uint64_t *b) { split6(a, b); barrier(); }
NOINL static void split4(uint64_t *a, uint64_t *b) { split5(a, b); barrier(); }
NOINL static void split3(uint64_t *a, uint64_t *b) { split4(a, b); barrier(); }
NOINL static void split2(uint64_t *a, uint64_t *b) { split3(a, b); barrier(); }
NOINL static void split1(uint64_t *a, uint64_t *b) { split2(a, b); barrier(); }

/* ns per pair over @n pairs, after @warm pairs not timed. */
static double measure_pairs(unsigned long n, unsigned long warm)
{
	unsigned long i;
	uint64_t t0;

	for (i = 0; i < warm; i++)
		pair1();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		pair1();
	return (double)(now_ns() - t0) / n;
}

/*
 * Only the pairs, between two trace_marker lines, for a function_graph
 * trace of what one pair runs in the kernel (bench/profile.py reads it).
 */
static void stage_pairs(unsigned long pairs)
{
	int fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
	char line[64];
	unsigned long i;
	int len;

	if (fd < 0)
		die("trace_marker: %s", strerror(errno));
	/* the site exists before the marker */
	for (i = 0; i < 10; i++)
		pair1();
	len = snprintf(line, sizeof(line), "anonbench begin %lu\n", pairs);
	if (write(fd, line, len) != len)
		die("trace_marker: %s", strerror(errno));
	for (i = 0; i < pairs; i++)
		pair1();
	len = snprintf(line, sizeof(line), "anonbench end\n");
	if (write(fd, line, len) != len)
		die("trace_marker: %s", strerror(errno));
	close(fd);
}

static void stage_micro(unsigned long pairs, unsigned long warm)
{
	uint64_t tm = 0, tu = 0, t0, clk;
	unsigned long i;

	result("micro", "pair", measure_pairs(pairs, warm), "ns",
	       "\"n\":%lu,\"warmup\":%lu", pairs, warm);
	/* The halves, and what a clock read costs, for the record */
	for (i = 0; i < pairs / 4; i++)
		split1(&tm, &tu);
	t0 = now_ns();
	for (i = 0; i < 1000; i++)
		now_ns();
	clk = now_ns() - t0;
	result("micro", "mmap", (double)tm / (pairs / 4), "ns", "\"n\":%lu",
	       pairs / 4);
	result("micro", "munmap", (double)tu / (pairs / 4), "ns", "\"n\":%lu",
	       pairs / 4);
	result("micro", "clock_read", (double)clk / 1000, "ns", "\"n\":1000");
}

/* The malloc workload: glibc blocks of 256 KiB .. 4 MiB ----------------- */

#define SLOTS 16

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

struct malloc_counts {
	unsigned long mallocs, reallocs, frees;
};

static void *slot[SLOTS];

/* One operation on a random slot: malloc if empty, else realloc or free. */
NOINL static void malloc_op(struct malloc_counts *mc)
{
	uint64_t r = rng();
	unsigned int i = r % SLOTS;
	size_t size = 256 * KiB + ((r >> 8) % (15 * 64 + 1)) * PG;
	void *p;

	if (!slot[i]) {
		p = malloc(size);
		if (!p)
			die("malloc(%zu) failed", size);
		*(volatile char *)p = 1;
		slot[i] = p;
		mc->mallocs++;
	} else if ((r >> 32) & 1) {
		p = realloc(slot[i], size);
		if (!p)
			die("realloc(%zu) failed", size);
		slot[i] = p;
		mc->reallocs++;
	} else {
		free(slot[i]);
		slot[i] = NULL;
		mc->frees++;
	}
	barrier();
}

NOINL static void malloc_op3(struct malloc_counts *mc) { malloc_op(mc); barrier(); }
NOINL static void malloc_op2(struct malloc_counts *mc) { malloc_op3(mc); barrier(); }
NOINL static void malloc_op1(struct malloc_counts *mc) { malloc_op2(mc); barrier(); }

static void stage_malloc(unsigned long ops, unsigned long warm)
{
	struct malloc_counts mc = { 0 };
	unsigned long i;
	uint64_t t0, t;

	/* A fixed threshold: glibc would otherwise raise it after a free. */
	if (!mallopt(M_MMAP_THRESHOLD, 128 * KiB))
		die("mallopt(M_MMAP_THRESHOLD) failed");
	for (i = 0; i < warm; i++)
		malloc_op1(&mc);
	memset(&mc, 0, sizeof(mc));
	t0 = now_ns();
	for (i = 0; i < ops; i++)
		malloc_op1(&mc);
	t = now_ns() - t0;
	result("malloc", "op", (double)t / ops, "ns",
	       "\"n\":%lu,\"warmup\":%lu,\"mallocs\":%lu,\"reallocs\":%lu,\"frees\":%lu",
	       ops, warm, mc.mallocs, mc.reallocs, mc.frees);
	for (i = 0; i < SLOTS; i++) {
		free(slot[i]);
		slot[i] = NULL;
	}
}

/* Running the CLI, timed ----------------------------------------------- */

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + tv->tv_usec * 1000ULL;
}

/*
 * Run @argv with stdout to /dev/null. Returns guest ns until it exited, or
 * -1; *@cpu gets the ns of CPU it used (user + system). In an icount guest
 * the CPU time is the figure to read for a program that loads files: the
 * virtual clock jumps ahead whenever the vCPU idles waiting for 9p I/O.
 */
static int64_t run_timed(char *const argv[], int *status, uint64_t *cpu)
{
	uint64_t t0 = now_ns();
	struct rusage ru;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, status, 0, &ru) != pid)
		return -1;
	*cpu = tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime);
	return now_ns() - t0;
}

static void result_cli(const char *stage, const char *metric, char *const argv[],
		       unsigned long items, const char *extra)
{
	int status = 0;
	uint64_t cpu = 0;
	int64_t t = run_timed(argv, &status, &cpu);

	if (t < 0) {
		result_error(stage, metric, errno);
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(out, "{\"stage\":\"%s\",\"config\":\"%s\",\"metric\":\"%s\",\"error\":\"%s %s exited with status 0x%x\"}\n",
			stage, config, metric, argv[0], argv[1], status);
		fflush(out);
		return;
	}
	result(stage, metric, cpu, "ns", "\"elapsed\":%lld,\"items\":%lu%s%s",
	       (long long)t, items, extra ? "," : "", extra ? extra : "");
}

static uint64_t self_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime);
}

struct dump_count {
	uint8_t cmd;
	uint64_t items;		/* ranges (GET_MAPPINGS) or sites (GET_SITES) */
};

/* The records of one dump message, counted: nothing is kept. */
static int dump_count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_count *dc = data;
	const struct nlattr *a, *m;

	if (dc->cmd != ANONLEAK_CMD_GET_MAPPINGS) {
		dc->items++;
		return MNL_CB_OK;
	}
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ANONLEAK_A_MAPPINGS)
			mnl_attr_for_each_nested(m, a)
				dc->items++;
	return MNL_CB_OK;
}

/*
 * A dump of @cmd (GET_MAPPINGS, GET_SITES), with ANONLEAK_A_PID if @pid,
 * read as fast as possible: its time, the CPU time of this process, the
 * records (ranges or sites), messages, bytes and recv() calls.
 */
static void result_dump(const char *stage, const char *metric, uint8_t cmd,
			uint32_t pid, const char *extra)
{
	uint64_t c0 = self_cpu_ns(), t0 = now_ns(), t, cpu;
	struct dump_count dc = { .cmd = cmd };
	struct al_t_call d = {
		.cmd = cmd, .flags = NLM_F_DUMP,
		.build = pid ? al_t_put_pid : NULL, .barg = &pid,
		.cb = dump_count_cb, .data = &dc,
	};
	int err = al_t_call(&d);

	t = now_ns() - t0;
	cpu = self_cpu_ns() - c0;

	if (err) {
		result_error(stage, metric, err);
		return;
	}
	result(stage, metric, t, "ns",
	       "\"cpu\":%llu,\"items\":%llu,\"msgs\":%llu,\"bytes\":%llu,\"recvs\":%llu,\"intr\":%s%s%s",
	       (unsigned long long)cpu, (unsigned long long)dc.items,
	       (unsigned long long)d.msgs,
	       (unsigned long long)d.bytes, (unsigned long long)d.recvs,
	       d.intr ? "true" : "false", extra ? "," : "", extra ? extra : "");
}

/* Scale: pairs next to 1,000 .. 1,000,000 live mappings ----------------- */

static void stage_scale(const char *live_list, unsigned long pairs,
			unsigned long warm, bool tracked, bool dump,
			const char *cli)
{
	unsigned long live[16], nlive = 0, maxlive = 0, have = 0, i, k;
	struct slab_snap s0, s1;
	char extra[128], *base, *end, pidbuf[32];
	const char *p = live_list;

	while (*p && nlive < 16) {
		live[nlive] = strtoul(p, &end, 10);
		if (end == p || !live[nlive])
			die("bad --live list '%s'", live_list);
		if (live[nlive] > maxlive)
			maxlive = live[nlive];
		nlive++;
		p = *end == ',' ? end + 1 : end;
	}
	/*
	 * One PROT_NONE reservation that the live pages are mapped into one by
	 * one with MAP_FIXED: their VMAs merge, so the kernel's own work (and
	 * max_map_count) does not grow with them, while anonleak keeps one
	 * record per mmap().
	 */
	base = mmap(NULL, (maxlive + 1) * PG, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("reserving %lu pages: %s", maxlive, strerror(errno));
	if (slab_read(&s0))
		die("cannot read /proc/slabinfo");
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());

	for (k = 0; k < nlive; k++) {
		uint64_t t0 = now_ns(), tb;

		if (tracked) {
			for (i = have; i < live[k]; i++)
				if (mmap(base + i * PG, PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					 -1, 0) == MAP_FAILED)
					die("mmap(MAP_FIXED): %s", strerror(errno));
		} else if (mmap(base, live[k] * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				0) == MAP_FAILED) {
			die("mmap(MAP_FIXED): %s", strerror(errno));
		}
		tb = now_ns() - t0;
		snprintf(extra, sizeof(extra), "\"live\":%lu", live[k]);
		if (tracked && live[k] > have)
			result("scale", "build", (double)tb / (live[k] - have),
			       "ns", "\"live\":%lu,\"n\":%lu", live[k],
			       live[k] - have);
		have = live[k];
		result_stats("scale", extra);
		if (slab_read(&s1))
			die("cannot read /proc/slabinfo");
		result_cache("scale", &s1, "al_range", extra);
		result_slab("scale", "slab", &s0, &s1, extra);
		slab_free(&s1);

		result("scale", "pair", measure_pairs(pairs, warm), "ns",
		       "\"live\":%lu,\"n\":%lu,\"warmup\":%lu", live[k], pairs,
		       warm);
		if (dump)
			result_dump("dump", "mappings_raw",
				    ANONLEAK_CMD_GET_MAPPINGS, getpid(), extra);
		if (cli) {
			char *argv[] = { (char *)cli, "mappings", "--pid",
					 pidbuf, "--json", NULL };

			result_cli("dump", "mappings_cli_json", argv, live[k],
				   extra);
		}
	}
	slab_free(&s0);
}

/* Many processes with a few mappings each ------------------------------- */

NOINL static void child_map(void) { map_page(); barrier(); }

static void stage_procs(unsigned long nprocs, unsigned long maps,
			unsigned long pairs, unsigned long warm)
{
	int ready[2], release[2];
	struct slab_snap s0, s1, s2;
	unsigned long i, got = 0;
	uint64_t t0, t;
	char buf[4096], extra[64];
	ssize_t n;

	snprintf(extra, sizeof(extra), "\"procs\":%lu", nprocs);
	result("procs", "pair_alone", measure_pairs(pairs, warm), "ns",
	       "\"n\":%lu,\"warmup\":%lu", pairs, warm);
	if (pipe(ready) || pipe(release))
		die("pipe: %s", strerror(errno));
	if (slab_read(&s0))
		die("cannot read /proc/slabinfo");

	t0 = now_ns();
	for (i = 0; i < nprocs; i++) {
		pid_t pid = fork();
		unsigned long k;

		if (pid < 0)
			die("fork #%lu: %s", i, strerror(errno));
		if (pid)
			continue;
		close(ready[0]);
		close(release[1]);
		for (k = 0; k < maps; k++)
			child_map();
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		/* until the parent closes the pipe */
		while (read(release[0], buf, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	while (got < nprocs) {
		n = read(ready[0], buf, sizeof(buf));
		if (n <= 0)
			die("children: %lu of %lu ready", got, nprocs);
		got += n;
	}
	t = now_ns() - t0;
	result("procs", "spawn", (double)t / nprocs, "ns",
	       "\"procs\":%lu,\"maps\":%lu", nprocs, maps);
	result_stats("procs", extra);
	if (slab_read(&s1))
		die("cannot read /proc/slabinfo");
	result_slab("procs", "slab_live", &s0, &s1, extra);

	result("procs", "pair", measure_pairs(pairs, warm), "ns",
	       "\"procs\":%lu,\"n\":%lu,\"warmup\":%lu", nprocs, pairs, warm);

	t0 = now_ns();
	close(release[1]);
	for (i = 0; i < nprocs; i++)
		if (wait(NULL) < 0)
			die("wait: %s", strerror(errno));
	t = now_ns() - t0;
	result("procs", "exit", (double)t / nprocs, "ns", "\"procs\":%lu",
	       nprocs);
	/* Let the module's reaper run before looking at memory again. */
	sleep(2);
	result_stats("procs", "\"after_exit\":true");
	if (slab_read(&s2))
		die("cannot read /proc/slabinfo");
	result_slab("procs", "slab_after_exit", &s0, &s2, extra);
	slab_free(&s0);
	slab_free(&s1);
	slab_free(&s2);
}

/* Many call sites: 17 binary choices of the return address -------------- */

NOINL static void *leak(void)
{
	void *p = map_page();

	barrier();
	return p;
}

/*
 * walk_a(n, bits) recurses n times, through walk_a and walk_b in turn; each
 * level calls the next one from one of two call instructions, chosen by
 * one bit, so each value of bits is a distinct user stack of one frame per
 * level. Two functions in turn: no two neighbouring frames are the same
 * return address, which a stack walker could take for one frame. Their
 * bodies differ so that the compiler does not fold them into one.
 */
NOINL static void *walk_b(int n, unsigned long bits);

NOINL static void *walk_a(int n, unsigned long bits)
{
	void *p;

	if (!n)
		return leak();
	if (bits & 1) {
		p = walk_b(n - 1, bits >> 1);
		__asm__ volatile("nop" ::: "memory");
	} else {
		p = walk_b(n - 1, bits >> 1);
		__asm__ volatile("nop; nop" ::: "memory");
	}
	return p;
}

NOINL static void *walk_b(int n, unsigned long bits)
{
	void *p;

	if (!n)
		return leak();
	if (bits & 1) {
		p = walk_a(n - 1, bits >> 1);
		__asm__ volatile("nop; nop; nop" ::: "memory");
	} else {
		p = walk_a(n - 1, bits >> 1);
		__asm__ volatile("nop; nop; nop; nop" ::: "memory");
	}
	return p;
}

static void stage_sites(unsigned long nsites, bool dump, const char *cli)
{
	struct slab_snap s0, s1;
	char extra[64];
	unsigned long i;
	uint64_t t0, t;

	if (nsites > 1UL << 17)
		die("at most %lu sites", 1UL << 17);
	snprintf(extra, sizeof(extra), "\"sites\":%lu", nsites);
	result_stats("sites", "\"before\":true");
	if (slab_read(&s0))
		die("cannot read /proc/slabinfo");
	t0 = now_ns();
	for (i = 0; i < nsites; i++)
		walk_a(17, i);
	t = now_ns() - t0;
	result("sites", "create", (double)t / nsites, "ns", "\"sites\":%lu",
	       nsites);
	result_stats("sites", extra);
	if (slab_read(&s1))
		die("cannot read /proc/slabinfo");
	result_slab("sites", "slab", &s0, &s1, extra);
	slab_free(&s0);
	slab_free(&s1);
	if (dump)
		result_dump("dump", "sites_raw", ANONLEAK_CMD_GET_SITES, 0, extra);
	if (cli) {
		/*
		 * Every site, unsymbolized; symbolized, the 1,000 largest: the
		 * CLI symbolizes each frame of each site afresh (libdw lookups,
		 * no memo): tens of minutes of TCG time for 100,000 sites.
		 */
		char *argn[] = { (char *)cli, "report", "--json", "--numeric", NULL };
		char *argv[] = { (char *)cli, "report", "--json", "--top", "1000",
				 NULL };

		char *argt[] = { (char *)cli, "report", "--numeric", NULL };

		result_cli("dump", "sites_cli_json_numeric", argn, nsites, extra);
		result_cli("dump", "sites_cli_text_numeric", argt, nsites, extra);
		result_cli("dump", "sites_cli_json", argv,
			   nsites < 1000 ? nsites : 1000, extra);
	}
}

/* A real program, its CPU time ------------------------------------------ */

/*
 * exec --name P --pidfile FILE -- CMD ARG...: fork; the child writes its
 * pid to FILE, waits for the peer (--wait, attached to that pid) and execs
 * CMD; we wait for it and report its CPU time (user + system of all its
 * threads, from wait4()): under icount, instructions run by the program
 * and by every probe and BPF program in its context, without the guest's
 * idle time waiting for 9p, which its elapsed time (also reported) has.
 */
static void stage_exec(const char *name, const char *pidfile, const char *wait,
		       char *const cmd[])
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;

	if (!name || !pidfile || !cmd[0])
		die("exec --name P --pidfile FILE -- CMD ARG...");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(out);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
			die("%s: %s", pidfile, strerror(errno));
		if (wait && !strcmp(wait, "signal"))
			wait_signal();
		else if (wait && !strcmp(wait, "uprobe"))
			wait_uprobe();
		ready_mark(".go");
		/* THP stays off (inherited): the same reason as for our stages */
		execvp(cmd[0], cmd);
		die("exec %s: %s", cmd[0], strerror(errno));
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		die("wait4: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(out, "{\"stage\":\"real\",\"config\":\"%s\",\"metric\":\"%s\",\"error\":\"%s exited with status 0x%x\"}\n",
			config, name, cmd[0], status);
		fflush(out);
		exit(1);
	}
	result("real", name,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3, "ns",
	       "\"user\":%.0f,\"system\":%.0f,\"elapsed\":%.0f",
	       ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3,
	       ru.ru_stime.tv_sec * 1e9 + ru.ru_stime.tv_usec * 1e3,
	       (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec));
}

/* Command line ---------------------------------------------------------- */

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end)
		die("'%s' is not a number", s);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "wait", required_argument, NULL, 'w' },
		{ "ready", required_argument, NULL, 'r' },
		{ "pairs", required_argument, NULL, 'p' },
		{ "ops", required_argument, NULL, 'O' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "live", required_argument, NULL, 'l' },
		{ "mode", required_argument, NULL, 'm' },
		{ "dump", no_argument, NULL, 'd' },
		{ "cli", required_argument, NULL, 'C' },
		{ "procs", required_argument, NULL, 'P' },
		{ "maps", required_argument, NULL, 'M' },
		{ "sites", required_argument, NULL, 'S' },
		{ "pidfile", required_argument, NULL, 'T' },
		{ "name", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long pairs = 20000, ops = 10000, warm = 1000, procs = 10000;
	unsigned long maps = 4, sites = 100000;
	const char *wait = NULL, *live = "1000", *mode = "tracked", *cli = NULL;
	const char *stage, *pidfile = NULL, *name = NULL;
	bool dump = false;
	int opt;

	out = stdout;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'o':
			out = fopen(optarg, "a");
			if (!out)
				die("%s: %s", optarg, strerror(errno));
			break;
		case 'w': wait = optarg; break;
		case 'r': ready_file = optarg; break;
		default: die("usage: see the comment at the top of anonbench.c");
		}
	}
	if (optind >= argc)
		die("no stage given");
	stage = argv[optind];
	argv += optind;
	argc -= optind;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': pairs = num(optarg); break;
		case 'O': ops = num(optarg); break;
		case 'W': warm = num(optarg); break;
		case 'l': live = optarg; break;
		case 'm': mode = optarg; break;
		case 'd': dump = true; break;
		case 'C': cli = optarg; break;
		case 'P': procs = num(optarg); break;
		case 'M': maps = num(optarg); break;
		case 'S': sites = num(optarg); break;
		case 'T': pidfile = optarg; break;
		case 'N': name = optarg; break;
		default: die("bad option for %s", stage);
		}
	}
	if (!pairs || !ops)
		die("--pairs and --ops must not be 0");
	/*
	 * No transparent huge pages: whether a fault gets one depends on how
	 * fragmented the guest's memory is at the time, and zeroing 2 MiB
	 * costs more than all that is measured here (the malloc workload was
	 * bimodal, +-1.5%, with them).
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("prctl(PR_SET_THP_DISABLE): %s", strerror(errno));

	if (wait && strcmp(wait, "signal") && strcmp(wait, "uprobe"))
		die("--wait signal|uprobe");
	/* exec: the child waits, the peer attaches to it */
	if (!strcmp(stage, "exec")) {
		stage_exec(name, pidfile, wait, argv + optind);
		return 0;
	}
	if (wait && !strcmp(wait, "signal"))
		wait_signal();
	else if (wait && !strcmp(wait, "uprobe"))
		wait_uprobe();
	ready_mark(".go");

	if (!strcmp(stage, "malloc")) {
		stage_malloc(ops, warm / 2);
	} else if (!strcmp(stage, "micro")) {
		stage_micro(pairs, warm);
	} else if (!strcmp(stage, "pairs")) {
		stage_pairs(pairs);
	} else if (!strcmp(stage, "work")) {
		stage_micro(pairs, warm);
		stage_malloc(ops, warm / 2);
		result_stats("work", NULL);
	} else if (!strcmp(stage, "scale")) {
		stage_scale(live, pairs, warm, !strcmp(mode, "tracked"), dump,
			    cli);
	} else if (!strcmp(stage, "procs")) {
		stage_procs(procs, maps, pairs, warm);
	} else if (!strcmp(stage, "sites")) {
		stage_sites(sites, dump, cli);
	} else {
		die("unknown stage '%s'", stage);
	}
	return 0;
}
