/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unwind tables: uploaded by user space (UNWIND_LOAD), one per executable
 * file, used by the stack walk in the probe (stack.c). See the UAPI header
 * for the format and unwind.c for the locking.
 */
#ifndef _ANONLEAK_UNWIND_H
#define _ANONLEAK_UNWIND_H

#include <linux/types.h>
#include <linux/rculist.h>
#include <linux/anonleak.h>

struct inode;
struct sk_buff;
struct genl_info;
struct netlink_callback;
struct netlink_ext_ack;
struct nlattr;

/*
 * One table. Immutable once published: readers (probes) find it under RCU
 * and never take a lock; a replaced or dropped table is freed after a grace
 * period.
 */
struct al_utable {
	struct hlist_node node;		/* al_utable_hash, RCU */
	struct list_head list;		/* al_utables, load order, under the mutex */
	struct rcu_head rcu;
	u64 id;				/* unique, never reused */
	u64 ino;
	u64 size;			/* i_size of the file */
	u64 mtime;			/* ns since the epoch */
	u64 loaded;			/* CLOCK_BOOTTIME */
	size_t bytes;			/* all of it, as allocated */
	u32 dev;			/* kernel dev_t of the inode's sb */
	u32 nrows;
	u32 nrules;
	u32 first_page;			/* off[0] >> PAGE_SHIFT */
	u32 npages;			/* pages from first_page to the last row */
	u8 build_id_len;
	u8 build_id[20];
	const u32 *off;			/* [nrows] row start offsets, increasing */
	const u32 *rix;			/* [nrows] rule index of each row */
	const u32 *page;		/* [npages + 1] last row at or before each page */
	const struct anonleak_unwind_rule *rules;	/* [nrules] */
	const char *path;		/* for reports, may be "" */
};

int al_unwind_init(void);
void al_unwind_uninit(void);

/* Probe side, under rcu_read_lock(), preemption off. */
const struct al_utable *al_utable_find(const struct inode *inode);
const struct anonleak_unwind_rule *al_utable_rule(const struct al_utable *t,
						  u32 off);
bool al_unwind_any(void);

/* Netlink side (process context, genl_mutex held). */
int al_unwind_load_doit(struct sk_buff *skb, struct genl_info *info);
int al_unwind_drop_doit(struct sk_buff *skb, struct genl_info *info);
int al_unwind_dump_start(struct netlink_callback *cb);
int al_unwind_dump(struct sk_buff *skb, struct netlink_callback *cb);
extern const struct nla_policy al_unwind_load_policy[ANONLEAK_A_MAX + 1];
extern const struct nla_policy al_unwind_drop_policy[ANONLEAK_A_MAX + 1];

struct al_stats;
void al_unwind_stats_snapshot(struct al_stats *st);

#endif /* _ANONLEAK_UNWIND_H */
