/* SPDX-License-Identifier: GPL-2.0 */
/* Human formats of sizes and durations, and terminal-safe strings. */
#ifndef ANONLEAK_PRINT_FORMAT_H
#define ANONLEAK_PRINT_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/util.h"

/* Big enough for every fmt_size() and fmt_duration() result. */
#define FMT_BUF_LEN	32

/* "512 B", "4.0 KiB", "12.5 MiB": one decimal, rounded to nearest. */
const char *fmt_size(char buf[FMT_BUF_LEN], uint64_t bytes);
/* "850ms", "12s", "5m12s", "1h02m", "3d04h" (truncated, two units at most). */
const char *fmt_duration(char buf[FMT_BUF_LEN], uint64_t ns);

/* one if n is 1, else many: "1 site", "2 sites" */
static inline const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * Print s on one line, safe for a terminal: printable ASCII as is except
 * '"' and '\\' (backslash-escaped), every other byte as \xNN.
 */
void fputs_escaped(const char *s, FILE *f);

/* fputs_escaped() into buf (len bytes), cut at a whole escape if too long. */
const char *fmt_escaped(char *buf, size_t len, const char *s);

#endif
