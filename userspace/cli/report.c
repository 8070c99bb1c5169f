// SPDX-License-Identifier: GPL-2.0
/* anonleak report: live anonymous mappings per process and call site. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fleet.h"
#include "core/report.h"
#include "core/symbolize.h"
#include "print/report.h"
#include "proto/sites.h"

static const char usage[] =
	"Usage: anonleak report [--pid PID | --comm NAME] [--min-bytes SIZE]\n"
	"                       [--min-age DURATION] [--top N] [--all] [--numeric]\n"
	"                       [--json | --format FORMAT [-o FILE]] [--by GROUP]\n"
	"                       [--cgroup PATH] [--sort live|resident] [--resident]\n"
	"\n"
	"List the call sites whose anonymous mappings are still mapped (or were\n"
	"outstanding when their process exited), per process, largest live bytes\n"
	"first: counts, sizes, the age of the oldest live mapping, and the user\n"
	"stack of the site, symbolized from the mapped files when they can be read.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID          only this process (exit code 5 if it has no record\n"
	"                         and does not exist)\n"
	"  -c, --comm NAME        only processes whose comm (when first seen) is NAME\n"
	"      --min-bytes SIZE   only sites with at least SIZE live bytes (4096, 64K,\n"
	"                         1M, 2G)\n"
	"      --min-age DURATION only sites whose oldest live mapping is at least\n"
	"                         this old (500ms, 30s, 5m, 1h30m; a bare number is\n"
	"                         seconds)\n"
	"  -t, --top N            only the N largest (process, site) blocks\n"
	"  -a, --all              text: also list sites with nothing live (the JSON\n"
	"                         output always lists every site)\n"
	"  -n, --numeric          do not symbolize frames\n"
	"      --json             print one JSON object instead of text\n"
	"      --format FORMAT    text, json, folded (root;...;leaf BYTES per\n"
	"                         stack), pprof (gzipped profile.proto for go tool\n"
	"                         pprof, Pyroscope, Parca; needs -o) or html (a\n"
	"                         self-contained flame graph)\n"
	"  -o, --output FILE      write the output to FILE instead of stdout\n"
	"      --by GROUP         text and JSON: group by process (default), cgroup\n"
	"                         or pod\n"
	"      --cgroup PATH      only processes of this cgroup (v2 path, e.g.\n"
	"                         /system.slice/x.service) and its children\n"
	"      --sort KEY         live (default) or resident bytes first\n"
	"      --resident         also resident bytes per site (pagemap; live\n"
	"                         processes only)\n"
	"  -h, --help             show this help\n";

/* report_feed.keep for --comm: the processes whose comm is arg. */
static bool comm_matches(const void *arg, const struct site_msg *m)
{
	return !strcmp(m->comm, arg);
}

/* Dump the sites (those of --comm) into r; returns an exit code. */
static int fetch_sites(const struct cli_args *a, const struct site_query *q, struct report *r)
{
	struct report_feed feed = { .r = r, .keep = a->comm ? comm_matches : NULL,
				    .arg = a->comm };
	const struct sink sink = report_sink(&feed);
	struct nl *nl;
	int ret = cli_open(&nl);

	if (ret)
		return ret;
	ret = cli_dump_sites(nl, q, &sink, 0);
	nl_close(nl);
	return ret;
}

static int run(const struct cli_args *a)
{
	const struct site_query q = {
		.pid = a->pid, .min_bytes = a->min_bytes, .min_age = a->min_age,
		.has_min_bytes = a->has_min_bytes, .has_min_age = a->has_min_age,
	};
	struct report r;
	int ret;

	if (a->pid && a->comm)
		return cli_usage_error("report", "--pid and --comm exclude each other");
	ret = cli_fleet_check("report", a);
	if (ret)
		return ret;
	report_init(&r);
	ret = fetch_sites(a, &q, &r);
	/*
	 * pids are per namespace: kill() asks in ours, as the kernel answered.
	 * With --min-* an empty answer does not mean there is no record.
	 */
	if (!ret && q.pid && !q.has_min_bytes && !q.has_min_age && !r.nr_procs &&
	    kill(q.pid, 0) < 0 && errno == ESRCH)
		ret = cli_error(AL_EXIT_NOPROC, "no such process: %d", (int)q.pid);
	if (!ret) {
		report_finish(&r);
		ret = cli_fleet_prepare(a, &r);
	}
	if (!ret) {
		if (a->top)
			report_keep_top(&r, a->top > SIZE_MAX ? SIZE_MAX : a->top);
		if (!a->numeric)
			symbolize_report(&r);
		ret = cli_fleet_output("report", a, &r, stdout);
	}
	report_release(&r);
	return ret;
}

const struct command cmd_report = {
	"report", "list live anonymous mappings per process and call site",
	usage, CLI_PID | CLI_COMM | CLI_MIN_BYTES | CLI_MIN_AGE | CLI_TOP | CLI_ALL |
	CLI_NUMERIC | CLI_JSON | CLI_FORMAT | CLI_OUTPUT | CLI_BY | CLI_CGROUP | CLI_SORT |
	CLI_RESIDENT, false, run,
};
