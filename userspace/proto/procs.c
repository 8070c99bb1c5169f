// SPDX-License-Identifier: GPL-2.0
/* A process message: message (proc_msg_fields, COMM) -> ANONLEAK_A_PROC. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/anonleak.h>

#include "proto/procs.h"
#include "proto/request.h"

void proc_info_release(struct proc_info *p)
{
	free(p->comm);
	memset(p, 0, sizeof(*p));
}

void proc_list_release(struct proc_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		proc_info_release(&l->procs[i]);
	free(l->procs);
	memset(l, 0, sizeof(*l));
}

int proc_list_add(struct proc_list *l, struct proc_info *p)
{
	if (array_grow((void **)&l->procs, &l->cap, l->nr, sizeof(*p)) < 0) {
		proc_info_release(p);
		return -ENOMEM;
	}
	l->procs[l->nr++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

const char *proc_state_name(uint8_t state)
{
	switch (state) {
	case ANONLEAK_PROC_RUNNING:
		return "running";
	case ANONLEAK_PROC_EXITED:
		return "exited";
	}
	return NULL;
}

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

static int msg_other(struct level *lv, const struct nlattr *a)
{
	struct proc_info *p = lv->obj;
	struct level proc = LEVEL(lv->ps, proc_fields, p, NULL);

	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_A_COMM:
		return parse_str(lv->ps, a, "ANONLEAK_A_COMM", &p->comm);
	case ANONLEAK_A_PROC:
		return parse_level(lv, a, "ANONLEAK_A_PROC", &proc);
	}
	return MNL_CB_OK;
}

int parse_proc_msg(const struct nlmsghdr *nlh, struct proc_info *p, struct parse_err *err)
{
	struct pstate ps = { .err = err };
	struct level top = LEVEL(&ps, proc_msg_fields, p, msg_other);

	memset(p, 0, sizeof(*p));
	if (!parse_msg(nlh, &top, "process", NEST(ANONLEAK_A_PROC)) &&
	    !parse_str_default(&ps, &p->comm))
		p->has_exit_time = top.seen & BIT64(ANONLEAK_A_EXIT_TIME);
	if (ps.ret)
		proc_info_release(p);
	return ps.ret;
}

DEFINE_PARSE_FN(parse_item, parse_proc_msg)
DEFINE_ADD_FN(list_add, proc_list_add)
DEFINE_RELEASE_FN(list_reset, proc_list_release)

int query_procs(struct nl *nl, pid_t pid, struct proc_list *l, struct parse_err *perr,
		bool *inconsistent)
{
	const struct sink sink = { .add = list_add, .reset = list_reset, .ctx = l };
	struct nl_req req;
	struct nlmsghdr *nlh = nl_request(nl, &req, ANONLEAK_CMD_GET_PROCS, 0);
	struct proc_info p;

	proc_list_release(l);
	if (pid)
		mnl_attr_put_u32(nlh, ANONLEAK_A_PID, pid);
	return request_dump(nl, nlh, parse_item, &p, &sink, perr, inconsistent);
}
