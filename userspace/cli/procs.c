// SPDX-License-Identifier: GPL-2.0
/* anonleak procs: the process records, running and exited. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "cli/cli.h"
#include "core/model.h"
#include "print/procs.h"
#include "proto/procs.h"

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

static int run(const struct cli_args *a)
{
	struct proc_list l = { 0 };
	struct nl *nl;
	int ret = cli_open(&nl);

	if (ret)
		return ret;
	ret = cli_get_procs(nl, a->pid, &l, "the process records");
	if (!ret && a->pid && !l.nr && kill(a->pid, 0) < 0 && errno == ESRCH)
		ret = cli_error(AL_EXIT_NOPROC, "no such process: %d", (int)a->pid);
	if (!ret) {
		procs_sort(&l);
		procs_print(stdout, &l, a->json);
	}
	proc_list_release(&l);
	nl_close(nl);
	return ret;
}

const struct command cmd_procs = {
	"procs", "list the process records, running and exited",
	usage, CLI_PID | CLI_JSON, false, run,
};
