/* SPDX-License-Identifier: GPL-2.0 */
/* The module's settings as KEY=VALUE arguments (anonleak config). */
#ifndef ANONLEAK_CORE_CONFIG_H
#define ANONLEAK_CORE_CONFIG_H

#include <stddef.h>

#include "proto/config.h"

/*
 * Parse one "KEY=VALUE" into c. Returns 0, or -EINVAL (no '=', unknown
 * key, malformed value), -ERANGE (value out of range) or -EEXIST (key
 * given twice), with a one-line reason in why.
 */
int config_parse_arg(struct module_config *c, const char *arg, char *why, size_t why_len);

#endif
