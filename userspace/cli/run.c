// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak run: run a command with the module recording only it and its
 * descendants, then report what they left mapped. The child process and
 * the choice of records are core/run.c's; the requests are here.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "cli/fleet.h"
#include "core/file.h"
#include "core/report.h"
#include "core/run.h"
#include "core/frames.h"
#include "core/objects.h"
#include "core/symbolize.h"
#include "core/unwind_load.h"
#include "print/output.h"
#include "print/run.h"
#include "print/unwind.h"
#include "proto/config.h"

static const char usage[] =
	"Usage: anonleak run [--stack-depth N] [--fail-on-leak[=SIZE]] [--all]\n"
	"                    [--numeric] [--json | --format FORMAT] [-o FILE]\n"
	"                    [--] COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND with the module recording only it and its descendants, wait\n"
	"for it to exit, then report the anonymous mappings its processes left\n"
	"outstanding (at exit, or now for descendants still running), per site,\n"
	"largest first. The report goes to standard error so that the command's\n"
	"standard output stays clean; --json prints it on standard output instead.\n"
	"Sites of the dynamic loader's own (every frame in ld.so: library .bss,\n"
	"its early malloc), which every dynamically linked process keeps until it\n"
	"exits, are left out and not counted unless --all is given.\n"
	"\n"
	"While COMMAND runs, the module's filters are set to it (enabled=1,\n"
	"filter_pid=its pid, filter_uid=any, filter_comm=) and the previous\n"
	"settings are restored afterwards, also when anonleak is interrupted by\n"
	"SIGINT, SIGTERM, SIGHUP or SIGQUIT (which are passed on to COMMAND when\n"
	"they did not come from the terminal). Run one at a time.\n"
	"\n"
	"Before COMMAND starts, the unwind tables of its program, dynamic loader\n"
	"and libraries are loaded into the module (see 'anonleak unwind'), and\n"
	"while it runs, those of the files the module announces (dlopen'ed\n"
	"libraries): stacks through code without frame pointers are complete.\n"
	"Files whose table cannot be built or loaded are warned about.\n"
	"\n"
	"Options:\n"
	"  -d, --stack-depth N        frames per site for the run (1..32)\n"
	"      --fail-on-leak[=SIZE]  exit 7 if at least SIZE bytes (default 1:\n"
	"                             any) are outstanding and COMMAND succeeded\n"
	"  -a, --all                  also report and count the dynamic loader's sites\n"
	"  -n, --numeric              do not symbolize frames\n"
	"      --json                 print one JSON object on standard output\n"
	"      --format FORMAT        the report as text (default, on standard\n"
	"                             error), json, folded, pprof (needs -o) or html\n"
	"                             (on standard output), as 'anonleak report' has\n"
	"                             them\n"
	"  -o, --output FILE          write the report to FILE instead, whole or not\n"
	"                             at all (a temporary file in its directory,\n"
	"                             renamed); checked before COMMAND starts\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Exit status: COMMAND's, 128 + N if a signal N killed it, 7 as above,\n"
	"127 if COMMAND could not be run; 1-6 for errors of anonleak itself (1:\n"
	"-o FILE cannot be made or written; 2: a bad option, COMMAND not run).\n";

/* How long the module may take to mark the command's record exited. */
#define REAP_WAIT_MS	2000
#define REAP_POLL_MS	20

/* The times the run's filter was in force, from its SET_CONFIG to the restore. */
struct span {
	uint64_t from, to;
};

/* Unwind tables for the run: the loader, and the socket of object events. */
struct run_unwind {
	struct unwind_loader *l;
	struct nl *ev;			/* NULL: no events (joining failed) */
	struct unwind_counts c;
};

static void warn_note(void *arg, const struct unwind_note *n)
{
	(void)arg;
	if (n->outcome == UNWIND_FAILED)
		unwind_note_print(stderr, "anonleak run: warning: unwind table: ", n, false);
}

