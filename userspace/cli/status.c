// SPDX-License-Identifier: GPL-2.0
/* anonleak status: the module's counters, limits and probes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <linux/anonleak.h>

#include "cli/cli.h"
#include "proto/parse.h"
#include "print/status.h"

static const char usage[] =
	"Usage: anonleak status [--json]\n"
	"\n"
	"Show what the anonleak module has recorded (mappings, live mappings and\n"
	"bytes, processes, call sites), what it could not record (drops by cause,\n"
	"missed probe hits), what its filters excluded, its memory use per record,\n"
	"its limits and the kernel functions it probes.\n"
	"\n"
	"Options:\n"
	"  --json      print one JSON object instead of text\n"
	"  -h, --help  show this help\n";

struct status_ctx {
	struct module_stats st;
	struct parse_err perr;
	bool have;
};

static int stats_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct status_ctx *c = data;
	int ret;

	if (c->have) {
		snprintf(c->perr.msg, sizeof(c->perr.msg), "more than one stats reply");
		return -EPROTO;
	}
	ret = parse_stats_msg(nlh, &c->st, &c->perr);
	c->have = !ret;
	return ret;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_ctx c = { 0 };
	struct nl_req req;
	bool json = false;
	struct nl *nl;
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return AL_EXIT_OK;
		default:
			return cli_bad_option("status", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);

	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = nl_doit(nl, nl_request(nl, &req, ANONLEAK_CMD_GET_STATS, 0), stats_reply_cb, &c);
	if (!ret && !c.have) {
		snprintf(c.perr.msg, sizeof(c.perr.msg), "no stats reply");
		ret = -EPROTO;
	}
	if (ret) {
		ret = cli_nl_error(nl, "reading stats", ret, c.perr.msg);
	} else if (json) {
		status_print_json(stdout, &c.st, nl_family_version(nl));
	} else {
		status_print_text(stdout, &c.st, nl_family_version(nl));
	}
	stats_release(&c.st);
	nl_close(nl);
	return ret;
}
