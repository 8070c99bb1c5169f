// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak agent: keep the module's unwind tables loaded for every
 * process. A scan of /proc at start, then the OBJECT_EVENT multicasts
 * (group "objects", a socket of their own joined before the scan so that
 * nothing announced meanwhile is missed), and every --interval the tables
 * of files no process maps any more are dropped.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "core/unwind_load.h"
#include "print/unwind.h"
#include "proto/unwind.h"

#define DEFAULT_INTERVAL	(60 * NSEC_PER_SEC)
#define PREFIX			"anonleak agent: "

static const char usage[] =
	"Usage: anonleak agent [--once] [--interval DURATION]\n"
	"\n"
	"Keep the unwind tables of every running process's executable files\n"
	"loaded in the module, so that stacks through code without frame pointers\n"
	"are complete (see 'anonleak unwind'). Runs in the foreground and logs to\n"
	"standard error, one line per table loaded or dropped and per failure:\n"
	"meant to run as a service. At start it loads the tables of the processes\n"
	"already running, then those of every executable file the module\n"
	"announces (a tracked process mapped it, or a stack walk met it, without\n"
	"a table), and every DURATION it drops the tables of files that no process\n"
	"maps any more. Ends cleanly on SIGTERM or SIGINT.\n"
	"\n"
	"Options:\n"
	"      --once                 load the tables of the running processes, exit\n"
	"  -i, --interval DURATION    how often unmapped files' tables are dropped\n"
	"                             (default 60s)\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Exit status: 0 when stopped by SIGTERM or SIGINT (or after --once), else\n"
	"as other commands for module errors (see 'anonleak --help').\n";

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = sig;
}

static void log_note(void *arg, const struct unwind_note *n)
{
	(void)arg;
	unwind_note_print(stderr, PREFIX, n, false);
}

static void log_counts(const char *what, const struct unwind_counts *c)
{
	fprintf(stderr, PREFIX "%s: %zu loaded, %zu already loaded, %zu failed\n", what,
		c->loaded, c->present, c->failed);
}

static bool mapped(const struct unwind_fileid *ids, size_t nr, const struct unwind_info *u)
{
	for (size_t i = 0; i < nr; i++)
		if (ids[i].dev == u->ident.dev && ids[i].ino == u->ident.ino)
			return true;
	return false;
}

/* Drop the tables of files no process maps: 0 or -errno. */
static int drop_unmapped(struct nl *nl, struct unwind_loader *l)
{
	const struct unwind_list *t;
	struct unwind_fileid *ids;
	size_t nr;
	int ret = unwind_loader_sync(l);

	if (ret || (ret = unwind_mapped_files(&ids, &nr)))
		return ret;
	t = unwind_loader_tables(l);
	for (size_t i = 0; !ret && i < t->nr; i++) {
		if (mapped(ids, nr, &t->tables[i]))
			continue;
		ret = query_unwind_drop(nl, &t->tables[i].ident);
		if (ret == -ENOENT)
			ret = 0;	/* dropped meanwhile */
		else if (!ret)
			fprintf(stderr, PREFIX "dropped %s (no longer mapped)\n",
				t->tables[i].path[0] ? t->tables[i].path : "?");
	}
	free(ids);
	return ret ? ret : unwind_loader_sync(l);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Events until a signal; drop_unmapped() every interval. 0 or -errno. */
static int serve(struct nl *nl, struct nl *ev, struct unwind_loader *l, uint64_t interval)
{
	struct unwind_counts c = { 0 };
	uint64_t next = mono_ns() + interval;
	int ret = 0;

	while (!stop && !ret) {
		struct pollfd p = { .fd = nl_fd(ev), .events = POLLIN };
		uint64_t now = mono_ns();
		int n = poll(&p, 1, now >= next ? 0 : (int)((next - now) / NSEC_PER_MSEC) + 1);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0) {
			ret = unwind_serve_events(l, ev, &c);
			if (ret == -ENOBUFS) {
				fprintf(stderr, PREFIX "object events were lost: scanning again\n");
				ret = unwind_load_all(l, &c);
			}
		}
		if (!ret && mono_ns() >= next) {
			ret = drop_unmapped(nl, l);
			next = mono_ns() + interval;
		}
	}
	return ret;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* Open the event socket and join "objects": 0 or the exit code. */
static int open_events(struct nl **ev)
{
	int ret = cli_open(ev);

	if (!ret && (ret = nl_join_group(*ev, ANONLEAK_MCGRP_OBJECTS))) {
		ret = cli_nl_error(*ev, "joining the objects group", ret, NULL);
		nl_close(*ev);
		*ev = NULL;
	}
	return ret;
}

static int run(const struct cli_args *a)
{
	struct unwind_counts c = { 0 };
	struct unwind_loader *l = NULL;
	struct nl *nl = NULL, *ev = NULL;
	int ret = cli_open(&nl);

	if (!ret && !a->just_once)
		ret = open_events(&ev);
	if (ret)
		goto out;
	catch_signals();
	l = unwind_loader_new(nl, log_note, NULL);
	ret = l ? unwind_loader_sync(l) : -ENOMEM;
	if (!ret)
		ret = unwind_load_all(l, &c);
	if (!ret)
		log_counts("running processes", &c);
	if (!ret && !a->just_once)
		ret = serve(nl, ev, l, a->interval ? a->interval : DEFAULT_INTERVAL);
	if (ret)
		ret = cli_nl_error(nl, "loading unwind tables", ret, NULL);
	else if (stop)
		fprintf(stderr, PREFIX "stopped by signal %d\n", (int)stop);
out:
	unwind_loader_free(l);
	nl_close(ev);
	nl_close(nl);
	return ret;
}

const struct command cmd_agent = {
	"agent", "keep unwind tables loaded for every process",
	usage, CLI_JUST_ONCE | CLI_INTERVAL, false, run,
};
