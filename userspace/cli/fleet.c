// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "cli/fleet.h"
#include "core/cgroup.h"
#include "core/fleet.h"
#include "core/report.h"
#include "core/resident.h"
#include "print/output.h"
#include "proto/mappings.h"

int cli_format(const struct cli_args *a)
{
	if (a->has_format)
		return a->format;
	return a->json ? OUT_JSON : OUT_TEXT;
}

int cli_fleet_check(const char *cmd, const struct cli_args *a)
{
	int f = cli_format(a);

	if (a->json && a->has_format && a->format != OUT_JSON)
		return cli_usage_error(cmd, "--json and --format=%s exclude each other",
				       out_format_name(a->format));
	if (out_format_wants_file(f) && !a->output && isatty(STDOUT_FILENO))
		return cli_usage_error(cmd, "--format=pprof writes a binary file: give -o FILE");
	if (a->by != BY_PROCESS && f != OUT_TEXT && f != OUT_JSON)
		return cli_usage_error(cmd, "--by applies to the text and JSON formats");
	return a->output ? cli_output_check(cmd, a->output) : 0;
}

int cli_output_check(const char *cmd, const char *path)
{
	char *copy = strdup(path);
	const char *dir = copy ? dirname(copy) : NULL;
	struct stat st;
	int ret = 0;

	if (!copy)
		return cli_error(AL_EXIT_ERROR, "out of memory");
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		ret = cli_error(AL_EXIT_ERROR, "%s: -o %s: is a directory", cmd, path);
	else if (stat(dir, &st))
		ret = cli_error(AL_EXIT_ERROR, "%s: -o %s: directory %s: %s", cmd, path, dir,
				strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		ret = cli_error(AL_EXIT_ERROR, "%s: -o %s: %s is not a directory", cmd, path,
				dir);
	else if (access(dir, W_OK | X_OK))
		ret = cli_error(AL_EXIT_ERROR, "%s: -o %s: cannot create files in %s: %s", cmd,
				path, dir, strerror(errno));
	free(copy);
	return ret;
}

/*
 * The resident bytes of p (a running record): its pagemap is opened
 * first, so that a pid reused after the sites dump shows as another
 * record (proc id) in the mappings dump. 0 or -errno.
 */
static int proc_resident(struct nl *nl, struct report_proc *p, uint64_t page,
			 uint64_t *budget)
{
	struct mapping_list m = { 0 };
	struct parse_err perr;
	bool inconsistent;
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%u/pagemap", (unsigned int)p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ret = query_mappings(nl, p->pid, &m, &perr, &inconsistent);
	if (!ret && m.nr && m.proc_id != p->proc_id)
		ret = -ESRCH;		/* the pid is another process's now */
	if (!ret)
		ret = resident_fill_proc(p, &m, fd, page, budget);
	/* a pagemap reads empty once its process has no memory: it exited */
	if (ret == -EIO)
		ret = -ESRCH;
	mapping_list_release(&m);
	close(fd);
	return ret;
}

/* Resident bytes of every running process of r; the others are unknown. */
static int fill_resident(struct report *r)
{
	uint64_t budget = RESIDENT_MAX_PAGES, page = (uint64_t)sysconf(_SC_PAGESIZE);
	bool warned_access = false, warned_budget = false;
	struct nl *nl = NULL;
	int ret;

	for (size_t i = 0; i < r->nr_procs; i++) {
		struct report_proc *p = &r->procs[i];

		if (p->state != ANONLEAK_PROC_RUNNING) {
			resident_unknown(p, -ESRCH);
			continue;
		}
		if (!nl && (ret = cli_open(&nl)))
			return ret;
		ret = proc_resident(nl, p, page, &budget);
		if (!ret)
			continue;
		resident_unknown(p, ret);
		if ((ret == -EACCES || ret == -EPERM) && !warned_access) {
			fprintf(stderr, "anonleak: warning: cannot read /proc/%u/pagemap: %s; "
				"resident bytes unknown (needs root)\n", (unsigned int)p->pid,
				strerror(-ret));
			warned_access = true;
		} else if (ret == -E2BIG && !warned_budget) {
			fprintf(stderr, "anonleak: warning: the pagemap budget (%llu pages) is "
				"spent: resident bytes of pid %u and later processes unknown\n",
				(unsigned long long)RESIDENT_MAX_PAGES, (unsigned int)p->pid);
			warned_budget = true;
		} else if (ret != -ESRCH && ret != -EACCES && ret != -EPERM && ret != -E2BIG) {
			fprintf(stderr, "anonleak: warning: resident bytes of pid %u: %s\n",
				(unsigned int)p->pid, strerror(-ret));
		}
	}
	nl_close(nl);
	return 0;
}

int cli_fleet_prepare(const struct cli_args *a, struct report *r)
{
	struct cgroup_map *m = cgroup_map_new("/sys/fs/cgroup", NULL);
	int ret = 0;

	report_resolve_cgroups(r, m);
	cgroup_map_free(m);
	if (a->cgroup)
		report_keep_cgroup(r, a->cgroup);
	if (a->resident) {
		r->show_resident = true;
		r->sort_resident = a->sort_resident;
		ret = fill_resident(r);
		report_finish(r);	/* the sums, and the order of --sort */
	}
	return ret;
}

struct output_ctx {
	const struct report *r;
	struct out_opts o;
};

static int write_report(FILE *f, const void *ctx)
{
	const struct output_ctx *c = ctx;

	return report_output(f, c->r, &c->o);
}

int cli_fleet_output(const char *cmd, const struct cli_args *a, const struct report *r,
		     FILE *out)
{
	struct timespec now;
	struct output_ctx c = { r, { .format = cli_format(a), .all = a->all,
				     .resident = a->resident, .by = a->by } };
	int ret;

	clock_gettime(CLOCK_REALTIME, &now);
	c.o.time_ns = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
	if (a->output)
		ret = file_write_atomic(a->output, write_report, &c);
	else
		ret = write_report(out, &c);
	if (ret)
		return cli_error(AL_EXIT_ERROR, "%s: writing %s: %s", cmd,
				 a->output ? a->output : "the output", strerror(-ret));
	return 0;
}
