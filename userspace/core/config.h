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

enum al_cfg_key {
	AL_CFG_ENABLED,
	AL_CFG_STACK_DEPTH,
	AL_CFG_MIN_SIZE,
	AL_CFG_FILTER_PID,
	AL_CFG_FILTER_UID,
	AL_CFG_FILTER_COMM,
	AL_CFG_MAX_MAPPINGS,
	AL_CFG_MAX_SITES,
	AL_CFG_MAX_PROCS,
	AL_CFG_MAX_EXITED,
	AL_CFG_NR
};

/* How a value is written on the command line and printed. */
enum al_cfg_kind {
	AL_CFG_KIND_BOOL,	/* 0 or 1 */
	AL_CFG_KIND_NUM,	/* decimal in [min, max] */
	AL_CFG_KIND_SIZE,	/* parse_size(): 4096, 64K, 1M */
	AL_CFG_KIND_UID,	/* decimal uid or "any" */
	AL_CFG_KIND_COMM,	/* up to AL_COMM_MAX bytes; "" for none */
};

/* TASK_COMM_LEN - 1: the longest comm the kernel keeps. */
#define AL_COMM_MAX 15

struct al_cfg_key_info {
	const char *name;	/* "stack_depth" */
	uint16_t attr;		/* ANONLEAK_CONFIG_A_* */
	int width;		/* bits on the wire: 8, 32, 64; 0 for the string */
	enum al_cfg_kind kind;
	uint64_t min, max;	/* AL_CFG_KIND_NUM */
};

extern const struct al_cfg_key_info al_cfg_keys[AL_CFG_NR];

struct al_config {
	uint32_t present;		/* bit (1 << key) per key set */
	uint64_t v[AL_CFG_NR];		/* numeric values by key */
	char *filter_comm;		/* AL_CFG_FILTER_COMM, if present */
};

void config_release(struct al_config *c);

/* Deep copy: 0 or -ENOMEM. */
int config_copy(struct al_config *dst, const struct al_config *src);

/* Set a key (by enum) to a number, or the comm to a copy of s: 0/-ENOMEM. */
void config_set(struct al_config *c, enum al_cfg_key key, uint64_t v);
int config_set_comm(struct al_config *c, const char *s);

/*
 * Parse one "KEY=VALUE" into c. Returns 0, or -EINVAL (no '=', unknown
 * key, malformed value), -ERANGE (value out of range) or -EEXIST (key
 * given twice), with a one-line reason in why.
 */
int config_parse_arg(struct al_config *c, const char *arg, char *why, size_t why_len);

/*
 * Append an ANONLEAK_A_CONFIG nest with the present keys to nlh, which
 * lives in a buffer of buf_len bytes: 0 or -EMSGSIZE.
 */
int config_put(struct nlmsghdr *nlh, size_t buf_len, const struct al_config *c);

/* "key=value" lines, in table order, for the present keys. */
void config_print_text(FILE *f, const struct al_config *c);
/* One object: numbers, "enabled" a boolean, "filter_uid" null for any. */
void config_print_json(FILE *f, const struct al_config *c);

#endif
