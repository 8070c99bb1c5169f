/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the subcommands share: exit codes, the command table entry, and
 * the one place that turns errors into a one-line message and a code.
 */
#ifndef ANONLEAK_CLI_H
#define ANONLEAK_CLI_H

#include "proto/nl.h"

#ifndef ANONLEAK_VERSION
#define ANONLEAK_VERSION "0.1"
/* Warn that a dump still changed under us after NL_DUMP_TRIES runs. */
void cli_warn_inconsistent(const char *what);

#endif

/* Documented in "anonleak --help" and anonleak.8: keep all three in step. */
enum exit_code {
	AL_EXIT_OK = 0,
	AL_EXIT_ERROR = 1,	/* anything not listed below */
	AL_EXIT_USAGE = 2,	/* bad option, malformed number or pid */
	AL_EXIT_NOMODULE = 3,	/* generic netlink family "anonleak" not found */
	AL_EXIT_PERM = 4,	/* EPERM/EACCES: needs CAP_NET_ADMIN */
	AL_EXIT_NOPROC = 5,	/* --pid names no record and no live process; ESRCH */
	AL_EXIT_PROTO = 6,	/* family version too new, malformed reply */
	AL_EXIT_LEAK = 7,	/* run --fail-on-leak: outstanding bytes at the threshold */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the command name */
	const char *description;
};

int cmd_status(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_procs(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_mappings(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_clear(int argc, char **argv);

/* Print "anonleak: <message>" on stderr and return code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "anonleak CMD: <message> (see ...)" and return AL_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report an unexpected getopt_long() result (optstring starting with ':')
 * for argv[optind - 1]; returns AL_EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int opt, char **argv);

/* Open the anonleak socket; on failure print why and return the exit code. */
int cli_open(struct nl **nl);

/*
 * Print the failure of a request and return its exit code. detail, if
 * non-empty, explains a protocol error found while parsing (-EPROTO).
 */
int cli_nl_error(const struct nl *nl, const char *what, int err, const char *detail);

/* Warn that a dump still changed under us after NL_DUMP_TRIES runs. */
void cli_warn_inconsistent(const char *what);

#endif
