// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak: find anonymous memory mappings that are never unmapped.
 *
 * Bring-up and tear-down in dependency order: settings, tables, then
 * probes and their self-check (selfcheck.c: a kernel whose functions do not
 * behave as the probes expect refuses the load), then the netlink family
 * last; the reverse on the way out
 * (unregistering probes waits for running handlers, so the tables can be
 * freed after it). The module parameters are in config.c.
 */
#include <linux/module.h>

#include "anonleak.h"
#include "unwind.h"

/*
 * The parts, in bring-up order; they come down in the reverse order. Procs
 * need no bring-up: the first mapping makes them, and they go before the
 * cache their ranges come from.
 */
static const struct al_part {
	int (*init)(void);
	void (*uninit)(void);
} al_parts[] = {
	{ al_sites_init, al_sites_uninit },
	{ al_ranges_init, al_ranges_uninit },
	{ NULL, al_procs_uninit },
	{ al_unwind_init, al_unwind_uninit },
	{ NULL, al_announce_uninit },
	{ al_probes_init, al_probes_uninit },
	/* The probes must see what the kernel does before anyone reads them. */
	{ al_selfcheck, NULL },
	{ al_genl_init, al_genl_uninit },
};

static void al_uninit(unsigned int n)
{
	while (n--)
		if (al_parts[n].uninit)
			al_parts[n].uninit();
}

static int __init al_init(void)
{
	unsigned int i;
	int err;

	al_config_init();
	for (i = 0; i < ARRAY_SIZE(al_parts); i++) {
		err = al_parts[i].init ? al_parts[i].init() : 0;
		if (err) {
			al_uninit(i);
			return err;
		}
	}
	return 0;
}

static void __exit al_exit(void)
{
	al_uninit(ARRAY_SIZE(al_parts));
}

module_init(al_init);
module_exit(al_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Find anonymous memory mappings that are never unmapped");
MODULE_AUTHOR("anonleak developers");
MODULE_VERSION(ANONLEAK_VERSION);
