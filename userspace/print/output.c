// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fleet.h"
#include "print/flame.h"
#include "print/output.h"
#include "print/pprof.h"
#include "print/report.h"

static const char *const format_names[] = { "text", "json", "folded", "pprof", "html" };

int out_format_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(s, format_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *out_format_name(enum out_format f)
{
	return (size_t)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f] : "?";
}

bool out_format_wants_file(enum out_format f)
{
	return f == OUT_PPROF;
}

/* A frame name as one field of a folded line: no ';', blank or newline. */
static void put_folded_name(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ';' || *s == ' ' || *s == '\n' || *s == '\t' ? '_' : *s, f);
}

void report_print_folded(FILE *f, const struct report *r)
{
	char buf[FRAME_NAME_LEN];

	for (size_t i = 0; i < r->nr_procs; i++) {
		const struct report_proc *p = &r->procs[i];

		for (size_t j = 0; j < p->nr_sites; j++) {
			const struct site_info *s = &p->sites[j];

			if (!s->live_bytes)
				continue;
			put_folded_name(f, p->comm[0] ? p->comm : "?");
			for (size_t k = s->nr_frames; k-- > 0;) {
				fputc(';', f);
				put_folded_name(f, frame_name(buf, &s->frames[k]));
			}
			fprintf(f, " %" PRIu64 "\n", s->live_bytes);
		}
	}
}

int report_output(FILE *f, const struct report *r, const struct out_opts *o)
{
	switch (o->format) {
	case OUT_PPROF:
		return pprof_write(f, r, o->resident, o->time_ns);
	case OUT_FOLDED:
		report_print_folded(f, r);
		break;
	case OUT_HTML:
		report_print_flame(f, r);
		break;
	default:
		if (report_print_by(f, r, o->format == OUT_JSON, o->all, o->by))
			return -ENOMEM;
	}
	return ferror(f) ? -EIO : 0;
}
