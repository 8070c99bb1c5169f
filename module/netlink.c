// SPDX-License-Identifier: GPL-2.0
/*
 * The "anonleak" generic netlink family. The protocol is specified in
 * include/uapi/linux/anonleak.h; this file only implements it.
 */
#include <linux/kernel.h>
#include <linux/pid_namespace.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/string.h>
#include <linux/sched.h>

#include <linux/anonleak.h>

#include "anonleak.h"
#include "unwind.h"
#include "compat.h"

#ifndef NL_SET_ERR_MSG_FMT
char al_extack_buf[80];
#endif

/*
 * Per-op policies. Strict validation rejects every attribute a policy does
 * not list (their type is NLA_UNSPEC), with an extack message.
 */
static const struct nla_policy al_none_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_UNSPEC] = { .type = NLA_REJECT },
};

const struct nla_policy al_sites_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ANONLEAK_A_MIN_BYTES] = { .type = NLA_U64 },
	[ANONLEAK_A_MIN_AGE] = { .type = NLA_U64 },
};

const struct nla_policy al_procs_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy al_mappings_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy al_clear_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy al_set_config_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_CONFIG] = NLA_POLICY_NESTED(al_config_policy),
};

/*
 * The GET_STATS counters, in the order they are sent: each is a u64 of the
 * snapshot (struct al_stats), sent as an NLA_U64 or an NLA_U32.
 */
struct al_stat_attr {
	u16 attr;
	u16 off;
	u8 type;
};

#define AL_U64(attr, field)	\
	{ ANONLEAK_STATS_A_##attr, offsetof(struct al_stats, field), NLA_U64 }
#define AL_U32(attr, field)	\
	{ ANONLEAK_STATS_A_##attr, offsetof(struct al_stats, field), NLA_U32 }

static const struct al_stat_attr al_stat_attrs[] = {
	AL_U64(MAPS, maps),
	AL_U64(UNMAPS, unmaps),
	AL_U64(LIVE_COUNT, live_count),
	AL_U64(LIVE_BYTES, live_bytes),
	AL_U64(PROCS, procs),
	AL_U64(EXITED, exited),
	AL_U64(SITES, sites),
	AL_U64(DROPS, drops),
	AL_U64(DROPS_NOMEM, drops_nomem),
	AL_U64(DROPS_MAPPINGS, drops_mappings),
	AL_U64(DROPS_SITES, drops_sites),
	AL_U64(DROPS_PROCS, drops_procs),
	AL_U64(DROPS_EXITED, drops_exited),
	AL_U64(MISSED, missed),
	AL_U64(FILTERED, filtered),
	AL_U64(UNNAMED, unnamed),
	AL_U32(MAPPING_SIZE, mapping_size),
	AL_U32(SITE_SIZE, site_size),
	AL_U32(STACK_DEPTH, stack_depth),
	AL_U64(MAX_MAPPINGS, max_mappings),
	AL_U64(MAX_SITES, max_sites),
	AL_U64(MAX_PROCS, max_procs),
	AL_U64(MAX_EXITED, max_exited),
	AL_U64(UNWIND_TABLES, unwind_tables),
	AL_U64(UNWIND_ROWS, unwind_rows),
	AL_U64(UNWIND_BYTES, unwind_bytes),
	AL_U64(UNWIND_REFUSED, unwind_refused),
	AL_U64(UNWIND_FRAMES, unwind_frames),
	AL_U64(UNWIND_NO_TABLE, unwind_no_table),
	AL_U64(PARTIAL_SITES, partial_sites),
	AL_U64(EXEMPLARS, exemplars),
	AL_U64(EXEMPLAR_BYTES, exemplar_bytes),
	AL_U64(DROPS_EXEMPLARS, drops_exemplars),
	AL_U64(OBJECT_EVENTS, object_events),
	AL_U64(OBJECT_EVENTS_DROPPED, object_events_dropped),
	AL_U64(MAX_UNWIND_BYTES, max_unwind_bytes),
	AL_U64(MAX_EXEMPLARS, max_exemplars),
};

/* Reply sizing, as kernel/taskstats.c: every attribute counted. */
static size_t al_stats_size(void)
{
	size_t probes = 0;
	unsigned int i;

	for (i = 0; i < al_probes_count(); i++)
		probes += nla_total_size(strlen(al_probe_symbol(i)) + 1);

	return nla_total_size(0) +			/* ANONLEAK_A_STATS */
		ARRAY_SIZE(al_stat_attrs) * nla_total_size_64bit(sizeof(u64)) +
		nla_total_size(0) + probes;		/* ANONLEAK_STATS_A_PROBES */
}

/* The counters of procs.c, and what the other parts know. */
static void al_stats_snapshot(struct al_stats *st)
{
	al_stats_read(st);
	st->drops = st->drops_nomem + st->drops_mappings + st->drops_sites +
		    st->drops_procs + st->drops_exited;
	st->missed = al_probes_missed();
	st->mapping_size = al_range_size();
	st->stack_depth = READ_ONCE(al_stack_depth);
	st->site_size = al_site_slab_size(st->stack_depth);
	st->max_mappings = READ_ONCE(al_max_mappings);
	st->max_sites = READ_ONCE(al_max_sites);
	st->max_procs = READ_ONCE(al_max_procs);
	st->max_exited = READ_ONCE(al_max_exited);
	al_unwind_stats_snapshot(st);
	al_exemplar_stats(&st->exemplars, &st->exemplar_bytes);
	st->max_unwind_bytes = READ_ONCE(al_max_unwind_bytes);
	st->max_exemplars = READ_ONCE(al_max_exemplars);
}

static int al_fill_probes(struct sk_buff *skb)
{
	struct nlattr *probes = nla_nest_start(skb, ANONLEAK_STATS_A_PROBES);
	unsigned int i;

	if (!probes)
		return -EMSGSIZE;
	for (i = 0; i < al_probes_count(); i++)
		if (nla_put_string(skb, ANONLEAK_PROBE_A_NAME, al_probe_symbol(i)))
			return -EMSGSIZE;
	nla_nest_end(skb, probes);
	return 0;
}

static int al_fill_stats(struct sk_buff *skb)
{
	struct nlattr *nest;
	struct al_stats st;
	unsigned int i;
	int err = 0;

	al_stats_snapshot(&st);
	nest = nla_nest_start(skb, ANONLEAK_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(al_stat_attrs) && !err; i++) {
		const struct al_stat_attr *a = &al_stat_attrs[i];
		u64 v = *(const u64 *)((const char *)&st + a->off);

		if (a->type == NLA_U32)
			err = nla_put_u32(skb, a->attr, v);
		else
			err = al_put_u64(skb, a->attr, v, ANONLEAK_STATS_A_PAD);
	}
	if (err || al_fill_probes(skb)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int al_reply(struct genl_info *info, u8 cmd, size_t size,
		    int (*fill)(struct sk_buff *skb))
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &al_genl_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err;
	}
	err = fill(msg);
	if (err)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return err;
}

static int al_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	return al_reply(info, ANONLEAK_CMD_GET_STATS, al_stats_size(),
			al_fill_stats);
}

static int al_get_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	return al_reply(info, ANONLEAK_CMD_GET_CONFIG, al_config_size(),
			al_config_fill);
}

