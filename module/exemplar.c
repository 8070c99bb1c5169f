// SPDX-License-Identifier: GPL-2.0
/*
 * Exemplars: when a site is first seen, a copy of the top of its user stack,
 * the user registers and the process's executable file mappings, so that
 * user space can unwind the whole stack (libdwfl, with the objects' own
 * .eh_frame) beyond the key depth, even after the process exited.
 *
 * Taken in the do_mmap() return probe under proc->lock (site creation):
 * GFP_NOWAIT, page faults disabled, capped by max_exemplars and counted.
 * Immutable once its site is published; freed with the site (after its RCU
 * grace period), so GET_EXEMPLAR reads it under rcu_read_lock().
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <linux/pid_namespace.h>
#include <asm/ptrace.h>
#include <net/genetlink.h>

#include <linux/anonleak.h>

#include "anonleak.h"
#include "compat.h"

static atomic_long_t al_nr_exemplars = ATOMIC_LONG_INIT(0);
static atomic_long_t al_exemplar_bytes = ATOMIC_LONG_INIT(0);

/* The user registers in DWARF order (x86-64 psABI). */
static void al_exemplar_regs(const struct pt_regs *r, u64 *regs)
{
	regs[0] = r->ax;
	regs[1] = r->dx;
	regs[2] = r->cx;
	regs[3] = r->bx;
	regs[4] = r->si;
	regs[5] = r->di;
	regs[6] = r->bp;
	regs[7] = r->sp;
	regs[8] = r->r8;
	regs[9] = r->r9;
	regs[10] = r->r10;
	regs[11] = r->r11;
	regs[12] = r->r12;
	regs[13] = r->r13;
	regs[14] = r->r14;
	regs[15] = r->r15;
	regs[16] = r->ip;
}

/*
 * Copy up to @len bytes of stack from @sp, a page at a time: a page that is
 * not present ends the copy (we cannot fault it in here).
 */
static u32 al_exemplar_stack(unsigned long sp, u8 *dst, u32 len)
{
	u32 done = 0, n;

	while (done < len) {
		n = min_t(u32, len - done, PAGE_SIZE - ((sp + done) & ~PAGE_MASK));
		if (copy_from_user_nofault(dst + done,
					   (const void __user *)(sp + done), n))
			break;
		done += n;
	}
	return done;
}

static bool al_exec_file(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_EXEC) && vma->vm_file;
}

/*
 * The VMAs in address order with find_vma(): the same on every kernel
 * generation (rbtree or maple tree), and only run when a site is new.
 */
static struct vm_area_struct *al_vma_after(struct mm_struct *mm,
					   struct vm_area_struct *vma)
{
	return vma ? find_vma(mm, vma->vm_end) : find_vma(mm, 0);
}

/* How many executable file mappings (at most ANONLEAK_EXEMPLAR_MAPS). */
static unsigned int al_exemplar_nmaps(struct mm_struct *mm)
{
	struct vm_area_struct *vma = NULL;
	unsigned int n = 0;

	while ((vma = al_vma_after(mm, vma)))
		if (al_exec_file(vma) && ++n == ANONLEAK_EXEMPLAR_MAPS)
			break;
	return n;
}

/* The executable file mappings, each with its object. mmap_lock held. */
static void al_exemplar_maps(struct mm_struct *mm, struct al_exemplar *ex,
			     unsigned int max)
{
	struct vm_area_struct *vma = NULL;

	while (ex->nmaps < max && (vma = al_vma_after(mm, vma))) {
		struct al_exmap *m = &ex->maps[ex->nmaps];

		if (!al_exec_file(vma))
			continue;
		m->obj = al_object_get(mm, vma);
		if (!m->obj)
			continue;
		m->start = vma->vm_start;
		m->end = vma->vm_end;
		m->off = (u64)vma->vm_pgoff << PAGE_SHIFT;
		ex->nmaps++;
	}
}

static bool al_exemplar_slot(void)
{
	if (atomic_long_inc_return(&al_nr_exemplars) <= (long)READ_ONCE(al_max_exemplars))
		return true;
	atomic_long_dec(&al_nr_exemplars);
	al_stat_inc(drops_exemplars);
	return false;
}

/*
 * An exemplar for a new site of current, or NULL (counted in
 * drops_exemplars). Probe context, mmap_lock held, under proc->lock.
 */
