/* SPDX-License-Identifier: GPL-2.0 */
/* Printers for the module's counters (ANONLEAK_CMD_GET_STATS). */
#ifndef ANONLEAK_STATUS_H
#define ANONLEAK_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include "core/model.h"

/* version: the kernel's generic netlink family version. */
void status_print_text(FILE *f, const struct module_stats *st, uint32_t version);
void status_print_json(FILE *f, const struct module_stats *st, uint32_t version);

#endif
