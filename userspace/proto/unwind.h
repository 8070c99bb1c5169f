/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unwind tables in the module: ANONLEAK_CMD_UNWIND_LOAD (rows and rules
 * as repeated top-level attributes), UNWIND_DROP, the GET_UNWIND dump,
 * and the OBJECT_EVENT multicasts of group "objects" that announce
 * executable files without a table.
 */
#ifndef ANONLEAK_PROTO_UNWIND_H
#define ANONLEAK_PROTO_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/anonleak.h>

#include "proto/attr.h"
#include "proto/nl.h"

/* The most one rows or rules attribute carries (the UAPI's limit). */
#define UNWIND_CHUNK_MAX	65528

/* A file's identity, as the module keys its table. */
struct unwind_ident {
	uint32_t dev;			/* major << 20 | minor */
	uint64_t ino, size, mtime;	/* mtime: ns since the epoch */
};

/* One loaded table: one GET_UNWIND message. */
struct unwind_info {
	struct unwind_ident ident;
	unsigned char build_id[20];
	size_t build_id_len;
	char *path;			/* "" if loaded without one */
	uint64_t id, bytes, loaded;
	uint32_t nrows, nrules;
};

struct unwind_list {
	size_t nr, cap;
	struct unwind_info *tables;
};

void unwind_info_release(struct unwind_info *u);
void unwind_list_release(struct unwind_list *l);
/* Move u into l (u is left zeroed); -ENOMEM (u is then released). */
int unwind_list_add(struct unwind_list *l, struct unwind_info *u);
/* The table of (dev, ino) in l, or NULL. */
const struct unwind_info *unwind_list_find(const struct unwind_list *l, uint32_t dev,
					   uint64_t ino);

/* What UNWIND_LOAD sends besides the identity. */
struct unwind_upload {
	struct unwind_ident ident;
	const unsigned char *build_id;	/* NULL: none */
	size_t build_id_len;
	const char *path;		/* NULL: none */
	const struct anonleak_unwind_rule *rules;
	size_t nr_rules;
	const struct anonleak_unwind_row *rows;
	size_t nr_rows;
};

/* The size of the UNWIND_LOAD message for u. */
size_t unwind_load_size(const struct unwind_upload *u);

/* Build the UNWIND_LOAD message for u into buf (unwind_load_size() bytes). */
struct nlmsghdr *unwind_load_put(struct nl *nl, void *buf, size_t len,
				 const struct unwind_upload *u);

/* ANONLEAK_CMD_UNWIND_LOAD: 0 or -errno (-ENOSPC: over max_unwind_bytes). */
int query_unwind_load(struct nl *nl, const struct unwind_upload *u);

/* ANONLEAK_CMD_UNWIND_DROP of one table, or of every table (id NULL). */
int query_unwind_drop(struct nl *nl, const struct unwind_ident *id);

/* One GET_UNWIND message; ANONLEAK_UNWIND_A_PATH and _BUILD_ID optional. */
int parse_unwind_msg(const struct nlmsghdr *nlh, struct unwind_info *u, struct parse_err *err);

/* The GET_UNWIND dump into l (reset first). */
int query_unwind(struct nl *nl, struct unwind_list *l, struct parse_err *perr,
		 bool *inconsistent);

/* One OBJECT_EVENT. */
struct object_event {
	uint32_t pid;
	uint64_t proc_id;		/* 0 if the module did not send it */
	uint32_t dev;
	uint64_t ino, start, end;	/* one mapping of the file */
};

/* Parse an OBJECT_EVENT message: every attribute required. */
int parse_object_event(const struct nlmsghdr *nlh, struct object_event *e,
		       struct parse_err *err);

#endif
