// SPDX-License-Identifier: GPL-2.0
/*
 * One mnl_attr_parse callback per nesting level:
 *
 *   site message: msg_cb -> site_cb -> frames_cb -> frame_cb
 *   stats reply:  stats_msg_cb -> stats_cb -> probes_cb
 *
 * (GET_PROCS, GET_MAPPINGS and the config reply are in parse_proc.c,
 * parse_mapping.c and parse_config.c.)
 *
 * Fixed-width counters are described by field tables (type, width,
 * struct offset) so that a level's callback is a lookup plus the few
 * attributes that need code. Which attributes are required: everything
 * the UAPI header lists without a condition, except ANONLEAK_A_COMM,
 * ANONLEAK_SITE_A_FRAMES and ANONLEAK_STATS_A_PROBES, whose absence
 * just means "nothing to show"; in a frame only ANONLEAK_FRAME_A_ADDR;
 * and ANONLEAK_A_UID and ANONLEAK_STATS_A_FILTERED, which site messages
 * and the stats reply only gained later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "proto/attr.h"
#include "core/util.h"

/* A build-id longer than this is not a GNU build-id (those are <= 20). */
#define MAX_BUILD_ID_LEN 64

/* ---- GET_SITES: frame, frames list, site, message ---- */

struct frame_ctx {
	struct pstate *ps;
	struct frame_info *f;
	uint64_t seen;
};

static int frame_cb(const struct nlattr *a, void *data)
{
	struct frame_ctx *c = data;
	struct frame_info *f = c->f;
	uint16_t type = mnl_attr_get_type(a);
	void *id;

	switch (type) {
	case ANONLEAK_FRAME_A_ADDR:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return parse_fail(c->ps, -EPROTO, "ANONLEAK_FRAME_A_ADDR has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		f->addr = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_FRAME_A_OFFSET:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return parse_fail(c->ps, -EPROTO, "ANONLEAK_FRAME_A_OFFSET has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		f->offset = mnl_attr_get_u64(a);
		f->has_offset = true;
		break;
	case ANONLEAK_FRAME_A_OBJECT:
		if (parse_str(c->ps, a, "ANONLEAK_FRAME_A_OBJECT", &f->object) < 0)
			return MNL_CB_ERROR;
		break;
	case ANONLEAK_FRAME_A_BUILD_ID:
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0 ||
		    mnl_attr_get_payload_len(a) == 0 ||
		    mnl_attr_get_payload_len(a) > MAX_BUILD_ID_LEN)
			return parse_fail(c->ps, -EPROTO, "ANONLEAK_FRAME_A_BUILD_ID has length %u",
				    (unsigned int)mnl_attr_get_payload_len(a));
		id = malloc(mnl_attr_get_payload_len(a));
		if (!id)
			return parse_fail(c->ps, -ENOMEM, "out of memory");
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
	struct site_info *site;
};

static int frames_cb(const struct nlattr *a, void *data)
{
	struct frames_ctx *c = data;
	struct site_info *s = c->site;
	struct frame_ctx fc = { .ps = c->ps };
	struct frame_info *frames;

	if (mnl_attr_get_type(a) != 0)
		return MNL_CB_OK;	/* the list only holds type 0 */
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return parse_fail(c->ps, -EPROTO, "frame %zu is not a nest", s->nr_frames);
	frames = realloc(s->frames, (s->nr_frames + 1) * sizeof(*frames));
	if (!frames)
		return parse_fail(c->ps, -ENOMEM, "out of memory");
	s->frames = frames;
	fc.f = &frames[s->nr_frames++];
	memset(fc.f, 0, sizeof(*fc.f));
	if (parse_nest(a, frame_cb, &fc, c->ps, "a frame") < 0)
		return MNL_CB_ERROR;
	if (!(fc.seen & (1ULL << ANONLEAK_FRAME_A_ADDR)))
		return parse_fail(c->ps, -EPROTO, "frame %zu: ANONLEAK_FRAME_A_ADDR missing",
			    s->nr_frames - 1);
	return MNL_CB_OK;
}

static const struct field site_fields[] = {
	FIELD(ANONLEAK_SITE_A_ID, 64, false, struct site_info, id),
	FIELD(ANONLEAK_SITE_A_LIVE_COUNT, 64, false, struct site_info, live_count),
	FIELD(ANONLEAK_SITE_A_LIVE_BYTES, 64, false, struct site_info, live_bytes),
	FIELD(ANONLEAK_SITE_A_TOTAL_MAPS, 64, false, struct site_info, total_maps),
	FIELD(ANONLEAK_SITE_A_TOTAL_UNMAPS, 64, false, struct site_info, total_unmaps),
	FIELD(ANONLEAK_SITE_A_MAPPED_BYTES, 64, false, struct site_info, mapped_bytes),
	FIELD(ANONLEAK_SITE_A_UNMAPPED_BYTES, 64, false, struct site_info, unmapped_bytes),
	FIELD(ANONLEAK_SITE_A_PEAK_BYTES, 64, false, struct site_info, peak_bytes),
	FIELD(ANONLEAK_SITE_A_FIRST_SEEN, 64, false, struct site_info, first_seen),
	FIELD(ANONLEAK_SITE_A_LAST_SEEN, 64, false, struct site_info, last_seen),
	FIELD(ANONLEAK_SITE_A_OLDEST, 64, true, struct site_info, oldest),
};

struct site_ctx {
	struct pstate *ps;
	struct site_info *site;
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
	if (parse_check_nest(c->ps, a, "ANONLEAK_SITE_A_FRAMES", &c->seen) < 0)
		return MNL_CB_ERROR;
	return parse_nest(a, frames_cb, &fc, c->ps, "ANONLEAK_SITE_A_FRAMES");
}

static const struct field msg_fields[] = {
	FIELD(ANONLEAK_A_PID, 32, false, struct site_msg, pid),
	FIELD(ANONLEAK_A_PROC_ID, 64, false, struct site_msg, proc_id),
	FIELD(ANONLEAK_A_PROC_STATE, 8, false, struct site_msg, state),
	FIELD(ANONLEAK_A_NOW, 64, false, struct site_msg, now),
	/* appended to the protocol later: older modules do not send them */
	FIELD(ANONLEAK_A_UID, 32, true, struct site_msg, uid),
	FIELD(ANONLEAK_A_EXIT_TIME, 64, true, struct site_msg, exit_time),
};

struct msg_ctx {
	struct pstate *ps;
	struct site_msg *m;
	uint64_t seen;
};

static int msg_cb(const struct nlattr *a, void *data)
{
	struct msg_ctx *c = data;
	struct site_msg *m = c->m;
	struct site_ctx sc = { .ps = c->ps, .site = &m->site };
	int ret;

	ret = put_field(msg_fields, ARRAY_SIZE(msg_fields), a, m, &c->seen, c->ps);
	if (ret)
		return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_A_COMM:
		return parse_str(c->ps, a, "ANONLEAK_A_COMM", &m->comm);
	case ANONLEAK_A_SITE:
		if (parse_check_nest(c->ps, a, "ANONLEAK_A_SITE", &c->seen) < 0 ||
		    parse_nest(a, site_cb, &sc, c->ps, "ANONLEAK_A_SITE") < 0 ||
		    check_required(site_fields, ARRAY_SIZE(site_fields), sc.seen, c->ps) < 0)
			return MNL_CB_ERROR;
		m->site.has_oldest = sc.seen & (1ULL << ANONLEAK_SITE_A_OLDEST);
		break;
	}
	return MNL_CB_OK;
}

