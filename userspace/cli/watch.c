// SPDX-License-Identifier: GPL-2.0
/* anonleak watch: which sites keep growing, sampled every interval. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "proto/request.h"
#include "core/symbolize.h"
#include "core/util.h"
#include "core/watch.h"

static const char usage[] =
	"Usage: anonleak watch [--interval DURATION] [--window DURATION] [--pid PID]\n"
	"                      [--once N] [--numeric] [--json]\n"
	"\n"
	"Sample the sites every interval and show those whose live bytes grow:\n"
	"pid, comm, site id, live bytes, growth per minute (the least-squares\n"
	"slope of live bytes over the window), whether live bytes only grew during\n"
	"the window, and the first frame outside libc and the dynamic loader. On a\n"
	"terminal the table is redrawn in place; otherwise each snapshot is\n"
	"appended. Stop with Ctrl-C.\n"
	"\n"
	"Options:\n"
	"  -i, --interval DURATION  time between samples (default 5s; 500ms, 1m)\n"
	"  -w, --window DURATION    history the rate is computed over (default 60s,\n"
	"                           or all N samples with --once)\n"
	"  -p, --pid PID            only this process\n"
	"      --once N             take N samples, print one final snapshot, exit\n"
	"  -n, --numeric            do not symbolize the top frame\n"
	"      --json               one JSON object per snapshot: the report's\n"
	"                           processes and sites, every site, with\n"
	"                           growth_bytes_per_min once it has two samples\n"
	"  -h, --help               show this help\n";

#define MIN_INTERVAL	(10 * NSEC_PER_MSEC)

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int watch_sink_add(void *ctx, struct site_msg *m)
{
	return watch_collect(ctx, m);
}

static void watch_sink_reset(void *ctx)
{
	watch_discard(ctx);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Sleep until the CLOCK_MONOTONIC deadline; false if a signal stopped us. */
static bool sleep_until(uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = deadline / NSEC_PER_SEC, .tv_nsec = deadline % NSEC_PER_SEC,
	};

	while (!stop_signal) {
		int err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

		if (!err)
			return true;
		if (err != EINTR)
			return true;
	}
	return false;
}

/* Rows left for the table on a terminal: 0 means no limit. */
static size_t tty_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row < 6)
		return 0;
	return ws.ws_row - 4;	/* header, column titles, "(N more)", cursor */
}

struct watch_opts {
	struct site_query q;
	uint64_t interval, window;
	bool has_window, json, numeric;
	uint64_t once;			/* samples to take, 0: until stopped */
};

static int parse_opts(int argc, char **argv, struct watch_opts *o)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "window", required_argument, NULL, 'w' },
		{ "pid", required_argument, NULL, 'p' },
		{ "once", required_argument, NULL, 'o' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	o->interval = 5 * NSEC_PER_SEC;
	o->window = 60 * NSEC_PER_SEC;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:w:p:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (parse_duration(optarg, &o->interval) || o->interval < MIN_INTERVAL)
				return cli_usage_error("watch", "invalid interval '%s' (at least 10ms)",
						       optarg);
			break;
		case 'w':
			if (parse_duration(optarg, &o->window) || !o->window)
				return cli_usage_error("watch", "invalid window '%s'", optarg);
			o->has_window = true;
			break;
		case 'p':
			if (parse_pid(optarg, &o->q.pid))
				return cli_usage_error("watch", "invalid pid '%s'", optarg);
			break;
		case 'o':
			if (parse_u64(optarg, &o->once) || !o->once || o->once > 1000000)
				return cli_usage_error("watch", "invalid sample count '%s'", optarg);
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
			return cli_bad_option("watch", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("watch", "unexpected argument '%s'", argv[optind]);
	if (o->once && !o->has_window)
		o->window = o->once * o->interval;	/* every sample, with room for jitter */
	if (o->window < o->interval)
		return cli_usage_error("watch", "the window must be at least one interval");
	return 0;
}

/* One dump into w as one sample; returns an exit code, or -1 if stopped. */
static int take_sample(struct nl *nl, struct watch *w, const struct watch_opts *o,
		       struct symbolizer *sym)
{
	const struct site_sink sink = {
		.add = watch_sink_add, .reset = watch_sink_reset, .ctx = w,
	};
	struct parse_err perr;
	bool inconsistent;
	int ret;

	ret = query_sites(nl, &o->q, &sink, &perr, &inconsistent);
	if (ret) {
		watch_discard(w);
		if (ret == -EINTR && stop_signal)
			return -1;
		return cli_nl_error(nl, "reading sites", ret, perr.msg);
	}
	if (inconsistent)
		cli_warn_inconsistent("the records");
	if (watch_commit(w, sym ? symbolize_frame : NULL, sym) < 0)
		return cli_error(AL_EXIT_ERROR, "out of memory");
	return 0;
}

static void show(const struct watch *w, const struct watch_opts *o, bool tty)
{
	struct watch_view v = { .interval = o->interval, .json = o->json };

	if (tty && !o->json && !o->once) {
		v.max_rows = tty_rows();
		fputs("\033[H\033[2J", stdout);
	}
	watch_print(stdout, w, &v);
	if (!tty && !o->json && !o->once)
		fputc('\n', stdout);
	fflush(stdout);
}

int cmd_watch(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct symbolizer *sym = NULL;
	struct watch_opts o = { 0 };
	bool tty = isatty(STDOUT_FILENO);
	uint64_t deadline;
	struct watch w;
	struct nl *nl;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret < 0 ? AL_EXIT_OK : ret;
	ret = cli_open(&nl);
	if (ret)
		return ret;
	if (!o.numeric)
		sym = symbolizer_new();
	watch_init(&w, o.window);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	deadline = mono_ns();
	for (uint64_t n = 1;; n++) {
		ret = take_sample(nl, &w, &o, sym);
		if (ret)
			break;
		if (!o.once || n == o.once)
			show(&w, &o, tty);
		if (o.once && n == o.once)
			break;
		deadline += o.interval;
		if (deadline < mono_ns())	/* a slow dump: do not try to catch up */
			deadline = mono_ns();
		if (!sleep_until(deadline)) {
			ret = -1;
			break;
		}
	}
	/* Stopped by a signal: the end of a watch; but --once did not finish. */
	if (ret < 0)
		ret = o.once ? 128 + stop_signal : AL_EXIT_OK;
	watch_release(&w);
	symbolizer_free(sym);
	nl_close(nl);
	return ret;
}
