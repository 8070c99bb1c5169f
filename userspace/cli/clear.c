// SPDX-License-Identifier: GPL-2.0
/* anonleak clear: forget records, all or one process's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "proto/request.h"
#include "core/util.h"

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

int cmd_clear(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nl *nl;
	pid_t pid = 0;
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_pid(optarg, &pid))
				return cli_usage_error("clear", "invalid pid '%s'", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return AL_EXIT_OK;
		default:
			return cli_bad_option("clear", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("clear", "unexpected argument '%s'", argv[optind]);

	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = query_clear(nl, pid);
	if (ret == -ESRCH)
		ret = cli_error(AL_EXIT_NOPROC, "no such process: pid %d has no record", (int)pid);
	else if (ret)
		ret = cli_nl_error(nl, "clearing records", ret, NULL);
	nl_close(nl);
	return ret;
}
