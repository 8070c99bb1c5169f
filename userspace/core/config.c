// SPDX-License-Identifier: GPL-2.0
/*
 * Layer core/: what the commands do, without netlink messages and
 * without printing: the report model and its building (model.c,
 * report.c), watch histories (watch.c), run's process handling and
 * record selection (run.c), symbolization with libdwfl (symbolize.c),
 * frame classification (frames.c), KEY=VALUE settings (config.c). Files
 * here include core/ and proto/ headers only. Strict number parsing,
 * the lowest need of which is here, is core/numbers.h; the exit codes
 * are core/exit.h.
 *
 * This file: KEY=VALUE parsing of the module's settings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/anonleak.h>

#include "core/config.h"
#include "core/numbers.h"

static int parse_value(const struct config_key_info *k, const char *s, uint64_t *v,
		       char *why, size_t why_len)
{
	int ret;

	switch (k->kind) {
	case CFG_KIND_BOOL:
		if (strcmp(s, "0") && strcmp(s, "1")) {
			snprintf(why, why_len, "%s must be 0 or 1, not '%s'", k->name, s);
			return -EINVAL;
		}
		*v = s[0] == '1';
		return 0;
	case CFG_KIND_SIZE:
		ret = parse_size(s, v);
		if (ret)
			snprintf(why, why_len, "%s: %s size '%s' (e.g. 4096, 64K, 1M)", k->name,
				 ret == -ERANGE ? "too large a" : "malformed", s);
		return ret;
	case CFG_KIND_UID:
		if (!strcmp(s, "any")) {
			*v = ANONLEAK_UID_ANY;
			return 0;
		}
		break;
	default:
		break;
	}
	ret = parse_u64(s, v);
	if (ret == -EINVAL) {
		snprintf(why, why_len, "%s: malformed number '%s'%s", k->name, s,
			 k->kind == CFG_KIND_UID ? " (a uid or \"any\")" : "");
		return ret;
	}
	if (ret || *v < k->min || *v > k->max) {
		snprintf(why, why_len, "%s: %s out of range %" PRIu64 "..%" PRIu64, k->name, s,
			 k->min, k->max);
		return -ERANGE;
	}
	return 0;
}

int config_parse_arg(struct module_config *c, const char *arg, char *why, size_t why_len)
{
	const char *eq = strchr(arg, '=');
	const struct config_key_info *k = NULL;
	size_t klen;
	uint64_t v;
	int key, ret;

	snprintf(why, why_len, "%s", "");
	if (!eq) {
		snprintf(why, why_len, "'%s' is not KEY=VALUE", arg);
		return -EINVAL;
	}
	klen = eq - arg;
	for (key = 0; key < CFG_NR; key++)
		if (strlen(config_keys[key].name) == klen &&
		    !strncmp(config_keys[key].name, arg, klen)) {
			k = &config_keys[key];
			break;
		}
	if (!k) {
		snprintf(why, why_len, "unknown key '%.*s'", (int)klen, arg);
		return -EINVAL;
	}
	if (c->present & (1U << key)) {
		snprintf(why, why_len, "%s given twice", k->name);
		return -EEXIST;
	}
	if (k->kind == CFG_KIND_COMM) {
		if (strlen(eq + 1) > CFG_COMM_MAX) {
			snprintf(why, why_len, "%s: '%s' is longer than %d bytes", k->name, eq + 1,
				 CFG_COMM_MAX);
			return -ERANGE;
		}
		ret = config_set_comm(c, eq + 1);
		if (ret)
			snprintf(why, why_len, "out of memory");
		return ret;
	}
	ret = parse_value(k, eq + 1, &v, why, why_len);
	if (ret)
		return ret;
	config_set(c, key, v);
	return 0;
}
