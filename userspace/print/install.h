/* SPDX-License-Identifier: GPL-2.0 */
/* Printers for why the module is not there (core/install.h), with the fix. */
#ifndef ANONLEAK_PRINT_INSTALL_H
#define ANONLEAK_PRINT_INSTALL_H

#include <stdbool.h>
#include <stdio.h>

#include "core/install.h"

/* The state's name in JSON: "not_installed", "key_rejected", ... */
const char *install_state_name(enum install_state st);

/*
 * What is wrong and the commands that fix it, as lines of text, or (json)
 * one JSON object {"loaded":false,"state":...,"kernel":...}.
 */
void install_print(FILE *f, const struct install_info *in, enum install_state st, bool json);

#endif
