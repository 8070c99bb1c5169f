// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/anonleak.h>

#include "core/config.h"
#include "print/json.h"
#include "core/util.h"

#define KEY(n, a, w, k, lo, hi) { n, ANONLEAK_CONFIG_A_##a, w, CFG_KIND_##k, lo, hi }

const struct config_key_info config_keys[CFG_NR] = {
	[CFG_ENABLED] = KEY("enabled", ENABLED, 8, BOOL, 0, 1),
	[CFG_STACK_DEPTH] = KEY("stack_depth", STACK_DEPTH, 32, NUM, 1, ANONLEAK_MAX_FRAMES),
	[CFG_MIN_SIZE] = KEY("min_size", MIN_SIZE, 64, SIZE, 0, UINT64_MAX),
	[CFG_FILTER_PID] = KEY("filter_pid", FILTER_PID, 32, NUM, 0, INT_MAX),
	[CFG_FILTER_UID] = KEY("filter_uid", FILTER_UID, 32, UID, 0, UINT32_MAX),
	[CFG_FILTER_COMM] = KEY("filter_comm", FILTER_COMM, 0, COMM, 0, 0),
	[CFG_MAX_MAPPINGS] = KEY("max_mappings", MAX_MAPPINGS, 64, NUM, 0, UINT64_MAX),
	[CFG_MAX_SITES] = KEY("max_sites", MAX_SITES, 64, NUM, 0, UINT64_MAX),
	[CFG_MAX_PROCS] = KEY("max_procs", MAX_PROCS, 64, NUM, 0, UINT64_MAX),
	[CFG_MAX_EXITED] = KEY("max_exited", MAX_EXITED, 64, NUM, 0, UINT64_MAX),
};

void config_release(struct module_config *c)
{
	free(c->filter_comm);
	memset(c, 0, sizeof(*c));
}

int config_copy(struct module_config *dst, const struct module_config *src)
{
	*dst = *src;
	dst->filter_comm = NULL;
	if (src->filter_comm) {
		dst->filter_comm = strdup(src->filter_comm);
		if (!dst->filter_comm)
			return -ENOMEM;
	}
	return 0;
}

void config_set(struct module_config *c, enum config_key key, uint64_t v)
{
	c->v[key] = v;
	c->present |= 1U << key;
}

int config_set_comm(struct module_config *c, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -ENOMEM;
	free(c->filter_comm);
	c->filter_comm = d;
	c->present |= 1U << CFG_FILTER_COMM;
	return 0;
}

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

int config_put(struct nlmsghdr *nlh, size_t buf_len, const struct module_config *c)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, buf_len, ANONLEAK_A_CONFIG);
	bool ok = nest;

	for (int key = 0; ok && key < CFG_NR; key++) {
		const struct config_key_info *k = &config_keys[key];

		if (!(c->present & (1U << key)))
			continue;
		switch (k->width) {
		case 8:
			ok = mnl_attr_put_u8_check(nlh, buf_len, k->attr, c->v[key]);
			break;
		case 32:
			ok = mnl_attr_put_u32_check(nlh, buf_len, k->attr, c->v[key]);
			break;
		case 64:
			ok = mnl_attr_put_u64_check(nlh, buf_len, k->attr, c->v[key]);
			break;
		default:
			ok = mnl_attr_put_strz_check(nlh, buf_len, k->attr,
						     c->filter_comm ? c->filter_comm : "");
			break;
		}
	}
	if (!ok) {
		if (nest)
			mnl_attr_nest_cancel(nlh, nest);
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

void config_print_text(FILE *f, const struct module_config *c)
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

void config_print_json(FILE *f, const struct module_config *c)
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
