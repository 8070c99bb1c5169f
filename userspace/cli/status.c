// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak status: the module's counters, limits and probes; without the
 * module, why it is not there (core/install.c) and how to fix that.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "cli/cli.h"
#include "core/install.h"
#include "print/install.h"
#include "print/status.h"
#include "proto/stats.h"

static const char usage[] =
	"Usage: anonleak status [--load] [--json]\n"
	"\n"
	"Show what the anonleak module has recorded (mappings, live mappings and\n"
	"bytes, processes, call sites), what it could not record (drops by cause,\n"
	"missed probe hits), what its filters excluded, its memory use per record,\n"
	"its limits and the kernel functions it probes.\n"
	"\n"
	"Without the module, say why and how to fix it: not installed for the\n"
	"running kernel, built by DKMS for other kernels only, installed but not\n"
	"loaded, refused under Secure Boot (unsigned, or its key not enrolled), or\n"
	"a kernel locked down in confidentiality mode. Each has its exit status.\n"
	"\n"
	"Options:\n"
	"  --load      if the module is installed but not loaded, load it (needs\n"
	"              CAP_SYS_MODULE) and explain a refusal\n"
	"  --json      print one JSON object instead of text\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit status: 0 loaded, 3 not loaded, 8 not installed for this kernel,\n"
	"9 built for other kernels only, 10 refused by Secure Boot, 11 kernel\n"
	"lockdown (confidentiality); see 'anonleak --help' for the others.\n";

static int print_stats(struct nl *nl, bool json)
{
	struct module_stats st;
	struct parse_err perr;
	int ret = query_stats(nl, &st, &perr);

	if (ret)
		ret = cli_nl_error(nl, "reading stats", ret, perr.msg);
	else
		status_print(stdout, &st, nl_family_version(nl), json);
	module_stats_release(&st);
	return ret;
}

static int state_exit(enum install_state st)
{
	switch (st) {
	case INSTALL_LOADED:
		return AL_EXIT_OK;
	case INSTALL_NOT_INSTALLED:
		return AL_EXIT_NOT_INSTALLED;
	case INSTALL_OTHER_KERNEL:
		return AL_EXIT_OTHER_KERNEL;
	case INSTALL_NOT_LOADED:
		return AL_EXIT_NOMODULE;
	case INSTALL_KEY_REJECTED:
		return AL_EXIT_KEY_REJECTED;
	case INSTALL_LOCKDOWN:
		return AL_EXIT_LOCKDOWN;
	case INSTALL_LOAD_FAILED:
		break;
	}
	return AL_EXIT_ERROR;
}

/* No family: find out why, load the module if asked, report. */
static int diagnose(const struct cli_args *a, struct nl **nl)
{
	struct install_info in;
	enum install_state st;
	struct utsname u;

	if (uname(&u))
		return cli_error(AL_EXIT_ERROR, "uname: %m");
	install_probe(install_root(), u.release, &in);
	st = install_diagnose(&in, false);
	if (a->load && st == INSTALL_NOT_LOADED && !install_load(&in)) {
		char why[256];

		if (!nl_open(nl, why, sizeof(why)))
			return -1;	/* loaded now: the counters follow */
	}
	st = install_diagnose(&in, false);
	install_print(a->json ? stdout : stderr, &in, st, a->json);
	return state_exit(st);
}

static int run(const struct cli_args *a)
{
	char why[256];
	struct nl *nl;
	int ret = nl_open(&nl, why, sizeof(why));

	if (ret == -ENOENT) {
		ret = diagnose(a, &nl);
		if (ret >= 0)
			return ret;
	} else if (ret) {
		return cli_open(&nl);
	}
	ret = print_stats(nl, a->json);
	nl_close(nl);
	return ret;
}

const struct command cmd_status = {
	"status", "show the module's counters, or why it is not loaded and how to fix it",
	usage, CLI_JSON | CLI_LOAD, false, run,
};
