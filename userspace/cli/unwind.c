// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak unwind load|list|drop: the module's unwind tables by hand (the
 * agent and run load them by themselves). Each subcommand is parsed with
 * the options helper as a command of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/unwind_load.h"
#include "print/unwind.h"
#include "proto/unwind.h"

static const char usage[] =
	"Usage: anonleak unwind load [--pid PID | FILE...]\n"
	"       anonleak unwind list [--json]\n"
	"       anonleak unwind drop [FILE...]\n"
	"\n"
	"The module unwinds user stacks without frame pointers with tables built\n"
	"here from each executable file's .eh_frame (or .debug_frame), one per\n"
	"file, shared by every process that maps it. 'anonleak run' and 'anonleak\n"
	"agent' load them by themselves; these subcommands do it by hand.\n"
	"\n"
	"  load --pid PID  load the tables of every executable file PID maps\n"
	"  load FILE...    load the tables of these files\n"
	"  list            show the loaded tables (--json: one JSON object)\n"
	"  drop [FILE...]  drop the tables of these files, or of every file\n"
	"\n"
	"A table is only used while its file's size and modification time are the\n"
	"ones it was built from. Exit status: 0; 1 if a FILE named could not be\n"
	"loaded or dropped (with --pid: if none could be loaded); as other\n"
	"commands for module errors (see 'anonleak --help').\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID  load: the files this process maps\n"
	"      --json     list: print one JSON object\n"
	"  -h, --help     show this help\n";

static const char usage_load[] =
	"Usage: anonleak unwind load [--pid PID | FILE...]\n"
	"\n"
	"Build and load the unwind tables of the executable files PID maps, or of\n"
	"the FILEs. Files whose table is loaded already are left alone.\n";

static const char usage_list[] =
	"Usage: anonleak unwind list [--json]\n"
	"\n"
	"The loaded unwind tables: id, rows, distinct rules, kernel memory, the\n"
	"file's device and inode, its path.\n";

static const char usage_drop[] =
	"Usage: anonleak unwind drop [FILE...]\n"
	"\n"
	"Drop the unwind tables of the FILEs, or every table without FILE.\n";

static void print_note(void *arg, const struct unwind_note *n)
{
	(void)arg;
	unwind_note_print(stdout, "", n, true);
}

static int do_load(const struct cli_args *a)
{
	struct unwind_counts c = { 0 };
	struct unwind_loader *l;
	struct nl *nl;
	int ret;

	if (!a->pid == !a->nr_operands)
		return cli_usage_error("unwind load", "give --pid PID or FILEs");
	ret = cli_open(&nl);
	if (ret)
		return ret;
	l = unwind_loader_new(nl, print_note, NULL);
	ret = l ? unwind_loader_sync(l) : -ENOMEM;
	if (!ret && a->pid)
		ret = unwind_load_pid(l, a->pid, &c);
	for (int i = 0; !ret && i < a->nr_operands; i++)
		ret = unwind_load_path(l, a->operands[i], &c);
	if (ret == -ENOENT && a->pid)
		ret = cli_error(AL_EXIT_NOPROC, "no process %d", (int)a->pid);
	else if (ret)
		ret = cli_nl_error(nl, "loading unwind tables", ret, NULL);
	else if (a->pid ? !c.loaded && !c.present && c.failed : c.failed)
		ret = AL_EXIT_ERROR;
	unwind_loader_free(l);
	nl_close(nl);
	return ret;
}

static int do_list(const struct cli_args *a)
{
	struct unwind_list l = { 0 };
	struct parse_err perr;
	bool inconsistent;
	struct nl *nl;
	int ret = cli_open(&nl);

	if (ret)
		return ret;
	ret = query_unwind(nl, &l, &perr, &inconsistent);
	if (ret) {
		ret = cli_nl_error(nl, "reading unwind tables", ret, perr.msg);
	} else {
		if (inconsistent)
			cli_warn_inconsistent("the unwind tables");
		unwind_list_print(stdout, &l, a->json);
	}
	unwind_list_release(&l);
	nl_close(nl);
	return ret;
}

/* Drop the table of one file: 0, 1 (no such file or table), or a module error. */
static int drop_file(struct nl *nl, const char *path)
{
	struct unwind_ident id = { 0 };
	struct stat st;
	int ret;

	if (stat(path, &st) < 0)
		return cli_error(AL_EXIT_ERROR, "%s: %s", path, strerror(errno));
	id.dev = unwind_kdev(st.st_dev);
	id.ino = st.st_ino;
	ret = query_unwind_drop(nl, &id);
	if (ret == -ENOENT)
		return cli_error(AL_EXIT_ERROR, "%s: no unwind table loaded", path);
	return ret ? cli_nl_error(nl, "dropping an unwind table", ret, NULL) : 0;
}

static int do_drop(const struct cli_args *a)
{
	struct nl *nl;
	int ret = cli_open(&nl), worst = 0;

	if (ret)
		return ret;
	if (!a->nr_operands && (ret = query_unwind_drop(nl, NULL)))
		worst = cli_nl_error(nl, "dropping the unwind tables", ret, NULL);
	for (int i = 0; i < a->nr_operands; i++) {
		ret = drop_file(nl, a->operands[i]);
		if (ret > worst)
			worst = ret;
	}
	nl_close(nl);
	return worst;
}

static const struct command subs[] = {
	{ "unwind load", "", usage_load, CLI_PID, true, do_load },
	{ "unwind list", "", usage_list, CLI_JSON, false, do_list },
	{ "unwind drop", "", usage_drop, 0, true, do_drop },
};

static int run(const struct cli_args *a)
{
	struct cli_args sa;
	int code;

	if (!a->nr_operands)
		return cli_usage_error("unwind", "no subcommand (load, list or drop)");
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		if (strcmp(subs[i].name + strlen("unwind "), a->operands[0]))
			continue;
		if (!cli_parse(&subs[i], a->nr_operands, a->operands, &sa, &code))
			return code;
		return subs[i].run(&sa);
	}
	return cli_usage_error("unwind", "unknown subcommand '%s'", a->operands[0]);
}

const struct command cmd_unwind = {
	"unwind", "load, list or drop the module's unwind tables",
	usage, 0, true, run,
};
