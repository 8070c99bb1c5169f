// SPDX-License-Identifier: GPL-2.0
/* anonleak procs: the process records, running and exited. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cli/cli.h"
#include "print/procs.h"
#include "proto/request.h"
#include "core/util.h"

static const char usage[] =
	"Usage: anonleak procs [--pid PID] [--json]\n"
	"\n"
	"List the process records the module keeps, running and exited, largest\n"
	"live bytes first: pid, comm and uid when first seen, state, live (or\n"
	"outstanding at exit) mappings and bytes, number of sites, the age of the\n"
	"record and how long ago the process exited.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID   only the records of this pid (exit code 5 if it has none\n"
	"                  and does not exist)\n"
	"      --json      print one JSON object instead of text\n"
	"  -h, --help      show this help\n";

int cmd_procs(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct proc_list l = { 0 };
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
				return cli_usage_error("procs", "invalid pid '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return AL_EXIT_OK;
		default:
			return cli_bad_option("procs", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("procs", "unexpected argument '%s'", argv[optind]);

	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = query_procs(nl, pid, &l, &perr, &inconsistent);
	if (ret) {
		ret = cli_nl_error(nl, "reading processes", ret, perr.msg);
		goto out;
	}
	if (inconsistent)
		cli_warn_inconsistent("the process records");
	if (pid && !l.nr && kill(pid, 0) < 0 && errno == ESRCH) {
		ret = cli_error(AL_EXIT_NOPROC, "no such process: %d", (int)pid);
		goto out;
	}
	procs_sort(&l);
	if (json)
		procs_print_json(stdout, &l);
	else
		procs_print_text(stdout, &l);
out:
	proc_list_release(&l);
	nl_close(nl);
	return ret;
}
