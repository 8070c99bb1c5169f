// SPDX-License-Identifier: GPL-2.0
/*
 * The dumps of the "anonleak" family: GET_SITES, GET_PROCS, GET_MAPPINGS.
 *
 * Each keeps a cursor of stable keys in cb->ctx (record ids, or an address
 * inside a proc found again by id), never a pointer, so a dump resumes
 * correctly across messages whatever was freed in between. Records are
 * looked at under RCU and copied under their proc's lock.
 */
#include <linux/kernel.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <linux/anonleak.h>

#include "anonleak.h"

/* Dump cursor and filters, in cb->ctx. */
struct al_dump_ctx {
	unsigned long next;		/* site or proc id, or address */
	u64 min_bytes;
	u64 min_age;
	u32 proc_id;			/* GET_MAPPINGS: whose ranges */
	u32 pid;			/* filter, 0: all */
};

static struct al_dump_ctx *al_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct al_dump_ctx) > sizeof(cb->ctx));
	return (struct al_dump_ctx *)cb->ctx;
}

/* Parse the request's filters; the core validated them already. */
static int al_dump_start(struct netlink_callback *cb,
			 const struct nla_policy *policy)
{
	struct al_dump_ctx *ctx = al_ctx(cb);
	struct nlattr *tb[ANONLEAK_A_MAX + 1];
	int err;

	memset(ctx, 0, sizeof(*ctx));
	err = genlmsg_parse(cb->nlh, &al_genl_family, tb, ANONLEAK_A_MAX,
			    policy, cb->extack);
	if (err)
		return err;
	if (tb[ANONLEAK_A_PID])
		ctx->pid = nla_get_u32(tb[ANONLEAK_A_PID]);
	if (tb[ANONLEAK_A_MIN_BYTES])
		ctx->min_bytes = nla_get_u64(tb[ANONLEAK_A_MIN_BYTES]);
	if (tb[ANONLEAK_A_MIN_AGE])
		ctx->min_age = nla_get_u64(tb[ANONLEAK_A_MIN_AGE]);
	return 0;
}

/* What every per-process message shows of a proc, copied under its lock. */
struct al_proc_snap {
	u64 exit_time;
	u8 state;
	char comm[TASK_COMM_LEN];
};

static void al_proc_snapshot(const struct al_proc *proc,
			     struct al_proc_snap *s)
{
	lockdep_assert_held(&proc->lock);
	memcpy(s->comm, proc->comm, sizeof(s->comm));
	s->state = proc->state;
	s->exit_time = proc->exit_time;
}