/* All the settings in the nest, or (extack naming the attribute) none. */
static int al_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[ANONLEAK_CONFIG_A_MAX + 1];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, ANONLEAK_A_CONFIG)) {
		NL_SET_ERR_MSG(info->extack,
			       "the settings go in an ANONLEAK_A_CONFIG nest");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, ANONLEAK_CONFIG_A_MAX,
			       info->attrs[ANONLEAK_A_CONFIG], al_config_policy,
			       info->extack);
	if (err)
		return err;
	return al_config_set(tb, info->extack);
}

static int al_clear_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *pid = info->attrs[ANONLEAK_A_PID];
	int err;

	err = al_clear(task_active_pid_ns(current), pid ? nla_get_u32(pid) : 0);
	if (err == -ESRCH)
		NL_SET_ERR_MSG_ATTR(info->extack, pid, "no records of this pid");
	return err;
}

enum al_mcgrp { AL_MCGRP_EVENTS, AL_MCGRP_OBJECTS };

static const struct genl_multicast_group al_mcgrps[] = {
	[AL_MCGRP_EVENTS] = { .name = ANONLEAK_MCGRP_EVENTS, AL_MCGRP_ADMIN_ONLY },
	[AL_MCGRP_OBJECTS] = { .name = ANONLEAK_MCGRP_OBJECTS, AL_MCGRP_ADMIN_ONLY },
};

