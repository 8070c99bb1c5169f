// SPDX-License-Identifier: GPL-2.0
/*
 * The stats reply, level by level (struct level, attr.h): message ->
 * ANONLEAK_A_STATS (stats_fields) -> ANONLEAK_STATS_A_PROBES (names).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/anonleak.h>

#include "proto/request.h"
#include "proto/stats.h"

void module_stats_release(struct module_stats *st)
{
	for (size_t i = 0; i < st->nr_probes; i++)
		free(st->probes[i]);
	free(st->probes);
	memset(st, 0, sizeof(*st));
}

static int probes_other(struct level *lv, const struct nlattr *a)
{
	struct module_stats *st = lv->obj;
	char **probes;

	if (mnl_attr_get_type(a) != ANONLEAK_PROBE_A_NAME)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return parse_fail(lv->ps, -EPROTO, "ANONLEAK_PROBE_A_NAME is not a string");
	probes = realloc(st->probes, (st->nr_probes + 1) * sizeof(*probes));
	if (!probes)
		return parse_fail(lv->ps, -ENOMEM, "out of memory");
	st->probes = probes;
	probes[st->nr_probes] = NULL;
	if (parse_dup_str(lv->ps, a, &probes[st->nr_probes]) < 0)
		return MNL_CB_ERROR;
	st->nr_probes++;
	return MNL_CB_OK;
}

#define STAT(attr, width, opt, member) \
	FIELD(ANONLEAK_STATS_A_##attr, width, opt, struct module_stats, member)

static const struct field stats_fields[] = {
	STAT(MAPS, 64, false, maps),
	STAT(UNMAPS, 64, false, unmaps),
	STAT(LIVE_COUNT, 64, false, live_count),
	STAT(LIVE_BYTES, 64, false, live_bytes),
	STAT(PROCS, 64, false, procs),
	STAT(EXITED, 64, false, exited),
	STAT(SITES, 64, false, sites),
	STAT(DROPS, 64, false, drops),
	STAT(DROPS_NOMEM, 64, false, drops_nomem),
	STAT(DROPS_MAPPINGS, 64, false, drops_mappings),
	STAT(DROPS_SITES, 64, false, drops_sites),
	STAT(DROPS_PROCS, 64, false, drops_procs),
	STAT(DROPS_EXITED, 64, false, drops_exited),
	STAT(MISSED, 64, false, missed),
	STAT(FILTERED, 64, true, filtered),
	STAT(UNNAMED, 64, true, unnamed),
	STAT(MAPPING_SIZE, 32, false, mapping_size),
	STAT(SITE_SIZE, 32, false, site_size),
	STAT(STACK_DEPTH, 32, false, stack_depth),
	STAT(MAX_MAPPINGS, 64, false, max_mappings),
	STAT(MAX_SITES, 64, false, max_sites),
	STAT(MAX_PROCS, 64, false, max_procs),
	STAT(MAX_EXITED, 64, false, max_exited),
	STAT(UNWIND_TABLES, 64, true, unwind_tables),
	STAT(UNWIND_ROWS, 64, true, unwind_rows),
	STAT(UNWIND_BYTES, 64, true, unwind_bytes),
	STAT(UNWIND_REFUSED, 64, true, unwind_refused),
	STAT(UNWIND_FRAMES, 64, true, unwind_frames),
	STAT(UNWIND_NO_TABLE, 64, true, unwind_no_table),
	STAT(PARTIAL_SITES, 64, true, partial_sites),
	STAT(EXEMPLARS, 64, true, exemplars),
	STAT(EXEMPLAR_BYTES, 64, true, exemplar_bytes),
	STAT(DROPS_EXEMPLARS, 64, true, drops_exemplars),
	STAT(OBJECT_EVENTS, 64, true, object_events),
	STAT(OBJECT_EVENTS_DROPPED, 64, true, object_events_dropped),
	STAT(MAX_UNWIND_BYTES, 64, true, max_unwind_bytes),
	STAT(MAX_EXEMPLARS, 64, true, max_exemplars),
};

static int stats_other(struct level *lv, const struct nlattr *a)
{
	struct level probes = LEVEL_OF(lv->ps, lv->obj, probes_other);

	if (mnl_attr_get_type(a) != ANONLEAK_STATS_A_PROBES)
		return MNL_CB_OK;
	return parse_level(lv, a, "ANONLEAK_STATS_A_PROBES", &probes);
}

static int msg_other(struct level *lv, const struct nlattr *a)
{
	struct module_stats *st = lv->obj;
	struct level stats = LEVEL(lv->ps, stats_fields, st, stats_other);

	if (mnl_attr_get_type(a) != ANONLEAK_A_STATS)
		return MNL_CB_OK;
	if (parse_level(lv, a, "ANONLEAK_A_STATS", &stats) < 0)
		return MNL_CB_ERROR;
	st->has_filtered = stats.seen & BIT64(ANONLEAK_STATS_A_FILTERED);
	st->has_unnamed = stats.seen & BIT64(ANONLEAK_STATS_A_UNNAMED);
	st->has_unwind = stats.seen & BIT64(ANONLEAK_STATS_A_UNWIND_TABLES);
	return MNL_CB_OK;
}

int parse_stats_msg(const struct nlmsghdr *nlh, struct module_stats *st, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct level top = LEVEL_OF(&ps, st, msg_other);

	memset(st, 0, sizeof(*st));
	if (parse_msg(nlh, &top, "stats", NEST(ANONLEAK_A_STATS)))
		module_stats_release(st);
	return ps.ret;
}

DEFINE_PARSE_FN(parse_reply, parse_stats_msg)
DEFINE_RELEASE_FN(release_reply, module_stats_release)

static const struct reply_type stats_reply = {
	"stats", parse_reply, release_reply, sizeof(struct module_stats),
};

int query_stats(struct nl *nl, struct module_stats *st, struct parse_err *perr)
{
	struct nl_req req;

	return request_one(nl, nl_request(nl, &req, ANONLEAK_CMD_GET_STATS, 0), &stats_reply,
			   st, perr);
}
