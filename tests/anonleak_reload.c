// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak selftests that load and unload the module: unload with live and
 * exited state, bad module parameters, the load-time self-check's refusal,
 * the max_mappings cap.
 *
 * ANONLEAK_KO names the module file (the guest runner sets it); the runner
 * has the module loaded when this starts and unloads it after.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

/*
 * Each test loads the module several times: on the debug kernel (KASAN,
 * lockdep) with the cores shared, a load takes seconds. The runner bounds
 * the whole program.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

AL_RAW_SITE(leak)

TEST(unload_with_live_and_exited_state)
{
	struct al_t_stats st;
	void *p[64];
	pid_t pid;
	int i, status;

	ASSERT_EQ(0, al_ko_reload(""));
	for (i = 0; i < 64; i++)
		ASSERT_NE(MAP_FAILED, p[i] = leak(PG));
	for (i = 0; i < 32; i++)
		ASSERT_EQ(0, munmap(p[i], PG));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (i = 0; i < 16; i++)
			leak(2 * PG);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_LE(32, st.c[ANONLEAK_STATS_A_LIVE_COUNT]);

	/* Unload with 32 live records here and an exited process. */
	ASSERT_EQ(0, al_sh("rmmod anonleak"));
	EXPECT_EQ(-ENOENT, al_t_stats(&st));

	/* Unmapping what the old module saw is harmless... */
	for (i = 32; i < 48; i++)
		ASSERT_EQ(0, munmap(p[i], PG));
	/* ... and a fresh module starts from nothing. */
	ASSERT_EQ(0, al_ko_load(""));
	ASSERT_EQ(0, al_t_stats(&st));
	for (i = 48; i < 64; i++)
		ASSERT_EQ(0, munmap(p[i], PG));
	p[0] = leak(3 * PG);
	ASSERT_NE(MAP_FAILED, p[0]);
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_LE(1, st.c[ANONLEAK_STATS_A_LIVE_COUNT]);
	/* Load and unload several times with state in between. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, al_ko_reload(""));
		ASSERT_NE(MAP_FAILED, leak(PG));
	}
}

TEST(bad_parameters_are_refused)
{
	static const char * const bad[] = {
		"stack_depth=0", "stack_depth=33", "max_mappings=0",
		"max_mappings=abc", "max_sites=-1", "max_exited=99999999999",
		"munmap_symbol=no_such_function_anywhere",
	};
	struct al_t_stats st;
	unsigned int i;

	al_ko_unload();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, al_sh("insmod %s %s 2>/dev/null", al_ko(), bad[i]))
			TH_LOG("insmod %s was accepted", bad[i]);
		EXPECT_EQ(-ENOENT, al_t_stats(&st)) TH_LOG("%s", bad[i]);
	}
	ASSERT_EQ(0, al_ko_load("stack_depth=4 max_exited=3"));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(4, st.c[ANONLEAK_STATS_A_STACK_DEPTH]);
	EXPECT_EQ(3, st.c[ANONLEAK_STATS_A_MAX_EXITED]);
	/* Out of range at run time is refused too, and changes nothing. */
	EXPECT_NE(0, al_ko_param("stack_depth", "0"));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(4, st.c[ANONLEAK_STATS_A_STACK_DEPTH]);
	EXPECT_EQ(0, al_ko_param("stack_depth", "12"));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(12, st.c[ANONLEAK_STATS_A_STACK_DEPTH]);
}

/*
 * The load-time self-check: a probe on a function that does not do what its
 * handler expects makes the load fail, with the function and the parameter
 * named in the kernel log; a normal load after it passes the check.
 * vm_munmap(start, len) is the function the check itself calls, with other
 * arguments than the munmap handler reads, on every kernel.
 */
