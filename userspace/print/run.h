/* SPDX-License-Identifier: GPL-2.0 */
/* Printers of what anonleak run found (core/run.h). */
#ifndef ANONLEAK_PRINT_RUN_H
#define ANONLEAK_PRINT_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "core/run.h"

/*
 * The command, how it ended, the report of its sites and what was left
 * out; or (json) one object: the command and its status, then the
 * report's members.
 */
void run_print(FILE *f, const struct run_result *res, bool json);

#endif
