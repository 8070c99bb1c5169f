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

static struct netlink_range_validation al_range_mappings = {
	.min = 1, .max = 1ULL << 28,
};

static struct netlink_range_validation al_range_sites = {
	.min = 1, .max = 1ULL << 24,
};

static struct netlink_range_validation al_range_procs = {
	.min = 1, .max = 1ULL << 22,
};

static struct netlink_range_validation al_range_exited = {
	.min = 0, .max = 1ULL << 20,
};

static const struct nla_policy al_config_policy[ANONLEAK_CONFIG_A_MAX + 1] = {
	[ANONLEAK_CONFIG_A_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[ANONLEAK_CONFIG_A_STACK_DEPTH] = NLA_POLICY_RANGE(NLA_U32, 1,
							   ANONLEAK_MAX_FRAMES),
	[ANONLEAK_CONFIG_A_MIN_SIZE] = { .type = NLA_U64 },
	[ANONLEAK_CONFIG_A_FILTER_PID] = { .type = NLA_U32 },
	[ANONLEAK_CONFIG_A_FILTER_UID] = { .type = NLA_U32 },
	[ANONLEAK_CONFIG_A_FILTER_COMM] = { .type = NLA_NUL_STRING,
					    .len = TASK_COMM_LEN - 1 },
	[ANONLEAK_CONFIG_A_MAX_MAPPINGS] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &al_range_mappings),
	[ANONLEAK_CONFIG_A_MAX_SITES] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &al_range_sites),
	[ANONLEAK_CONFIG_A_MAX_PROCS] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &al_range_procs),
	[ANONLEAK_CONFIG_A_MAX_EXITED] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &al_range_exited),
};

static const struct nla_policy al_set_config_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_CONFIG] = NLA_POLICY_NESTED(al_config_policy),
};

static size_t al_stats_size(void)
{
	size_t probes = 0;
	unsigned int i;

	for (i = 0; i < al_probes_count(); i++)
		probes += nla_total_size(strlen(al_probe_symbol(i)) + 1);

	return nla_total_size(0) +			/* ANONLEAK_A_STATS */
		nla_total_size_64bit(sizeof(u64)) * 20 + /* u64 counters, caps */
		nla_total_size(sizeof(u32)) * 3 +	/* sizes, depth */
		nla_total_size(0) + probes;		/* ANONLEAK_STATS_A_PROBES */
}

static int al_put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