TEST(self_check_refuses_a_wrong_function)
{
	struct al_t_stats st;
	char mark[64];

	snprintf(mark, sizeof(mark), "anonleak-test-selfcheck-%d", getpid());
	al_ko_unload();
	ASSERT_EQ(0, al_sh("echo %s > /dev/kmsg", mark));
	EXPECT_NE(0, al_sh("insmod %s munmap_symbol=vm_munmap 2>/dev/null", al_ko()));
	EXPECT_FALSE(al_ko_loaded());
	EXPECT_EQ(-ENOENT, al_t_stats(&st));
	EXPECT_EQ(0, al_sh("dmesg | sed -n '/%s/,$p' | grep 'self-check' | "
			   "grep 'on vm_munmap' | grep -q 'set munmap_symbol='", mark))
		TH_LOG("no self-check message naming vm_munmap and munmap_symbol=");
	EXPECT_NE(0, al_sh("dmesg | sed -n '/%s/,$p' | grep -q 'self-check passed'", mark));

	ASSERT_EQ(0, al_sh("echo %s-again > /dev/kmsg", mark));
	ASSERT_EQ(0, al_ko_load(""));
	EXPECT_TRUE(al_ko_loaded());
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(0, al_sh("dmesg | sed -n '/%s-again/,$p' | grep -q 'self-check passed'", mark));
	/* And the loaded module records as usual. */
	ASSERT_NE(MAP_FAILED, leak(PG));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_LE(1, st.c[ANONLEAK_STATS_A_LIVE_COUNT]);
}

TEST(mapping_cap_drops_are_counted_exactly)
{
	struct al_t_stats st0, st1;
	unsigned long cap = 200, room, i;

	ASSERT_EQ(0, al_ko_reload("max_mappings=200"));
	ASSERT_EQ(0, al_t_stats(&st0));
	ASSERT_GE(cap, st0.c[ANONLEAK_STATS_A_LIVE_COUNT]);
	room = cap - st0.c[ANONLEAK_STATS_A_LIVE_COUNT];
	for (i = 0; i < room + 25; i++)
		ASSERT_NE(MAP_FAILED, leak(PG));
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_EQ(cap, st1.c[ANONLEAK_STATS_A_LIVE_COUNT]);
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_DROPS_MAPPINGS] + 25,
		  st1.c[ANONLEAK_STATS_A_DROPS_MAPPINGS]);
	EXPECT_EQ(st1.c[ANONLEAK_STATS_A_DROPS_MAPPINGS],
		  st1.c[ANONLEAK_STATS_A_DROPS]);
}

/* Distinct call stacks: a path of ping/pong frames chosen by @bits. */
static AL_SITE void *walk(int n, unsigned int bits);

static AL_SITE_FN(ping, (int n, unsigned int bits), walk(n, bits))
static AL_SITE_FN(pong, (int n, unsigned int bits), walk(n, bits))

static AL_SITE void *walk(int n, unsigned int bits)
{
	void *p;

	if (!n)
		p = leak(PG);
	else if (bits & 1)
		p = ping(n - 1, bits >> 1);
	else
		p = pong(n - 1, bits >> 1);
	al_barrier();
	return p;
}

TEST(site_cap_drops_are_counted_exactly)
{
	struct al_t_stats st0, st1;
	unsigned int i, room, cap = 10;

	ASSERT_EQ(0, al_ko_reload("max_sites=10 stack_depth=16"));
	ASSERT_EQ(0, al_t_stats(&st0));
	ASSERT_GE(cap, st0.c[ANONLEAK_STATS_A_SITES]);
	room = cap - st0.c[ANONLEAK_STATS_A_SITES];
	/* 32 distinct stacks, each mapping twice: known sites keep recording */
	for (i = 0; i < 64; i++)
		ASSERT_NE(MAP_FAILED, walk(5, i % 32));
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_EQ(cap, st1.c[ANONLEAK_STATS_A_SITES]);
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_DROPS_SITES] + 64 - 2 * room,
		  st1.c[ANONLEAK_STATS_A_DROPS_SITES]);
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_LIVE_COUNT] + 2 * room,
		  st1.c[ANONLEAK_STATS_A_LIVE_COUNT]);
}

static pid_t leaker(int pages)
{
	pid_t pid = fork();
	int i;

	if (!pid) {
		for (i = 0; i < pages; i++)
			leak(PG);
		_exit(0);
	}
	return pid;
}

static int exited_count(struct al_t_stats *st)
{
	int i;

	/* exited processes are queued by a work item: let it run */
	for (i = 0; i < 100; i++) {
		if (al_t_stats(st))
			return -1;
		if (!st->c[ANONLEAK_STATS_A_PROCS] || i == 99)
			break;
		usleep(10000);
	}
	return st->c[ANONLEAK_STATS_A_EXITED];
}

