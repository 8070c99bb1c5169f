/* SPDX-License-Identifier: GPL-2.0 */
/* Printers of one process's live ranges (ANONLEAK_CMD_GET_MAPPINGS). */
#ifndef ANONLEAK_PRINT_MAPPINGS_H
#define ANONLEAK_PRINT_MAPPINGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "proto/mappings.h"

#define MAP_NAME_LEN	24
#define MAP_NAMES_MAX	34	/* the type, one per bit, a remainder */

/* MAP_* flags as names without "MAP_": the type first, unknown bits last. */
struct map_names {
	size_t nr;
	char name[MAP_NAMES_MAX][MAP_NAME_LEN];
};

void mapping_flags_decode(uint32_t flags, struct map_names *out);

/* "rwx" with '-' for each missing PROT_* bit; other bits are not shown. */
const char *mapping_prot_str(uint32_t prot, char buf[4]);

/*
 * A table, one range a line, then a summary line; or (json)
 * {"pid":N,"proc_id":N,"mappings":[...],"count":N,"bytes":N}.
 */
void mappings_print(FILE *f, const struct mapping_list *m, bool json);

#endif
