// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fleet.h"
#include "core/cgroup.h"
#include "core/fleet.h"
#include "print/output.h"

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
	return 0;
}

void cli_fleet_prepare(const struct cli_args *a, struct report *r)
{
	struct cgroup_map *m = cgroup_map_new("/sys/fs/cgroup", NULL);

	report_resolve_cgroups(r, m);
	cgroup_map_free(m);
	if (a->cgroup)
		report_keep_cgroup(r, a->cgroup);
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
