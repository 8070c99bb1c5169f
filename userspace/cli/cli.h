/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the commands share: their table entry, and the one place that
 * turns errors into a one-line message and an exit code (core/exit.h).
 */
#ifndef ANONLEAK_CLI_CLI_H
#define ANONLEAK_CLI_CLI_H

#include <stdbool.h>
#include <sys/types.h>

#include "cli/options.h"
#include "core/exit.h"
#include "proto/nl.h"
#include "proto/procs.h"
#include "proto/request.h"
#include "proto/sites.h"

/* A command: one file of cli/ each, listed in main.c. */
struct command {
	const char *name;
	const char *description;	/* a line of "anonleak --help" */
	const char *usage;		/* "anonleak NAME --help" */
	unsigned int options;		/* CLI_* of cli/options.h */
	bool operands;			/* arguments after the options */
	int (*run)(const struct cli_args *a);	/* returns the exit code */
};

extern const struct command cmd_status, cmd_report, cmd_procs, cmd_watch, cmd_run,
	cmd_mappings, cmd_config, cmd_clear, cmd_unwind, cmd_agent, cmd_metrics;

/* Print "anonleak: <message>" on stderr and return code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "anonleak CMD: <message> (see ...)" and return AL_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Open the anonleak socket; on failure print why and return the exit code. */
int cli_open(struct nl **nl);

/*
 * Print the failure of a request and return its exit code. detail, if
 * non-empty, explains a protocol error found while parsing (-EPROTO).
 */
int cli_nl_error(const struct nl *nl, const char *what, int err, const char *detail);

/* Warn that a dump still changed under us after NL_DUMP_TRIES runs. */
void cli_warn_inconsistent(const char *what);

/*
 * The GET_SITES dump into sink: 0, or the exit code after printing why.
 * The error pass (0: none) is returned as is instead, unprinted.
 */
int cli_dump_sites(struct nl *nl, const struct site_query *q, const struct sink *sink,
		   int pass);

/*
 * The GET_PROCS dump into l: 0, or the exit code after printing why. A
 * dump left inconsistent is warned about as what, if what is not NULL.
 */
int cli_get_procs(struct nl *nl, pid_t pid, struct proc_list *l, const char *what);

#endif