static int al_fill_stats(struct sk_buff *skb)
{
	struct nlattr *nest, *probes;
	struct al_stats st;
	unsigned int i;
	u64 drops;

	al_stats_read(&st);
	drops = st.drops_nomem + st.drops_mappings + st.drops_sites +
		st.drops_procs + st.drops_exited;

	nest = nla_nest_start(skb, ANONLEAK_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (al_put_u64(skb, ANONLEAK_STATS_A_MAPS, st.maps, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_UNMAPS, st.unmaps, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_LIVE_COUNT, st.live_count, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_LIVE_BYTES, st.live_bytes, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_PROCS, st.procs, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_EXITED, st.exited, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_SITES, st.sites, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_DROPS, drops, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_DROPS_NOMEM, st.drops_nomem, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_DROPS_MAPPINGS, st.drops_mappings,
		       ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_DROPS_SITES, st.drops_sites, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_DROPS_PROCS, st.drops_procs, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_DROPS_EXITED, st.drops_exited,
		       ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_MISSED, al_probes_missed(), ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_FILTERED, st.filtered, ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_UNNAMED, st.unnamed, ANONLEAK_STATS_A_PAD) ||
	    nla_put_u32(skb, ANONLEAK_STATS_A_MAPPING_SIZE, al_range_size()) ||
	    nla_put_u32(skb, ANONLEAK_STATS_A_SITE_SIZE,
			al_site_slab_size(READ_ONCE(al_stack_depth))) ||
	    nla_put_u32(skb, ANONLEAK_STATS_A_STACK_DEPTH, READ_ONCE(al_stack_depth)) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_MAX_MAPPINGS, READ_ONCE(al_max_mappings),
		       ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_MAX_SITES, READ_ONCE(al_max_sites),
		       ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_MAX_PROCS, READ_ONCE(al_max_procs),
		       ANONLEAK_STATS_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_STATS_A_MAX_EXITED, READ_ONCE(al_max_exited),
		       ANONLEAK_STATS_A_PAD))
		goto err;

	probes = nla_nest_start(skb, ANONLEAK_STATS_A_PROBES);
	if (!probes)
		goto err;
	for (i = 0; i < al_probes_count(); i++)
		if (nla_put_string(skb, ANONLEAK_PROBE_A_NAME, al_probe_symbol(i)))
			goto err;
	nla_nest_end(skb, probes);
	nla_nest_end(skb, nest);
	return 0;

err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* Reply sizing, as kernel/taskstats.c: every attribute counted. */
static size_t al_config_size(void)
{
	return nla_total_size(0) +			/* ANONLEAK_A_CONFIG */
		nla_total_size(sizeof(u8)) +		/* ENABLED */
		nla_total_size(sizeof(u32)) * 3 +	/* DEPTH, PID, UID */
		nla_total_size(TASK_COMM_LEN) +		/* FILTER_COMM */
		nla_total_size_64bit(sizeof(u64)) * 5;	/* MIN_SIZE, caps */
}

static int al_fill_config(struct sk_buff *skb)
{
	struct nlattr *nest = nla_nest_start(skb, ANONLEAK_A_CONFIG);
	int uid = READ_ONCE(al_filter_uid);
	char comm[TASK_COMM_LEN];
	pid_t pid = 0;

	memcpy(comm, al_filter_comm, sizeof(comm));
	comm[TASK_COMM_LEN - 1] = 0;
	if (READ_ONCE(al_filter_pid)) {
		struct pid *p;

		/* The filter is kept in the initial namespace: show the caller's. */
		rcu_read_lock();
		p = find_pid_ns(READ_ONCE(al_filter_pid), &init_pid_ns);
		pid = p ? pid_nr_ns(p, task_active_pid_ns(current)) : 0;
		rcu_read_unlock();
	}
	if (!nest ||
	    nla_put_u8(skb, ANONLEAK_CONFIG_A_ENABLED, READ_ONCE(al_enabled)) ||
	    nla_put_u32(skb, ANONLEAK_CONFIG_A_STACK_DEPTH, READ_ONCE(al_stack_depth)) ||
	    al_put_u64(skb, ANONLEAK_CONFIG_A_MIN_SIZE, READ_ONCE(al_min_size),
		       ANONLEAK_CONFIG_A_PAD) ||
	    nla_put_u32(skb, ANONLEAK_CONFIG_A_FILTER_PID, pid) ||
	    nla_put_u32(skb, ANONLEAK_CONFIG_A_FILTER_UID,
			uid < 0 ? ANONLEAK_UID_ANY : uid) ||
	    nla_put_string(skb, ANONLEAK_CONFIG_A_FILTER_COMM, comm) ||
	    al_put_u64(skb, ANONLEAK_CONFIG_A_MAX_MAPPINGS, READ_ONCE(al_max_mappings),
		       ANONLEAK_CONFIG_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_CONFIG_A_MAX_SITES, READ_ONCE(al_max_sites),
		       ANONLEAK_CONFIG_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_CONFIG_A_MAX_PROCS, READ_ONCE(al_max_procs),
		       ANONLEAK_CONFIG_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_CONFIG_A_MAX_EXITED, READ_ONCE(al_max_exited),
		       ANONLEAK_CONFIG_A_PAD)) {
		if (nest)
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
			al_fill_config);
}

/*
 * Validate every setting first (the policy checked types and ranges; the
 * pid must exist), then apply them all. Ops of this family are serialised
 * by the genetlink core, and so are SET_CONFIG calls.
 */
static int al_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[ANONLEAK_CONFIG_A_MAX + 1];
	pid_t filter_pid = -1;
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

	if (tb[ANONLEAK_CONFIG_A_FILTER_PID]) {
		u32 nr = nla_get_u32(tb[ANONLEAK_CONFIG_A_FILTER_PID]);

		filter_pid = 0;
		if (nr) {
			struct pid *p;

			rcu_read_lock();
			p = find_vpid(nr);
			filter_pid = p ? pid_nr(p) : -1;
			rcu_read_unlock();
			if (filter_pid < 0) {
				NL_SET_ERR_MSG_ATTR(info->extack,
						    tb[ANONLEAK_CONFIG_A_FILTER_PID],
						    "no such process");
				return -ESRCH;
			}
		}
	}
	if (tb[ANONLEAK_CONFIG_A_FILTER_UID]) {
		u32 uid = nla_get_u32(tb[ANONLEAK_CONFIG_A_FILTER_UID]);

		if (uid != ANONLEAK_UID_ANY && uid > INT_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[ANONLEAK_CONFIG_A_FILTER_UID],
					    "uid out of range");
			return -EINVAL;
		}
	}

	/* Everything is valid: apply. */
	if (tb[ANONLEAK_CONFIG_A_ENABLED])
		WRITE_ONCE(al_enabled, nla_get_u8(tb[ANONLEAK_CONFIG_A_ENABLED]));
	if (tb[ANONLEAK_CONFIG_A_STACK_DEPTH])
		WRITE_ONCE(al_stack_depth,
			   nla_get_u32(tb[ANONLEAK_CONFIG_A_STACK_DEPTH]));
	if (tb[ANONLEAK_CONFIG_A_MIN_SIZE])
		WRITE_ONCE(al_min_size, nla_get_u64(tb[ANONLEAK_CONFIG_A_MIN_SIZE]));
	if (filter_pid >= 0)
		WRITE_ONCE(al_filter_pid, filter_pid);
	if (tb[ANONLEAK_CONFIG_A_FILTER_UID]) {
		u32 uid = nla_get_u32(tb[ANONLEAK_CONFIG_A_FILTER_UID]);

		WRITE_ONCE(al_filter_uid, uid == ANONLEAK_UID_ANY ? -1 : (int)uid);
	}
	if (tb[ANONLEAK_CONFIG_A_FILTER_COMM]) {
		char comm[TASK_COMM_LEN] = "";

		nla_strscpy(comm, tb[ANONLEAK_CONFIG_A_FILTER_COMM], sizeof(comm));
		memcpy(al_filter_comm, comm, sizeof(comm));
	}
	if (tb[ANONLEAK_CONFIG_A_MAX_MAPPINGS])
		WRITE_ONCE(al_max_mappings,
			   nla_get_u64(tb[ANONLEAK_CONFIG_A_MAX_MAPPINGS]));
	if (tb[ANONLEAK_CONFIG_A_MAX_SITES])
		WRITE_ONCE(al_max_sites, nla_get_u64(tb[ANONLEAK_CONFIG_A_MAX_SITES]));
	if (tb[ANONLEAK_CONFIG_A_MAX_PROCS])
		WRITE_ONCE(al_max_procs, nla_get_u64(tb[ANONLEAK_CONFIG_A_MAX_PROCS]));
	if (tb[ANONLEAK_CONFIG_A_MAX_EXITED])
		WRITE_ONCE(al_max_exited,
			   nla_get_u64(tb[ANONLEAK_CONFIG_A_MAX_EXITED]));
	return 0;
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

static const struct genl_multicast_group al_mcgrps[] = {
	{ .name = ANONLEAK_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
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
	    genl_has_listeners(&al_genl_family, &init_net, 0)) {
		skb = al_exit_event_msg(proc);
		if (skb)
			genlmsg_multicast(&al_genl_family, skb, 0, 0, GFP_KERNEL);
	}
	mutex_unlock(&al_events_lock);
}

int __init al_genl_init(void)
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
