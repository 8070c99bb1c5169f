// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* strsignal */
#include <string.h>
#include <sys/wait.h>

#include "core/exit.h"
#include "print/format.h"
#include "print/json.h"
#include "print/report.h"
#include "print/run.h"

static void describe_status(FILE *f, int status)
{
	if (WIFSIGNALED(status))
		fprintf(f, "was killed by signal %d (%s)", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	else
		fprintf(f, "exited with status %d", WEXITSTATUS(status));
}

static void print_text(FILE *f, const struct run_result *res)
{
	char b1[FMT_BUF_LEN], b2[FMT_BUF_LEN];

	fprintf(f, "anonleak run: ");
	fputs_escaped(res->cmd[0], f);
	fprintf(f, " (pid %d) ", (int)res->pid);
	describe_status(f, res->status);
	fputs("\n\n", f);
	report_print(f, &res->r, false, false);
	if (res->loader_sites)
		fprintf(f, "anonleak run: not counted: %zu %s of the dynamic loader, %s (--all)\n",
			res->loader_sites, plural(res->loader_sites, "site", "sites"),
			fmt_size(b1, res->loader_bytes));
	if (res->exit_code == AL_EXIT_LEAK)
		fprintf(f, "anonleak run: leak: %s outstanding, threshold %s\n",
			fmt_size(b1, res->r.live_bytes), fmt_size(b2, res->threshold));
}

static void print_json(FILE *f, const struct run_result *res)
{
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "command");
	for (char **a = res->cmd; *a; a++)
		json_string(&j, NULL, *a);
	json_array_end(&j);
	json_u64(&j, "pid", res->pid);
	if (WIFSIGNALED(res->status))
		json_u64(&j, "signal", WTERMSIG(res->status));
	else
		json_u64(&j, "exit_status", WEXITSTATUS(res->status));
	json_u64(&j, "threshold", res->threshold);
	json_bool(&j, "leak", res->r.live_bytes >= res->threshold);
	json_u64(&j, "exit_code", res->exit_code);
	json_u64(&j, "loader_sites", res->loader_sites);
	json_u64(&j, "loader_bytes", res->loader_bytes);
	report_json_members(&j, &res->r);
	json_object_end(&j);
}

void run_print(FILE *f, const struct run_result *res, bool json)
{
	(json ? print_json : print_text)(f, res);
}
