// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak run: run a command with the module recording only it and its
 * descendants, then report what they left mapped.
 *
 * The child waits on a pipe until the filter is in force, so every record
 * created between the end of our SET_CONFIG and the start of the one that
 * restores the previous settings is the command's or a descendant's: the
 * report keeps the process records whose START_TIME lies in between.
 */
#define _GNU_SOURCE	/* pipe2, strsignal */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "core/frames.h"
#include "print/json.h"
#include "proto/request.h"
#include "core/report.h"
#include "core/run.h"
#include "core/symbolize.h"
#include "core/util.h"

static const char usage[] =
	"Usage: anonleak run [--stack-depth N] [--fail-on-leak[=SIZE]] [--all]\n"
	"                    [--numeric] [--json] [--] COMMAND [ARG...]\n"
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
	"Options:\n"
	"  -d, --stack-depth N        frames per site for the run (1..32)\n"
	"  -f, --fail-on-leak[=SIZE]  exit 7 if at least SIZE bytes (default 1:\n"
	"                             any) are outstanding and COMMAND succeeded\n"
	"  -a, --all                  also report and count the dynamic loader's sites\n"
	"  -n, --numeric              do not symbolize frames\n"
	"      --json                 print one JSON object on standard output\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Exit status: COMMAND's, 128 + N if a signal N killed it, 7 as above,\n"
	"127 if COMMAND could not be run; 1-6 for errors of anonleak itself.\n";

/* How long the module may take to mark the command's record exited. */
#define REAP_WAIT_MS	2000
#define REAP_POLL_MS	20

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t got_signal;

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/*
 * A signal from the terminal (si_code SI_KERNEL) went to the command's
 * process group too; one sent by a process only to us is passed on.
 */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_signal = sig;
	if (child_pid > 0 && si && si->si_code <= 0)
		kill(child_pid, sig);
}

