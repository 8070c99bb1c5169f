// SPDX-License-Identifier: GPL-2.0
/* anonleak status: the module's counters, limits and probes. */
#include <stdio.h>

#include "cli/cli.h"
#include "print/status.h"
#include "proto/stats.h"

static const char usage[] =
	"Usage: anonleak status [--json]\n"
	"\n"
	"Show what the anonleak module has recorded (mappings, live mappings and\n"
	"bytes, processes, call sites), what it could not record (drops by cause,\n"
	"missed probe hits), what its filters excluded, its memory use per record,\n"
	"its limits and the kernel functions it probes.\n"
	"\n"
	"Options:\n"
	"  --json      print one JSON object instead of text\n"
	"  -h, --help  show this help\n";

static int run(const struct cli_args *a)
{
	struct module_stats st;
	struct parse_err perr;
	struct nl *nl;
	int ret = cli_open(&nl);

	if (ret)
		return ret;
	ret = query_stats(nl, &st, &perr);
	if (ret)
		ret = cli_nl_error(nl, "reading stats", ret, perr.msg);
	else
		status_print(stdout, &st, nl_family_version(nl), a->json);
	module_stats_release(&st);
	nl_close(nl);
	return ret;
}

const struct command cmd_status = {
	"status", "show the module's counters, limits and probes",
	usage, CLI_JSON, false, run,
};