/* Load the tables of cmd's files, join "objects". Only module errors fail. */
static int unwind_prepare(struct nl *nl, char **cmd, struct run_unwind *u)
{
	struct object_paths o = { 0 };
	char why[256];
	int ret;

	u->l = unwind_loader_new(nl, warn_note, NULL);
	ret = u->l ? unwind_loader_sync(u->l) : -ENOMEM;
	if (!ret)
		command_objects(cmd, &o);	/* not found: the child says so */
	for (size_t i = 0; !ret && i < o.nr; i++)
		ret = unwind_load_path(u->l, o.paths[i], &u->c);
	object_paths_release(&o);
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "anonleak run: warning: the module takes no unwind tables: "
			"stacks are what frame pointers give\n");
		return 0;
	}
	if (!ret && nl_open(&u->ev, why, sizeof(why)) == 0 &&
	    nl_join_group(u->ev, ANONLEAK_MCGRP_OBJECTS)) {
		fprintf(stderr, "anonleak run: warning: no object events (%s): libraries the "
			"command loads later have partial stacks\n", nl_error_msg(u->ev));
		nl_close(u->ev);
		u->ev = NULL;
	}
	return ret;
}

static void unwind_finish(struct run_unwind *u)
{
	unwind_loader_free(u->l);
	nl_close(u->ev);
}

