// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "core/run.h"
#include "core/util.h"

int run_parse_threshold(const char *arg, uint64_t *bytes)
{
	uint64_t v;
	int ret;

	if (!arg) {
		*bytes = 1;
		return 0;
	}
	ret = parse_size(arg, &v);
	if (ret)
		return ret;
	if (!v)
		return -ERANGE;
	*bytes = v;
	return 0;
}

/* Set key in change (and its old value in undo) if cur has another value. */
static void want(const struct module_config *cur, struct module_config *change, struct module_config *undo,
		 enum config_key key, uint64_t v)
{
	if ((cur->present & (1U << key)) && cur->v[key] == v)
		return;
	config_set(change, key, v);
	if (cur->present & (1U << key))
		config_set(undo, key, cur->v[key]);
}

int run_config_change(const struct module_config *cur, pid_t pid, uint32_t stack_depth,
		      struct module_config *change, struct module_config *undo)
{
	memset(change, 0, sizeof(*change));
	memset(undo, 0, sizeof(*undo));
	want(cur, change, undo, CFG_ENABLED, 1);
	want(cur, change, undo, CFG_FILTER_PID, pid);
	want(cur, change, undo, CFG_FILTER_UID, ANONLEAK_UID_ANY);
	if (stack_depth)
		want(cur, change, undo, CFG_STACK_DEPTH, stack_depth);
	if (!(cur->present & (1U << CFG_FILTER_COMM)) || !cur->filter_comm ||
	    cur->filter_comm[0]) {
		if (config_set_comm(change, "") < 0)
			goto nomem;
		if (cur->filter_comm && config_set_comm(undo, cur->filter_comm) < 0)
			goto nomem;
	}
	return 0;
nomem:
	config_release(change);
	config_release(undo);
	return -ENOMEM;
}

bool run_record_selected(const struct proc_info *p, uint64_t from, uint64_t to)
{
	return p->start_time >= from && p->start_time <= to;
}

bool run_child_reaped(const struct proc_list *l, pid_t pid, uint64_t from, uint64_t to)
{
	for (size_t i = 0; i < l->nr; i++) {
		const struct proc_info *p = &l->procs[i];

		if (p->pid == (uint32_t)pid && run_record_selected(p, from, to) &&
		    p->state == ANONLEAK_PROC_RUNNING)
			return false;
	}
	return true;
}

int run_exit_code(int wait_status, bool fail_on_leak, uint64_t threshold,
		  uint64_t outstanding)
{
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status))
		return WEXITSTATUS(wait_status);
	if (!WIFEXITED(wait_status))
		return AL_EXIT_ERROR;
	if (fail_on_leak && outstanding >= threshold)
		return AL_EXIT_LEAK;
	return AL_EXIT_OK;
}
