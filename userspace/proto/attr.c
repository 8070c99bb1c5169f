// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the parse_*.c files (parse_priv.h): error state,
 * stream and nest checks, strings, and field tables.
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

int parse_check_nest(struct pstate *ps, const struct nlattr *a, const char *name,
		     uint64_t *seen)
{
	uint16_t type = mnl_attr_get_type(a);

	if (*seen & (1ULL << type))
		return parse_fail(ps, -EPROTO, "%s repeated", name);
	*seen |= 1ULL << type;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return parse_fail(ps, -EPROTO, "%s is not a nest", name);
	return MNL_CB_OK;
}

int put_field(const struct field *tab, size_t n, const struct nlattr *a,
	      void *obj, uint64_t *seen, struct pstate *ps)
{
	uint16_t type = mnl_attr_get_type(a);

	for (size_t i = 0; i < n; i++) {
		void *dst = (char *)obj + tab[i].off;
		uint64_t v;

		if (tab[i].type != type)
			continue;
		if (mnl_attr_validate(a, tab[i].mnl) < 0)
			return parse_fail(ps, -EPROTO, "%s has length %u", tab[i].name,
					  (unsigned int)mnl_attr_get_payload_len(a));
		switch (tab[i].mnl) {
		case MNL_TYPE_U8:
			v = mnl_attr_get_u8(a);
			break;
		case MNL_TYPE_U32:
			v = mnl_attr_get_u32(a);
			break;
		default:
			v = mnl_attr_get_u64(a);
			break;
		}
		switch (tab[i].size) {
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
		*seen |= 1ULL << type;
		return 1;
	}
	return 0;
}

int check_required(const struct field *tab, size_t n, uint64_t seen, struct pstate *ps)
{
	for (size_t i = 0; i < n; i++)
		if (!tab[i].optional && !(seen & (1ULL << tab[i].type)))
			return parse_fail(ps, -EPROTO, "%s missing", tab[i].name);
	return MNL_CB_OK;
}

int check_msg(const struct nlmsghdr *nlh, struct pstate *ps)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (nlh->nlmsg_len < sizeof(*nlh) || len < GENL_HDRLEN)
		return parse_fail(ps, -EPROTO, "message too short for a genetlink header");
	if (!nla_stream_ok((const char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
			   len - GENL_HDRLEN))
		return parse_fail(ps, -EPROTO, "malformed top-level attributes");
	return 0;
}