static void set_signals(bool catch)
{
	struct sigaction sa = { 0 };

	sigemptyset(&sa.sa_mask);
	if (catch) {
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
	} else {
		sa.sa_handler = SIG_DFL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &sa, NULL);
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

struct run_opts {
	uint32_t stack_depth;		/* 0: leave as is */
	bool fail_on_leak, json, numeric, all;
	uint64_t threshold;
	char **cmd;
};

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "stack-depth", required_argument, NULL, 'd' },
		{ "fail-on-leak", optional_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int opt;

	o->threshold = 1;
	optind = 1;
	opterr = 0;
	/* '+': the command's own options are not ours */
	while ((opt = getopt_long(argc, argv, "+:d:anh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (parse_u64(optarg, &v) || v < 1 || v > ANONLEAK_MAX_FRAMES)
				return cli_usage_error("run", "invalid stack depth '%s' (1..%d)",
						       optarg, ANONLEAK_MAX_FRAMES);
			o->stack_depth = v;
			break;
		case 'f':
			if (run_parse_threshold(optarg, &o->threshold))
				return cli_usage_error("run", "invalid leak threshold '%s'", optarg);
			o->fail_on_leak = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'n':
			o->numeric = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			return cli_bad_option("run", opt, argv);
		}
	}
	if (optind == argc)
		return cli_usage_error("run", "no command given");
	o->cmd = argv + optind;
	return 0;
}

/* The child: wait for the go, then become the command. Never returns. */
static void child(int go, char **cmd)
{
	char c;
	ssize_t n;

	do
		n = read(go, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);	/* the parent could not set the filter */
	execvp(cmd[0], cmd);
	fprintf(stderr, "anonleak run: %s: %s\n", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Wait for pid to exit; child_pid is cleared before the pid can be reused. */
static int wait_child(pid_t pid, int *status)
{
	sigset_t block, old;
	siginfo_t si;

	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return -errno;
	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	child_pid = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Poll until the module shows the command's records exited, ~2 s at most. */
static int wait_reaped(struct nl *nl, pid_t pid, uint64_t from, uint64_t to)
{
	const struct timespec pause = { 0, REAP_POLL_MS * NSEC_PER_MSEC };
	struct proc_list l = { 0 };
	struct parse_err perr;
	bool inconsistent;
	int ret;

	for (int waited = 0;; waited += REAP_POLL_MS) {
		ret = query_procs(nl, pid, &l, &perr, &inconsistent);
		if (ret)
			return cli_nl_error(nl, "reading processes", ret, perr.msg);
		if (run_child_reaped(&l, pid, from, to))
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

struct selected {
	struct report r;
	size_t nr;
	uint64_t *proc_ids;	/* sorted */
	size_t loader_sites;	/* left out: site_is_loader() */
	uint64_t loader_bytes;
};

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

static int selected_add(void *ctx, struct site_msg *m)
{
	struct selected *s = ctx;

	if (!s->nr || !bsearch(&m->proc_id, s->proc_ids, s->nr, sizeof(uint64_t), cmp_u64)) {
		site_msg_release(m);
		return 0;
	}
	return report_add(&s->r, m);
}

static void selected_reset(void *ctx)
{
	struct selected *s = ctx;

	report_release(&s->r);
}

/* The sites of the records made in [from, to], into s->r. */
static int collect(struct nl *nl, uint64_t from, uint64_t to, struct selected *s)
{
	const struct site_sink sink = { .add = selected_add, .reset = selected_reset, .ctx = s };
	const struct site_query all = { 0 };
	struct proc_list l = { 0 };
	struct parse_err perr;
	bool inconsistent;
	int ret;

	ret = query_procs(nl, 0, &l, &perr, &inconsistent);
	if (ret)
		return cli_nl_error(nl, "reading processes", ret, perr.msg);
	s->proc_ids = calloc(l.nr ? l.nr : 1, sizeof(uint64_t));
	if (!s->proc_ids) {
		proc_list_release(&l);
		return cli_error(AL_EXIT_ERROR, "out of memory");
	}
	for (size_t i = 0; i < l.nr; i++)
		if (run_record_selected(&l.procs[i], from, to))
			s->proc_ids[s->nr++] = l.procs[i].proc_id;
	proc_list_release(&l);
	qsort(s->proc_ids, s->nr, sizeof(uint64_t), cmp_u64);
	ret = query_sites(nl, &all, &sink, &perr, &inconsistent);
	if (ret)
		return cli_nl_error(nl, "reading sites", ret, perr.msg);
	if (inconsistent)
		cli_warn_inconsistent("the records");
	report_finish(&s->r);
	return 0;
}

static void describe_status(FILE *f, int status)
{
	if (WIFSIGNALED(status))
		fprintf(f, "was killed by signal %d (%s)", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	else
		fprintf(f, "exited with status %d", WEXITSTATUS(status));
}

static void print_json(const struct run_opts *o, pid_t pid, int status, int code,
		       const struct selected *sel)
{
	const struct report *r = &sel->r;
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "command");
	for (char **a = o->cmd; *a; a++)
		json_string(&j, NULL, *a);
	json_array_end(&j);
	json_u64(&j, "pid", pid);
	if (WIFSIGNALED(status))
		json_u64(&j, "signal", WTERMSIG(status));
	else
		json_u64(&j, "exit_status", WEXITSTATUS(status));
	json_u64(&j, "threshold", o->threshold);
	json_bool(&j, "leak", r->live_bytes >= o->threshold);
	json_u64(&j, "exit_code", code);
	json_u64(&j, "loader_sites", sel->loader_sites);
	json_u64(&j, "loader_bytes", sel->loader_bytes);
	report_json_members(&j, r);
	json_object_end(&j);
}

static void print_text(const struct run_opts *o, pid_t pid, int status, int code,
		       const struct selected *sel)
{
	const struct report *r = &sel->r;
	char b1[FMT_BUF_LEN], b2[FMT_BUF_LEN];

	fprintf(stderr, "anonleak run: ");
	fputs_escaped(o->cmd[0], stderr);
	fprintf(stderr, " (pid %d) ", (int)pid);
	describe_status(stderr, status);
	fputs("\n\n", stderr);
	report_print_text(stderr, r, false);
	if (sel->loader_sites)
		fprintf(stderr, "anonleak run: not counted: %zu %s of the dynamic loader, %s (--all)\n",
			sel->loader_sites, sel->loader_sites == 1 ? "site" : "sites",
			fmt_size(b1, sel->loader_bytes));
	if (code == AL_EXIT_LEAK)
		fprintf(stderr, "anonleak run: leak: %s outstanding, threshold %s\n",
			fmt_size(b1, r->live_bytes), fmt_size(b2, o->threshold));
}

/* Set the filter, release the child, wait for it, restore. Exit code. */
static int supervise(struct nl *nl, pid_t pid, int go, const struct run_opts *o,
		     const struct module_config *cur, int *status, uint64_t *from, uint64_t *to)
{
	struct module_config change, undo;
	int ret, err, bad;

	ret = run_config_change(cur, pid, o->stack_depth, &change, &undo);
	if (ret) {
		close(go);
		wait_child(pid, status);
		return cli_error(AL_EXIT_ERROR, "out of memory");
	}
	err = query_set_config(nl, &change, &bad);
	*from = boottime_ns();
	if (err || got_signal) {
		close(go);	/* the child exits 127 without running anything */
		wait_child(pid, status);
		ret = err ? cli_nl_error(nl, "setting the filter", err, NULL) :
			    128 + got_signal;
		if (!err && undo.present && (err = query_set_config(nl, &undo, &bad)))
			cli_nl_error(nl, "restoring the settings", err, NULL);
		goto out;
	}
	if (write(go, "g", 1) != 1)
		kill(pid, SIGKILL);
	close(go);
	err = wait_child(pid, status);
	*to = boottime_ns();
	if (undo.present && (ret = query_set_config(nl, &undo, &bad)))
		ret = cli_nl_error(nl, "restoring the previous settings", ret, NULL);
	if (!ret && err)
		ret = cli_error(AL_EXIT_ERROR, "waiting for pid %d: %s", (int)pid, strerror(-err));
out:
	config_release(&change);
	config_release(&undo);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct selected sel = { 0 };
	struct run_opts o = { 0 };
	uint64_t from = 0, to = 0;
	struct module_config cur;
	struct parse_err perr;
	int go[2], status = 0, ret;
	struct nl *nl;
	pid_t pid;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret < 0 ? AL_EXIT_OK : ret;
	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = query_get_config(nl, &cur, &perr);
	if (ret) {
		ret = cli_nl_error(nl, "reading the configuration", ret, perr.msg);
		nl_close(nl);
		return ret;
	}
	if (pipe2(go, O_CLOEXEC) < 0) {
		ret = cli_error(AL_EXIT_ERROR, "pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = cli_error(AL_EXIT_ERROR, "fork: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		goto out;
	}
	if (pid == 0) {
		close(go[1]);
		child(go[0], o.cmd);
	}
	close(go[0]);
	child_pid = pid;
	set_signals(true);
	ret = supervise(nl, pid, go[1], &o, &cur, &status, &from, &to);
	if (ret)
		goto out;
	report_init(&sel.r);
	ret = wait_reaped(nl, pid, from, to);
	if (!ret)
		ret = collect(nl, from, to, &sel);
	if (ret)
		goto out;
	if (!o.all)
		sel.loader_sites = report_drop_sites(&sel.r, site_is_loader, &sel.loader_bytes);
	if (!o.numeric) {
		struct symbolizer *sym = symbolizer_new();

		if (sym)
			report_symbolize(&sel.r, symbolize_frame, sym);
		symbolizer_free(sym);
	}
	ret = run_exit_code(status, o.fail_on_leak, o.threshold, sel.r.live_bytes);
	if (o.json)
		print_json(&o, pid, status, ret, &sel);
	else
		print_text(&o, pid, status, ret, &sel);
out:
	set_signals(false);
	report_release(&sel.r);
	free(sel.proc_ids);
	config_release(&cur);
	nl_close(nl);
	return ret;
}