int parse_site_msg(const struct nlmsghdr *nlh, struct site_msg *m, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct msg_ctx c = { .ps = &ps, .m = m };

	memset(m, 0, sizeof(*m));
	err->msg[0] = '\0';
	if (check_msg(nlh, &ps) < 0)
		goto out;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, msg_cb, &c) < 0) {
		parse_fail(&ps, -EPROTO, "bad site message");
		goto out;
	}
	if (check_required(msg_fields, ARRAY_SIZE(msg_fields), c.seen, &ps) < 0)
		goto out;
	if (!(c.seen & (1ULL << ANONLEAK_A_SITE))) {
		parse_fail(&ps, -EPROTO, "ANONLEAK_A_SITE missing");
		goto out;
	}
	m->has_uid = c.seen & (1ULL << ANONLEAK_A_UID);
	m->has_exit_time = c.seen & (1ULL << ANONLEAK_A_EXIT_TIME);
	if (!m->comm) {
		m->comm = strdup("");
		if (!m->comm)
			parse_fail(&ps, -ENOMEM, "out of memory");
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
	struct module_stats *st;
	uint64_t seen;
};

static int probes_cb(const struct nlattr *a, void *data)
{
	struct stats_ctx *c = data;
	struct module_stats *st = c->st;
	char **probes;

	if (mnl_attr_get_type(a) != ANONLEAK_PROBE_A_NAME)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return parse_fail(c->ps, -EPROTO, "ANONLEAK_PROBE_A_NAME is not a string");
	probes = realloc(st->probes, (st->nr_probes + 1) * sizeof(*probes));
	if (!probes)
		return parse_fail(c->ps, -ENOMEM, "out of memory");
	st->probes = probes;
	probes[st->nr_probes] = NULL;
	if (parse_dup_str(c->ps, a, &probes[st->nr_probes]) < 0)
		return MNL_CB_ERROR;
	st->nr_probes++;
	return MNL_CB_OK;
}

