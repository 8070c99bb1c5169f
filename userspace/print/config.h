/* SPDX-License-Identifier: GPL-2.0 */
/* Printers of the module's settings (anonleak config). */
#ifndef ANONLEAK_PRINT_CONFIG_H
#define ANONLEAK_PRINT_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "proto/config.h"

/*
 * "key=value" lines, in table order, for the present keys; or (json) one
 * object: numbers, "enabled" a boolean, "filter_uid" null for any.
 */
void config_print(FILE *f, const struct module_config *c, bool json);

#endif
