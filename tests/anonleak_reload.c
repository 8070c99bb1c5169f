// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak selftests that load and unload the module: unload with live and
 * exited state, bad module parameters, the max_mappings cap.
 *
 * ANONLEAK_KO names the module file (the guest runner sets it); the runner
 * has the module loaded when this starts and unloads it after.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "al_nl.h"

#define PG ((size_t)getpagesize())
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static const char *ko(void)
{
	const char *p = getenv("ANONLEAK_KO");

	return p ? p : "module/anonleak.ko";
}

static int reload(const char *params)
{
	sh("rmmod anonleak 2>/dev/null");
	return sh("insmod %s %s", ko(), params);
}

static __attribute__((noinline)) void *leak(size_t len)
{
	void *p = (void *)syscall(SYS_mmap, NULL, len, RW, PA, -1, 0);

	__asm__ volatile("" ::: "memory");
	return p;
}

TEST(unload_with_live_and_exited_state)
{
	struct al_t_stats st;
	void *p[64];
	pid_t pid;
	int i, status;

	ASSERT_EQ(0, reload(""));
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
	ASSERT_EQ(0, sh("rmmod anonleak"));
	EXPECT_EQ(-ENOENT, al_t_stats(&st));

	/* Unmapping what the old module saw is harmless... */
	for (i = 32; i < 48; i++)
		ASSERT_EQ(0, munmap(p[i], PG));
	/* ... and a fresh module starts from nothing. */
	ASSERT_EQ(0, sh("insmod %s", ko()));
	ASSERT_EQ(0, al_t_stats(&st));
	for (i = 48; i < 64; i++)
		ASSERT_EQ(0, munmap(p[i], PG));
	p[0] = leak(3 * PG);
	ASSERT_NE(MAP_FAILED, p[0]);
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_LE(1, st.c[ANONLEAK_STATS_A_LIVE_COUNT]);
	/* Load and unload several times with state in between. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, reload(""));
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

	sh("rmmod anonleak 2>/dev/null");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, sh("insmod %s %s 2>/dev/null", ko(), bad[i]))
			TH_LOG("insmod %s was accepted", bad[i]);
		EXPECT_EQ(-ENOENT, al_t_stats(&st)) TH_LOG("%s", bad[i]);
	}
	ASSERT_EQ(0, sh("insmod %s stack_depth=4 max_exited=3", ko()));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(4, st.c[ANONLEAK_STATS_A_STACK_DEPTH]);
	EXPECT_EQ(3, st.c[ANONLEAK_STATS_A_MAX_EXITED]);
	/* Out of range at run time is refused too, and changes nothing. */
	EXPECT_NE(0, sh("echo 0 > /sys/module/anonleak/parameters/stack_depth 2>/dev/null"));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(4, st.c[ANONLEAK_STATS_A_STACK_DEPTH]);
	EXPECT_EQ(0, sh("echo 12 > /sys/module/anonleak/parameters/stack_depth"));
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_EQ(12, st.c[ANONLEAK_STATS_A_STACK_DEPTH]);
}

TEST(mapping_cap_drops_are_counted_exactly)
{
	struct al_t_stats st0, st1;
	unsigned long cap = 200, room, i;

	ASSERT_EQ(0, reload("max_mappings=200"));
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

TEST_HARNESS_MAIN
