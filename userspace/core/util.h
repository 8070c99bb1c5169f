/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict number, size and duration parsing, and human formatting.
 * Parsers return 0, -EINVAL (malformed) or -ERANGE (out of range), never
 * accept signs, blanks or trailing characters, and write their output
 * only on success. Numbers are decimal.
 */
#ifndef ANONLEAK_UTIL_H
#define ANONLEAK_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* Big enough for every fmt_size() and fmt_duration() result. */
#define FMT_BUF_LEN	32

int parse_u64(const char *s, uint64_t *out);
int parse_pid(const char *s, pid_t *out);
/* "4096", "4K"/"4KiB", "16M"/"16MiB", "1G"/"1GiB", "1T"/"1TiB" (powers of 1024). */
int parse_size(const char *s, uint64_t *out);
/*
 * "500ms", "30s", "5m", "1h", "2d" and sequences of decreasing units
 * ("1h30m", "5m12s"); a bare number means seconds. Result in nanoseconds.
 */
int parse_duration(const char *s, uint64_t *ns);

/* "512 B", "4.0 KiB", "12.5 MiB": one decimal, rounded to nearest. */
const char *fmt_size(char buf[FMT_BUF_LEN], uint64_t bytes);
/* "850ms", "12s", "5m12s", "1h02m", "3d04h" (truncated, two units at most). */
const char *fmt_duration(char buf[FMT_BUF_LEN], uint64_t ns);

/*
 * Print s on one line, safe for a terminal: printable ASCII as is except
 * '"' and '\\' (backslash-escaped), every other byte as \xNN.
 */
void fputs_escaped(const char *s, FILE *f);

/* fputs_escaped() into buf (len bytes), cut at a whole escape if too long. */
const char *fmt_escaped(char *buf, size_t len, const char *s);

/* a - b, or 0 if b is later: ages never go negative on clock skew. */
static inline uint64_t age_ns(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

#endif
