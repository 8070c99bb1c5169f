// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/numbers.h"
#include "core/fleet.h"
#include "core/run.h"
#include "print/output.h"

#define MIN_INTERVAL	(10 * NSEC_PER_MSEC)
#define MAX_ONCE	1000000
#define STR(x)		STR_(x)
#define STR_(x)		#x

static int set_pid(struct cli_args *a, const char *arg)
{
	return parse_pid(arg, &a->pid);
}

static int set_comm(struct cli_args *a, const char *arg)
{
	a->comm = arg;
	return 0;
}

static int set_min_bytes(struct cli_args *a, const char *arg)
{
	a->has_min_bytes = true;
	return parse_size(arg, &a->min_bytes);
}

static int set_min_age(struct cli_args *a, const char *arg)
{
	a->has_min_age = true;
	return parse_duration(arg, &a->min_age);
}

/* A decimal count in [min, max] into *out, which is left alone on error. */
static int parse_count(const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (parse_u64(arg, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_top(struct cli_args *a, const char *arg)
{
	return parse_count(arg, 1, UINT64_MAX, &a->top);
}

static int set_interval(struct cli_args *a, const char *arg)
{
	uint64_t v;

	if (parse_duration(arg, &v) || v < MIN_INTERVAL)
		return -EINVAL;
	a->interval = v;
	return 0;
}

static int set_window(struct cli_args *a, const char *arg)
{
	uint64_t v;

	if (parse_duration(arg, &v) || !v)
		return -EINVAL;
	a->window = v;
	return 0;
}

static int set_once(struct cli_args *a, const char *arg)
{
	return parse_count(arg, 1, MAX_ONCE, &a->once);
}

static int set_stack_depth(struct cli_args *a, const char *arg)
{
	uint64_t v;

	if (parse_count(arg, 1, ANONLEAK_MAX_FRAMES, &v))
		return -EINVAL;
	a->stack_depth = v;
	return 0;
}

static int set_fail_on_leak(struct cli_args *a, const char *arg)
{
	a->fail_on_leak = true;
	return run_parse_threshold(arg, &a->threshold);
}

static int set_format(struct cli_args *a, const char *arg)
{
	int f = out_format_parse(arg);

	if (f < 0)
		return -EINVAL;
	a->format = f;
	a->has_format = true;
	return 0;
}

static int set_output(struct cli_args *a, const char *arg)
{
	a->output = arg;
	return *arg ? 0 : -EINVAL;
}

static int set_by(struct cli_args *a, const char *arg)
{
	int by = report_by_parse(arg);

	if (by < 0)
		return -EINVAL;
	a->by = by;
	return 0;
}

static int set_cgroup(struct cli_args *a, const char *arg)
{
	a->cgroup = arg;
	return *arg == '/' ? 0 : -EINVAL;
}

static int set_sort(struct cli_args *a, const char *arg)
{
	if (strcmp(arg, "live") && strcmp(arg, "resident"))
		return -EINVAL;
	a->sort_resident = !strcmp(arg, "resident");
	a->resident |= a->sort_resident;
	return 0;
}

static int set_textfile(struct cli_args *a, const char *arg)
{
	a->textfile = arg;
	return *arg ? 0 : -EINVAL;
}

static int set_max_series(struct cli_args *a, const char *arg)
{
	return parse_count(arg, 1, UINT32_MAX, &a->max_series);
}

/* One option of the table: a value is checked by set(), a flag set by offset. */
struct option_def {
	unsigned int bit;		/* CLI_* */
	const char *name;
	char letter;			/* the short option, 0 if none */
	int has_arg;			/* no_argument, required_argument, ... */
	int (*set)(struct cli_args *a, const char *arg);	/* 0 or -errno */
	size_t flag;			/* without set: the bool in struct cli_args */
	const char *what, *hint;	/* "--<name>: invalid <what> '<arg>'<hint>" */
};

#define VALUE(bit, name, letter, has_arg, set, what, hint) \
	{ CLI_##bit, name, letter, has_arg, set, 0, what, hint }
#define FLAG(bit, name, letter, member) \
	{ CLI_##bit, name, letter, no_argument, NULL, offsetof(struct cli_args, member), NULL, NULL }

static const struct option_def defs[] = {
	VALUE(PID, "pid", 'p', required_argument, set_pid, "pid", ""),
	VALUE(COMM, "comm", 'c', required_argument, set_comm, "comm", ""),
	VALUE(MIN_BYTES, "min-bytes", 0, required_argument, set_min_bytes, "size", ""),
	VALUE(MIN_AGE, "min-age", 0, required_argument, set_min_age, "duration", ""),
	VALUE(TOP, "top", 't', required_argument, set_top, "count", ""),
	FLAG(ALL, "all", 'a', all),
	FLAG(NUMERIC, "numeric", 'n', numeric),
	FLAG(JSON, "json", 0, json),
	VALUE(INTERVAL, "interval", 'i', required_argument, set_interval, "interval",
	      " (at least 10ms)"),
	VALUE(WINDOW, "window", 'w', required_argument, set_window, "window", ""),
	VALUE(ONCE, "once", 0, required_argument, set_once, "sample count", ""),
	VALUE(STACK_DEPTH, "stack-depth", 'd', required_argument, set_stack_depth, "stack depth",
	      " (1.." STR(ANONLEAK_MAX_FRAMES) ")"),
	VALUE(FAIL_ON_LEAK, "fail-on-leak", 0, optional_argument, set_fail_on_leak,
	      "leak threshold", ""),
	FLAG(LOAD, "load", 0, load),
	FLAG(JUST_ONCE, "once", 0, just_once),
	VALUE(FORMAT, "format", 0, required_argument, set_format, "format",
	      " (text, json, folded, pprof or html)"),
	VALUE(OUTPUT, "output", 'o', required_argument, set_output, "output file", ""),
	VALUE(BY, "by", 0, required_argument, set_by, "grouping", " (process, cgroup or pod)"),
	VALUE(CGROUP, "cgroup", 0, required_argument, set_cgroup, "cgroup path",
	      " (an absolute path such as /system.slice/x.service)"),
	VALUE(SORT, "sort", 0, required_argument, set_sort, "sort key", " (live or resident)"),
	VALUE(TEXTFILE, "textfile", 0, required_argument, set_textfile, "directory", ""),
	VALUE(MAX_SERIES, "max-series", 0, required_argument, set_max_series, "series cap", ""),
	FLAG(RESIDENT, "resident", 0, resident),
};

#define NR_DEFS		ARRAY_SIZE(defs)
#define HELP		256	/* getopt values: HELP + 1 + i for defs[i] */

/* The getopt_long() tables of cmd: its options, then --help. */
static void getopt_tables(const struct command *cmd, char *shorts, struct option *longs)
{
	size_t n = 0, k = 0;

	shorts[k++] = cmd->operands ? '+' : ':';
	if (cmd->operands)
		shorts[k++] = ':';
	for (size_t i = 0; i < NR_DEFS; i++) {
		const struct option_def *d = &defs[i];

		if (!(cmd->options & d->bit))
			continue;
		longs[n++] = (struct option){ d->name, d->has_arg, NULL, HELP + 1 + (int)i };
		if (d->letter) {
			shorts[k++] = d->letter;
			if (d->has_arg == required_argument)
				shorts[k++] = ':';
		}
	}
	longs[n++] = (struct option){ "help", no_argument, NULL, HELP };
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
	strcpy(shorts + k, "h");
}

/* The def getopt_long() returned opt for; NULL for help or an error. */
static const struct option_def *def_of(const struct command *cmd, int opt)
{
	for (size_t i = 0; i < NR_DEFS; i++)
		if ((cmd->options & defs[i].bit) &&
		    (opt == HELP + 1 + (int)i || (defs[i].letter && opt == defs[i].letter)))
			return &defs[i];
	return NULL;
}

/* Apply option opt (its value arg): 0, or an exit code. */
static int apply(const struct command *cmd, int opt, char **argv, struct cli_args *a)
{
	const struct option_def *d = def_of(cmd, opt);

	if (opt == 'h' || opt == HELP) {
		fputs(cmd->usage, stdout);
		return -1;
	}
	if (!d && opt == ':')
		return cli_usage_error(cmd->name, "option '%s' needs a value", argv[optind - 1]);
	if (!d)
		return cli_usage_error(cmd->name, "unknown option '%s'", argv[optind - 1]);
	if (!d->set) {
		*(bool *)((char *)a + d->flag) = true;
		return 0;
	}
	if (d->set(a, optarg))
		return cli_usage_error(cmd->name, "--%s: invalid %s '%s'%s", d->name, d->what,
				       optarg, d->hint);
	return 0;
}

bool cli_parse(const struct command *cmd, int argc, char **argv, struct cli_args *a,
	       int *code)
{
	struct option longs[NR_DEFS + 2];
	char shorts[3 + 2 * NR_DEFS + 2];
	int opt;

	memset(a, 0, sizeof(*a));
	*code = 0;
	getopt_tables(cmd, shorts, longs);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		*code = apply(cmd, opt, argv, a);
		if (*code)
			break;
	}
	if (!*code && !cmd->operands && optind < argc)
		*code = cli_usage_error(cmd->name, "unexpected argument '%s'", argv[optind]);
	if (*code) {
		*code = *code < 0 ? AL_EXIT_OK : *code;
		return false;
	}
	a->operands = argv + optind;
	a->nr_operands = argc - optind;
	return true;
}
