// SPDX-License-Identifier: GPL-2.0
/*
 * Layer print/: the text and JSON output of every command, one file per
 * kind of record (status.c, report.c, procs.c, mappings.c, watch.c,
 * run.c, config.c). Printers take what core/ and proto/ built and write
 * it to a FILE; they decide nothing else. Files here include print/,
 * core/ and proto/ headers only. The human formats (sizes, durations,
 * escaped strings) are print/format.h and the JSON writer print/json.h:
 * printing is the lowest layer that needs them.
 *
 * This file: the module's settings, as KEY=VALUE lines or JSON.
 */
#include <inttypes.h>
#include <linux/anonleak.h>

#include "print/config.h"
#include "print/format.h"
#include "print/json.h"

static void print_text(FILE *f, const struct module_config *c)
{
	for (int key = 0; key < CFG_NR; key++) {
		const struct config_key_info *k = &config_keys[key];

		if (!(c->present & (1U << key)))
			continue;
		fprintf(f, "%s=", k->name);
		if (k->kind == CFG_KIND_COMM)
			fputs_escaped(c->filter_comm ? c->filter_comm : "", f);
		else if (k->kind == CFG_KIND_UID && c->v[key] == ANONLEAK_UID_ANY)
			fputs("any", f);
		else
			fprintf(f, "%" PRIu64, c->v[key]);
		fputc('\n', f);
	}
}

static void print_json(FILE *f, const struct module_config *c)
{
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	for (int key = 0; key < CFG_NR; key++) {
		const struct config_key_info *k = &config_keys[key];

		if (!(c->present & (1U << key)))
			continue;
		if (k->kind == CFG_KIND_COMM)
			json_string(&j, k->name, c->filter_comm ? c->filter_comm : "");
		else if (k->kind == CFG_KIND_BOOL)
			json_bool(&j, k->name, c->v[key]);
		else if (k->kind == CFG_KIND_UID && c->v[key] == ANONLEAK_UID_ANY)
			json_null(&j, k->name);
		else
			json_u64(&j, k->name, c->v[key]);
	}
	json_object_end(&j);
}

void config_print(FILE *f, const struct module_config *c, bool json)
{
	(json ? print_json : print_text)(f, c);
}
