// SPDX-License-Identifier: GPL-2.0
/*
 * Layer cli/: one file per command, each its usage, the options it takes
 * (from the one table of options.c, whose helper handles -h/--help,
 * missing values, unknown options and extra arguments for all) and the
 * order of requests (proto/), work (core/) and output (print/). cli.c
 * turns errors into messages and exit codes. Files here include cli/,
 * print/, core/ and proto/ headers; main.c above lists the commands.
 *
 * This file: anonleak clear, forget records, all or one process's.
 */
#include <errno.h>
#include <stdio.h>

#include "cli/cli.h"
#include "proto/request.h"

static const char usage[] =
	"Usage: anonleak clear [--pid PID]\n"
	"\n"
	"Forget the module's records: every process's, or with --pid that\n"
	"process's. Exited records are freed; running processes keep being tracked\n"
	"from now on, from zero. The cumulative counters of 'anonleak status'\n"
	"(mappings recorded and unmapped, drops) are not reset.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID   only this process (exit code 5 if it has no record)\n"
	"  -h, --help      show this help\n";

static int run(const struct cli_args *a)
{
	struct nl *nl;
	int ret = cli_open(&nl);

	if (ret)
		return ret;
	ret = query_clear(nl, a->pid);
	if (ret == -ESRCH)
		ret = cli_error(AL_EXIT_NOPROC, "no such process: pid %d has no record", (int)a->pid);
	else if (ret)
		ret = cli_nl_error(nl, "clearing records", ret, NULL);
	nl_close(nl);
	return ret;
}

const struct command cmd_clear = {
	"clear", "forget records, all or one process's",
	usage, CLI_PID, false, run,
};
