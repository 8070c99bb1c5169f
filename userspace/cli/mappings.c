// SPDX-License-Identifier: GPL-2.0
/* anonleak mappings: the live tracked ranges of one running process. */
#include <errno.h>
#include <stdio.h>

#include "cli/cli.h"
#include "core/model.h"
#include "print/mappings.h"
#include "proto/mappings.h"

static const char usage[] =
	"Usage: anonleak mappings --pid PID [--json]\n"
	"\n"
	"List the live anonymous ranges the module tracks for a running process,\n"
	"by address: start-end, length, protection, age (since the range was\n"
	"mapped, kept across mremap and partial unmaps), the site that made it, and\n"
	"the MAP_* flags it was mapped with.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID   the process (required; exit code 5 if it has no running\n"
	"                  record)\n"
	"      --json      print one JSON object instead of text\n"
	"  -h, --help      show this help\n";

static int run(const struct cli_args *a)
{
	struct mapping_list m = { 0 };
	struct parse_err perr;
	bool inconsistent;
	struct nl *nl;
	int ret;

	if (!a->pid)
		return cli_usage_error("mappings", "--pid is required");
	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = query_mappings(nl, a->pid, &m, &perr, &inconsistent);
	if (ret == -ESRCH)
		ret = cli_error(AL_EXIT_NOPROC, "no such process: pid %d has no running record",
				(int)a->pid);
	else if (ret)
		ret = cli_nl_error(nl, "reading mappings", ret, perr.msg);
	if (!ret) {
		if (inconsistent)
			cli_warn_inconsistent("the ranges");
		if (!m.nr)	/* an empty dump carries no header: say whose it is */
			m.pid = a->pid;
		mappings_sort(&m);
		mappings_print(stdout, &m, a->json);
	}
	mapping_list_release(&m);
	nl_close(nl);
	return ret;
}

const struct command cmd_mappings = {
	"mappings", "list the live tracked ranges of a process",
	usage, CLI_PID | CLI_JSON, false, run,
};