TEST(exited_cap_keeps_the_newest)
{
	struct al_t_stats st0, st1;
	pid_t pids[5];
	struct al_t_dump d;
	int i, status;

	ASSERT_EQ(0, al_ko_reload("max_exited=2"));
	ASSERT_LE(0, exited_count(&st0));
	for (i = 0; i < 5; i++) {
		pids[i] = leaker(i + 1);
		ASSERT_LT(0, pids[i]);
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
	}
	/* this process has records too: PROCS never drops to 0, so poll */
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, al_t_stats(&st1));
		if (st1.c[ANONLEAK_STATS_A_DROPS_EXITED] >=
		    st0.c[ANONLEAK_STATS_A_DROPS_EXITED] + 3 + st0.c[ANONLEAK_STATS_A_EXITED])
			break;
		usleep(10000);
	}
	EXPECT_EQ(2, st1.c[ANONLEAK_STATS_A_EXITED]);
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_DROPS_EXITED] + 3 +
		  st0.c[ANONLEAK_STATS_A_EXITED],
		  st1.c[ANONLEAK_STATS_A_DROPS_EXITED]);
	/* the two newest are kept, with their outstanding bytes */
	for (i = 3; i < 5; i++) {
		ASSERT_EQ(0, al_t_sites(pids[i], &d));
		ASSERT_EQ(1, d.n);
		EXPECT_EQ(ANONLEAK_PROC_EXITED, d.sites[0].state);
		EXPECT_EQ((i + 1) * PG, d.sites[0].c[ANONLEAK_SITE_A_LIVE_BYTES]);
		free(d.sites);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, al_t_sites(pids[i], &d));
		EXPECT_EQ(0, d.n);
		free(d.sites);
	}
}

TEST(filters)
{
	struct al_t_stats st0, st1;
	int status, p[2];
	char c, arg[64];
	pid_t pid;

	/* min_size: small mappings are filtered, and counted as such */
	ASSERT_EQ(0, al_ko_reload("min_size=16384"));
	ASSERT_EQ(0, al_t_stats(&st0));
	ASSERT_NE(MAP_FAILED, leak(PG));
	ASSERT_NE(MAP_FAILED, leak(8 * PG));
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_EQ(8 * PG, al_t_live_bytes(getpid()));
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_FILTERED] + 1,
		  st1.c[ANONLEAK_STATS_A_FILTERED]);

	/* comm, changed at run time */
	ASSERT_EQ(0, al_ko_reload("filter_comm=no-such-comm"));
	ASSERT_NE(MAP_FAILED, leak(PG));
	EXPECT_EQ(0, al_t_live_bytes(getpid()));
	ASSERT_EQ(0, al_ko_param("filter_comm", ""));
	ASSERT_NE(MAP_FAILED, leak(PG));
	EXPECT_EQ(PG, al_t_live_bytes(getpid()));

	/* pid: a child is tracked, its parent (not a descendant) is not */
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		leak(3 * PG);
		_exit(0);
	}
	/*
	 * Set at load: system() maps a stack in this process for the shell it
	 * spawns, which would make this process known before a later filter.
	 */
	snprintf(arg, sizeof(arg), "filter_pid=%d", pid);
	ASSERT_EQ(0, al_ko_reload(arg));
	ASSERT_NE(MAP_FAILED, leak(PG));
	ASSERT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, al_t_live_bytes(getpid()));
	usleep(100000);
	EXPECT_EQ(3 * PG, al_t_live_bytes(pid));

	/* uid: only the unprivileged child's mappings */
	ASSERT_EQ(0, al_ko_reload("filter_uid=65534"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		leak(2 * PG);
		_exit(0);
	}
	ASSERT_NE(MAP_FAILED, leak(PG));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, al_t_live_bytes(getpid()));
	usleep(100000);
	EXPECT_EQ(2 * PG, al_t_live_bytes(pid));

	/* bad values are refused and change nothing */
	EXPECT_NE(0, al_ko_param("filter_uid", "-5"));
	EXPECT_NE(0, al_ko_param("filter_pid", "-1"));
	EXPECT_NE(0, al_ko_param("min_size", "lots"));
	EXPECT_EQ(0, al_sh("grep -qx 65534 /sys/module/anonleak/parameters/filter_uid"));
}

AL_TEST_MAIN
