// SPDX-License-Identifier: GPL-2.0
/*
 * One mnl_attr_parse callback per nesting level:
 *
 *   site message: msg_cb -> site_cb -> frames_cb -> frame_cb
 *   stats reply:  stats_msg_cb -> stats_cb -> probes_cb
 *
 * Fixed-width counters are described by field tables (type, width,
 * struct offset) so that a level's callback is a lookup plus the few
 * attributes that need code. Which attributes are required: everything
 * the UAPI header lists without a condition, except ANONLEAK_A_COMM,
 * ANONLEAK_SITE_A_FRAMES and ANONLEAK_STATS_A_PROBES, whose absence
 * just means "nothing to show"; in a frame only ANONLEAK_FRAME_A_ADDR.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "parse.h"
#include "util.h"

/* A build-id longer than this is not a GNU build-id (those are <= 20). */
#define MAX_BUILD_ID_LEN 64

/* Shared by all levels of one message: the first error wins. */
struct pstate {
	struct parse_err *err;
	int ret;
};

static int fail(struct pstate *ps, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record an error; returns MNL_CB_ERROR for the callbacks to pass up. */
static int fail(struct pstate *ps, int ret, const char *fmt, ...)
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

/* Parse a nest's payload with cb after checking it is well formed. */
static int parse_nest(const struct nlattr *nest, mnl_attr_cb_t cb, void *data,
		      struct pstate *ps, const char *what)
{
	if (!nla_stream_ok(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest)))
		return fail(ps, -EPROTO, "malformed attributes inside %s", what);
	if (mnl_attr_parse_nested(nest, cb, data) < 0)
		return fail(ps, -EPROTO, "bad attribute inside %s", what);
	return MNL_CB_OK;
}

/* Copy a NUL_STRING attribute (already validated). */
static int dup_str(struct pstate *ps, const struct nlattr *a, char **out)
{
	char *s = strdup(mnl_attr_get_str(a));

	if (!s)
		return fail(ps, -ENOMEM, "out of memory");
	free(*out);	/* a repeated attribute: the last one wins */
	*out = s;
	return MNL_CB_OK;
}

/* Fixed-width attributes stored into uint64_t members. */
struct field {
	uint16_t type;
	enum mnl_attr_data_type mnl;	/* MNL_TYPE_U32 or MNL_TYPE_U64 */
	bool optional;
	size_t off;
	const char *name;
};

