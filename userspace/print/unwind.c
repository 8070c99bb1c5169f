// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "print/format.h"
#include "print/json.h"
#include "print/unwind.h"

static void print_text(FILE *f, const struct unwind_list *l)
{
	char b[FMT_BUF_LEN], esc[4200];
	uint64_t rows = 0, bytes = 0;

	fprintf(f, "%6s %9s %6s %9s %5s:%-5s %10s  %s\n", "ID", "ROWS", "RULES", "MEMORY",
		"MAJ", "MIN", "INODE", "FILE");
	for (size_t i = 0; i < l->nr; i++) {
		const struct unwind_info *u = &l->tables[i];

		fprintf(f, "%6" PRIu64 " %9" PRIu32 " %6" PRIu32 " %9s %5" PRIu32 ":%-5" PRIu32
			" %10" PRIu64 "  %s\n", u->id, u->nrows, u->nrules, fmt_size(b, u->bytes),
			u->ident.dev >> 20, u->ident.dev & 0xfffff, u->ident.ino,
			u->path[0] ? fmt_escaped(esc, sizeof(esc), u->path) : "-");
		rows += u->nrows;
		bytes += u->bytes;
	}
	fprintf(f, "%zu %s, %" PRIu64 " rows, %s\n", l->nr, plural(l->nr, "table", "tables"),
		rows, fmt_size(b, bytes));
}

static void print_json(FILE *f, const struct unwind_list *l)
{
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "tables");
	for (size_t i = 0; i < l->nr; i++) {
		const struct unwind_info *u = &l->tables[i];

		json_object_begin(&j, NULL);
		json_u64(&j, "id", u->id);
		json_string(&j, "path", u->path);
		json_u64(&j, "dev", u->ident.dev);
		json_u64(&j, "ino", u->ident.ino);
		json_u64(&j, "size", u->ident.size);
		json_u64(&j, "mtime_ns", u->ident.mtime);
		if (u->build_id_len)
			json_hexbytes(&j, "build_id", u->build_id, u->build_id_len);
		json_u64(&j, "rows", u->nrows);
		json_u64(&j, "rules", u->nrules);
		json_u64(&j, "bytes", u->bytes);
		json_u64(&j, "loaded_ns", u->loaded);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

void unwind_list_print(FILE *f, const struct unwind_list *l, bool json)
{
	(json ? print_json : print_text)(f, l);
}

void unwind_note_print(FILE *f, const char *prefix, const struct unwind_note *n, bool verbose)
{
	char esc[4200];
	const char *path = fmt_escaped(esc, sizeof(esc), n->path);

	switch (n->outcome) {
	case UNWIND_LOADED:
		fprintf(f, "%sloaded %s: %zu rows, %zu rules (%s", prefix, path,
			n->table->nr_rows, n->table->nr_rules, n->table->source);
		if (n->build_ms > 0)
			fprintf(f, ", built in %.1f ms", n->build_ms);
		fputs(")\n", f);
		break;
	case UNWIND_PRESENT:
		if (verbose)
			fprintf(f, "%spresent %s\n", prefix, path);
		break;
	case UNWIND_FAILED:
		fprintf(f, "%sfailed %s: %s%s%s\n", prefix, path, strerror(-n->err),
			n->why[0] ? ": " : "", n->why);
		break;
	}
}