/* Serve object events until the child exits, then reap it. */
static int wait_serving(struct run_child *c, struct run_unwind *u, int *status)
{
	int pidfd = u->ev ? syscall(SYS_pidfd_open, c->pid, 0) : -1;
	struct pollfd p[2] = { { .fd = u->ev ? nl_fd(u->ev) : -1, .events = POLLIN },
			       { .fd = pidfd, .events = POLLIN } };

	while (u->ev && !(p[1].revents & POLLIN)) {
		siginfo_t si = { 0 };

		if (waitid(P_PID, c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno != EINTR)
			break;
		if (si.si_pid)
			break;
		if (poll(p, 2, pidfd < 0 ? 20 : -1) <= 0 || !(p[0].revents & POLLIN))
			continue;
		if (unwind_serve_events(u->l, u->ev, &u->c) == -ENOBUFS)
			unwind_load_pid(u->l, c->pid, &u->c);
	}
	if (pidfd >= 0)
		close(pidfd);
	return run_child_wait(c, status);
}

/* The filter could not be set, or a signal came first: stop the child. */
static int abandon(struct nl *nl, struct run_child *c, int *status, int err,
		   const struct module_config *undo)
{
	int ret, bad;

	run_child_abort(c);	/* the child exits 127 without running anything */
	run_child_wait(c, status);
	ret = err ? cli_nl_error(nl, "setting the filter", err, NULL) : 128 + run_signal();
	if (!err && undo->present && (err = query_set_config(nl, undo, &bad)))
		cli_nl_error(nl, "restoring the settings", err, NULL);
	return ret;
}

/* Set the filter, release the child, wait for it, restore. Exit code. */
static int supervise(struct nl *nl, struct run_child *c, const struct cli_args *a,
		     const struct module_config *cur, struct run_unwind *u, int *status,
		     struct span *t)
{
	struct module_config change, undo;
	int ret, err, bad;

	if (run_config_change(cur, c->pid, a->stack_depth, &change, &undo)) {
		run_child_abort(c);
		run_child_wait(c, status);
		return cli_error(AL_EXIT_ERROR, "out of memory");
	}
	err = query_set_config(nl, &change, &bad);
	t->from = run_clock_ns();
	if (err || run_signal()) {
		ret = abandon(nl, c, status, err, &undo);
	} else {
		run_child_go(c);
		err = wait_serving(c, u, status);
		t->to = run_clock_ns();
		ret = 0;
		if (undo.present && (ret = query_set_config(nl, &undo, &bad)))
			ret = cli_nl_error(nl, "restoring the previous settings", ret, NULL);
		if (!ret && err)
			ret = cli_error(AL_EXIT_ERROR, "waiting for pid %d: %s", (int)c->pid,
					strerror(-err));
	}
	config_release(&change);
	config_release(&undo);
	return ret;
}

/* Poll until the module shows the command's records exited, ~2 s at most. */
static int wait_reaped(struct nl *nl, pid_t pid, const struct span *t)
{
	const struct timespec pause = { 0, REAP_POLL_MS * NSEC_PER_MSEC };
	struct proc_list l = { 0 };
	int ret;

	for (int waited = 0;; waited += REAP_POLL_MS) {
		ret = cli_get_procs(nl, pid, &l, NULL);
		if (ret)
			return ret;
		if (run_child_reaped(&l, pid, t->from, t->to))
			break;
		if (waited >= REAP_WAIT_MS) {
			fprintf(stderr, "anonleak run: warning: the module still shows pid %d "
				"running; its live mappings are reported\n", (int)pid);
			break;
		}
		nanosleep(&pause, NULL);
	}
	proc_list_release(&l);
	return 0;
}

/* The sites of the records made in t, into res->r. */
static int collect(struct nl *nl, const struct span *t, struct run_result *res)
{
	struct report_feed feed = { .r = &res->r, .keep = run_keep, .arg = res };
	const struct sink sink = report_sink(&feed);
	const struct site_query all = { 0 };
	struct proc_list l = { 0 };
	int ret = cli_get_procs(nl, 0, &l, NULL);

	if (ret)
		return ret;
	ret = run_select(res, &l, t->from, t->to);
	proc_list_release(&l);
	if (ret)
		return cli_error(AL_EXIT_ERROR, "out of memory");
	ret = cli_dump_sites(nl, &all, &sink, 0);
	if (!ret)
		report_finish(&res->r);
	return ret;
}

/* What write_run() writes: the run's report in a format. */
struct run_output {
	const struct run_result *res;
	struct out_opts o;
};

static int write_run(FILE *f, const void *ctx)
{
	const struct run_output *c = ctx;

	if (c->o.format != OUT_TEXT && c->o.format != OUT_JSON)
		return report_output(f, &c->res->r, &c->o);
	run_print(f, c->res, c->o.format == OUT_JSON);
	return ferror(f) ? -EIO : 0;
}

/*
 * The report to -o FILE (atomically), else text to stderr and the other
 * formats to stdout. 0 or AL_EXIT_ERROR (printed).
 */
static int output(const struct cli_args *a, const struct run_result *res)
{
	struct run_output c = { res, { .format = cli_format(a), .all = a->all } };
	struct timespec now;
	int ret;

	clock_gettime(CLOCK_REALTIME, &now);
	c.o.time_ns = (uint64_t)now.tv_sec * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
	if (a->output)
		ret = file_write_atomic(a->output, write_run, &c);
	else
		ret = write_run(c.o.format == OUT_TEXT ? stderr : stdout, &c);
	if (ret)
		return cli_error(AL_EXIT_ERROR, "run: writing %s: %s",
				 a->output ? a->output : "the report", strerror(-ret));
	return 0;
}

/* After the child: its records, their sites, the exit code, the report. */
static int finish(struct nl *nl, const struct cli_args *a, const struct span *t,
		  struct run_result *res)
{
	int ret = wait_reaped(nl, res->pid, t);

	if (!ret)
		ret = collect(nl, t, res);
	if (ret)
		return ret;
	if (!a->all)
		res->loader_sites = report_drop_sites(&res->r, site_is_loader, &res->loader_bytes);
	if (!a->numeric)
		symbolize_report(&res->r);
	res->exit_code = run_exit_code(res->status, a->fail_on_leak, res->threshold,
				       res->r.live_bytes);
	return output(a, res) ?: res->exit_code;
}

static int run(const struct cli_args *a)
{
	struct run_result res = { .cmd = a->operands, .threshold = 1 };
	struct run_unwind u = { 0 };
	struct module_config cur;
	struct parse_err perr;
	struct run_child child;
	struct span t = { 0 };
	const char *what;
	struct nl *nl;
	int ret;

	if (!a->nr_operands)
		return cli_usage_error("run", "no command given");
	ret = cli_fleet_check("run", a);	/* before COMMAND runs for nothing */
	if (ret)
		return ret;
	if (a->fail_on_leak)
		res.threshold = a->threshold;
	ret = cli_open(&nl);
	if (ret)
		return ret;
	report_init(&res.r);
	ret = query_get_config(nl, &cur, &perr);
	if (ret) {
		ret = cli_nl_error(nl, "reading the configuration", ret, perr.msg);
		nl_close(nl);
		return ret;
	}
	ret = unwind_prepare(nl, a->operands, &u);
	if (ret)
		ret = cli_nl_error(nl, "loading unwind tables", ret, NULL);
	else if ((ret = run_child_start(&child, a->operands, &what)))
		ret = cli_error(AL_EXIT_ERROR, "%s: %s", what, strerror(-ret));
	else
		res.pid = child.pid;
	if (!ret)
		ret = supervise(nl, &child, a, &cur, &u, &res.status, &t);
	if (!ret)
		ret = finish(nl, a, &t, &res);
	run_signals_default();
	unwind_finish(&u);
	run_result_release(&res);
	config_release(&cur);
	nl_close(nl);
	return ret;
}

const struct command cmd_run = {
	"run", "run a command and report what it left mapped",
	usage, CLI_STACK_DEPTH | CLI_FAIL_ON_LEAK | CLI_ALL | CLI_NUMERIC | CLI_JSON |
	CLI_FORMAT | CLI_OUTPUT, true, run,
};
