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

#include <linux/anonleak.h>

#include "anonleak.h"

static struct genl_family al_genl_family;

/* GET_STATS takes no attributes: an all-unspec policy rejects any. */
static const struct nla_policy al_stats_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_UNSPEC] = { .type = NLA_REJECT },
};

static const struct nla_policy al_sites_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static size_t al_stats_size(void)
{
	size_t probes = 0;
	unsigned int i;

	for (i = 0; i < al_probes_count(); i++)
		probes += nla_total_size(strlen(al_probe_symbol(i)) + 1);

	return nla_total_size(0) +			/* ANONLEAK_A_STATS */
		nla_total_size_64bit(sizeof(u64)) * 19 + /* u64 counters, caps */
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
	    nla_put_u32(skb, ANONLEAK_STATS_A_MAPPING_SIZE, al_range_size()) ||
	    nla_put_u32(skb, ANONLEAK_STATS_A_SITE_SIZE,
			al_site_size(READ_ONCE(al_stack_depth))) ||
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

static int al_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(al_stats_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &al_genl_family, 0,
				ANONLEAK_CMD_GET_STATS);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err;
	}
	err = al_fill_stats(msg);
	if (err)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return err;
}

/* Dump cursor, in cb->ctx: stable keys only. */
struct al_dump_ctx {
	unsigned long next_site;	/* resume at this site id */
	u32 pid;			/* filter, 0: all */
};

/* Counters of a site copied under its proc's lock. */
struct al_site_snap {
	u64 c[ANONLEAK_SITE_A_MAX + 1];
	u8 state;
	char comm[TASK_COMM_LEN];
};

static int al_sites_start(struct netlink_callback *cb)
{
	struct al_dump_ctx *ctx = (struct al_dump_ctx *)cb->ctx;
	struct nlattr *tb[ANONLEAK_A_MAX + 1];
	int err;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	memset(ctx, 0, sizeof(*ctx));
	/* Already validated by the core against the same policy. */
	err = genlmsg_parse(cb->nlh, &al_genl_family, tb, ANONLEAK_A_MAX,
			    al_sites_policy, cb->extack);
	if (err)
		return err;
	if (tb[ANONLEAK_A_PID])
		ctx->pid = nla_get_u32(tb[ANONLEAK_A_PID]);
	return 0;
}

static void al_site_snapshot(struct al_site *site, struct al_site_snap *s)
{
	struct al_proc *proc = site->proc;

	spin_lock(&proc->lock);
	if (proc->state == AL_PROC_RUNNING)
		al_oldest_refresh(proc);
	s->c[ANONLEAK_SITE_A_ID] = site->id;
	s->c[ANONLEAK_SITE_A_LIVE_COUNT] = site->live_count;
	s->c[ANONLEAK_SITE_A_LIVE_BYTES] = site->live_bytes;
	s->c[ANONLEAK_SITE_A_TOTAL_MAPS] = site->total_maps;
	s->c[ANONLEAK_SITE_A_TOTAL_UNMAPS] = site->total_unmaps;
	s->c[ANONLEAK_SITE_A_SPLITS] = site->splits;
	s->c[ANONLEAK_SITE_A_MAPPED_BYTES] = site->mapped_bytes;
	s->c[ANONLEAK_SITE_A_UNMAPPED_BYTES] = site->unmapped_bytes;
	s->c[ANONLEAK_SITE_A_PEAK_BYTES] = site->peak_bytes;
	s->c[ANONLEAK_SITE_A_FIRST_SEEN] = site->first_seen;
	s->c[ANONLEAK_SITE_A_LAST_SEEN] = site->last_seen;
	s->c[ANONLEAK_SITE_A_OLDEST] = site->live_count ? site->oldest : 0;
	s->state = proc->state;
	memcpy(s->comm, proc->comm, sizeof(s->comm));
	spin_unlock(&proc->lock);
}

static int al_fill_frames(struct sk_buff *skb, const struct al_site *site,
			  bool objects)
{
	const struct al_object *obj;
	struct nlattr *frames, *frame;
	unsigned long addr;
	unsigned int i;
	u64 offset;

	frames = nla_nest_start(skb, ANONLEAK_SITE_A_FRAMES);
	if (!frames)
		return -EMSGSIZE;
	for (i = 0; i < site->depth; i++) {
		addr = al_frame(site, i, &obj, &offset);
		frame = nla_nest_start(skb, 0);
		if (!frame ||
		    nla_put_u64_64bit(skb, ANONLEAK_FRAME_A_ADDR, addr,
				      ANONLEAK_FRAME_A_PAD))
			return -EMSGSIZE;
		if (obj && objects &&
		    (nla_put_u64_64bit(skb, ANONLEAK_FRAME_A_OFFSET, offset,
				       ANONLEAK_FRAME_A_PAD) ||
		     nla_put_string(skb, ANONLEAK_FRAME_A_OBJECT, obj->path) ||
		     (obj->build_id_len &&
		      nla_put(skb, ANONLEAK_FRAME_A_BUILD_ID, obj->build_id_len,
			      obj->build_id))))
			return -EMSGSIZE;
		nla_nest_end(skb, frame);
	}
	nla_nest_end(skb, frames);
	return 0;
}

