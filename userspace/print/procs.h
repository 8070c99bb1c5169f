/* SPDX-License-Identifier: GPL-2.0 */
/* The process listing (ANONLEAK_CMD_GET_PROCS): order and printers. */
#ifndef ANONLEAK_PROCS_H
#define ANONLEAK_PROCS_H

#include <stdio.h>

#include "core/model.h"

/* Largest live bytes first, then pid, then proc id. */
void procs_sort(struct proc_list *l);

/* A table, one process record a line, and a summary line. */
void procs_print_text(FILE *f, const struct proc_list *l);
/* {"processes":[...],"live_count":N,"live_bytes":N} */
void procs_print_json(FILE *f, const struct proc_list *l);

#endif
