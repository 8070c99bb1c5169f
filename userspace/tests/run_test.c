// SPDX-License-Identifier: GPL-2.0
/*
 * run.c: the --fail-on-leak threshold, the settings run changes and
 * restores, which process records belong to a run, and its exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <linux/anonleak.h>

#include "kselftest_harness.h"
#include "core/exit.h"
#include "core/run.h"
#include "proto/util.h"

/* A wait status as waitpid() reports it. */
#define EXITED(code)	((code) << 8)
#define KILLED(sig)	(sig)

TEST(threshold)
{
	static const struct { const char *arg; int ret; uint64_t v; } cases[] = {
		{ NULL, 0, 1 },		/* --fail-on-leak alone: any byte */
		{ "1", 0, 1 },
		{ "4096", 0, 4096 },
		{ "64K", 0, 65536 },
		{ "1M", 0, 1 << 20 },
		{ "2GiB", 0, 2ULL << 30 },
		{ "0", -ERANGE, 0 },	/* would always fail */
		{ "0K", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "1.5M", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "1 M", -EINVAL, 0 },
		{ "lots", -EINVAL, 0 },
		{ "99999999999T", -ERANGE, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 12345;

		EXPECT_EQ(cases[i].ret, run_parse_threshold(cases[i].arg, &v))
			TH_LOG("'%s'", cases[i].arg ? cases[i].arg : "(none)");
		EXPECT_EQ(cases[i].ret ? 12345 : cases[i].v, v)
			TH_LOG("'%s'", cases[i].arg ? cases[i].arg : "(none)");
	}
}

TEST(exit_code)
{
	/* without --fail-on-leak: the command's status */
	EXPECT_EQ(0, run_exit_code(EXITED(0), false, 1, 1 << 20));
	EXPECT_EQ(3, run_exit_code(EXITED(3), false, 1, 0));
	EXPECT_EQ(7, run_exit_code(EXITED(7), false, 1, 0));
	EXPECT_EQ(128 + SIGKILL, run_exit_code(KILLED(SIGKILL), false, 1, 0));
	EXPECT_EQ(128 + SIGSEGV, run_exit_code(KILLED(SIGSEGV) | 0x80, false, 1, 0)); /* core */
	/* with it: 7 when the command succeeded and the threshold is reached */
	EXPECT_EQ(AL_EXIT_LEAK, run_exit_code(EXITED(0), true, 1, 1));
	EXPECT_EQ(AL_EXIT_LEAK, run_exit_code(EXITED(0), true, 1 << 20, 1 << 20));
	EXPECT_EQ(0, run_exit_code(EXITED(0), true, 1 << 20, (1 << 20) - 1));
	EXPECT_EQ(0, run_exit_code(EXITED(0), true, 1, 0));
	/* a failure of the command wins over the leak */
	EXPECT_EQ(2, run_exit_code(EXITED(2), true, 1, 1 << 30));
	EXPECT_EQ(128 + SIGTERM, run_exit_code(KILLED(SIGTERM), true, 1, 1 << 30));
	EXPECT_EQ(7, AL_EXIT_LEAK);
}

static struct proc_info proc(uint32_t pid, uint64_t start, uint8_t state)
{
	return (struct proc_info){ .pid = pid, .start_time = start, .state = state };
}

TEST(record_selection)
{
	struct proc_info p;

	p = proc(10, 100, ANONLEAK_PROC_EXITED);
	EXPECT_TRUE(run_record_selected(&p, 100, 200));	/* both ends count */
	p.start_time = 200;
	EXPECT_TRUE(run_record_selected(&p, 100, 200));
	p.start_time = 99;
	EXPECT_FALSE(run_record_selected(&p, 100, 200));	/* before the filter */
	p.start_time = 201;
	EXPECT_FALSE(run_record_selected(&p, 100, 200));	/* after the restore */
}

TEST(child_reaped)
{
	struct proc_info procs[] = {
		proc(10, 150, ANONLEAK_PROC_EXITED),	/* the command before execve */
		proc(10, 160, ANONLEAK_PROC_RUNNING),	/* the command */
		proc(11, 170, ANONLEAK_PROC_RUNNING),	/* a descendant: not waited for */
		proc(10, 50, ANONLEAK_PROC_RUNNING),	/* an older record, pid reused */
	};
	struct proc_list l = { .nr = ARRAY_SIZE(procs), .procs = procs };

	EXPECT_FALSE(run_child_reaped(&l, 10, 100, 200));
	procs[1].state = ANONLEAK_PROC_EXITED;
	EXPECT_TRUE(run_child_reaped(&l, 10, 100, 200));
	l.nr = 0;
	EXPECT_TRUE(run_child_reaped(&l, 10, 100, 200));	/* never mapped anything */
}

static void current_config(struct module_config *c, uint64_t enabled, uint64_t depth,
			   uint64_t uid, const char *comm)
{
	memset(c, 0, sizeof(*c));
	config_set(c, CFG_ENABLED, enabled);
	config_set(c, CFG_STACK_DEPTH, depth);
	config_set(c, CFG_MIN_SIZE, 0);
	config_set(c, CFG_FILTER_PID, 0);
	config_set(c, CFG_FILTER_UID, uid);
	config_set_comm(c, comm);
	config_set(c, CFG_MAX_EXITED, 256);
}

#define BIT(key) (1U << (key))

TEST(config_change_and_undo)
{
	struct module_config cur, change, undo;

	/* the defaults: only the pid changes */
	current_config(&cur, 1, 8, ANONLEAK_UID_ANY, "");
	ASSERT_EQ(0, run_config_change(&cur, 4242, 0, &change, &undo));
	EXPECT_EQ(BIT(CFG_FILTER_PID), change.present);
	EXPECT_EQ(4242, change.v[CFG_FILTER_PID]);
	EXPECT_EQ(BIT(CFG_FILTER_PID), undo.present);
	EXPECT_EQ(0, undo.v[CFG_FILTER_PID]);
	config_release(&change);
	config_release(&undo);

	/* same depth asked: not sent */
	ASSERT_EQ(0, run_config_change(&cur, 4242, 8, &change, &undo));
	EXPECT_EQ(BIT(CFG_FILTER_PID), change.present);
	config_release(&change);
	config_release(&undo);
	config_release(&cur);

	/* disabled, filtered by uid and comm, another depth: all undone */
	current_config(&cur, 0, 8, 1000, "nginx");
	ASSERT_EQ(0, run_config_change(&cur, 99, 16, &change, &undo));
	EXPECT_EQ(BIT(CFG_ENABLED) | BIT(CFG_FILTER_PID) | BIT(CFG_FILTER_UID) |
		  BIT(CFG_STACK_DEPTH) | BIT(CFG_FILTER_COMM), change.present);
	EXPECT_EQ(1, change.v[CFG_ENABLED]);
	EXPECT_EQ(16, change.v[CFG_STACK_DEPTH]);
	EXPECT_EQ(ANONLEAK_UID_ANY, change.v[CFG_FILTER_UID]);
	EXPECT_STREQ("", change.filter_comm);
	EXPECT_EQ(change.present, undo.present);
	EXPECT_EQ(0, undo.v[CFG_ENABLED]);
	EXPECT_EQ(8, undo.v[CFG_STACK_DEPTH]);
	EXPECT_EQ(1000, undo.v[CFG_FILTER_UID]);
	EXPECT_STREQ("nginx", undo.filter_comm);
	/* settings run does not touch stay out of both */
	EXPECT_FALSE(change.present & BIT(CFG_MAX_EXITED));
	EXPECT_FALSE(undo.present & BIT(CFG_MIN_SIZE));
	config_release(&change);
	config_release(&undo);
	config_release(&cur);
}

TEST_HARNESS_MAIN
