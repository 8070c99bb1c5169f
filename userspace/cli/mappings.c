// SPDX-License-Identifier: GPL-2.0
/* anonleak mappings: the live tracked ranges of one running process. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "print/mappings.h"
#include "proto/request.h"
#include "core/util.h"

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

int cmd_mappings(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mapping_list m = { 0 };
	struct parse_err perr;
	bool json = false, inconsistent;
	struct nl *nl;
	pid_t pid = 0;
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_pid(optarg, &pid))
				return cli_usage_error("mappings", "invalid pid '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return AL_EXIT_OK;
		default:
			return cli_bad_option("mappings", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("mappings", "unexpected argument '%s'", argv[optind]);
	if (!pid)
		return cli_usage_error("mappings", "--pid is required");

	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = query_mappings(nl, pid, &m, &perr, &inconsistent);
	if (ret == -ESRCH) {
		ret = cli_error(AL_EXIT_NOPROC, "no such process: pid %d has no running record",
				(int)pid);
		goto out;
	}
	if (ret) {
		ret = cli_nl_error(nl, "reading mappings", ret, perr.msg);
		goto out;
	}
	if (inconsistent)
		cli_warn_inconsistent("the ranges");
	/* an empty dump carries no header: say whose it is */
	if (!m.nr)
		m.pid = pid;
	mappings_sort(&m);
	if (json)
		mappings_print_json(stdout, &m);
	else
		mappings_print_text(stdout, &m);
out:
	mappings_release(&m);
	nl_close(nl);
	return ret;
}
