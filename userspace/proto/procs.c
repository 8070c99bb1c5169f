// SPDX-License-Identifier: GPL-2.0
/*
 * GET_PROCS messages: proc_msg_cb -> proc_cb. Required: everything the
 * UAPI header lists without a condition, except ANONLEAK_A_COMM (absent:
 * ""); ANONLEAK_A_EXIT_TIME is optional (exited records only).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/anonleak.h>

#include "proto/attr.h"
#include "core/util.h"

static const struct field proc_fields[] = {
	FIELD(ANONLEAK_PROC_A_LIVE_COUNT, 64, false, struct proc_info, live_count),
	FIELD(ANONLEAK_PROC_A_LIVE_BYTES, 64, false, struct proc_info, live_bytes),
	FIELD(ANONLEAK_PROC_A_SITES, 64, false, struct proc_info, sites),
};

static const struct field proc_msg_fields[] = {
	FIELD(ANONLEAK_A_PID, 32, false, struct proc_info, pid),
	FIELD(ANONLEAK_A_PROC_ID, 64, false, struct proc_info, proc_id),
	FIELD(ANONLEAK_A_PROC_STATE, 8, false, struct proc_info, state),
	FIELD(ANONLEAK_A_UID, 32, false, struct proc_info, uid),
	FIELD(ANONLEAK_A_NOW, 64, false, struct proc_info, now),
	FIELD(ANONLEAK_A_START_TIME, 64, false, struct proc_info, start_time),
	FIELD(ANONLEAK_A_EXIT_TIME, 64, true, struct proc_info, exit_time),
};

struct proc_ctx {
	struct pstate *ps;
	struct proc_info *p;
	uint64_t seen;
};

static int proc_cb(const struct nlattr *a, void *data)
{
	struct proc_ctx *c = data;

	return put_field(proc_fields, ARRAY_SIZE(proc_fields), a, c->p, &c->seen, c->ps) < 0 ?
	       MNL_CB_ERROR : MNL_CB_OK;
}

static int proc_msg_cb(const struct nlattr *a, void *data)
{
	struct proc_ctx *c = data;
	struct proc_ctx pc = { .ps = c->ps, .p = c->p };
	int ret;

	ret = put_field(proc_msg_fields, ARRAY_SIZE(proc_msg_fields), a, c->p, &c->seen, c->ps);
	if (ret)
		return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_A_COMM:
		return parse_str(c->ps, a, "ANONLEAK_A_COMM", &c->p->comm);
	case ANONLEAK_A_PROC:
		if (parse_check_nest(c->ps, a, "ANONLEAK_A_PROC", &c->seen) < 0 ||
		    parse_nest(a, proc_cb, &pc, c->ps, "ANONLEAK_A_PROC") < 0)
			return MNL_CB_ERROR;
		return check_required(proc_fields, ARRAY_SIZE(proc_fields), pc.seen, c->ps);
	}
	return MNL_CB_OK;
}

int parse_proc_msg(const struct nlmsghdr *nlh, struct proc_info *p, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct proc_ctx c = { .ps = &ps, .p = p };

	memset(p, 0, sizeof(*p));
	err->msg[0] = '\0';
	if (check_msg(nlh, &ps) < 0)
		goto out;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, proc_msg_cb, &c) < 0) {
		parse_fail(&ps, -EPROTO, "bad process message");
		goto out;
	}
	if (check_required(proc_msg_fields, ARRAY_SIZE(proc_msg_fields), c.seen, &ps) < 0)
		goto out;
	if (!(c.seen & (1ULL << ANONLEAK_A_PROC))) {
		parse_fail(&ps, -EPROTO, "ANONLEAK_A_PROC missing");
		goto out;
	}
	p->has_exit_time = c.seen & (1ULL << ANONLEAK_A_EXIT_TIME);
	if (!p->comm) {
		p->comm = strdup("");
		if (!p->comm)
			parse_fail(&ps, -ENOMEM, "out of memory");
	}
out:
	if (ps.ret)
		proc_info_release(p);
	return ps.ret;
}
