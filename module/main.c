// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak: find anonymous memory mappings that are never unmapped.
 *
 * Module parameters, and bring-up / tear-down in dependency order: tables,
 * then probes, then the netlink family last; the reverse on the way out
 * (unregistering probes waits for running handlers, so the tables can be
 * freed after it).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>

#include <linux/anonleak.h>

#include "anonleak.h"

unsigned long al_max_mappings = 1UL << 20;
unsigned long al_max_sites = 1UL << 16;
unsigned long al_max_procs = 1UL << 14;
unsigned long al_max_exited = 256;
unsigned int al_stack_depth = 8;
bool al_enabled = true;

struct al_ulong_range {
	unsigned long min;
	unsigned long max;
};

static int al_param_set_range(const char *val, const struct kernel_param *kp)
{
	const struct al_ulong_range *r = kp->arg;
	unsigned long v;
	int err;

	err = kstrtoul(val, 0, &v);
	if (err) {
		pr_err("%s: '%s' is not a number\n", kp->name, val);
		return err;
	}
	if (v < r->min || v > r->max) {
		pr_err("%s: %lu is out of range [%lu, %lu]\n", kp->name, v,
		       r->min, r->max);
		return -ERANGE;
	}
	return 0;
}

/*
 * One set of ops per parameter: the range is checked in .set, and the value
 * stored by the matching standard setter.
 */
#define AL_RANGE_PARAM(name, var, type, lo, hi, perm, desc)		\
	static const struct al_ulong_range al_range_##name = { lo, hi };	\
	static int al_set_##name(const char *val,			\
				 const struct kernel_param *kp)		\
	{								\
		struct kernel_param p = *kp;				\
		int err;						\
									\
		p.arg = (void *)&al_range_##name;			\
		err = al_param_set_range(val, &p);			\
		if (err)						\
			return err;					\
		return param_set_##type(val, kp);			\
	}								\
	static const struct kernel_param_ops al_ops_##name = {		\
		.set = al_set_##name,					\
		.get = param_get_##type,				\
	};								\
	module_param_cb(name, &al_ops_##name, &var, perm);		\
	MODULE_PARM_DESC(name, desc)

AL_RANGE_PARAM(max_mappings, al_max_mappings, ulong, 1, 1UL << 28, 0644,
	       "Most live mappings tracked, all processes (default 1048576)");
AL_RANGE_PARAM(max_sites, al_max_sites, ulong, 1, 1UL << 24, 0644,
	       "Most call-site records, all processes (default 65536)");
AL_RANGE_PARAM(max_procs, al_max_procs, ulong, 1, 1UL << 22, 0644,
	       "Most running processes tracked (default 16384)");
AL_RANGE_PARAM(max_exited, al_max_exited, ulong, 0, 1UL << 20, 0644,
	       "Exited processes whose outstanding mappings are kept (default 256)");
AL_RANGE_PARAM(stack_depth, al_stack_depth, uint, 1, ANONLEAK_MAX_FRAMES, 0644,
	       "User stack frames kept per call site, 1..32 (default 8)");

module_param_named(enabled, al_enabled, bool, 0644);
MODULE_PARM_DESC(enabled, "Record new mappings (default 1)");

static int __init al_init(void)
{
	int err;

	err = al_sites_init();
	if (err)
		goto err_sites;
	err = al_track_init();
	if (err)
		goto err_track;
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
	al_track_uninit();
err_track:
	al_sites_uninit();
err_sites:
	return err;
}

static void __exit al_exit(void)
{
	al_genl_uninit();
	al_probes_uninit();
	al_track_uninit();
	al_sites_uninit();
}

module_init(al_init);
module_exit(al_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Find anonymous memory mappings that are never unmapped");
MODULE_AUTHOR("anonleak developers");
MODULE_VERSION("0.1");