struct al_exemplar *al_exemplar_take(struct mm_struct *mm, struct pt_regs *uregs)
{
	u32 want = round_down(READ_ONCE(al_exemplar_size), 8);
	struct al_exemplar *ex;
	unsigned int nmaps;

	if (!want || !uregs || !user_mode(uregs) || in_compat_syscall() ||
	    !al_exemplar_slot())
		return NULL;
	nmaps = al_exemplar_nmaps(mm);
	ex = kmalloc(struct_size(ex, maps, nmaps), GFP_NOWAIT | __GFP_NOWARN);
	if (ex)
		ex->stack = kmalloc(want, GFP_NOWAIT | __GFP_NOWARN);
	if (!ex || !ex->stack) {
		kfree(ex);
		atomic_long_dec(&al_nr_exemplars);
		al_stat_inc(drops_exemplars);
		return NULL;
	}
	al_exemplar_regs(uregs, ex->regs);
	ex->nmaps = 0;
	ex->stack_len = al_exemplar_stack(user_stack_pointer(uregs), ex->stack, want);
	al_exemplar_maps(mm, ex, nmaps);
	ex->bytes = ksize(ex) + ksize(ex->stack);
	atomic_long_add(ex->bytes, &al_exemplar_bytes);
	return ex;
}

static void al_exemplar_free_rcu(struct rcu_head *head)
{
	struct al_exemplar *ex = container_of(head, struct al_exemplar, rcu);

	kfree(ex->stack);
	kfree(ex);
}

/*
 * The site goes: drop the objects (they are freed after a grace period
 * themselves) and free the copy once readers under RCU are done with it.
 */
void al_exemplar_release(struct al_exemplar *ex)
{
	unsigned int i;

	if (!ex)
		return;
	for (i = 0; i < ex->nmaps; i++)
		al_object_put(ex->maps[i].obj);
	atomic_long_sub(ex->bytes, &al_exemplar_bytes);
	atomic_long_dec(&al_nr_exemplars);
	call_rcu(&ex->rcu, al_exemplar_free_rcu);
}

void al_exemplar_stats(u64 *count, u64 *bytes)
{
	*count = max(atomic_long_read(&al_nr_exemplars), 0L);
	*bytes = max(atomic_long_read(&al_exemplar_bytes), 0L);
}

/* GET_EXEMPLAR --------------------------------------------------------- */

static const struct nla_policy al_site_id_policy[ANONLEAK_SITE_A_MAX + 1] = {
	[ANONLEAK_SITE_A_ID] = { .type = NLA_U64 },
};

const struct nla_policy al_exemplar_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_PROC_ID] = { .type = NLA_U64 },
	[ANONLEAK_A_SITE] = NLA_POLICY_NESTED(al_site_id_policy),
};

static size_t al_exemplar_msg_size(const struct al_exemplar *ex)
{
	size_t maps = 0;
	unsigned int i;

	for (i = 0; i < ex->nmaps; i++)
		maps += nla_total_size(0) + 3 * nla_total_size_64bit(sizeof(u64)) +
			nla_total_size(strlen(ex->maps[i].obj->path) + 1) +
			nla_total_size(ex->maps[i].obj->build_id_len);
	return nla_total_size_64bit(sizeof(u64)) +	/* PROC_ID */
		nla_total_size(sizeof(u32)) +		/* PID */
		nla_total_size(0) +			/* EXEMPLAR */
		nla_total_size_64bit(sizeof(u64)) +	/* SITE_ID */
		nla_total_size(sizeof(ex->regs)) +
		nla_total_size(ex->stack_len) +
		nla_total_size(0) + maps;		/* MAPS */
}

