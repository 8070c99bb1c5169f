// SPDX-License-Identifier: GPL-2.0
/* anonleak report: live anonymous mappings per process and call site. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "proto/request.h"
#include "core/report.h"
#include "core/symbolize.h"
#include "core/util.h"

static const char usage[] =
	"Usage: anonleak report [--pid PID | --comm NAME] [--min-bytes SIZE]\n"
	"                       [--min-age DURATION] [--top N] [--all] [--numeric]\n"
	"                       [--json]\n"
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
	"  -h, --help             show this help\n";

struct report_ctx {
	struct report r;
	const char *comm;		/* --comm, or NULL */
};

static int report_sink_add(void *data, struct site_msg *m)
{
	struct report_ctx *c = data;

	if (c->comm && strcmp(m->comm, c->comm)) {
		site_msg_release(m);
		return 0;
	}
	return report_add(&c->r, m);
}

static void report_sink_reset(void *data)
{
	struct report_ctx *c = data;

	report_release(&c->r);
}

/* Dump the sites into c->r; returns an exit code. */
static int fetch_sites(struct report_ctx *c, const struct site_query *q)
{
	const struct site_sink sink = {
		.add = report_sink_add, .reset = report_sink_reset, .ctx = c,
	};
	struct parse_err perr;
	bool inconsistent;
	struct nl *nl;
	int ret;

	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = query_sites(nl, q, &sink, &perr, &inconsistent);
	if (ret)
		ret = cli_nl_error(nl, "reading sites", ret, perr.msg);
	else if (inconsistent)
		cli_warn_inconsistent("the records");
	nl_close(nl);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "min-bytes", required_argument, NULL, 'B' },
		{ "min-age", required_argument, NULL, 'G' },
		{ "top", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, all = false, numeric = false, has_top = false;
	struct report_ctx c = { 0 };
	struct site_query q = { 0 };
	uint64_t top = 0;
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:c:t:anh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_pid(optarg, &q.pid))
				return cli_usage_error("report", "invalid pid '%s'", optarg);
			break;
		case 'c':
			c.comm = optarg;
			break;
		case 'B':
			if (parse_size(optarg, &q.min_bytes))
				return cli_usage_error("report", "invalid size '%s'", optarg);
			q.has_min_bytes = true;
			break;
		case 'G':
			if (parse_duration(optarg, &q.min_age))
				return cli_usage_error("report", "invalid duration '%s'", optarg);
			q.has_min_age = true;
			break;
		case 't':
			if (parse_u64(optarg, &top) || top == 0)
				return cli_usage_error("report", "invalid count '%s'", optarg);
			has_top = true;
			break;
		case 'a':
			all = true;
			break;
		case 'n':
			numeric = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return AL_EXIT_OK;
		default:
			return cli_bad_option("report", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (q.pid && c.comm)
		return cli_usage_error("report", "--pid and --comm exclude each other");

	report_init(&c.r);
	ret = fetch_sites(&c, &q);
	if (ret)
		goto out;
	/*
	 * pids are per namespace: kill() asks in ours, as the kernel answered.
	 * With --min-* an empty answer does not mean there is no record.
	 */
	if (q.pid && !q.has_min_bytes && !q.has_min_age && !c.r.nr_procs &&
	    kill(q.pid, 0) < 0 && errno == ESRCH) {
		ret = cli_error(AL_EXIT_NOPROC, "no such process: %d", (int)q.pid);
		goto out;
	}
	report_finish(&c.r);
	if (has_top)
		report_keep_top(&c.r, top > SIZE_MAX ? SIZE_MAX : top);
	if (!numeric) {
		struct symbolizer *sym = symbolizer_new();

		if (sym)
			report_symbolize(&c.r, symbolize_frame, sym);
		symbolizer_free(sym);
	}
	if (json)
		report_print_json(stdout, &c.r);
	else
		report_print_text(stdout, &c.r, all);
out:
	report_release(&c.r);
	return ret;
}
