// SPDX-License-Identifier: GPL-2.0
/* anonleak metrics: Prometheus series for node_exporter's textfile collector. */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fleet.h"
#include "core/file.h"
#include "core/metrics.h"
#include "core/report.h"
#include "core/symbolize.h"
#include "print/metrics.h"
#include "proto/stats.h"

#define DEFAULT_TOP		10
#define DEFAULT_MAX_SERIES	1000

static const char usage[] =
	"Usage: anonleak metrics --textfile DIR [--interval DURATION | --once]\n"
	"                        [--top N] [--max-series M] [--resident]\n"
	"\n"
	"Write the live anonymous mappings as Prometheus metrics into DIR/anonleak.prom\n"
	"for node_exporter's textfile collector (--collector.textfile.directory=DIR),\n"
	"atomically: a temporary file in DIR, synced, then renamed. Running processes\n"
	"are grouped by comm and, when their cgroup names one, container; there is\n"
	"never a pid label. Per group: processes, live bytes and mappings, mapped and\n"
	"unmapped bytes, the oldest live mapping's age; the N largest sites of each\n"
	"process (labels comm, site: a hash of the symbolized stack, function); the\n"
	"sites and groups the caps left out; drops, module memory, build info.\n"
	"\n"
	"Options:\n"
	"      --textfile DIR       the directory node_exporter reads (must exist)\n"
	"  -i, --interval DURATION  rewrite the file every DURATION until SIGINT or\n"
	"                           SIGTERM (30s, 1m); without it, write once\n"
	"      --once               write once and exit (the default)\n"
	"  -t, --top N              sites per process (default 10)\n"
	"      --max-series M       at most M groups (the rest summed as comm=\"(other)\")\n"
	"                           and M site series (default 1000)\n"
	"      --resident           also resident bytes per group and site (pagemap)\n"
	"  -h, --help               show this help\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct snapshot {
	struct metrics m;
	struct module_stats st;
};

static int write_snapshot(FILE *f, const void *ctx)
{
	const struct snapshot *s = ctx;

	metrics_print(f, &s->m, &s->st);
	return ferror(f) ? -EIO : 0;
}

/* The records and counters now, into s: 0 or an exit code (printed). */
static int take(const struct cli_args *a, struct report *r, struct snapshot *s)
{
	struct report_feed feed = { .r = r };
	const struct sink sink = report_sink(&feed);
	const struct site_query all = { 0 };
	struct parse_err perr;
	struct nl *nl;
	int ret = cli_open(&nl);

	if (ret)
		return ret;
	ret = cli_dump_sites(nl, &all, &sink, 0);
	if (!ret && (ret = query_stats(nl, &s->st, &perr)))
		ret = cli_nl_error(nl, "reading stats", ret, perr.msg);
	nl_close(nl);
	if (ret)
		return ret;
	report_finish(r);
	ret = cli_fleet_prepare(a, r);
	if (ret)
		return ret;
	symbolize_report(r);
	ret = metrics_build(r, a->top ? a->top : DEFAULT_TOP,
			    a->max_series ? a->max_series : DEFAULT_MAX_SERIES, &s->m);
	return ret ? cli_error(AL_EXIT_ERROR, "out of memory") : 0;
}

static int write_once(const struct cli_args *a, const char *path)
{
	struct snapshot s = { 0 };
	struct report r;
	int ret;

	report_init(&r);
	ret = take(a, &r, &s);
	if (!ret && (ret = file_write_atomic(path, write_snapshot, &s)))
		ret = cli_error(AL_EXIT_ERROR, "metrics: writing %s: %s", path, strerror(-ret));
	metrics_release(&s.m);
	module_stats_release(&s.st);
	report_release(&r);
	return ret;
}

/* DIR must be a directory we can make files in. */
static int check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st))
		return cli_error(AL_EXIT_ERROR, "metrics: %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_error(AL_EXIT_ERROR, "metrics: %s: not a directory", dir);
	if (access(dir, W_OK | X_OK))
		return cli_error(AL_EXIT_ERROR, "metrics: %s: cannot write there: %s", dir,
				 strerror(errno));
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec t = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	while (!stop && nanosleep(&t, &t) && errno == EINTR)
		;
}

static int run(const struct cli_args *a)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char *path = NULL;
	int ret;

	if (!a->textfile)
		return cli_usage_error("metrics", "--textfile DIR is required");
	if (a->interval && a->just_once)
		return cli_usage_error("metrics", "--interval and --once exclude each other");
	ret = check_dir(a->textfile);
	if (ret)
		return ret;
	if (asprintf(&path, "%s/anonleak.prom", a->textfile) < 0)
		return cli_error(AL_EXIT_ERROR, "out of memory");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	do {
		ret = write_once(a, path);
		if (a->interval && !stop)
			sleep_ns(a->interval);
	} while (a->interval && !stop);
	free(path);
	return ret;
}

const struct command cmd_metrics = {
	"metrics", "write Prometheus metrics for node_exporter's textfile collector",
	usage, CLI_TEXTFILE | CLI_INTERVAL | CLI_JUST_ONCE | CLI_TOP | CLI_MAX_SERIES |
	CLI_RESIDENT, false, run,
};