static const struct genl_ops al_genl_ops[] = {
	{
		.cmd = ANONLEAK_CMD_GET_STATS,
		.doit = al_stats_doit,
		.policy = al_none_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_GET_SITES,
		.start = al_sites_start,
		.dumpit = al_sites_dump,
		.policy = al_sites_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_GET_PROCS,
		.start = al_procs_start,
		.dumpit = al_procs_dump,
		.policy = al_procs_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_GET_MAPPINGS,
		.start = al_mappings_start,
		.dumpit = al_mappings_dump,
		.policy = al_mappings_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_GET_CONFIG,
		.doit = al_get_config_doit,
		.policy = al_none_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_SET_CONFIG,
		.doit = al_set_config_doit,
		.policy = al_set_config_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_CLEAR,
		.doit = al_clear_doit,
		.policy = al_clear_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_UNWIND_LOAD,
		.doit = al_unwind_load_doit,
		.policy = al_unwind_load_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_UNWIND_DROP,
		.doit = al_unwind_drop_doit,
		.policy = al_unwind_drop_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_GET_UNWIND,
		.start = al_unwind_dump_start,
		.dumpit = al_unwind_dump,
		.policy = al_none_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ANONLEAK_CMD_GET_EXEMPLAR,
		.doit = al_exemplar_doit,
		.policy = al_exemplar_policy,
		.maxattr = ANONLEAK_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

struct genl_family al_genl_family __ro_after_init = {
	.ops = al_genl_ops,
	.n_ops = ARRAY_SIZE(al_genl_ops),
	.mcgrps = al_mcgrps,
	.n_mcgrps = ARRAY_SIZE(al_mcgrps),
	.name = ANONLEAK_GENL_NAME,
	.version = ANONLEAK_GENL_VERSION,
	.module = THIS_MODULE,
	/* Only the initial network namespace: see the UAPI header. */
	.netnsok = false,
};

/* Events are sent by the reaper; this keeps them off a family going away. */
static DEFINE_MUTEX(al_events_lock);
static bool al_events_up;

void al_genl_exit_event(struct al_proc *proc)
{
	struct sk_buff *skb;

	mutex_lock(&al_events_lock);
	if (al_events_up &&
	    genl_has_listeners(&al_genl_family, &init_net, AL_MCGRP_EVENTS)) {
		skb = al_exit_event_msg(proc);
		if (skb)
			genlmsg_multicast(&al_genl_family, skb, 0,
					  AL_MCGRP_EVENTS, GFP_KERNEL);
	}
	mutex_unlock(&al_events_lock);
}

/* Does anybody listen to OBJECT_EVENTs? Any context, RCU inside. */
bool al_genl_objects_listened(void)
{
	return READ_ONCE(al_events_up) &&
	       genl_has_listeners(&al_genl_family, &init_net, AL_MCGRP_OBJECTS);
}

static struct sk_buff *al_object_event_msg(const struct al_object_event *ev)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	struct nlattr *nest;
	void *hdr;

	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &al_genl_family, 0, ANONLEAK_CMD_OBJECT_EVENT);
	if (!hdr || nla_put_u32(skb, ANONLEAK_A_PID, ev->pid))
		goto err;
	nest = nla_nest_start(skb, ANONLEAK_A_UNWIND);
	if (!nest || nla_put_u32(skb, ANONLEAK_UNWIND_A_DEV, ev->dev) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_INO, ev->ino, ANONLEAK_UNWIND_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_START, ev->start, ANONLEAK_UNWIND_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_END, ev->end, ANONLEAK_UNWIND_A_PAD))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return skb;
err:
	nlmsg_free(skb);
	return NULL;
}

/* Send one OBJECT_EVENT (announce.c's work item); false if it was not. */
bool al_genl_object_event(const struct al_object_event *ev)
{
	struct sk_buff *skb;
	bool sent = false;

	mutex_lock(&al_events_lock);
	if (al_events_up && genl_has_listeners(&al_genl_family, &init_net,
					       AL_MCGRP_OBJECTS)) {
		skb = al_object_event_msg(ev);
		sent = skb && !genlmsg_multicast(&al_genl_family, skb, 0,
						 AL_MCGRP_OBJECTS, GFP_KERNEL);
	}
	mutex_unlock(&al_events_lock);
	return sent;
}

int al_genl_init(void)
{
	int err = genl_register_family(&al_genl_family);

	if (!err) {
		mutex_lock(&al_events_lock);
		al_events_up = true;
		mutex_unlock(&al_events_lock);
	}
	return err;
}

void al_genl_uninit(void)
{
	mutex_lock(&al_events_lock);
	al_events_up = false;
	mutex_unlock(&al_events_lock);
	genl_unregister_family(&al_genl_family);
}
