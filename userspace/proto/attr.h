/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parse_*.c files share: the error state of one message, nest
 * and string helpers, and field tables for fixed-width attributes.
 */
#ifndef ANONLEAK_PARSE_PRIV_H
#define ANONLEAK_PARSE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "proto/parse.h"

/* Shared by all levels of one message: the first error wins. */
struct pstate {
	struct parse_err *err;
	int ret;
};

/* Record an error; returns MNL_CB_ERROR for the callbacks to pass up. */
int parse_fail(struct pstate *ps, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse a nest's payload with cb after checking it is well formed. */
int parse_nest(const struct nlattr *nest, mnl_attr_cb_t cb, void *data,
	       struct pstate *ps, const char *what);

/* Copy a NUL_STRING attribute (already validated); a repeat replaces. */
int parse_dup_str(struct pstate *ps, const struct nlattr *a, char **out);

/* Validate a as a NUL_STRING named name and copy it into *out. */
int parse_str(struct pstate *ps, const struct nlattr *a, const char *name, char **out);

/* Validate a as a nest named name; "seen" catches a repeat. */
int parse_check_nest(struct pstate *ps, const struct nlattr *a, const char *name,
		     uint64_t *seen);

/*
 * Fixed-width attributes (u8, u32 or u64 on the wire) stored into
 * unsigned members of 1, 4 or 8 bytes; a member narrower than the
 * attribute is a table bug caught by the unit tests.
 */
struct field {
	uint16_t type;
	enum mnl_attr_data_type mnl;	/* MNL_TYPE_U8, _U32 or _U64 */
	bool optional;
	size_t off, size;
	const char *name;
};

#define FIELD(attr, width, opt, st, member) \
	{ attr, MNL_TYPE_U##width, opt, offsetof(st, member), \
	  sizeof(((st *)0)->member), #attr }

/*
 * Store a if the table has its type. Returns 1 if stored, 0 if the type is
 * not in the table, MNL_CB_ERROR on a bad length.
 */
int put_field(const struct field *tab, size_t n, const struct nlattr *a,
	      void *obj, uint64_t *seen, struct pstate *ps);

/* MNL_CB_ERROR naming the first non-optional field missing from seen. */
int check_required(const struct field *tab, size_t n, uint64_t seen, struct pstate *ps);

/* Check the genl header and the top-level attribute stream. */
int check_msg(const struct nlmsghdr *nlh, struct pstate *ps);

#endif
