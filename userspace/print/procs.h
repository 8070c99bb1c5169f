/* SPDX-License-Identifier: GPL-2.0 */
/* Printers of the process records (ANONLEAK_CMD_GET_PROCS). */
#ifndef ANONLEAK_PRINT_PROCS_H
#define ANONLEAK_PRINT_PROCS_H

#include <stdbool.h>
#include <stdio.h>

#include "proto/procs.h"

/*
 * A table, one process record a line, and a summary line; or (json)
 * {"processes":[...],"live_count":N,"live_bytes":N}.
 */
void procs_print(FILE *f, const struct proc_list *l, bool json);

#endif
