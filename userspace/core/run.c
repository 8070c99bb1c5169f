// SPDX-License-Identifier: GPL-2.0
/*
 * The child waits on a pipe until the filter is in force, so every record
 * created between the end of our SET_CONFIG and the start of the one that
 * restores the previous settings is the command's or a descendant's: the
 * report keeps the process records whose START_TIME lies in between.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/anonleak.h>

#include "core/exit.h"
#include "core/numbers.h"
#include "core/run.h"

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
static void want(const struct module_config *cur, struct module_config *change,
		 struct module_config *undo, enum config_key key, uint64_t v)
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

/* ---- the child ---- */

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

void run_signals_default(void)
{
	set_signals(false);
}

int run_signal(void)
{
	return got_signal;
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

int run_child_start(struct run_child *c, char **cmd, const char **what)
{
	int go[2];

	c->pid = -1;
	c->go = -1;
	*what = "pipe";
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	*what = "fork";
	c->pid = fork();
	if (c->pid < 0) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		return err;
	}
	if (c->pid == 0) {
		close(go[1]);
		child(go[0], cmd);
	}
	close(go[0]);
	c->go = go[1];
	child_pid = c->pid;
	set_signals(true);
	return 0;
}

void run_child_go(struct run_child *c)
{
	if (write(c->go, "g", 1) != 1)
		kill(c->pid, SIGKILL);
	run_child_abort(c);
}

void run_child_abort(struct run_child *c)
{
	if (c->go >= 0)
		close(c->go);
	c->go = -1;
}

/* Wait for the exit; child_pid is cleared before the pid can be reused. */
int run_child_wait(struct run_child *c, int *status)
{
	sigset_t block, old;
	siginfo_t si;

	while (waitid(P_PID, c->pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return -errno;
	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	child_pid = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(c->pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

uint64_t run_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* ---- the records of the run ---- */

void run_result_release(struct run_result *res)
{
	report_release(&res->r);
	free(res->proc_ids);
	res->proc_ids = NULL;
	res->nr_ids = 0;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

int run_select(struct run_result *res, const struct proc_list *l, uint64_t from, uint64_t to)
{
	res->proc_ids = calloc(l->nr ? l->nr : 1, sizeof(uint64_t));
	if (!res->proc_ids)
		return -ENOMEM;
	for (size_t i = 0; i < l->nr; i++)
		if (run_record_selected(&l->procs[i], from, to))
			res->proc_ids[res->nr_ids++] = l->procs[i].proc_id;
	qsort(res->proc_ids, res->nr_ids, sizeof(uint64_t), cmp_u64);
	return 0;
}

bool run_keep(const void *arg, const struct site_msg *m)
{
	const struct run_result *res = arg;

	return res->nr_ids && bsearch(&m->proc_id, res->proc_ids, res->nr_ids, sizeof(uint64_t),
				      cmp_u64);
}
