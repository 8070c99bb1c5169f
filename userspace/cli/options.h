/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The options of every command, parsed by one helper: each command says
 * which of the table's options it takes (CLI_* bits). -h/--help, missing
 * values, unknown options and extra arguments are handled here for all.
 */
#ifndef ANONLEAK_CLI_OPTIONS_H
#define ANONLEAK_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum cli_option {
	CLI_PID = 1 << 0,		/* -p, --pid PID */
	CLI_COMM = 1 << 1,		/* -c, --comm NAME */
	CLI_MIN_BYTES = 1 << 2,		/* --min-bytes SIZE */
	CLI_MIN_AGE = 1 << 3,		/* --min-age DURATION */
	CLI_TOP = 1 << 4,		/* -t, --top N (N >= 1) */
	CLI_ALL = 1 << 5,		/* -a, --all */
	CLI_NUMERIC = 1 << 6,		/* -n, --numeric */
	CLI_JSON = 1 << 7,		/* --json */
	CLI_INTERVAL = 1 << 8,		/* -i, --interval DURATION (>= 10ms) */
	CLI_WINDOW = 1 << 9,		/* -w, --window DURATION (> 0) */
	CLI_ONCE = 1 << 10,		/* --once N (1..1000000) */
	CLI_STACK_DEPTH = 1 << 11,	/* -d, --stack-depth N (1..32) */
	CLI_FAIL_ON_LEAK = 1 << 12,	/* --fail-on-leak[=SIZE] (no -f) */
	CLI_LOAD = 1 << 13,		/* --load */
	CLI_JUST_ONCE = 1 << 14,	/* --once, a flag (agent; not with CLI_ONCE) */
	/* the fleet outputs (print/output.h, core/fleet.h) */
	CLI_FORMAT = 1 << 15,		/* --format text|json|folded|pprof|html */
	CLI_OUTPUT = 1 << 16,		/* -o, --output FILE */
	CLI_BY = 1 << 17,		/* --by process|cgroup|pod */
	CLI_CGROUP = 1 << 18,		/* --cgroup PATH */
	CLI_SORT = 1 << 19,		/* --sort live|resident */
	CLI_TEXTFILE = 1 << 20,		/* --textfile DIR */
	CLI_MAX_SERIES = 1 << 21,	/* --max-series N (N >= 1) */
	CLI_RESIDENT = 1 << 22,		/* --resident */
};

/* The values given; those not given stay 0, false or NULL. */
struct cli_args {
	pid_t pid;
	const char *comm;
	uint64_t min_bytes, min_age;
	bool has_min_bytes, has_min_age;
	uint64_t top;
	bool all, numeric, json, just_once;
	uint64_t interval, window;	/* ns */
	uint64_t once;
	uint32_t stack_depth;
	bool fail_on_leak;
	bool load;
	uint64_t threshold;		/* with fail_on_leak: at least 1 */
	int format;			/* enum out_format; --json sets OUT_JSON */
	bool has_format;
	const char *output, *cgroup, *textfile;
	int by;				/* enum report_by */
	bool sort_resident, resident;
	uint64_t max_series;
	char **operands;		/* what follows the options, NULL-terminated */
	int nr_operands;
};

struct command;

/*
 * Parse argv (argv[0] is the command's name) for cmd into *a. False when
 * the command is done: after -h/--help (*code 0) or a usage error (*code
 * AL_EXIT_USAGE, the message printed): a missing value, an unknown or
 * malformed option, or an argument to a command without operands.
 * Commands with operands stop at the first one ("+" of getopt).
 */
bool cli_parse(const struct command *cmd, int argc, char **argv, struct cli_args *a,
	       int *code);

#endif
