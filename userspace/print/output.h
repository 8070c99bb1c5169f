/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report's output formats (--format) and writing them: to stdout, or
 * to a file made whole or not at all (a temporary file in the same
 * directory, fsync()ed, then renamed over the target).
 */
#ifndef ANONLEAK_PRINT_OUTPUT_H
#define ANONLEAK_PRINT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/file.h"
#include "core/model.h"

enum out_format { OUT_TEXT, OUT_JSON, OUT_FOLDED, OUT_PPROF, OUT_HTML };

/* "text", "json", "folded", "pprof", "html": the enum value, or -EINVAL. */
int out_format_parse(const char *s);

/* "text", "json", "folded", "pprof" or "html". */
const char *out_format_name(enum out_format f);

/* A format that is binary or a whole document, so wants a file (-o). */
bool out_format_wants_file(enum out_format f);

struct out_opts {
	enum out_format format;
	bool all;		/* text: sites with nothing live too */
	bool resident;		/* sites have resident figures */
	int by;			/* enum report_by (text, JSON) */
	uint64_t time_ns;	/* wall clock of the profile (pprof) */
};

/* The report in o->format to f: 0 or -errno. */
int report_output(FILE *f, const struct report *r, const struct out_opts *o);

/* Folded stacks: "comm;root;...;leaf BYTES", one line per site with live bytes. */
void report_print_folded(FILE *f, const struct report *r);

#endif
