/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's settings (ANONLEAK_A_CONFIG): one table describes each
 * key's name, attribute and value syntax, for KEY=VALUE parsing, request
 * building, reply parsing (parse_config.c) and printing.
 */
#ifndef ANONLEAK_CONFIG_H
#define ANONLEAK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nlmsghdr;

enum config_key {
	CFG_ENABLED,
	CFG_STACK_DEPTH,
	CFG_MIN_SIZE,
	CFG_FILTER_PID,
	CFG_FILTER_UID,
	CFG_FILTER_COMM,
	CFG_MAX_MAPPINGS,
	CFG_MAX_SITES,
	CFG_MAX_PROCS,
	CFG_MAX_EXITED,
	CFG_NR
};

/* How a value is written on the command line and printed. */
enum config_kind {
	CFG_KIND_BOOL,	/* 0 or 1 */
	CFG_KIND_NUM,	/* decimal in [min, max] */
	CFG_KIND_SIZE,	/* parse_size(): 4096, 64K, 1M */
	CFG_KIND_UID,	/* decimal uid or "any" */
	CFG_KIND_COMM,	/* up to CFG_COMM_MAX bytes; "" for none */
};

/* TASK_COMM_LEN - 1: the longest comm the kernel keeps. */
#define CFG_COMM_MAX 15

struct config_key_info {
	const char *name;	/* "stack_depth" */
	uint16_t attr;		/* ANONLEAK_CONFIG_A_* */
	int width;		/* bits on the wire: 8, 32, 64; 0 for the string */
	enum config_kind kind;
	uint64_t min, max;	/* CFG_KIND_NUM */
};

extern const struct config_key_info config_keys[CFG_NR];

struct module_config {
	uint32_t present;		/* bit (1 << key) per key set */
	uint64_t v[CFG_NR];		/* numeric values by key */
	char *filter_comm;		/* CFG_FILTER_COMM, if present */
};

void config_release(struct module_config *c);

/* Deep copy: 0 or -ENOMEM. */
int config_copy(struct module_config *dst, const struct module_config *src);

/* Set a key (by enum) to a number, or the comm to a copy of s: 0/-ENOMEM. */
void config_set(struct module_config *c, enum config_key key, uint64_t v);
int config_set_comm(struct module_config *c, const char *s);

/*
 * Parse one "KEY=VALUE" into c. Returns 0, or -EINVAL (no '=', unknown
 * key, malformed value), -ERANGE (value out of range) or -EEXIST (key
 * given twice), with a one-line reason in why.
 */
int config_parse_arg(struct module_config *c, const char *arg, char *why, size_t why_len);

/*
 * Append an ANONLEAK_A_CONFIG nest with the present keys to nlh, which
 * lives in a buffer of buf_len bytes: 0 or -EMSGSIZE.
 */
int config_put(struct nlmsghdr *nlh, size_t buf_len, const struct module_config *c);

/* "key=value" lines, in table order, for the present keys. */
void config_print_text(FILE *f, const struct module_config *c);
/* One object: numbers, "enabled" a boolean, "filter_uid" null for any. */
void config_print_json(FILE *f, const struct module_config *c);

#endif