/* The attributes every per-process message starts with. */
static int al_fill_proc_head(struct sk_buff *skb, const struct al_proc *proc,
			     pid_t nr, const struct al_proc_snap *s)
{
	if (nla_put_u32(skb, ANONLEAK_A_PID, nr) ||
	    nla_put_string(skb, ANONLEAK_A_COMM, s->comm) ||
	    al_put_u64(skb, ANONLEAK_A_PROC_ID, proc->id, ANONLEAK_A_PAD) ||
	    nla_put_u8(skb, ANONLEAK_A_PROC_STATE,
		       s->state == AL_PROC_RUNNING ? ANONLEAK_PROC_RUNNING :
						     ANONLEAK_PROC_EXITED) ||
	    nla_put_u32(skb, ANONLEAK_A_UID, proc->uid) ||
	    (proc->cgroup_id &&
	     al_put_u64(skb, ANONLEAK_A_CGROUP_ID, proc->cgroup_id, ANONLEAK_A_PAD)) ||
	    al_put_u64(skb, ANONLEAK_A_START_TIME, proc->start_time,
		       ANONLEAK_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_A_NOW, ktime_get_boottime_ns(),
		       ANONLEAK_A_PAD))
		return -EMSGSIZE;
	if (s->state != AL_PROC_RUNNING &&
	    al_put_u64(skb, ANONLEAK_A_EXIT_TIME, s->exit_time, ANONLEAK_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* A message of a dump, to its caller. */
static void *al_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			 u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &al_genl_family, NLM_F_MULTI, cmd);
}

/*
 * Start a per-process message: one of the dump @cb, or (@cb NULL) a
 * multicast. NULL if it does not fit.
 */
static void *al_proc_msg_start(struct sk_buff *skb,
			       struct netlink_callback *cb, u8 cmd,
			       const struct al_proc *proc, pid_t nr,
			       const struct al_proc_snap *s)
{
	void *hdr;

	if (cb)
		hdr = al_dump_put(skb, cb, cmd);
	else
		hdr = genlmsg_put(skb, 0, 0, &al_genl_family, 0, cmd);
	if (!hdr)
		return NULL;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (al_fill_proc_head(skb, proc, nr, s)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

/* Close @nest and the message @hdr, or cancel the message if @failed. */
static int al_msg_end(struct sk_buff *skb, void *hdr, struct nlattr *nest,
		      bool failed)
{
	if (failed) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/* GET_SITES ------------------------------------------------------------ */

/* Counters of a site copied under its proc's lock. */
struct al_site_snap {
	u64 c[ANONLEAK_SITE_A_MAX + 1];
	struct al_proc_snap proc;
};

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
	al_proc_snapshot(proc, &s->proc);
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
		    al_put_u64(skb, ANONLEAK_FRAME_A_ADDR, addr, ANONLEAK_FRAME_A_PAD))
			return -EMSGSIZE;
		if (obj && objects &&
		    (al_put_u64(skb, ANONLEAK_FRAME_A_OFFSET, offset,
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

static int al_fill_site(struct sk_buff *skb, struct netlink_callback *cb,
			struct al_site *site, pid_t nr,
			const struct al_site_snap *s, bool objects)
{
	u64 oldest = s->c[ANONLEAK_SITE_A_OLDEST];
	struct nlattr *nest;
	unsigned int i;
	bool failed;
	void *hdr;

	hdr = al_proc_msg_start(skb, cb, ANONLEAK_CMD_GET_SITES, site->proc,
				nr, &s->proc);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, ANONLEAK_A_SITE);
	failed = !nest;
	for (i = 0; i < ARRAY_SIZE(al_site_counters) && !failed; i++)
		failed = al_put_u64(skb, al_site_counters[i],
				    s->c[al_site_counters[i]],
				    ANONLEAK_SITE_A_PAD);
	failed = failed ||
		 (oldest && al_put_u64(skb, ANONLEAK_SITE_A_OLDEST, oldest,
				       ANONLEAK_SITE_A_PAD)) ||
		 nla_put_u32(skb, ANONLEAK_SITE_A_FLAGS, site->flags) ||
		 al_fill_frames(skb, site, objects);
	return al_msg_end(skb, hdr, nest, failed);
}

int al_sites_start(struct netlink_callback *cb)
{
	return al_dump_start(cb, al_sites_policy);
}

/* Does a site pass the request's filters? */
static bool al_site_wanted(const struct al_dump_ctx *ctx,
			   const struct al_site_snap *s, u64 now)
{
	u64 oldest = s->c[ANONLEAK_SITE_A_OLDEST];

	if (s->c[ANONLEAK_SITE_A_LIVE_BYTES] < ctx->min_bytes)
		return false;
	if (ctx->min_age && (!oldest || now - oldest < ctx->min_age))
		return false;
	return true;
}

int al_sites_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct al_dump_ctx *ctx = al_ctx(cb);
	struct pid_namespace *ns = task_active_pid_ns(current);
	u64 now = ktime_get_boottime_ns();
	struct al_site_snap *snap;
	struct al_site *site;
	unsigned long idx;
	int err = 0;

	snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;

	cb->seq = atomic_read(&al_gen);
	rcu_read_lock();
	xa_for_each_start(&al_sites, idx, site, ctx->next) {
		pid_t nr = pid_nr_ns(site->proc->pid, ns);

		ctx->next = idx;
		/* Not visible from the caller's pid namespace, or filtered. */
		if (!nr || (ctx->pid && nr != ctx->pid))
			continue;
		al_site_snapshot(site, snap);
		if (!al_site_wanted(ctx, snap, now))
			continue;
		err = al_fill_site(skb, cb, site, nr, snap, true);
		/* Object paths too long for one message: addresses only. */
		if (err && !skb->len)
			err = al_fill_site(skb, cb, site, nr, snap, false);
		if (err)
			break;
	}
	if (!err)
		ctx->next = ULONG_MAX;
	rcu_read_unlock();
	kfree(snap);

	/* A site that does not fit an empty message would stall the dump. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* GET_PROCS ------------------------------------------------------------ */

int al_procs_start(struct netlink_callback *cb)
{
	return al_dump_start(cb, al_procs_policy);
}

/* A GET_PROCS message (@cb: of that dump) or an EXIT_EVENT (@cb NULL). */
static int al_fill_proc(struct sk_buff *skb, struct netlink_callback *cb,
			struct al_proc *proc, pid_t nr, u8 cmd)
{
	u64 count, bytes, sites;
	struct al_proc_snap ps;
	struct nlattr *nest;
	void *hdr;

	spin_lock(&proc->lock);
	al_proc_snapshot(proc, &ps);
	count = proc->live_count;
	bytes = proc->live_bytes;
	sites = proc->nr_sites;
	spin_unlock(&proc->lock);

	hdr = al_proc_msg_start(skb, cb, cmd, proc, nr, &ps);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, ANONLEAK_A_PROC);
	return al_msg_end(skb, hdr, nest, !nest ||
			  al_put_u64(skb, ANONLEAK_PROC_A_LIVE_COUNT, count,
				     ANONLEAK_PROC_A_PAD) ||
			  al_put_u64(skb, ANONLEAK_PROC_A_LIVE_BYTES, bytes,
				     ANONLEAK_PROC_A_PAD) ||
			  al_put_u64(skb, ANONLEAK_PROC_A_SITES, sites,
				     ANONLEAK_PROC_A_PAD));
}

/* An EXIT_EVENT for the "events" group; pid in the initial namespace. */
struct sk_buff *al_exit_event_msg(struct al_proc *proc)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!skb)
		return NULL;
	if (al_fill_proc(skb, NULL, proc, pid_nr(proc->pid),
			 ANONLEAK_CMD_EXIT_EVENT)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

int al_procs_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct al_dump_ctx *ctx = al_ctx(cb);
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct al_proc *proc;
	unsigned long idx;
	int err = 0;

	cb->seq = atomic_read(&al_gen);
	rcu_read_lock();
	xa_for_each_start(&al_procs, idx, proc, ctx->next) {
		pid_t nr = pid_nr_ns(proc->pid, ns);

		ctx->next = idx;
		if (!nr || (ctx->pid && nr != ctx->pid))
			continue;
		err = al_fill_proc(skb, cb, proc, nr, ANONLEAK_CMD_GET_PROCS);
		if (err)
			break;
	}
	if (!err)
		ctx->next = ULONG_MAX;
	rcu_read_unlock();
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* GET_MAPPINGS --------------------------------------------------------- */

/* The running proc of pid @nr in @ns, under rcu_read_lock(). */
static struct al_proc *al_running_proc(struct pid_namespace *ns, pid_t nr)
{
	struct al_proc *proc;
	unsigned long idx;

	xa_for_each(&al_procs, idx, proc)
		if (READ_ONCE(proc->state) == AL_PROC_RUNNING &&
		    pid_nr_ns(proc->pid, ns) == nr)
			return proc;
	return NULL;
}

int al_mappings_start(struct netlink_callback *cb)
{
	return al_dump_start(cb, al_mappings_policy);
}

/*
 * The first call of a GET_MAPPINGS dump finds the process. Errors are
 * reported from here, not from .start, because 6.1 has no extack there.
 */
static int al_mappings_find(struct netlink_callback *cb)
{
	struct al_dump_ctx *ctx = al_ctx(cb);
	struct al_proc *proc;

	if (!ctx->pid) {
		NL_SET_ERR_MSG(cb->extack, "ANONLEAK_A_PID is required");
		return -EINVAL;
	}
	rcu_read_lock();
	proc = al_running_proc(task_active_pid_ns(current), ctx->pid);
	if (proc)
		ctx->proc_id = proc->id;
	rcu_read_unlock();
	if (!proc) {
		NL_SET_ERR_MSG(cb->extack,
			       "no running process with records has this pid");
		return -ESRCH;
	}
	return 0;
}

static int al_fill_range(struct sk_buff *skb, const struct al_range *r)
{
	struct nlattr *nest = nla_nest_start(skb, 0);

	if (!nest ||
	    al_put_u64(skb, ANONLEAK_MAPPING_A_START, r->start,
		       ANONLEAK_MAPPING_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_MAPPING_A_LENGTH, r->end - r->start,
		       ANONLEAK_MAPPING_A_PAD) ||
	    nla_put_u32(skb, ANONLEAK_MAPPING_A_PROT, r->prot) ||
	    nla_put_u32(skb, ANONLEAK_MAPPING_A_FLAGS, r->flags) ||
	    al_put_u64(skb, ANONLEAK_MAPPING_A_BIRTH, r->birth,
		       ANONLEAK_MAPPING_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_MAPPING_A_SITE_ID, r->site->id,
		       ANONLEAK_MAPPING_A_PAD)) {
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The head of a GET_MAPPINGS message, and its list of ranges opened. */
static struct nlattr *al_mappings_head(struct sk_buff *skb,
				       const struct al_dump_ctx *ctx,
				       const struct al_proc *proc)
{
	if (nla_put_u32(skb, ANONLEAK_A_PID, ctx->pid) ||
	    al_put_u64(skb, ANONLEAK_A_PROC_ID, proc->id, ANONLEAK_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_A_NOW, ktime_get_boottime_ns(),
		       ANONLEAK_A_PAD))
		return NULL;
	return nla_nest_start(skb, ANONLEAK_A_MAPPINGS);
}

/*
 * The ranges of @proc from the cursor on, as many as fit in the message
 * @hdr: how many, or -EMSGSIZE if not even one did.
 */
static int al_fill_ranges(struct sk_buff *skb, struct netlink_callback *cb,
			  void *hdr, struct al_proc *proc)
{
	struct al_dump_ctx *ctx = al_ctx(cb);
	struct al_range *r;
	int n = 0, err = 0;

	spin_lock(&proc->lock);
	cb->seq = proc->changes | 1;
	genl_dump_check_consistent(cb, hdr);
	for (r = al_range_first(proc, ctx->next); r;
	     r = rb_entry_safe(rb_next(&r->node), struct al_range, node)) {
		if (r->start < ctx->next)
			continue;	/* trimmed from below since: sent */
		err = al_fill_range(skb, r);
		if (err)
			break;
		ctx->next = r->end;
		n++;
	}
	if (!err)
		ctx->next = ULONG_MAX;
	spin_unlock(&proc->lock);
	return n || !err ? n : -EMSGSIZE;
}

int al_mappings_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct al_dump_ctx *ctx = al_ctx(cb);
	struct nlattr *list;
	struct al_proc *proc;
	void *hdr;
	int n;

	if (ctx->next == ULONG_MAX)
		return 0;
	if (!ctx->proc_id) {
		n = al_mappings_find(cb);
		if (n)
			return n;
	}
	rcu_read_lock();
	proc = xa_load(&al_procs, ctx->proc_id);
	if (!proc || READ_ONCE(proc->state) != AL_PROC_RUNNING) {
		/* Gone since the dump began: it has no ranges any more. */
		rcu_read_unlock();
		return 0;
	}
	hdr = al_dump_put(skb, cb, ANONLEAK_CMD_GET_MAPPINGS);
	if (!hdr) {
		rcu_read_unlock();
		return -EMSGSIZE;
	}
	list = al_mappings_head(skb, ctx, proc);
	n = list ? al_fill_ranges(skb, cb, hdr, proc) : -EMSGSIZE;
	rcu_read_unlock();
	return al_msg_end(skb, hdr, list, n < 0) ? : skb->len;
}
