// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak: query the anonleak kernel module. This file is the top of
 * the layers (proto < core < print < cli < main.c; see check-layers.sh):
 * the table of commands, the top-level help, and the dispatch. Each
 * command is a file of cli/.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/exit.h"
#include "core/version.h"
#include "proto/util.h"

/* In the order of "anonleak --help". */
static const struct command *const commands[] = {
	&cmd_status, &cmd_report, &cmd_procs, &cmd_watch, &cmd_run, &cmd_mappings, &cmd_config,
	&cmd_clear, &cmd_unwind, &cmd_agent, &cmd_metrics,
};

static void print_usage(FILE *f)
{
	fputs("Usage: anonleak [--help | --version] COMMAND [OPTIONS]\n"
	      "\n"
	      "Find anonymous memory mappings that are never unmapped. The anonleak\n"
	      "kernel module records them per process and user call site; this tool\n"
	      "reads its records over generic netlink (needs CAP_NET_ADMIN).\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->description);
	fputs("  help      show the help of a command: anonleak help COMMAND\n"
	      "\n"
	      "Run 'anonleak COMMAND --help' for the options of a command.\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  other error\n"
	      "  2  usage error (unknown option, malformed number or pid)\n"
	      "  3  the anonleak module is not loaded (insmod anonleak.ko)\n"
	      "  4  permission denied (needs CAP_NET_ADMIN)\n"
	      "  5  no such process (--pid, filter_pid=)\n"
	      "  6  protocol mismatch between this tool and the module\n"
	      "  7  run --fail-on-leak: the command left at least the threshold mapped\n"
	      "anonleak run otherwise exits with the command's status (128 + N if\n"
	      "killed by signal N).\n", f);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		print_usage(stdout);
		return AL_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error("help", "too many arguments");
	cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage_error("help", "unknown command '%s'", argv[1]);
	fputs(cmd->usage, stdout);
	return AL_EXIT_OK;
}

static int run(int argc, char **argv)
{
	const struct command *cmd;
	struct cli_args a;
	int ret;

	if (argc < 2) {
		print_usage(stderr);
		return AL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help(1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("anonleak %s (protocol version %d)\n", ANONLEAK_VERSION,
		       ANONLEAK_GENL_VERSION);
		return AL_EXIT_OK;
	}
	if (!strcmp(argv[1], "help"))
		return help(argc - 1, argv + 1);
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "anonleak: unknown command '%s' (see 'anonleak --help')\n", argv[1]);
		return AL_EXIT_USAGE;
	}
	if (!cli_parse(cmd, argc - 1, argv + 1, &a, &ret))
		return ret;
	return cmd->run(&a);
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "anonleak: write error: %s\n", strerror(errno));
		if (!ret)
			ret = AL_EXIT_ERROR;
	}
	return ret;
}
