// SPDX-License-Identifier: GPL-2.0
/*
 * The unwind messages. A GET_UNWIND message is
 *   message -> ANONLEAK_A_UNWIND (table_fields, BUILD_ID, PATH)
 * an OBJECT_EVENT
 *   message (event_fields) -> ANONLEAK_A_UNWIND (event_unwind_fields).
 * UNWIND_LOAD is the one request larger than struct nl_req: its rows and
 * rules go in chunks of at most UNWIND_CHUNK_MAX bytes, each a top-level
 * attribute, in a buffer of the message's size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "proto/request.h"
#include "proto/unwind.h"
#include "proto/util.h"

void unwind_info_release(struct unwind_info *u)
{
	free(u->path);
	memset(u, 0, sizeof(*u));
}

void unwind_list_release(struct unwind_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		unwind_info_release(&l->tables[i]);
	free(l->tables);
	memset(l, 0, sizeof(*l));
}

int unwind_list_add(struct unwind_list *l, struct unwind_info *u)
{
	if (array_grow((void **)&l->tables, &l->cap, l->nr, sizeof(*u)) < 0) {
		unwind_info_release(u);
		return -ENOMEM;
	}
	l->tables[l->nr++] = *u;
	memset(u, 0, sizeof(*u));
	return 0;
}

const struct unwind_info *unwind_list_find(const struct unwind_list *l, uint32_t dev,
					   uint64_t ino)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->tables[i].ident.dev == dev && l->tables[i].ident.ino == ino)
			return &l->tables[i];
	return NULL;
}

/* ---- UNWIND_LOAD, UNWIND_DROP ---- */

/* The attribute bytes of len bytes of payload cut into chunks. */
static size_t chunked_size(size_t len)
{
	size_t full = len / UNWIND_CHUNK_MAX, rest = len % UNWIND_CHUNK_MAX;

	return full * MNL_ATTR_HDRLEN + full * MNL_ALIGN(UNWIND_CHUNK_MAX) +
	       (rest ? MNL_ATTR_HDRLEN + MNL_ALIGN(rest) : 0);
}

size_t unwind_load_size(const struct unwind_upload *u)
{
	size_t n = MNL_NLMSG_HDRLEN + MNL_ALIGN(GENL_HDRLEN);

	n += MNL_ATTR_HDRLEN + 4 * MNL_ATTR_HDRLEN + 4 * 8;	/* the identity */
	n += MNL_ATTR_HDRLEN + MNL_ALIGN(20);
	n += MNL_ATTR_HDRLEN + MNL_ALIGN(u->path ? strlen(u->path) + 1 : 0);
	n += chunked_size(u->nr_rules * sizeof(*u->rules));
	return n + chunked_size(u->nr_rows * sizeof(*u->rows));
}

static void put_chunks(struct nlmsghdr *nlh, uint16_t type, const void *data, size_t len)
{
	for (size_t off = 0; off < len; off += UNWIND_CHUNK_MAX) {
		size_t n = len - off < UNWIND_CHUNK_MAX ? len - off : UNWIND_CHUNK_MAX;

		mnl_attr_put(nlh, type, n, (const char *)data + off);
	}
}

/* The identity into the open ANONLEAK_A_UNWIND nest; DEV and INO only unless full. */
static void put_ident(struct nlmsghdr *nlh, const struct unwind_ident *id, bool full)
{
	mnl_attr_put_u32(nlh, ANONLEAK_UNWIND_A_DEV, id->dev);
	mnl_attr_put_u64(nlh, ANONLEAK_UNWIND_A_INO, id->ino);
	if (full) {
		mnl_attr_put_u64(nlh, ANONLEAK_UNWIND_A_SIZE, id->size);
		mnl_attr_put_u64(nlh, ANONLEAK_UNWIND_A_MTIME, id->mtime);
	}
}

struct nlmsghdr *unwind_load_put(struct nl *nl, void *buf, size_t len,
				 const struct unwind_upload *u)
{
	struct nlmsghdr *nlh = nl_request_buf(nl, buf, len, ANONLEAK_CMD_UNWIND_LOAD, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, ANONLEAK_A_UNWIND);

	put_ident(nlh, &u->ident, true);
	if (u->build_id_len && u->build_id_len <= 20)
		mnl_attr_put(nlh, ANONLEAK_UNWIND_A_BUILD_ID, u->build_id_len, u->build_id);
	if (u->path)
		mnl_attr_put_strz(nlh, ANONLEAK_UNWIND_A_PATH, u->path);
	mnl_attr_nest_end(nlh, nest);
	put_chunks(nlh, ANONLEAK_A_UNWIND_RULES, u->rules, u->nr_rules * sizeof(*u->rules));
	put_chunks(nlh, ANONLEAK_A_UNWIND_ROWS, u->rows, u->nr_rows * sizeof(*u->rows));
	return nlh;
}

int query_unwind_load(struct nl *nl, const struct unwind_upload *u)
{
	size_t len = unwind_load_size(u);
	void *buf;
	int ret;

	if (!u->nr_rows || !u->nr_rules || u->nr_rows > ANONLEAK_UNWIND_MAX_ROWS ||
	    u->nr_rules > ANONLEAK_UNWIND_MAX_RULES || (u->path && strlen(u->path) >= 4096))
		return -EINVAL;
	buf = aligned_alloc(8, MNL_ALIGN(len));
	if (!buf)
		return -ENOMEM;
	ret = nl_set_sndbuf(nl, len);
	if (!ret)
		ret = request_ack(nl, unwind_load_put(nl, buf, MNL_ALIGN(len), u));
	free(buf);
	return ret;
}

