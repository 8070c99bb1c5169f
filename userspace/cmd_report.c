// SPDX-License-Identifier: GPL-2.0
/* anonleak report: live anonymous mappings per process and call site. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <linux/anonleak.h>

#include "cli.h"
#include "parse.h"
#include "report.h"
#include "symbolize.h"
#include "util.h"

static const char usage[] =
	"Usage: anonleak report [--pid PID] [--all] [--numeric] [--json]\n"
	"\n"
	"List the call sites whose anonymous mappings are still mapped, per\n"
	"process, largest live bytes first: counts, sizes, the age of the oldest\n"
	"live mapping, and the user stack of the site, symbolized from the\n"
	"mapped files when they can be read.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID   only this process (exit code 5 if it has no record and\n"
	"                  does not exist)\n"
	"  -a, --all       text: also list sites with nothing live (the JSON\n"
	"                  output always lists every site)\n"
	"  -n, --numeric   do not symbolize frames\n"
	"      --json      print one JSON object instead of text\n"
	"  -h, --help      show this help\n";

struct report_ctx {
	struct al_report r;
	struct parse_err perr;
};

static int site_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct report_ctx *c = data;
	struct al_site_msg m;
	int ret = parse_site_msg(nlh, &m, &c->perr);

	if (ret)
		return ret;
	return report_add(&c->r, &m);
}

static void report_reset(void *data)
{
	struct report_ctx *c = data;

	report_release(&c->r);
}

/* Dump the sites into c->r; returns an exit code. */
static int fetch_sites(struct report_ctx *c, pid_t pid)
{
	static const struct nl_dump_ops ops = { .msg = site_msg_cb, .reset = report_reset };
	struct nl_req req;
	struct nlmsghdr *nlh;
	bool inconsistent;
	struct nl *nl;
	int ret;

	ret = cli_open(&nl);
	if (ret)
		return ret;
	nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_SITES, 0);
	if (pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	ret = nl_dump(nl, nlh, &ops, c, &inconsistent);
	if (ret)
		ret = cli_nl_error(nl, "reading sites", ret, c->perr.msg);
	else if (inconsistent)
		fprintf(stderr, "anonleak: warning: records kept changing during %d attempts; "
			"the report may mix old and new state\n", NL_DUMP_TRIES);
	nl_close(nl);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, all = false, numeric = false;
	struct report_ctx c = { 0 };
	pid_t pid = 0;
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:anh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_pid(optarg, &pid))
				return cli_usage_error("report", "invalid pid '%s'", optarg);
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

	report_init(&c.r);
	ret = fetch_sites(&c, pid);
	if (ret)
		goto out;
	/* pids are per namespace: kill() asks in ours, as the kernel answered */
	if (pid && !c.r.nr_procs && kill(pid, 0) < 0 && errno == ESRCH) {
		ret = cli_error(AL_EXIT_NOPROC, "no such process: %d", (int)pid);
		goto out;
	}
	report_finish(&c.r);
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
