/* SPDX-License-Identifier: GPL-2.0 */
/* Printers for the module's counters (ANONLEAK_CMD_GET_STATS). */
#ifndef ANONLEAK_PRINT_STATUS_H
#define ANONLEAK_PRINT_STATUS_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "proto/stats.h"

/*
 * The counters as lines of text, or (json) one JSON object; version is
 * the kernel's generic netlink family version.
 */
void status_print(FILE *f, const struct module_stats *st, uint32_t version, bool json);

/* The module's memory for its records: mappings * bytes each + sites * bytes each, saturating. */
uint64_t status_tracking_bytes(const struct module_stats *st);

#endif
