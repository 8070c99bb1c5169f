// SPDX-License-Identifier: GPL-2.0
/*
 * Layer proto/, the lowest: the generic netlink socket to the module
 * (nl.c), requests and the dump loop (request.c), the strict attribute
 * parsers (attr.c), and one file per message: stats.c, sites.c, procs.c,
 * mappings.c, config.c. Each message file has the message's struct, its
 * parser and its request. Files here include only proto/ headers (and
 * system and UAPI ones). The generic helpers of every layer are in
 * proto/util.h (ARRAY_SIZE, time units, array_grow).
 *
 * Layers, bottom to top: proto < core < print < cli < main.c; a file may
 * include the headers of its own layer and those below. check-layers.sh
 * enforces it on every build.
 *
 * This file: the strict parsing helpers of attr.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "proto/attr.h"

int parse_fail(struct pstate *ps, int ret, const char *fmt, ...)
{
	va_list ap;

	if (ps->ret)
		return MNL_CB_ERROR;
	ps->ret = ret;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return MNL_CB_ERROR;
}

bool nla_stream_ok(const void *payload, size_t len)
{
	const unsigned char *p = payload;

	while (len >= sizeof(struct nlattr)) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t step = MNL_ALIGN(a->nla_len);

		if (a->nla_len < sizeof(struct nlattr) || a->nla_len > len)
			return false;
		if (step >= len)
			return true;	/* last one; padding may be cut */
		p += step;
		len -= step;
	}
	return len == 0;
}

int parse_nest(const struct nlattr *nest, mnl_attr_cb_t cb, void *data,
	       struct pstate *ps, const char *what)
{
	if (!nla_stream_ok(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest)))
		return parse_fail(ps, -EPROTO, "malformed attributes inside %s", what);
	if (mnl_attr_parse_nested(nest, cb, data) < 0)
		return parse_fail(ps, -EPROTO, "bad attribute inside %s", what);
	return MNL_CB_OK;
}

int parse_dup_str(struct pstate *ps, const struct nlattr *a, char **out)
{
	char *s = strdup(mnl_attr_get_str(a));

	if (!s)
		return parse_fail(ps, -ENOMEM, "out of memory");
	free(*out);	/* a repeated attribute: the last one wins */
	*out = s;
	return MNL_CB_OK;
}

int parse_str(struct pstate *ps, const struct nlattr *a, const char *name, char **out)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return parse_fail(ps, -EPROTO, "%s is not a string", name);
	return parse_dup_str(ps, a, out);
}

int parse_str_default(struct pstate *ps, char **s)
{
	if (!*s)
		*s = strdup("");
	return *s ? 0 : parse_fail(ps, -ENOMEM, "out of memory");
}

/* Validate a as a nest named name; "seen" catches a repeat. */
static int check_nest(struct pstate *ps, const struct nlattr *a, const char *name,
		      uint64_t *seen)
{
	uint16_t type = mnl_attr_get_type(a);

	if (*seen & BIT64(type))
		return parse_fail(ps, -EPROTO, "%s repeated", name);
	*seen |= BIT64(type);
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return parse_fail(ps, -EPROTO, "%s is not a nest", name);
	return MNL_CB_OK;
}

static uint64_t get_uint(const struct nlattr *a, enum mnl_attr_data_type mnl)
{
	switch (mnl) {
	case MNL_TYPE_U8:
		return mnl_attr_get_u8(a);
	case MNL_TYPE_U32:
		return mnl_attr_get_u32(a);
	default:
		return mnl_attr_get_u64(a);
	}
}

static void put_uint(void *dst, size_t size, uint64_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)dst = v;
		break;
	case 4:
		*(uint32_t *)dst = v;
		break;
	default:
		*(uint64_t *)dst = v;
		break;
	}
}

/*
 * Store a if lv's table has its type. Returns 1 if stored, 0 if the type
 * is not in the table, MNL_CB_ERROR on a bad length.
 */
static int put_field(struct level *lv, const struct nlattr *a)
{
	uint16_t type = mnl_attr_get_type(a);

	for (size_t i = 0; i < lv->nr; i++) {
		const struct field *f = &lv->tab[i];

		if (f->type != type)
			continue;
		if (mnl_attr_validate(a, f->mnl) < 0)
			return parse_fail(lv->ps, -EPROTO, "%s has length %u", f->name,
					  (unsigned int)mnl_attr_get_payload_len(a));
		put_uint((char *)lv->obj + f->off, f->size, get_uint(a, f->mnl));
		lv->seen |= BIT64(type);
		return 1;
	}
	return 0;
}

int level_cb(const struct nlattr *a, void *data)
{
	struct level *lv = data;
	int ret = put_field(lv, a);

	if (ret)
		return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	return lv->other ? lv->other(lv, a) : MNL_CB_OK;
}

int check_required(const struct field *tab, size_t n, uint64_t seen, struct pstate *ps)
{
	for (size_t i = 0; i < n; i++)
		if (!tab[i].optional && !(seen & BIT64(tab[i].type)))
			return parse_fail(ps, -EPROTO, "%s missing", tab[i].name);
	return MNL_CB_OK;
}

int parse_level(struct level *parent, const struct nlattr *a, const char *name,
		struct level *child)
{
	if (check_nest(parent->ps, a, name, &parent->seen) < 0 ||
	    parse_nest(a, level_cb, child, parent->ps, name) < 0)
		return MNL_CB_ERROR;
	return check_required(child->tab, child->nr, child->seen, parent->ps);
}

void *parse_list_add(struct pstate *ps, const struct nlattr *a, void **arr, size_t *cap,
		     size_t *nr, size_t sz, const char *what)
{
	char *e;

	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0) {
		parse_fail(ps, -EPROTO, "%s %zu is not a nest", what, *nr);
		return NULL;
	}
	if (array_grow(arr, cap, *nr, sz) < 0) {
		parse_fail(ps, -ENOMEM, "out of memory");
		return NULL;
	}
	e = (char *)*arr + *nr * sz;
	memset(e, 0, sz);
	(*nr)++;
	return e;
}

/* Check the genl header and the top-level attribute stream. */
static int check_msg(const struct nlmsghdr *nlh, struct pstate *ps)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (nlh->nlmsg_len < sizeof(*nlh) || len < GENL_HDRLEN)
		return parse_fail(ps, -EPROTO, "message too short for a genetlink header");
	if (!nla_stream_ok((const char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
			   len - GENL_HDRLEN))
		return parse_fail(ps, -EPROTO, "malformed top-level attributes");
	return 0;
}

int parse_msg(const struct nlmsghdr *nlh, struct level *top, const char *what,
	      uint16_t nest, const char *nest_name)
{
	struct pstate *ps = top->ps;

	ps->err->msg[0] = '\0';
	if (check_msg(nlh, ps) < 0)
		return ps->ret;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, level_cb, top) < 0)
		parse_fail(ps, -EPROTO, "bad %s message", what);
	else if (check_required(top->tab, top->nr, top->seen, ps) == MNL_CB_OK &&
		 !(top->seen & BIT64(nest)))
		parse_fail(ps, -EPROTO, "%s missing", nest_name);
	return ps->ret;
}
