/* SPDX-License-Identifier: GPL-2.0 */
/*
 * anonleak run without netlink and printing: the child process (held
 * back until the filter is set, signals passed on to it), the threshold
 * of --fail-on-leak, which settings to change and restore, which process
 * records belong to the run, and the exit status.
 */
#ifndef ANONLEAK_CORE_RUN_H
#define ANONLEAK_CORE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/model.h"
#include "proto/config.h"
#include "proto/procs.h"
#include "proto/sites.h"

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

/* The command, forked but held back until run_child_go(). */
struct run_child {
	pid_t pid;
	int go;				/* the pipe it waits on; -1 once closed */
};

/*
 * Fork the child that runs cmd once released, and catch SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT from now on: one sent to us alone is passed on to
 * it. 0, or -errno with *what the call that failed ("pipe", "fork").
 */
int run_child_start(struct run_child *c, char **cmd, const char **what);
/* Release the child: it runs the command (SIGKILL if that fails). */
void run_child_go(struct run_child *c);
/* Release it without the go: it exits 127 without running anything. */
void run_child_abort(struct run_child *c);
/* Wait for the child to exit, its wait status in *status: 0 or -errno. */
int run_child_wait(struct run_child *c, int *status);
/* The last of those signals that came, 0 if none. */
int run_signal(void);
/* Stop catching them. */
void run_signals_default(void);

/* CLOCK_BOOTTIME in ns, the clock of the module's START_TIME. */
uint64_t run_clock_ns(void);

/* What run found: the records made in [from, to] and their sites. */
struct run_result {
	char **cmd;
	pid_t pid;
	int status;			/* the command's wait status */
	uint64_t threshold;		/* --fail-on-leak */
	int exit_code;
	struct report r;
	size_t nr_ids;
	uint64_t *proc_ids;		/* the run's records, sorted */
	size_t loader_sites;		/* left out: site_is_loader() */
	uint64_t loader_bytes;
};

void run_result_release(struct run_result *res);

/* Note the records of l made in [from, to] as the run's: 0 or -ENOMEM. */
int run_select(struct run_result *res, const struct proc_list *l, uint64_t from, uint64_t to);

/* The messages for report_feed.keep: those of the run's records (arg: res). */
bool run_keep(const void *arg, const struct site_msg *m);

#endif