static const struct field stats_fields[] = {
	FIELD(ANONLEAK_STATS_A_MAPS, 64, false, struct module_stats, maps),
	FIELD(ANONLEAK_STATS_A_UNMAPS, 64, false, struct module_stats, unmaps),
	FIELD(ANONLEAK_STATS_A_LIVE_COUNT, 64, false, struct module_stats, live_count),
	FIELD(ANONLEAK_STATS_A_LIVE_BYTES, 64, false, struct module_stats, live_bytes),
	FIELD(ANONLEAK_STATS_A_PROCS, 64, false, struct module_stats, procs),
	FIELD(ANONLEAK_STATS_A_EXITED, 64, false, struct module_stats, exited),
	FIELD(ANONLEAK_STATS_A_SITES, 64, false, struct module_stats, sites),
	FIELD(ANONLEAK_STATS_A_DROPS, 64, false, struct module_stats, drops),
	FIELD(ANONLEAK_STATS_A_DROPS_NOMEM, 64, false, struct module_stats, drops_nomem),
	FIELD(ANONLEAK_STATS_A_DROPS_MAPPINGS, 64, false, struct module_stats, drops_mappings),
	FIELD(ANONLEAK_STATS_A_DROPS_SITES, 64, false, struct module_stats, drops_sites),
	FIELD(ANONLEAK_STATS_A_DROPS_PROCS, 64, false, struct module_stats, drops_procs),
	FIELD(ANONLEAK_STATS_A_DROPS_EXITED, 64, false, struct module_stats, drops_exited),
	FIELD(ANONLEAK_STATS_A_MISSED, 64, false, struct module_stats, missed),
	FIELD(ANONLEAK_STATS_A_FILTERED, 64, true, struct module_stats, filtered),
	FIELD(ANONLEAK_STATS_A_UNNAMED, 64, true, struct module_stats, unnamed),
	FIELD(ANONLEAK_STATS_A_MAPPING_SIZE, 32, false, struct module_stats, mapping_size),
	FIELD(ANONLEAK_STATS_A_SITE_SIZE, 32, false, struct module_stats, site_size),
	FIELD(ANONLEAK_STATS_A_STACK_DEPTH, 32, false, struct module_stats, stack_depth),
	FIELD(ANONLEAK_STATS_A_MAX_MAPPINGS, 64, false, struct module_stats, max_mappings),
	FIELD(ANONLEAK_STATS_A_MAX_SITES, 64, false, struct module_stats, max_sites),
	FIELD(ANONLEAK_STATS_A_MAX_PROCS, 64, false, struct module_stats, max_procs),
	FIELD(ANONLEAK_STATS_A_MAX_EXITED, 64, false, struct module_stats, max_exited),
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
		return parse_fail(c->ps, -EPROTO, "ANONLEAK_STATS_A_PROBES repeated");
	c->seen |= 1ULL << ANONLEAK_STATS_A_PROBES;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return parse_fail(c->ps, -EPROTO, "ANONLEAK_STATS_A_PROBES is not a nest");
	return parse_nest(a, probes_cb, c, c->ps, "ANONLEAK_STATS_A_PROBES");
}

struct stats_msg_ctx {
	struct pstate *ps;
	struct module_stats *st;
	bool seen;
};

static int stats_msg_cb(const struct nlattr *a, void *data)
{
	struct stats_msg_ctx *c = data;
	struct stats_ctx sc = { .ps = c->ps, .st = c->st };

	if (mnl_attr_get_type(a) != ANONLEAK_A_STATS)
		return MNL_CB_OK;
	if (c->seen)
		return parse_fail(c->ps, -EPROTO, "ANONLEAK_A_STATS repeated");
	c->seen = true;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return parse_fail(c->ps, -EPROTO, "ANONLEAK_A_STATS is not a nest");
	if (parse_nest(a, stats_cb, &sc, c->ps, "ANONLEAK_A_STATS") < 0)
		return MNL_CB_ERROR;
	c->st->has_filtered = sc.seen & (1ULL << ANONLEAK_STATS_A_FILTERED);
	c->st->has_unnamed = sc.seen & (1ULL << ANONLEAK_STATS_A_UNNAMED);
	return check_required(stats_fields, ARRAY_SIZE(stats_fields), sc.seen, c->ps);
}

int parse_stats_msg(const struct nlmsghdr *nlh, struct module_stats *st, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct stats_msg_ctx c = { .ps = &ps, .st = st };

	memset(st, 0, sizeof(*st));
	err->msg[0] = '\0';
	if (check_msg(nlh, &ps) < 0)
		goto out;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, stats_msg_cb, &c) < 0)
		parse_fail(&ps, -EPROTO, "bad stats message");
	else if (!c.seen)
		parse_fail(&ps, -EPROTO, "ANONLEAK_A_STATS missing");
out:
	if (ps.ret)
		stats_release(st);
	return ps.ret;
}
