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

/*
 * Usage checks of the fleet options for cmd: 0 or AL_EXIT_USAGE (printed);
 * AL_EXIT_ERROR if -o names a file that cannot be made (cli_output_check()).
 */
int cli_fleet_check(const char *cmd, const struct cli_args *a);

/*
 * -o PATH can be made: not a directory, in an existing directory we may
 * create files in. 0 or AL_EXIT_ERROR (printed, naming cmd).
 */
int cli_output_check(const char *cmd, const char *path);

/*
 * After report_finish(): cgroup paths (and --cgroup's filter), resident
 * bytes with --resident or --sort resident (from the mappings dumps and
 * /proc/PID/pagemap, core/resident.h; unknown for exited processes and
 * those whose pagemap cannot be read, warned about), then sorted again.
 * 0 or the exit code (printed) if the module cannot be reached.
 */
int cli_fleet_prepare(const struct cli_args *a, struct report *r);

/* The report to -o FILE (atomically) or to out: 0 or the exit code, printed. */
int cli_fleet_output(const char *cmd, const struct cli_args *a, const struct report *r,
		     FILE *out);

#endif