static const u8 al_site_counters[] = {
	ANONLEAK_SITE_A_ID,
	ANONLEAK_SITE_A_LIVE_COUNT,
	ANONLEAK_SITE_A_LIVE_BYTES,
	ANONLEAK_SITE_A_TOTAL_MAPS,
	ANONLEAK_SITE_A_TOTAL_UNMAPS,
	ANONLEAK_SITE_A_SPLITS,
	ANONLEAK_SITE_A_MAPPED_BYTES,
	ANONLEAK_SITE_A_UNMAPPED_BYTES,
	ANONLEAK_SITE_A_PEAK_BYTES,
	ANONLEAK_SITE_A_FIRST_SEEN,
	ANONLEAK_SITE_A_LAST_SEEN,
};

static int al_fill_site(struct sk_buff *skb, struct netlink_callback *cb,
			struct al_site *site, pid_t nr,
			const struct al_site_snap *s, bool objects)
{
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &al_genl_family, NLM_F_MULTI, ANONLEAK_CMD_GET_SITES);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, ANONLEAK_A_PID, nr) ||
	    nla_put_string(skb, ANONLEAK_A_COMM, s->comm) ||
	    al_put_u64(skb, ANONLEAK_A_PROC_ID, site->proc->id, ANONLEAK_A_PAD) ||
	    nla_put_u8(skb, ANONLEAK_A_PROC_STATE,
		       s->state == AL_PROC_RUNNING ? ANONLEAK_PROC_RUNNING :
						     ANONLEAK_PROC_EXITED) ||
	    al_put_u64(skb, ANONLEAK_A_NOW, ktime_get_boottime_ns(), ANONLEAK_A_PAD))
		goto cancel;

	nest = nla_nest_start(skb, ANONLEAK_A_SITE);
	if (!nest)
		goto cancel;
	for (i = 0; i < ARRAY_SIZE(al_site_counters); i++)
		if (al_put_u64(skb, al_site_counters[i],
			       s->c[al_site_counters[i]], ANONLEAK_SITE_A_PAD))
			goto cancel;
	if (s->c[ANONLEAK_SITE_A_OLDEST] &&
	    al_put_u64(skb, ANONLEAK_SITE_A_OLDEST, s->c[ANONLEAK_SITE_A_OLDEST],
		       ANONLEAK_SITE_A_PAD))
		goto cancel;
	if (al_fill_frames(skb, site, objects))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int al_sites_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct al_dump_ctx *ctx = (struct al_dump_ctx *)cb->ctx;
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct al_site_snap *snap;
	struct al_site *site;
	unsigned long idx;
	int err = 0;

	snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;

	cb->seq = atomic_read(&al_gen);
	rcu_read_lock();
	xa_for_each_start(&al_sites, idx, site, ctx->next_site) {
		pid_t nr = pid_nr_ns(site->proc->pid, ns);

		/* Not visible from the caller's pid namespace, or filtered. */
		if (!nr || (ctx->pid && nr != ctx->pid)) {
			ctx->next_site = idx + 1;
			continue;
		}
		al_site_snapshot(site, snap);
		err = al_fill_site(skb, cb, site, nr, snap, true);
		/* Object paths too long for one message: addresses only. */
		if (err && !skb->len)
			err = al_fill_site(skb, cb, site, nr, snap, false);
		if (err)
			break;
		ctx->next_site = idx + 1;
	}
	rcu_read_unlock();
	kfree(snap);

	/* A site that does not fit an empty message would stall the dump. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

static const struct genl_ops al_genl_ops[] = {
	{
		.cmd = ANONLEAK_CMD_GET_STATS,
		.doit = al_stats_doit,
		.policy = al_stats_policy,
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
};

static struct genl_family al_genl_family __ro_after_init = {
	.ops = al_genl_ops,
	.n_ops = ARRAY_SIZE(al_genl_ops),
	.name = ANONLEAK_GENL_NAME,
	.version = ANONLEAK_GENL_VERSION,
	.module = THIS_MODULE,
	/* Only the initial network namespace: see the UAPI header. */
	.netnsok = false,
};

int __init al_genl_init(void)
{
	return genl_register_family(&al_genl_family);
}

void al_genl_uninit(void)
{
	genl_unregister_family(&al_genl_family);
}