static int al_exemplar_put_maps(struct sk_buff *skb, const struct al_exemplar *ex)
{
	struct nlattr *maps = nla_nest_start(skb, ANONLEAK_EXEMPLAR_A_MAPS);
	unsigned int i;

	if (!maps)
		return -EMSGSIZE;
	for (i = 0; i < ex->nmaps; i++) {
		const struct al_exmap *m = &ex->maps[i];
		struct nlattr *e = nla_nest_start(skb, 0);

		if (!e ||
		    al_put_u64(skb, ANONLEAK_EXMAP_A_START, m->start, ANONLEAK_EXMAP_A_PAD) ||
		    al_put_u64(skb, ANONLEAK_EXMAP_A_END, m->end, ANONLEAK_EXMAP_A_PAD) ||
		    al_put_u64(skb, ANONLEAK_EXMAP_A_OFFSET, m->off, ANONLEAK_EXMAP_A_PAD) ||
		    nla_put_string(skb, ANONLEAK_EXMAP_A_OBJECT, m->obj->path) ||
		    (m->obj->build_id_len &&
		     nla_put(skb, ANONLEAK_EXMAP_A_BUILD_ID, m->obj->build_id_len,
			     m->obj->build_id)))
			return -EMSGSIZE;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, maps);
	return 0;
}

static int al_exemplar_fill(struct sk_buff *skb, const struct al_site *site,
			    pid_t nr)
{
	const struct al_exemplar *ex = site->exemplar;
	struct nlattr *nest;

	if (al_put_u64(skb, ANONLEAK_A_PROC_ID, site->proc->id, ANONLEAK_A_PAD) ||
	    nla_put_u32(skb, ANONLEAK_A_PID, nr))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, ANONLEAK_A_EXEMPLAR);
	if (!nest ||
	    al_put_u64(skb, ANONLEAK_EXEMPLAR_A_SITE_ID, site->id, ANONLEAK_EXEMPLAR_A_PAD) ||
	    nla_put(skb, ANONLEAK_EXEMPLAR_A_REGS, sizeof(ex->regs), ex->regs) ||
	    nla_put(skb, ANONLEAK_EXEMPLAR_A_STACK, ex->stack_len, ex->stack) ||
	    al_exemplar_put_maps(skb, ex))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The site of (proc id, site id) with an exemplar, under rcu_read_lock(). */
static const struct al_site *al_exemplar_site(struct genl_info *info)
{
	struct nlattr *tb[ANONLEAK_SITE_A_MAX + 1];
	const struct al_site *site;
	int err;

	if (!info->attrs[ANONLEAK_A_PROC_ID] || !info->attrs[ANONLEAK_A_SITE]) {
		NL_SET_ERR_MSG(info->extack, "PROC_ID and a SITE nest with its ID are required");
		return ERR_PTR(-EINVAL);
	}
	err = nla_parse_nested(tb, ANONLEAK_SITE_A_MAX, info->attrs[ANONLEAK_A_SITE],
			       al_site_id_policy, info->extack);
	if (err)
		return ERR_PTR(err);
	if (!tb[ANONLEAK_SITE_A_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ANONLEAK_A_SITE],
				    "SITE_ID missing");
		return ERR_PTR(-EINVAL);
	}
	site = xa_load(&al_sites, nla_get_u64(tb[ANONLEAK_SITE_A_ID]));
	if (!site || site->proc->id != nla_get_u64(info->attrs[ANONLEAK_A_PROC_ID]) ||
	    !site->exemplar) {
		NL_SET_ERR_MSG(info->extack, "no exemplar for this site");
		return ERR_PTR(-ENOENT);
	}
	return site;
}

int al_exemplar_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	const struct al_site *site;
	struct sk_buff *msg;
	size_t size;
	void *hdr;
	pid_t nr;
	int err;

	rcu_read_lock();
	site = al_exemplar_site(info);
	if (IS_ERR(site)) {
		rcu_read_unlock();
		return PTR_ERR(site);
	}
	size = al_exemplar_msg_size(site->exemplar);
	rcu_read_unlock();

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = -ENOENT;
	rcu_read_lock();
	site = al_exemplar_site(info);
	/* A process invisible from the caller's namespace has no exemplar. */
	nr = IS_ERR(site) ? 0 : pid_nr_ns(site->proc->pid, ns);
	if (!IS_ERR(site) && nr) {
		hdr = genlmsg_put_reply(msg, info, &al_genl_family, 0,
					ANONLEAK_CMD_GET_EXEMPLAR);
		err = hdr ? al_exemplar_fill(msg, site, nr) : -EMSGSIZE;
		if (!err)
			genlmsg_end(msg, hdr);
	} else if (!IS_ERR(site)) {
		NL_SET_ERR_MSG(info->extack, "no exemplar for this site");
	} else {
		err = PTR_ERR(site);
	}
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}
