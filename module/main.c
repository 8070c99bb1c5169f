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
#include <linux/string.h>
#include <linux/threads.h>
#include <linux/sysfs.h>
#include <linux/sched.h>

#include <linux/anonleak.h>

#include "anonleak.h"

unsigned long al_max_mappings = 1UL << 20;
unsigned long al_max_sites = 1UL << 16;
unsigned long al_max_procs = 1UL << 14;
unsigned long al_max_exited = 256;
unsigned int al_stack_depth = 8;
bool al_enabled = true;
int al_filter_pid;
int al_filter_uid = -1;
char al_filter_comm[TASK_COMM_LEN];
unsigned long al_min_size;

/* Accepted values of the numeric parameters, checked on every write. */
static const struct al_param_range {
	const char *name;
	unsigned long min;
	unsigned long max;
} al_param_ranges[] = {
	{ "max_mappings", 1, 1UL << 28 },
	{ "max_sites", 1, 1UL << 24 },
	{ "max_procs", 1, 1UL << 22 },
	{ "max_exited", 0, 1UL << 20 },
	{ "stack_depth", 1, ANONLEAK_MAX_FRAMES },
	{ "min_size", 0, ULONG_MAX },
	{ "filter_pid", 0, PID_MAX_LIMIT },
};

static int al_param_parse(const char *val, const struct kernel_param *kp,
			  unsigned long *out)
{
	const char *name = strrchr(kp->name, '.') ? strrchr(kp->name, '.') + 1 :
						    kp->name;
	unsigned int i;
	int err;

	err = kstrtoul(val, 0, out);
	if (err) {
		pr_err("%s: '%s' is not a number\n", name, val);
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(al_param_ranges); i++) {
		const struct al_param_range *r = &al_param_ranges[i];

		if (strcmp(r->name, name))
			continue;
		if (*out < r->min || *out > r->max) {
			pr_err("%s: %lu is out of range [%lu, %lu]\n", name,
			       *out, r->min, r->max);
			return -ERANGE;
		}
		return 0;
	}
	return -EINVAL;
}

static int al_param_set_ulong(const char *val, const struct kernel_param *kp)
{
	unsigned long v;
	int err = al_param_parse(val, kp, &v);

	if (!err)
		WRITE_ONCE(*(unsigned long *)kp->arg, v);
	return err;
}

static int al_param_set_uint(const char *val, const struct kernel_param *kp)
{
	unsigned long v;
	int err = al_param_parse(val, kp, &v);

	if (!err)
		WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return err;
}

static const struct kernel_param_ops al_ulong_ops = {
	.set = al_param_set_ulong,
	.get = param_get_ulong,
};

static const struct kernel_param_ops al_uint_ops = {
	.set = al_param_set_uint,
	.get = param_get_uint,
};

module_param_cb(max_mappings, &al_ulong_ops, &al_max_mappings, 0644);
MODULE_PARM_DESC(max_mappings, "Most live mappings tracked, all processes (default 1048576)");
module_param_cb(max_sites, &al_ulong_ops, &al_max_sites, 0644);
MODULE_PARM_DESC(max_sites, "Most call-site records, all processes (default 65536)");
module_param_cb(max_procs, &al_ulong_ops, &al_max_procs, 0644);
MODULE_PARM_DESC(max_procs, "Most running processes tracked (default 16384)");
module_param_cb(max_exited, &al_ulong_ops, &al_max_exited, 0644);
MODULE_PARM_DESC(max_exited,
		 "Exited processes whose outstanding mappings are kept (default 256)");
module_param_cb(stack_depth, &al_uint_ops, &al_stack_depth, 0644);
MODULE_PARM_DESC(stack_depth, "User stack frames kept per call site, 1..32 (default 8)");

module_param_named(enabled, al_enabled, bool, 0644);
MODULE_PARM_DESC(enabled, "Record new mappings (default 1)");

/*
 * Filters: they decide which processes get a record when they first map
 * anonymous memory (pid, comm, uid), and which mappings are recorded
 * (min_size). Unmaps are always followed.
 */
static int al_param_set_int(const char *val, const struct kernel_param *kp)
{
	unsigned long v;
	int err = al_param_parse(val, kp, &v);

	if (!err)
		WRITE_ONCE(*(int *)kp->arg, v);
	return err;
}

static const struct kernel_param_ops al_int_ops = {
	.set = al_param_set_int,
	.get = param_get_int,
};

module_param_cb(filter_pid, &al_int_ops, &al_filter_pid, 0644);
MODULE_PARM_DESC(filter_pid,
		 "Only this process (init pid namespace) and its descendants, 0: all (default 0)");

static int al_param_set_uid(const char *val, const struct kernel_param *kp)
{
	int v, err;

	err = kstrtoint(val, 0, &v);
	if (err || v < -1) {
		pr_err("filter_uid: '%s' is not a uid or -1\n", val);
		return err ? err : -ERANGE;
	}
	WRITE_ONCE(al_filter_uid, v);
	return 0;
}

static const struct kernel_param_ops al_uid_ops = {
	.set = al_param_set_uid,
	.get = param_get_int,
};

module_param_cb(filter_uid, &al_uid_ops, &al_filter_uid, 0644);
MODULE_PARM_DESC(filter_uid, "Only processes of this real uid, -1: all (default -1)");

/* A comm, without the newline that sysfs writes usually carry. */
static int al_param_set_comm(const char *val, const struct kernel_param *kp)
{
	char comm[TASK_COMM_LEN] = "";
	size_t len = strcspn(val, "\n");

	if (len >= sizeof(comm)) {
		pr_err("filter_comm: '%s' is longer than %zu characters\n", val,
		       sizeof(comm) - 1);
		return -EINVAL;
	}
	memcpy(comm, val, len);
	memcpy(al_filter_comm, comm, sizeof(comm));
	return 0;
}

static int al_param_get_comm(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", al_filter_comm);
}

static const struct kernel_param_ops al_comm_ops = {
	.set = al_param_set_comm,
	.get = al_param_get_comm,
};

module_param_cb(filter_comm, &al_comm_ops, NULL, 0644);
MODULE_PARM_DESC(filter_comm, "Only processes with this comm, empty: all (default empty)");

module_param_cb(min_size, &al_ulong_ops, &al_min_size, 0644);
MODULE_PARM_DESC(min_size, "Only mappings of at least this many bytes (default 0)");

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
