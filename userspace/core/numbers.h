/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict number, size and duration parsing, for command-line values and
 * KEY=VALUE settings. Parsers return 0, -EINVAL (malformed) or -ERANGE
 * (out of range), never accept signs, blanks or trailing characters, and
 * write their output only on success. Numbers are decimal.
 */
#ifndef ANONLEAK_CORE_NUMBERS_H
#define ANONLEAK_CORE_NUMBERS_H

#include <stdint.h>
#include <sys/types.h>

#include "proto/util.h"

int parse_u64(const char *s, uint64_t *out);
int parse_pid(const char *s, pid_t *out);
/* "4096", "4K"/"4KiB", "16M"/"16MiB", "1G"/"1GiB", "1T"/"1TiB" (powers of 1024). */
int parse_size(const char *s, uint64_t *out);
/*
 * "500ms", "30s", "5m", "1h", "2d" and sequences of decreasing units
 * ("1h30m", "5m12s"); a bare number means seconds. Result in nanoseconds.
 */
int parse_duration(const char *s, uint64_t *ns);

#endif
