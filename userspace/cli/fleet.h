/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What report and run share for the fleet outputs: the checks of
 * --format/-o/--by/--cgroup, resolving cgroups and resident bytes, and
 * writing the report in the format asked for.
 */
#ifndef ANONLEAK_CLI_FLEET_H
#define ANONLEAK_CLI_FLEET_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/options.h"
#include "core/model.h"

/* The format asked for: --format, else --json, else text. */
int cli_format(const struct cli_args *a);

/* Usage checks of the fleet options for cmd: 0 or AL_EXIT_USAGE (printed). */
int cli_fleet_check(const char *cmd, const struct cli_args *a);

/*
 * After report_finish(): cgroup paths (and --cgroup's filter), resident
 * bytes with --resident or --sort resident (from the mappings dumps).
 */
void cli_fleet_prepare(const struct cli_args *a, struct report *r);

/* The report to -o FILE (atomically) or to out: 0 or the exit code, printed. */
int cli_fleet_output(const char *cmd, const struct cli_args *a, const struct report *r,
		     FILE *out);

#endif