int query_unwind_drop(struct nl *nl, const struct unwind_ident *id)
{
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_UNWIND_DROP, 0);

	if (id) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, ANONLEAK_A_UNWIND);

		put_ident(nlh, id, false);
		mnl_attr_nest_end(nlh, nest);
	}
	return request_ack(nl, nlh);
}

/* ---- GET_UNWIND ---- */

static const struct field table_fields[] = {
	FIELD(ANONLEAK_UNWIND_A_DEV, 32, false, struct unwind_info, ident.dev),
	FIELD(ANONLEAK_UNWIND_A_INO, 64, false, struct unwind_info, ident.ino),
	FIELD(ANONLEAK_UNWIND_A_SIZE, 64, false, struct unwind_info, ident.size),
	FIELD(ANONLEAK_UNWIND_A_MTIME, 64, false, struct unwind_info, ident.mtime),
	FIELD(ANONLEAK_UNWIND_A_ID, 64, false, struct unwind_info, id),
	FIELD(ANONLEAK_UNWIND_A_NROWS, 32, false, struct unwind_info, nrows),
	FIELD(ANONLEAK_UNWIND_A_NRULES, 32, false, struct unwind_info, nrules),
	FIELD(ANONLEAK_UNWIND_A_BYTES, 64, false, struct unwind_info, bytes),
	FIELD(ANONLEAK_UNWIND_A_LOADED, 64, false, struct unwind_info, loaded),
};

static int table_other(struct level *lv, const struct nlattr *a)
{
	struct unwind_info *u = lv->obj;
	size_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_UNWIND_A_PATH:
		return parse_str(lv->ps, a, "ANONLEAK_UNWIND_A_PATH", &u->path);
	case ANONLEAK_UNWIND_A_BUILD_ID:
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0 || !len ||
		    len > sizeof(u->build_id))
			return parse_fail(lv->ps, -EPROTO,
					  "ANONLEAK_UNWIND_A_BUILD_ID has length %zu", len);
		memcpy(u->build_id, mnl_attr_get_payload(a), len);
		u->build_id_len = len;
		break;
	}
	return MNL_CB_OK;
}

static int table_msg_other(struct level *lv, const struct nlattr *a)
{
	struct level t = LEVEL(lv->ps, table_fields, lv->obj, table_other);

	if (mnl_attr_get_type(a) != ANONLEAK_A_UNWIND)
		return MNL_CB_OK;
	return parse_level(lv, a, "ANONLEAK_A_UNWIND", &t);
}

int parse_unwind_msg(const struct nlmsghdr *nlh, struct unwind_info *u, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct level top = LEVEL_OF(&ps, u, table_msg_other);

	memset(u, 0, sizeof(*u));
	if (!parse_msg(nlh, &top, "unwind table", NEST(ANONLEAK_A_UNWIND)))
		parse_str_default(&ps, &u->path);
	if (ps.ret)
		unwind_info_release(u);
	return ps.ret;
}

DEFINE_PARSE_FN(parse_item, parse_unwind_msg)
DEFINE_ADD_FN(list_add, unwind_list_add)
DEFINE_RELEASE_FN(list_reset, unwind_list_release)

int query_unwind(struct nl *nl, struct unwind_list *l, struct parse_err *perr,
		 bool *inconsistent)
{
	const struct sink sink = { .add = list_add, .reset = list_reset, .ctx = l };
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_UNWIND, 0);
	struct unwind_info u;

	unwind_list_release(l);
	return request_dump(nl, nlh, parse_item, &u, &sink, perr, inconsistent);
}

/* ---- OBJECT_EVENT ---- */

static const struct field event_fields[] = {
	FIELD(ANONLEAK_A_PID, 32, false, struct object_event, pid),
	/* optional: the UAPI lists it, the module (module/netlink.c) does not send it */
	FIELD(ANONLEAK_A_PROC_ID, 64, true, struct object_event, proc_id),
};

static const struct field event_unwind_fields[] = {
	FIELD(ANONLEAK_UNWIND_A_DEV, 32, false, struct object_event, dev),
	FIELD(ANONLEAK_UNWIND_A_INO, 64, false, struct object_event, ino),
	FIELD(ANONLEAK_UNWIND_A_START, 64, false, struct object_event, start),
	FIELD(ANONLEAK_UNWIND_A_END, 64, false, struct object_event, end),
};

static int event_other(struct level *lv, const struct nlattr *a)
{
	struct level u = LEVEL(lv->ps, event_unwind_fields, lv->obj, NULL);

	if (mnl_attr_get_type(a) != ANONLEAK_A_UNWIND)
		return MNL_CB_OK;
	return parse_level(lv, a, "ANONLEAK_A_UNWIND", &u);
}

int parse_object_event(const struct nlmsghdr *nlh, struct object_event *e,
		       struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct level top = LEVEL(&ps, event_fields, e, event_other);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	memset(e, 0, sizeof(*e));
	if (mnl_nlmsg_get_payload_len(nlh) >= GENL_HDRLEN &&
	    g->cmd != ANONLEAK_CMD_OBJECT_EVENT)
		return parse_fail(&ps, -EPROTO, "not an object event (command %u)", g->cmd),
		       ps.ret;
	parse_msg(nlh, &top, "object event", NEST(ANONLEAK_A_UNWIND));
	if (!ps.ret && e->end <= e->start)
		parse_fail(&ps, -EPROTO, "object event: empty mapping");
	if (ps.ret)
		memset(e, 0, sizeof(*e));
	return ps.ret;
}
