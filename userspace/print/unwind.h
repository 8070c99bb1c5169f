/* SPDX-License-Identifier: GPL-2.0 */
/* Unwind tables: "unwind list" and the per-file lines of load and agent. */
#ifndef ANONLEAK_PRINT_UNWIND_H
#define ANONLEAK_PRINT_UNWIND_H

#include <stdbool.h>
#include <stdio.h>

#include "core/unwind_load.h"
#include "proto/unwind.h"

/* The loaded tables: a table (text) or {"tables": [...]} (JSON). */
void unwind_list_print(FILE *f, const struct unwind_list *l, bool json);

/*
 * One line about one file: "loaded PATH: N rows, M rules (.eh_frame,
 * X ms)", "present PATH" (only if verbose), "failed PATH: reason".
 * prefix starts the line ("anonleak agent: "), may be "".
 */
void unwind_note_print(FILE *f, const char *prefix, const struct unwind_note *n, bool verbose);

#endif
