// SPDX-License-Identifier: GPL-2.0
/* See al_procs.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_procs.h"
#include "al_util.h"

int al_t_proc_parse(const struct nlmsghdr *nlh, struct al_t_proc *p)
{
	uint64_t v[ANONLEAK_A_MAX + 1] = { 0 }, c[ANONLEAK_PROC_A_MAX + 1] = { 0 };
	const struct nlattr *a;

	memset(p, 0, sizeof(*p));
	al_t_msg_uints(nlh, v, ANONLEAK_A_MAX);
	p->pid = v[ANONLEAK_A_PID];
	p->uid = v[ANONLEAK_A_UID];
	p->state = v[ANONLEAK_A_PROC_STATE];
	p->proc_id = v[ANONLEAK_A_PROC_ID];
	p->start = v[ANONLEAK_A_START_TIME];
	p->exit = v[ANONLEAK_A_EXIT_TIME];
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == ANONLEAK_A_COMM)
			snprintf(p->comm, sizeof(p->comm), "%s",
				 mnl_attr_get_str(a));
		if (mnl_attr_get_type(a) == ANONLEAK_A_PROC)
			al_t_uints(a, c, ANONLEAK_PROC_A_MAX, 0, NULL);
	}
	p->count = c[ANONLEAK_PROC_A_LIVE_COUNT];
	p->bytes = c[ANONLEAK_PROC_A_LIVE_BYTES];
	p->sites = c[ANONLEAK_PROC_A_SITES];
	return MNL_CB_OK;
}

int al_t_procs_cb(const struct nlmsghdr *nlh, void *procs)
{
	struct al_t_procs *ps = procs;
	struct al_t_proc *p = al_append(&ps->v, &ps->n, &ps->cap, sizeof(*p), 64);

	return p ? al_t_proc_parse(nlh, p) : MNL_CB_ERROR;
}

int al_t_procs(uint32_t pid, struct al_t_procs *ps)
{
	memset(ps, 0, sizeof(*ps));
	return al_t_dump(ANONLEAK_CMD_GET_PROCS, pid, al_t_procs_cb, ps, &ps->n,
			 AL_T_TRIES, &ps->intr, NULL);
}

struct al_t_proc *al_t_proc_of(struct al_t_procs *ps, uint32_t pid)
{
	unsigned int i;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i].pid == pid)
			return &ps->v[i];
	return NULL;
}
