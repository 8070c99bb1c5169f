// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("anonleak: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "anonleak %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'anonleak %s --help')\n", cmd);
	return AL_EXIT_USAGE;
}

int cli_open(struct nl **nl)
{
	char why[256];
	int err = nl_open(nl, why, sizeof(why));

	switch (err) {
	case 0:
		return AL_EXIT_OK;
	case -ENOENT:
		return cli_error(AL_EXIT_NOMODULE,
				 "the anonleak module is not loaded (no generic netlink family \"anonleak\"); load it with 'modprobe anonleak' ('anonleak status' says why it is not there)");
	case -EPROTO:
		return cli_error(AL_EXIT_PROTO, "protocol mismatch: %s",
				 why[0] ? why : "malformed family lookup reply");
	case -EPERM:
	case -EACCES:
		return cli_error(AL_EXIT_PERM, "permission denied opening a generic netlink socket");
	}
	return cli_error(AL_EXIT_ERROR, "cannot reach generic netlink: %s%s%s", strerror(-err),
			 why[0] ? ": " : "", why);
}

int cli_nl_error(const struct nl *nl, const char *what, int err, const char *detail)
{
	const char *kmsg = nl ? nl_error_msg(nl) : "";

	if (err == -EPROTO)
		return cli_error(AL_EXIT_PROTO, "protocol mismatch while %s: %s", what,
				 detail && detail[0] ? detail : kmsg[0] ? kmsg : "malformed reply");
	if (err == -EOPNOTSUPP)
		return cli_error(AL_EXIT_PROTO,
				 "protocol mismatch while %s: the loaded module does not support this request",
				 what);
	if (err == -EPERM || err == -EACCES)
		return cli_error(AL_EXIT_PERM, "permission denied while %s: needs CAP_NET_ADMIN", what);
	return cli_error(AL_EXIT_ERROR, "%s: %s%s%s", what, strerror(-err),
			 kmsg[0] ? ": kernel says: " : "", kmsg);
}

void cli_warn_inconsistent(const char *what)
{
	fprintf(stderr, "anonleak: warning: %s kept changing during %d attempts; "
		"the result may mix old and new state\n", what, NL_DUMP_TRIES);
}

int cli_dump_sites(struct nl *nl, const struct site_query *q, const struct sink *sink,
		   int pass)
{
	struct parse_err perr;
	bool inconsistent;
	int ret = query_sites(nl, q, sink, &perr, &inconsistent);

	if (ret && ret == pass)
		return ret;
	if (ret)
		return cli_nl_error(nl, "reading sites", ret, perr.msg);
	if (inconsistent)
		cli_warn_inconsistent("the records");
	return 0;
}

int cli_get_procs(struct nl *nl, pid_t pid, struct proc_list *l, const char *what)
{
	struct parse_err perr;
	bool inconsistent;
	int ret = query_procs(nl, pid, l, &perr, &inconsistent);

	if (ret)
		return cli_nl_error(nl, "reading processes", ret, perr.msg);
	if (inconsistent && what)
		cli_warn_inconsistent(what);
	return 0;
}
