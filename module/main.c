// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak: find anonymous memory mappings that are never unmapped.
 *
 * Bring-up and tear-down in dependency order: settings, tables, then
 * probes, then the netlink family last; the reverse on the way out
 * (unregistering probes waits for running handlers, so the tables can be
 * freed after it). The module parameters are in config.c.
 */
#include <linux/module.h>

#include "anonleak.h"

static int __init al_init(void)
{
	int err;

	al_config_init();
	err = al_sites_init();
	if (err)
		goto err_sites;
	err = al_ranges_init();
	if (err)
		goto err_ranges;
	err = al_probes_init();
	if (err)
		goto err_probes;
	err = al_genl_init();
	if (err)
		goto err_genl;
	return 0;

err_genl:
	al_probes_uninit();
err_probes:
	al_procs_uninit();
	al_ranges_uninit();
err_ranges:
	al_sites_uninit();
err_sites:
	return err;
}

static void __exit al_exit(void)
{
	al_genl_uninit();
	al_probes_uninit();
	al_procs_uninit();
	al_ranges_uninit();
	al_sites_uninit();
}

module_init(al_init);
module_exit(al_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Find anonymous memory mappings that are never unmapped");
MODULE_AUTHOR("anonleak developers");
MODULE_VERSION("0.1");
