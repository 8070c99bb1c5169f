/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ANONLEAK_CMD_GET_CONFIG and SET_CONFIG: the module's settings
 * (ANONLEAK_A_CONFIG). One table describes each key's name, attribute
 * and value syntax, for the requests and the reply here, KEY=VALUE
 * parsing (core/config.c) and printing (print/config.c).
 */
#ifndef ANONLEAK_PROTO_CONFIG_H
#define ANONLEAK_PROTO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/attr.h"
#include "proto/nl.h"

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
	CFG_UNWIND,
	CFG_MAX_UNWIND_BYTES,
	CFG_MAX_EXEMPLARS,
	CFG_EXEMPLAR_SIZE,
	CFG_NR
};

/* How a value is written on the command line and printed. */
enum config_kind {
	CFG_KIND_BOOL,		/* 0 or 1 */
	CFG_KIND_NUM,		/* decimal in [min, max] */
	CFG_KIND_SIZE,		/* parse_size(): 4096, 64K, 1M */
	CFG_KIND_UID,		/* decimal uid or "any" */
	CFG_KIND_COMM,		/* up to CFG_COMM_MAX bytes; "" for none */
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
 * Append an ANONLEAK_A_CONFIG nest with the present keys to nlh, which
 * lives in a buffer of buf_len bytes: 0 or -EMSGSIZE.
 */
int config_put(struct nlmsghdr *nlh, size_t buf_len, const struct module_config *c);

/* The GET_CONFIG reply: every setting is required, unknown ones are skipped. */
int parse_config_msg(const struct nlmsghdr *nlh, struct module_config *cfg,
		     struct parse_err *err);

/* GET_CONFIG; *cfg is released on error. */
int query_get_config(struct nl *nl, struct module_config *cfg, struct parse_err *perr);

/*
 * SET_CONFIG. On a kernel error that blames one setting
 * (NLMSGERR_ATTR_OFFS), *bad_key gets it, else -1.
 */
int query_set_config(struct nl *nl, const struct module_config *cfg, int *bad_key);

#endif
