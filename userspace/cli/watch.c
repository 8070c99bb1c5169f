// SPDX-License-Identifier: GPL-2.0
/* anonleak watch: which sites keep growing, sampled every interval. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/symbolize.h"
#include "core/watch.h"
#include "print/watch.h"

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

#define DEFAULT_INTERVAL	(5 * NSEC_PER_SEC)
#define DEFAULT_WINDOW		(60 * NSEC_PER_SEC)

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
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

struct watch_run {
	const struct cli_args *a;
	struct site_query q;
	uint64_t interval, window;
	struct symbolizer *sym;		/* NULL with --numeric */
	bool tty;
};

/* The interval and window of the options; an exit code if they do not fit. */
static int timing(struct watch_run *wr)
{
	const struct cli_args *a = wr->a;

	wr->interval = a->interval ? a->interval : DEFAULT_INTERVAL;
	wr->window = a->window ? a->window : DEFAULT_WINDOW;
	if (a->once && !a->window)
		wr->window = a->once * wr->interval;	/* every sample, with room for jitter */
	if (wr->window < wr->interval)
		return cli_usage_error("watch", "the window must be at least one interval");
	return 0;
}

/* One dump into w as one sample; returns an exit code, or -1 if stopped. */
static int take_sample(struct nl *nl, struct watch *w, const struct watch_run *wr)
{
	const struct sink sink = watch_sink(w);
	int ret = cli_dump_sites(nl, &wr->q, &sink, -EINTR);

	if (ret) {
		watch_discard(w);
		if (ret == -EINTR)
			return stop_signal ? -1 : cli_nl_error(nl, "reading sites", ret, NULL);
		return ret;
	}
	if (watch_commit(w, wr->sym ? symbolize_frame : NULL, wr->sym) < 0)
		return cli_error(AL_EXIT_ERROR, "out of memory");
	return 0;
}

static void show(const struct watch *w, const struct watch_run *wr)
{
	const struct cli_args *a = wr->a;
	struct watch_view v = { .interval = wr->interval, .json = a->json };

	if (wr->tty && !a->json && !a->once) {
		v.max_rows = tty_rows();
		fputs("\033[H\033[2J", stdout);
	}
	watch_print(stdout, w, &v);
	if (!wr->tty && !a->json && !a->once)
		fputc('\n', stdout);
	fflush(stdout);
}

/* Sample until --once N samples or a signal: an exit code, -1 if stopped. */
static int loop(struct nl *nl, struct watch *w, const struct watch_run *wr)
{
	uint64_t once = wr->a->once, deadline = mono_ns();
	int ret;

	for (uint64_t n = 1;; n++) {
		ret = take_sample(nl, w, wr);
		if (ret)
			return ret;
		if (!once || n == once)
			show(w, wr);
		if (once && n == once)
			return 0;
		deadline += wr->interval;
		if (deadline < mono_ns())	/* a slow dump: do not try to catch up */
			deadline = mono_ns();
		if (!sleep_until(deadline))
			return -1;
	}
}

static int run(const struct cli_args *a)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct watch_run wr = { .a = a, .q = { .pid = a->pid }, .tty = isatty(STDOUT_FILENO) };
	struct watch w;
	struct nl *nl;
	int ret = timing(&wr);

	if (ret)
		return ret;
	ret = cli_open(&nl);
	if (ret)
		return ret;
	if (!a->numeric)
		wr.sym = symbolizer_new();
	watch_init(&w, wr.window);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = loop(nl, &w, &wr);
	/* Stopped by a signal: the end of a watch; but --once did not finish. */
	if (ret < 0)
		ret = a->once ? 128 + stop_signal : AL_EXIT_OK;
	watch_release(&w);
	symbolizer_free(wr.sym);
	nl_close(nl);
	return ret;
}

const struct command cmd_watch = {
	"watch", "show the call sites whose live bytes keep growing",
	usage, CLI_INTERVAL | CLI_WINDOW | CLI_PID | CLI_ONCE | CLI_NUMERIC | CLI_JSON, false, run,
};
