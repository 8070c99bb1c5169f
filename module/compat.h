/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernel generations anonleak supports (5.10,
 * 6.1, 6.12, 7.3), in one place: the rest of the module uses these and no
 * version checks of its own. The AL_* feature macros come from Kbuild,
 * which derives them from the version of the kernel built against.
 */
#ifndef _ANONLEAK_COMPAT_H
#define _ANONLEAK_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/time64.h>
#include <linux/bits.h>
#include <linux/kprobes.h>
#include <asm/ptrace.h>
#include <net/netlink.h>
#include <net/genetlink.h>

/* --- inode times: i_mtime became accessors in 6.7 --------------------- */
static inline u64 al_inode_mtime_ns(const struct inode *inode)
{
#ifdef AL_INODE_TIME_ACCESSORS
	struct timespec64 ts = inode_get_mtime(inode);
#else
	struct timespec64 ts = inode->i_mtime;
#endif
	return timespec64_to_ns(&ts);
}

/*
 * --- extack messages with numbers: NL_SET_ERR_MSG_FMT came in 6.3 ------
 * Before, a buffer of our own: this family's ops are serialised by
 * genl_mutex (no parallel_ops), so one buffer is enough.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define NL_SET_ERR_MSG_FMT_COMPAT(extack, fmt, args...)	\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
extern char al_extack_buf[80];
#define NL_SET_ERR_MSG_FMT_COMPAT(extack, fmt, args...) do {		\
	struct netlink_ext_ack *__e = (extack);				\
									\
	if (__e) {							\
		snprintf(al_extack_buf, sizeof(al_extack_buf), fmt, ##args); \
		__e->_msg = al_extack_buf;				\
	}								\
} while (0)
#endif

/*
 * --- the VMA code: an rbtree before 6.1, the maple tree since ----------
 * Some probe candidates fit one generation only (module/probes.c, al_syms[]
 * .gens): a function of the same name that is there in the other one but
 * is not on the path we want, or takes other arguments.
 */
#define AL_GEN_RBTREE	BIT(0)	/* 5.10 */
#define AL_GEN_MAPLE	BIT(1)	/* 6.1 and later */
#ifdef AL_RBTREE_VMAS
#define AL_GEN_THIS	AL_GEN_RBTREE
#else
#define AL_GEN_THIS	AL_GEN_MAPLE
#endif

/*
 * --- move_page_tables(): where mremap() moves a range ------------------
 * Until 6.15: (vma, old_addr, new_vma, new_addr, len, need_rmap_locks).
 * Since 6.16 (mremap rewritten around struct vma_remap_struct): one
 * struct pagetable_move_control *, declared in mm/internal.h, which the
 * headers package does not ship; its leading fields, as 7.3 has them.
 */
struct al_move_args {
	struct mm_struct *mm;
	unsigned long old_addr;
	unsigned long new_addr;
	unsigned long len;
};

#ifdef AL_PAGETABLE_MOVE_CONTROL
struct al_pagetable_move_control {
	struct vm_area_struct *old;
	struct vm_area_struct *new;
	unsigned long old_addr;
	unsigned long old_end;
	unsigned long new_addr;
	unsigned long len_in;
};

static inline void al_move_args(struct pt_regs *regs, struct al_move_args *a)
{
	const struct al_pagetable_move_control *pmc =
		(const void *)regs_get_kernel_argument(regs, 0);

	a->mm = pmc->old->vm_mm;
	a->old_addr = pmc->old_addr;
	a->new_addr = pmc->new_addr;
	a->len = pmc->len_in;
}
#else
static inline void al_move_args(struct pt_regs *regs, struct al_move_args *a)
{
	const struct vm_area_struct *vma =
		(const void *)regs_get_kernel_argument(regs, 0);

	a->mm = vma->vm_mm;
	a->old_addr = regs_get_kernel_argument(regs, 1);
	a->new_addr = regs_get_kernel_argument(regs, 3);
	a->len = regs_get_kernel_argument(regs, 4);
}
#endif

/*
 * --- faults in probe handlers: counted as missed hits before 5.14 -------
 * Until 5.14 (which removed kprobe::fault_handler), x86's
 * kprobe_fault_handler() adds one to the running kprobe's nmissed for every
 * page fault its handler takes, then lets the kprobe's fault_handler and
 * the exception table fix it up: a user read that faults (a stack page or
 * an object's header not paged in yet) looks like a missed hit although the
 * hit was delivered. The fault handler sees each of those faults, so the
 * module counts them and takes them off (al_probes_missed()).
 * register_kretprobe() clears kp.fault_handler there: it is set while the
 * return probe is still disabled, then the probe is armed.
 */
#define AL_FAULT_HANDLER(name)						\
	int name(struct kprobe *kp, struct pt_regs *regs, int trapnr)

static inline int al_register_kprobe(struct kprobe *kp,
				     AL_FAULT_HANDLER((*fault)))
{
#ifdef AL_KPROBE_FAULT_HANDLER
	kp->fault_handler = fault;
#endif
	return register_kprobe(kp);
}

static inline int al_register_kretprobe(struct kretprobe *rp,
					AL_FAULT_HANDLER((*fault)))
{
#ifdef AL_KPROBE_FAULT_HANDLER
	int err;

	rp->kp.flags |= KPROBE_FLAG_DISABLED;
	err = register_kretprobe(rp);
	if (err)
		return err;
	rp->kp.fault_handler = fault;
	err = enable_kretprobe(rp);
	if (err)
		unregister_kretprobe(rp);
	return err;
#else
	return register_kretprobe(rp);
#endif
}

/* --- netlink ------------------------------------------------------------ */

/*
 * Multicast groups only CAP_NET_ADMIN may join: GENL_MCAST_CAP_NET_ADMIN
 * (6.7, and the stable 6.1 and 6.6 kernels); 5.10 has only the stricter
 * cap_sys_admin bit.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define AL_MCGRP_ADMIN_ONLY	.flags = GENL_MCAST_CAP_NET_ADMIN
#else
#define AL_MCGRP_ADMIN_ONLY	.cap_sys_admin = 1
#endif

/* A required attribute: GENL_REQ_ATTR_CHECK (6.0) also tells extack which. */
#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr)	(!(info)->attrs[(attr)])
#endif

/* nla_strlcpy() became nla_strscpy() in 5.11. */
#ifndef AL_NLA_STRSCPY
static inline ssize_t nla_strscpy(char *dst, const struct nlattr *nla,
				  size_t dstsize)
{
	return nla_strlcpy(dst, nla, dstsize);
}
#endif

#endif /* _ANONLEAK_COMPAT_H */
