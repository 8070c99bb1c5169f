/* SPDX-License-Identifier: GPL-2.0 */
/*
 * anonleak run, the parts without processes or netlink: the threshold of
 * --fail-on-leak, which settings to change and restore, which process
 * records belong to the run, and the exit status.
 */
#ifndef ANONLEAK_RUN_H
#define ANONLEAK_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/config.h"
#include "core/model.h"

/*
 * --fail-on-leak[=BYTES]: arg NULL means 1 (any byte). A size as
 * parse_size() takes it, at least 1. 0, -EINVAL or -ERANGE.
 */
int run_parse_threshold(const char *arg, uint64_t *bytes);

/*
 * The settings run needs while cmd runs, as a change to cur: record
 * (enabled=1), only pid and its descendants, any uid and comm, and
 * stack_depth if not 0. Keys already at the wanted value are left out.
 * *undo gets cur's values of the keys changed. 0 or -ENOMEM.
 */
int run_config_change(const struct module_config *cur, pid_t pid, uint32_t stack_depth,
		      struct module_config *change, struct module_config *undo);

/*
 * A record belongs to the run if it was created while the run's filter
 * was in force: from the end of the SET_CONFIG that installed it (the
 * command had not started yet) to the start of the one that restored
 * the previous settings.
 */
bool run_record_selected(const struct proc_info *p, uint64_t from, uint64_t to);

/* No record of pid among the selected ones is still running. */
bool run_child_reaped(const struct proc_list *l, pid_t pid, uint64_t from, uint64_t to);

/*
 * The exit status of anonleak run: 128 + signal if the command was
 * killed, its exit status if not 0, else AL_EXIT_LEAK (7) if
 * fail_on_leak and at least threshold bytes are outstanding, else 0.
 */
int run_exit_code(int wait_status, bool fail_on_leak, uint64_t threshold,
		  uint64_t outstanding);

#endif
