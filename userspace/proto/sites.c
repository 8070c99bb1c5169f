// SPDX-License-Identifier: GPL-2.0
/*
 * A site message, level by level (struct level, attr.h):
 *
 *   message (msg_fields, COMM) -> ANONLEAK_A_SITE (site_fields)
 *     -> ANONLEAK_SITE_A_FRAMES (a list of type-0 nests)
 *       -> a frame (frame_fields, OBJECT, BUILD_ID)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/anonleak.h>

#include "proto/sites.h"

/* A build-id longer than this is not a GNU build-id (those are <= 20). */
#define MAX_BUILD_ID_LEN 64

const char *site_flag_name(uint32_t bit)
{
	switch (bit) {
	case ANONLEAK_SITE_F_UNWOUND:
		return "unwound";
	case ANONLEAK_SITE_F_PARTIAL:
		return "partial";
	case ANONLEAK_SITE_F_ANON_EXEC:
		return "anon-exec";
	case ANONLEAK_SITE_F_COMPLETE:
		return "complete";
	case ANONLEAK_SITE_F_TRUNCATED:
		return "truncated";
	case ANONLEAK_SITE_F_EXEMPLAR:
		return "exemplar";
	}
	return NULL;
}

void frame_release(struct frame_info *f)
{
	free(f->object);
	free(f->build_id);
	free(f->symbol);
	free(f->source_file);
	memset(f, 0, sizeof(*f));
}

void site_release(struct site_info *s)
{
	for (size_t i = 0; i < s->nr_frames; i++)
		frame_release(&s->frames[i]);
	free(s->frames);
	memset(s, 0, sizeof(*s));
}

void site_msg_release(struct site_msg *m)
{
	free(m->comm);
	site_release(&m->site);
	memset(m, 0, sizeof(*m));
}

static const struct field frame_fields[] = {
	FIELD(ANONLEAK_FRAME_A_ADDR, 64, false, struct frame_info, addr),
	FIELD(ANONLEAK_FRAME_A_OFFSET, 64, true, struct frame_info, offset),
};

static int frame_other(struct level *lv, const struct nlattr *a)
{
	struct frame_info *f = lv->obj;
	size_t len = mnl_attr_get_payload_len(a);
	void *id;

	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_FRAME_A_OBJECT:
		return parse_str(lv->ps, a, "ANONLEAK_FRAME_A_OBJECT", &f->object);
	case ANONLEAK_FRAME_A_BUILD_ID:
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0 || !len || len > MAX_BUILD_ID_LEN)
			return parse_fail(lv->ps, -EPROTO, "ANONLEAK_FRAME_A_BUILD_ID has length %u",
					  (unsigned int)len);
		id = malloc(len);
		if (!id)
			return parse_fail(lv->ps, -ENOMEM, "out of memory");
		memcpy(id, mnl_attr_get_payload(a), len);
		free(f->build_id);
		f->build_id = id;
		f->build_id_len = len;
		break;
	}
	return MNL_CB_OK;	/* PAD and anything newer are skipped */
}

static int frames_other(struct level *lv, const struct nlattr *a)
{
	struct site_info *s = lv->obj;
	struct frame_info *f;
	struct level fl;

	if (mnl_attr_get_type(a) != 0)
		return MNL_CB_OK;	/* the list only holds type 0 */
	f = parse_list_add(lv->ps, a, (void **)&s->frames, &s->cap_frames, &s->nr_frames,
			   sizeof(*f), "frame");
	if (!f)
		return MNL_CB_ERROR;
	fl = LEVEL(lv->ps, frame_fields, f, frame_other);
	if (parse_nest(a, level_cb, &fl, lv->ps, "a frame") < 0)
		return MNL_CB_ERROR;
	if (!(fl.seen & BIT64(ANONLEAK_FRAME_A_ADDR)))
		return parse_fail(lv->ps, -EPROTO, "frame %zu: ANONLEAK_FRAME_A_ADDR missing",
				  s->nr_frames - 1);
	f->has_offset = fl.seen & BIT64(ANONLEAK_FRAME_A_OFFSET);
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
	FIELD(ANONLEAK_SITE_A_FLAGS, 32, true, struct site_info, flags),
};

static int site_other(struct level *lv, const struct nlattr *a)
{
	struct level frames = LEVEL_OF(lv->ps, lv->obj, frames_other);

	if (mnl_attr_get_type(a) != ANONLEAK_SITE_A_FRAMES)
		return MNL_CB_OK;
	return parse_level(lv, a, "ANONLEAK_SITE_A_FRAMES", &frames);
}

static const struct field msg_fields[] = {
	FIELD(ANONLEAK_A_PID, 32, false, struct site_msg, pid),
	FIELD(ANONLEAK_A_PROC_ID, 64, false, struct site_msg, proc_id),
	FIELD(ANONLEAK_A_PROC_STATE, 8, false, struct site_msg, state),
	FIELD(ANONLEAK_A_NOW, 64, false, struct site_msg, now),
	/* appended to the protocol later: older modules do not send them */
	FIELD(ANONLEAK_A_UID, 32, true, struct site_msg, uid),
	FIELD(ANONLEAK_A_EXIT_TIME, 64, true, struct site_msg, exit_time),
	FIELD(ANONLEAK_A_CGROUP_ID, 64, true, struct site_msg, cgroup_id),
};

static int msg_other(struct level *lv, const struct nlattr *a)
{
	struct site_msg *m = lv->obj;
	struct level site = LEVEL(lv->ps, site_fields, &m->site, site_other);

	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_A_COMM:
		return parse_str(lv->ps, a, "ANONLEAK_A_COMM", &m->comm);
	case ANONLEAK_A_SITE:
		if (parse_level(lv, a, "ANONLEAK_A_SITE", &site) < 0)
			return MNL_CB_ERROR;
		m->site.has_oldest = site.seen & BIT64(ANONLEAK_SITE_A_OLDEST);
		m->site.has_flags = site.seen & BIT64(ANONLEAK_SITE_A_FLAGS);
		break;
	}
	return MNL_CB_OK;
}

int parse_site_msg(const struct nlmsghdr *nlh, struct site_msg *m, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct level top = LEVEL(&ps, msg_fields, m, msg_other);

	memset(m, 0, sizeof(*m));
	if (!parse_msg(nlh, &top, "site", NEST(ANONLEAK_A_SITE)) &&
	    !parse_str_default(&ps, &m->comm)) {
		m->has_uid = top.seen & BIT64(ANONLEAK_A_UID);
		m->has_exit_time = top.seen & BIT64(ANONLEAK_A_EXIT_TIME);
		m->has_cgroup_id = top.seen & BIT64(ANONLEAK_A_CGROUP_ID);
		m->site.now = m->now;
	}
	if (ps.ret)
		site_msg_release(m);
	return ps.ret;
}

void site_query_put(struct nlmsghdr *nlh, const struct site_query *q)
{
	if (q->pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, q->pid);
	if (q->has_min_bytes)
		mnl_attr_put_u64(nlh, ANONLEAK_A_MIN_BYTES, q->min_bytes);
	if (q->has_min_age)
		mnl_attr_put_u64(nlh, ANONLEAK_A_MIN_AGE, q->min_age);
}

DEFINE_PARSE_FN(parse_item, parse_site_msg)

int query_sites(struct nl *nl, const struct site_query *q, const struct sink *sink,
		struct parse_err *perr, bool *inconsistent)
{
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_SITES, 0);
	struct site_msg m;

	site_query_put(nlh, q);
	return request_dump(nl, nlh, parse_item, &m, sink, perr, inconsistent);
}
