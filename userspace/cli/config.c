// SPDX-License-Identifier: GPL-2.0
/* anonleak config: show or change the module's settings. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config.h"
#include "print/config.h"
#include "proto/config.h"

static const char usage[] =
	"Usage: anonleak config [--json]\n"
	"       anonleak config KEY=VALUE...\n"
	"\n"
	"Without arguments, show the module's settings as KEY=VALUE lines (which\n"
	"can be given back). With arguments, change those settings, all or none:\n"
	"\n"
	"  enabled=0|1           record new mappings\n"
	"  stack_depth=N         frames kept per new site, 1..32\n"
	"  min_size=SIZE         only record mappings this large (4096, 64K, 1M)\n"
	"  filter_pid=PID        only this process and its descendants; 0: all\n"
	"  filter_uid=UID|any    only processes of this real uid\n"
	"  filter_comm=NAME      only processes with this comm; empty: all\n"
	"  max_mappings=N, max_sites=N, max_procs=N, max_exited=N\n"
	"                        the caps on records (see 'anonleak status')\n"
	"\n"
	"Filters apply to processes making their first tracked mapping after the\n"
	"change; processes already tracked stay tracked until 'anonleak clear'.\n"
	"\n"
	"Options:\n"
	"      --json      show the settings as one JSON object\n"
	"  -h, --help      show this help\n";

static int show(bool json)
{
	struct module_config cfg;
	struct parse_err perr;
	struct nl *nl;
	int ret = cli_open(&nl);

	if (ret)
		return ret;
	ret = query_get_config(nl, &cfg, &perr);
	if (ret)
		ret = cli_nl_error(nl, "reading the configuration", ret, perr.msg);
	else
		config_print(stdout, &cfg, json);
	config_release(&cfg);
	nl_close(nl);
	return ret;
}

static int set(const struct module_config *cfg)
{
	const char *kmsg;
	struct nl *nl;
	int ret, key;

	ret = cli_open(&nl);
	if (ret)
		return ret;
	ret = query_set_config(nl, cfg, &key);
	kmsg = nl_error_msg(nl)[0] ? nl_error_msg(nl) : strerror(-ret);
	if (ret == -ESRCH)
		ret = cli_error(AL_EXIT_NOPROC, "no such process: filter_pid=%llu (kernel says: %s)",
				(unsigned long long)cfg->v[CFG_FILTER_PID], kmsg);
	else if (ret == -EINVAL || ret == -ERANGE)	/* policy ranges say ERANGE */
		ret = cli_error(AL_EXIT_ERROR, "the module refused the settings: %s%s%s",
				key >= 0 ? config_keys[key].name : "", key >= 0 ? ": " : "",
				kmsg);
	else if (ret)
		ret = cli_nl_error(nl, "changing the configuration", ret, NULL);
	nl_close(nl);
	return ret;
}

static int run(const struct cli_args *a)
{
	struct module_config cfg = { 0 };
	char why[160];
	int ret = 0;

	if (!a->nr_operands)
		return show(a->json);
	if (a->json)
		return cli_usage_error("config", "--json only applies to showing the settings");
	for (int i = 0; i < a->nr_operands && !ret; i++) {
		ret = config_parse_arg(&cfg, a->operands[i], why, sizeof(why));
		if (ret == -ENOMEM)
			ret = cli_error(AL_EXIT_ERROR, "out of memory");
		else if (ret)
			ret = cli_usage_error("config", "%s", why);
	}
	if (!ret)
		ret = set(&cfg);
	config_release(&cfg);
	return ret;
}

const struct command cmd_config = {
	"config", "show or change the module's settings",
	usage, CLI_JSON, true, run,
};
