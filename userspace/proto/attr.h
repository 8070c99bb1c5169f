/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsing of netlink attributes, shared by the message files
 * (proto/stats.c, sites.c, procs.c, mappings.c, config.c).
 *
 * Every attribute is checked with mnl_attr_validate() before it is read,
 * unknown attribute types are skipped (the protocol only ever appends),
 * and attribute streams must fill their container exactly, so a
 * truncated or overlong attribute is an error rather than silently
 * dropped. Any violation is -EPROTO with a reason in struct parse_err;
 * the parsers then release and zero their output.
 *
 * A message is parsed one nesting level at a time: a struct level names
 * the object its fixed-width fields go into (a table of struct field),
 * and a callback for the attributes that need code (strings, nests,
 * lists).
 */
#ifndef ANONLEAK_PROTO_ATTR_H
#define ANONLEAK_PROTO_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "proto/util.h"

struct parse_err {
	char msg[160];
};

/* Shared by all levels of one message: the first error wins. */
struct pstate {
	struct parse_err *err;
	int ret;
};

#define BIT64(n)	(1ULL << (n))

/* Record an error; returns MNL_CB_ERROR for the callbacks to pass up. */
int parse_fail(struct pstate *ps, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * True if [payload, payload + len) is a sequence of well-formed netlink
 * attributes that ends exactly at len (the last one may lack padding).
 * libmnl's iterators stop quietly at the first bad attribute instead.
 */
bool nla_stream_ok(const void *payload, size_t len);

/* Copy a NUL_STRING attribute (already validated); a repeat replaces. */
int parse_dup_str(struct pstate *ps, const struct nlattr *a, char **out);

/* Validate a as a NUL_STRING named name and copy it into *out. */
int parse_str(struct pstate *ps, const struct nlattr *a, const char *name, char **out);

/* *s = "" if the message had no such string (ANONLEAK_A_COMM): 0 or MNL_CB_ERROR. */
int parse_str_default(struct pstate *ps, char **s);

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

/* One nesting level of a message being parsed. */
struct level {
	struct pstate *ps;
	const struct field *tab;	/* its fixed-width attributes, into obj */
	size_t nr;
	void *obj;
	uint64_t seen;			/* BIT64(type) of each attribute read */
	/* Every other attribute: MNL_CB_OK or MNL_CB_ERROR; NULL skips them. */
	int (*other)(struct level *lv, const struct nlattr *a);
};

#define LEVEL(ps_, tab_, obj_, other_) \
	((struct level){ .ps = (ps_), .tab = (tab_), .nr = ARRAY_SIZE(tab_), \
			 .obj = (obj_), .other = (other_) })
/* A level without fields: a list, or a nest holding only nests. */
#define LEVEL_OF(ps_, obj_, other_) \
	((struct level){ .ps = (ps_), .obj = (obj_), .other = (other_) })

/* An attribute type and its name, for messages: NEST(ANONLEAK_A_SITE). */
#define NEST(attr)	attr, #attr

/* The mnl_attr_cb_t of a struct level: fields from its table, the rest to lv->other. */
int level_cb(const struct nlattr *a, void *data);

/*
 * The nest a, named name, which may appear once in parent: parsed as
 * level child, whose required fields must all be there.
 */
int parse_level(struct level *parent, const struct nlattr *a, const char *name,
		struct level *child);

/* Parse a nest's payload with cb after checking it is well formed. */
int parse_nest(const struct nlattr *nest, mnl_attr_cb_t cb, void *data,
	       struct pstate *ps, const char *what);

/*
 * The element a (a nest, what "frame") of a list: validated, then a new
 * zeroed element of size sz appended to *arr (*nr, *cap). NULL (the
 * error recorded) if a is no nest or there is no memory.
 */
void *parse_list_add(struct pstate *ps, const struct nlattr *a, void **arr, size_t *cap,
		     size_t *nr, size_t sz, const char *what);

/* MNL_CB_ERROR naming the first non-optional field missing from seen. */
int check_required(const struct field *tab, size_t n, uint64_t seen, struct pstate *ps);

/*
 * A whole message: the genl header and the top-level stream checked,
 * its attributes parsed as level top ("bad <what> message" if that
 * fails without saying why), then top's required fields and the nest
 * of type nest (named nest_name) required. Returns top->ps->ret.
 */
int parse_msg(const struct nlmsghdr *nlh, struct level *top, const char *what,
	      uint16_t nest, const char *nest_name);

#endif