#define FIELD(attr, width, opt, st, member) \
	{ attr, MNL_TYPE_U##width, opt, offsetof(st, member), #attr }

/*
 * Store a if the table has its type. Returns 1 if stored, 0 if the type is
 * not in the table, MNL_CB_ERROR on a bad length.
 */
static int put_field(const struct field *tab, size_t n, const struct nlattr *a,
		     void *obj, uint64_t *seen, struct pstate *ps)
{
	uint16_t type = mnl_attr_get_type(a);

	for (size_t i = 0; i < n; i++) {
		uint64_t *dst = (uint64_t *)((char *)obj + tab[i].off);

		if (tab[i].type != type)
			continue;
		if (mnl_attr_validate(a, tab[i].mnl) < 0)
			return fail(ps, -EPROTO, "%s has length %u", tab[i].name,
				    (unsigned int)mnl_attr_get_payload_len(a));
		*dst = tab[i].mnl == MNL_TYPE_U64 ? mnl_attr_get_u64(a) : mnl_attr_get_u32(a);
		*seen |= 1ULL << type;
		return 1;
	}
	return 0;
}

static int check_required(const struct field *tab, size_t n, uint64_t seen, struct pstate *ps)
{
	for (size_t i = 0; i < n; i++)
		if (!tab[i].optional && !(seen & (1ULL << tab[i].type)))
			return fail(ps, -EPROTO, "%s missing", tab[i].name);
	return MNL_CB_OK;
}

/* ---- GET_SITES: frame, frames list, site, message ---- */

struct frame_ctx {
	struct pstate *ps;
	struct al_frame *f;
	uint64_t seen;
};

static int frame_cb(const struct nlattr *a, void *data)
{
	struct frame_ctx *c = data;
	struct al_frame *f = c->f;
	uint16_t type = mnl_attr_get_type(a);
	void *id;

	switch (type) {
	case ANONLEAK_FRAME_A_ADDR:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return fail(c->ps, -EPROTO, "ANONLEAK_FRAME_A_ADDR has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		f->addr = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_FRAME_A_OFFSET:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return fail(c->ps, -EPROTO, "ANONLEAK_FRAME_A_OFFSET has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		f->offset = mnl_attr_get_u64(a);
		f->has_offset = true;
		break;
	case ANONLEAK_FRAME_A_OBJECT:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return fail(c->ps, -EPROTO, "ANONLEAK_FRAME_A_OBJECT is not a string");
		if (dup_str(c->ps, a, &f->object) < 0)
			return MNL_CB_ERROR;
		break;
	case ANONLEAK_FRAME_A_BUILD_ID:
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0 ||
		    mnl_attr_get_payload_len(a) == 0 ||
		    mnl_attr_get_payload_len(a) > MAX_BUILD_ID_LEN)
			return fail(c->ps, -EPROTO, "ANONLEAK_FRAME_A_BUILD_ID has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		id = malloc(mnl_attr_get_payload_len(a));
		if (!id)
			return fail(c->ps, -ENOMEM, "out of memory");
		memcpy(id, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
		free(f->build_id);
		f->build_id = id;
		f->build_id_len = mnl_attr_get_payload_len(a);
		break;
	default:
		return MNL_CB_OK;	/* PAD and anything newer */
	}
	c->seen |= 1ULL << type;
	return MNL_CB_OK;
}

struct frames_ctx {
	struct pstate *ps;
	struct al_site *site;
};

static int frames_cb(const struct nlattr *a, void *data)
{
	struct frames_ctx *c = data;
	struct al_site *s = c->site;
	struct frame_ctx fc = { .ps = c->ps };
	struct al_frame *frames;

	if (mnl_attr_get_type(a) != 0)
		return MNL_CB_OK;	/* the list only holds type 0 */
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return fail(c->ps, -EPROTO, "frame %zu is not a nest", s->nr_frames);
	frames = realloc(s->frames, (s->nr_frames + 1) * sizeof(*frames));
	if (!frames)
		return fail(c->ps, -ENOMEM, "out of memory");
	s->frames = frames;
	fc.f = &frames[s->nr_frames++];
	memset(fc.f, 0, sizeof(*fc.f));
	if (parse_nest(a, frame_cb, &fc, c->ps, "a frame") < 0)
		return MNL_CB_ERROR;
	if (!(fc.seen & (1ULL << ANONLEAK_FRAME_A_ADDR)))
		return fail(c->ps, -EPROTO, "frame %zu: ANONLEAK_FRAME_A_ADDR missing",
			    s->nr_frames - 1);
	return MNL_CB_OK;
}

static const struct field site_fields[] = {
	FIELD(ANONLEAK_SITE_A_ID, 64, false, struct al_site, id),
	FIELD(ANONLEAK_SITE_A_LIVE_COUNT, 64, false, struct al_site, live_count),
	FIELD(ANONLEAK_SITE_A_LIVE_BYTES, 64, false, struct al_site, live_bytes),
	FIELD(ANONLEAK_SITE_A_TOTAL_MAPS, 64, false, struct al_site, total_maps),
	FIELD(ANONLEAK_SITE_A_TOTAL_UNMAPS, 64, false, struct al_site, total_unmaps),
	FIELD(ANONLEAK_SITE_A_MAPPED_BYTES, 64, false, struct al_site, mapped_bytes),
	FIELD(ANONLEAK_SITE_A_UNMAPPED_BYTES, 64, false, struct al_site, unmapped_bytes),
	FIELD(ANONLEAK_SITE_A_PEAK_BYTES, 64, false, struct al_site, peak_bytes),
	FIELD(ANONLEAK_SITE_A_FIRST_SEEN, 64, false, struct al_site, first_seen),
	FIELD(ANONLEAK_SITE_A_LAST_SEEN, 64, false, struct al_site, last_seen),
	FIELD(ANONLEAK_SITE_A_OLDEST, 64, true, struct al_site, oldest),
};

struct site_ctx {
	struct pstate *ps;
	struct al_site *site;
	uint64_t seen;
};

static int site_cb(const struct nlattr *a, void *data)
{
	struct site_ctx *c = data;
	struct frames_ctx fc = { .ps = c->ps, .site = c->site };
	int ret;

	ret = put_field(site_fields, ARRAY_SIZE(site_fields), a, c->site, &c->seen, c->ps);
	if (ret)
		return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	if (mnl_attr_get_type(a) != ANONLEAK_SITE_A_FRAMES)
		return MNL_CB_OK;
	if (c->seen & (1ULL << ANONLEAK_SITE_A_FRAMES))
		return fail(c->ps, -EPROTO, "ANONLEAK_SITE_A_FRAMES repeated");
	c->seen |= 1ULL << ANONLEAK_SITE_A_FRAMES;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return fail(c->ps, -EPROTO, "ANONLEAK_SITE_A_FRAMES is not a nest");
	return parse_nest(a, frames_cb, &fc, c->ps, "ANONLEAK_SITE_A_FRAMES");
}

struct msg_ctx {
	struct pstate *ps;
	struct al_site_msg *m;
	uint64_t seen;
};

static int msg_cb(const struct nlattr *a, void *data)
{
	struct msg_ctx *c = data;
	struct al_site_msg *m = c->m;
	struct site_ctx sc = { .ps = c->ps, .site = &m->site };
	uint16_t type = mnl_attr_get_type(a);

	switch (type) {
	case ANONLEAK_A_PID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return fail(c->ps, -EPROTO, "ANONLEAK_A_PID has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		m->pid = mnl_attr_get_u32(a);
		break;
	case ANONLEAK_A_COMM:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return fail(c->ps, -EPROTO, "ANONLEAK_A_COMM is not a string");
		if (dup_str(c->ps, a, &m->comm) < 0)
			return MNL_CB_ERROR;
		break;
	case ANONLEAK_A_PROC_ID:
	case ANONLEAK_A_NOW:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return fail(c->ps, -EPROTO, "%s has length %u",
				    type == ANONLEAK_A_NOW ? "ANONLEAK_A_NOW" : "ANONLEAK_A_PROC_ID",
				    (unsigned int)mnl_attr_get_payload_len(a));
		*(type == ANONLEAK_A_NOW ? &m->now : &m->proc_id) = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_A_PROC_STATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return fail(c->ps, -EPROTO, "ANONLEAK_A_PROC_STATE has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		m->state = mnl_attr_get_u8(a);
		break;
	case ANONLEAK_A_SITE:
		if (c->seen & (1ULL << ANONLEAK_A_SITE))
			return fail(c->ps, -EPROTO, "ANONLEAK_A_SITE repeated");
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return fail(c->ps, -EPROTO, "ANONLEAK_A_SITE is not a nest");
		if (parse_nest(a, site_cb, &sc, c->ps, "ANONLEAK_A_SITE") < 0)
			return MNL_CB_ERROR;
		if (check_required(site_fields, ARRAY_SIZE(site_fields), sc.seen, c->ps) < 0)
			return MNL_CB_ERROR;
		m->site.has_oldest = sc.seen & (1ULL << ANONLEAK_SITE_A_OLDEST);
		break;
	default:
		return MNL_CB_OK;
	}
	c->seen |= 1ULL << type;
	return MNL_CB_OK;
}

/* Check the genl header and the top-level attribute stream. */
static int check_msg(const struct nlmsghdr *nlh, struct pstate *ps)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (nlh->nlmsg_len < sizeof(*nlh) || len < GENL_HDRLEN)
		return fail(ps, -EPROTO, "message too short for a genetlink header");
	if (!nla_stream_ok((const char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
			   len - GENL_HDRLEN))
		return fail(ps, -EPROTO, "malformed top-level attributes");
	return 0;
}

int parse_site_msg(const struct nlmsghdr *nlh, struct al_site_msg *m, struct parse_err *err)
{
	static const struct { uint16_t type; const char *name; } required[] = {
		{ ANONLEAK_A_PID, "ANONLEAK_A_PID" },
		{ ANONLEAK_A_PROC_ID, "ANONLEAK_A_PROC_ID" },
		{ ANONLEAK_A_PROC_STATE, "ANONLEAK_A_PROC_STATE" },
		{ ANONLEAK_A_NOW, "ANONLEAK_A_NOW" },
		{ ANONLEAK_A_SITE, "ANONLEAK_A_SITE" },
	};
	struct pstate ps = { .err = err };
	struct msg_ctx c = { .ps = &ps, .m = m };

	memset(m, 0, sizeof(*m));
	err->msg[0] = '\0';
	if (check_msg(nlh, &ps) < 0)
		goto out;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, msg_cb, &c) < 0) {
		fail(&ps, -EPROTO, "bad site message");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(required); i++)
		if (!(c.seen & (1ULL << required[i].type))) {
			fail(&ps, -EPROTO, "%s missing", required[i].name);
			goto out;
		}
	if (!m->comm) {
		m->comm = strdup("");
		if (!m->comm)
			fail(&ps, -ENOMEM, "out of memory");
	}
	m->site.now = m->now;
out:
	if (ps.ret)
		site_msg_release(m);
	return ps.ret;
}

/* ---- GET_STATS: probes list, stats nest, message ---- */

struct stats_ctx {
	struct pstate *ps;
	struct al_stats *st;
	uint64_t seen;
};

static int probes_cb(const struct nlattr *a, void *data)
{
	struct stats_ctx *c = data;
	struct al_stats *st = c->st;
	char **probes;

	if (mnl_attr_get_type(a) != ANONLEAK_PROBE_A_NAME)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return fail(c->ps, -EPROTO, "ANONLEAK_PROBE_A_NAME is not a string");
	probes = realloc(st->probes, (st->nr_probes + 1) * sizeof(*probes));
	if (!probes)
		return fail(c->ps, -ENOMEM, "out of memory");
	st->probes = probes;
	probes[st->nr_probes] = NULL;
	if (dup_str(c->ps, a, &probes[st->nr_probes]) < 0)
		return MNL_CB_ERROR;
	st->nr_probes++;
	return MNL_CB_OK;
}

static const struct field stats_fields[] = {
	FIELD(ANONLEAK_STATS_A_MAPS, 64, false, struct al_stats, maps),
	FIELD(ANONLEAK_STATS_A_UNMAPS, 64, false, struct al_stats, unmaps),
	FIELD(ANONLEAK_STATS_A_LIVE_COUNT, 64, false, struct al_stats, live_count),
	FIELD(ANONLEAK_STATS_A_LIVE_BYTES, 64, false, struct al_stats, live_bytes),
	FIELD(ANONLEAK_STATS_A_PROCS, 64, false, struct al_stats, procs),
	FIELD(ANONLEAK_STATS_A_EXITED, 64, false, struct al_stats, exited),
	FIELD(ANONLEAK_STATS_A_SITES, 64, false, struct al_stats, sites),
	FIELD(ANONLEAK_STATS_A_DROPS, 64, false, struct al_stats, drops),
	FIELD(ANONLEAK_STATS_A_DROPS_NOMEM, 64, false, struct al_stats, drops_nomem),
	FIELD(ANONLEAK_STATS_A_DROPS_MAPPINGS, 64, false, struct al_stats, drops_mappings),
	FIELD(ANONLEAK_STATS_A_DROPS_SITES, 64, false, struct al_stats, drops_sites),
	FIELD(ANONLEAK_STATS_A_DROPS_PROCS, 64, false, struct al_stats, drops_procs),
	FIELD(ANONLEAK_STATS_A_DROPS_EXITED, 64, false, struct al_stats, drops_exited),
	FIELD(ANONLEAK_STATS_A_MISSED, 64, false, struct al_stats, missed),
	FIELD(ANONLEAK_STATS_A_MAPPING_SIZE, 32, false, struct al_stats, mapping_size),
	FIELD(ANONLEAK_STATS_A_SITE_SIZE, 32, false, struct al_stats, site_size),
	FIELD(ANONLEAK_STATS_A_STACK_DEPTH, 32, false, struct al_stats, stack_depth),
	FIELD(ANONLEAK_STATS_A_MAX_MAPPINGS, 64, false, struct al_stats, max_mappings),
	FIELD(ANONLEAK_STATS_A_MAX_SITES, 64, false, struct al_stats, max_sites),
	FIELD(ANONLEAK_STATS_A_MAX_PROCS, 64, false, struct al_stats, max_procs),
	FIELD(ANONLEAK_STATS_A_MAX_EXITED, 64, false, struct al_stats, max_exited),
};

static int stats_cb(const struct nlattr *a, void *data)
{
	struct stats_ctx *c = data;
	int ret;

	ret = put_field(stats_fields, ARRAY_SIZE(stats_fields), a, c->st, &c->seen, c->ps);
	if (ret)
		return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	if (mnl_attr_get_type(a) != ANONLEAK_STATS_A_PROBES)
		return MNL_CB_OK;
	if (c->seen & (1ULL << ANONLEAK_STATS_A_PROBES))
		return fail(c->ps, -EPROTO, "ANONLEAK_STATS_A_PROBES repeated");
	c->seen |= 1ULL << ANONLEAK_STATS_A_PROBES;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return fail(c->ps, -EPROTO, "ANONLEAK_STATS_A_PROBES is not a nest");
	return parse_nest(a, probes_cb, c, c->ps, "ANONLEAK_STATS_A_PROBES");
}

struct stats_msg_ctx {
	struct pstate *ps;
	struct al_stats *st;
	bool seen;
};

static int stats_msg_cb(const struct nlattr *a, void *data)
{
	struct stats_msg_ctx *c = data;
	struct stats_ctx sc = { .ps = c->ps, .st = c->st };

	if (mnl_attr_get_type(a) != ANONLEAK_A_STATS)
		return MNL_CB_OK;
	if (c->seen)
		return fail(c->ps, -EPROTO, "ANONLEAK_A_STATS repeated");
	c->seen = true;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return fail(c->ps, -EPROTO, "ANONLEAK_A_STATS is not a nest");
	if (parse_nest(a, stats_cb, &sc, c->ps, "ANONLEAK_A_STATS") < 0)
		return MNL_CB_ERROR;
	return check_required(stats_fields, ARRAY_SIZE(stats_fields), sc.seen, c->ps);
}

int parse_stats_msg(const struct nlmsghdr *nlh, struct al_stats *st, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct stats_msg_ctx c = { .ps = &ps, .st = st };

	memset(st, 0, sizeof(*st));
	err->msg[0] = '\0';
	if (check_msg(nlh, &ps) < 0)
		goto out;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, stats_msg_cb, &c) < 0)
		fail(&ps, -EPROTO, "bad stats message");
	else if (!c.seen)
		fail(&ps, -EPROTO, "ANONLEAK_A_STATS missing");
out:
	if (ps.ret)
		stats_release(st);
	return ps.ret;
}
