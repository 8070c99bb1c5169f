// SPDX-License-Identifier: GPL-2.0
/*
 * Unwind tables: what user space built from an executable file's
 * .eh_frame / .debug_frame, uploaded over netlink, looked up by the stack
 * walk in the probe (stack.c) for every frame.
 *
 * A table is keyed by its file's device and inode; its size and mtime are
 * checked against the inode at every lookup, so a file rebuilt in place (or
 * a new file on a reused inode number) never uses a stale table. Tables are
 * shared by every process that maps the file.
 *
 * Locking: al_unwind_mutex serialises writers (load, drop, unload; genl
 * ops are serialised anyway). Readers are RCU only: the probe finds a table
 * in al_utable_hash, the dump walks al_utables; a replaced or dropped table
 * is freed after a grace period. The per-CPU rule cache is only touched
 * with preemption off (probe handlers). Nothing here nests in or around
 * another anonleak lock.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/timekeeping.h>
#include <linux/limits.h>
#include <net/genetlink.h>

#include <linux/anonleak.h>

#include "anonleak.h"
#include "compat.h"
#include "unwind.h"

#define AL_UTABLE_HASH_BITS	10
#define AL_UPAGE_SHIFT		12	/* the page index's unit: 4 KiB of file */
#define AL_RULE_CACHE_BITS	8

static DEFINE_HASHTABLE(al_utable_hash, AL_UTABLE_HASH_BITS);
static LIST_HEAD(al_utables);		/* load order, RCU for the dump */
static DEFINE_MUTEX(al_unwind_mutex);	/* writers of both, and the totals */
static u64 al_utable_next_id = 1;	/* under the mutex */
static u64 al_unwind_tables, al_unwind_rows, al_unwind_bytes;
static atomic64_t al_unwind_refused = ATOMIC64_INIT(0);

/* (table id, offset) -> rule, per CPU: a repeated stack skips the search. */
struct al_rule_cache {
	u64 key[1 << AL_RULE_CACHE_BITS];
	struct anonleak_unwind_rule rule[1 << AL_RULE_CACHE_BITS];
};

/* Allocated at load: the modules' static per-CPU area is small (8 KiB). */
static struct al_rule_cache __percpu *al_rule_cache;

static u32 al_utable_key(u32 dev, u64 ino)
{
	return hash_64(ino ^ ((u64)dev << 40), 32);
}

bool al_unwind_any(void)
{
	return READ_ONCE(al_unwind_tables) != 0;
}

/* The table of @inode, if one is loaded and still matches it. RCU. */
const struct al_utable *al_utable_find(const struct inode *inode)
{
	u32 dev = inode->i_sb->s_dev;
	u64 ino = inode->i_ino;
	struct al_utable *t;

	hash_for_each_possible_rcu(al_utable_hash, t, node, al_utable_key(dev, ino)) {
		if (t->dev != dev || t->ino != ino)
			continue;
		if (t->size != (u64)i_size_read(inode) ||
		    t->mtime != al_inode_mtime_ns(inode))
			return NULL;	/* the file changed since the upload */
		return t;
	}
	return NULL;
}

/* The last row at or before @off: the page index, then a binary search. */
static const struct anonleak_unwind_rule *
al_utable_search(const struct al_utable *t, u32 off)
{
	u32 p, lo, hi, mid;

	if (off < t->off[0])
		return NULL;
	p = (off >> AL_UPAGE_SHIFT) - t->first_page;
	if (p >= t->npages) {
		lo = t->nrows - 1;
		hi = lo;
	} else {
		lo = t->page[p];
		hi = t->page[p + 1];
	}
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (t->off[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return &t->rules[t->rix[lo]];
}

/*
 * The rule for file offset @off of @t, through the per-CPU cache; a copy,
 * valid until the next call on this CPU. Preemption off (probe handler).
 */
const struct anonleak_unwind_rule *al_utable_rule(const struct al_utable *t,
						  u32 off)
{
	struct al_rule_cache *c = this_cpu_ptr(al_rule_cache);
	u64 key = (t->id << 32) | off;
	u32 i = hash_32(off ^ (u32)(t->id * 0x9e3779b9U), AL_RULE_CACHE_BITS);
	const struct anonleak_unwind_rule *r;

	if (c->key[i] == key)
		return &c->rule[i];
	r = al_utable_search(t, off);
	if (!r)
		return NULL;
	c->key[i] = key;
	c->rule[i] = *r;
	return &c->rule[i];
}

static void al_utable_free(struct al_utable *t)
{
	kvfree(t->off);
	kvfree(t->rules);
	kvfree(t->page);
	kfree(t);
}

static void al_utable_free_rcu(struct rcu_head *head)
{
	al_utable_free(container_of(head, struct al_utable, rcu));
}

/* UNWIND_LOAD --------------------------------------------------------- */

static const struct nla_policy al_unwind_policy[ANONLEAK_UNWIND_A_MAX + 1] = {
	[ANONLEAK_UNWIND_A_DEV] = { .type = NLA_U32 },
	[ANONLEAK_UNWIND_A_INO] = { .type = NLA_U64 },
	[ANONLEAK_UNWIND_A_SIZE] = { .type = NLA_U64 },
	[ANONLEAK_UNWIND_A_MTIME] = { .type = NLA_U64 },
	[ANONLEAK_UNWIND_A_BUILD_ID] = { .type = NLA_BINARY, .len = 20 },
	[ANONLEAK_UNWIND_A_PATH] = { .type = NLA_NUL_STRING, .len = PATH_MAX - 1 },
};

const struct nla_policy al_unwind_load_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_UNWIND] = NLA_POLICY_NESTED(al_unwind_policy),
	[ANONLEAK_A_UNWIND_RULES] = { .type = NLA_BINARY },
	[ANONLEAK_A_UNWIND_ROWS] = { .type = NLA_BINARY },
};

/* DEV and INO only: the identity of a table to drop. */
static const struct nla_policy al_unwind_id_policy[ANONLEAK_UNWIND_A_MAX + 1] = {
	[ANONLEAK_UNWIND_A_DEV] = { .type = NLA_U32 },
	[ANONLEAK_UNWIND_A_INO] = { .type = NLA_U64 },
};

const struct nla_policy al_unwind_drop_policy[ANONLEAK_A_MAX + 1] = {
	[ANONLEAK_A_UNWIND] = NLA_POLICY_NESTED(al_unwind_id_policy),
};

/* The request's top-level attributes, where the rows and rules are. */
struct al_chunks {
	const struct nlattr *head;
	int len;
};

/* Total length of every @type attribute; -EINVAL if not whole units. */
static long al_chunks_len(const struct al_chunks *c, int type, size_t unit,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	long len = 0;
	int rem;

	nla_for_each_attr(a, c->head, c->len, rem) {
		if (nla_type(a) != type)
			continue;
		if (nla_len(a) % unit) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "not a whole number of rows or rules");
			return -EINVAL;
		}
		len += nla_len(a);
	}
	return len;
}

/* Concatenate every @type attribute into @dst. */
static void al_chunks_copy(const struct al_chunks *c, int type, void *dst)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_attr(a, c->head, c->len, rem) {
		if (nla_type(a) != type)
			continue;
		memcpy(dst, nla_data(a), nla_len(a));
		dst += nla_len(a);
	}
}

static int al_rules_check(const struct anonleak_unwind_rule *r, u32 n,
			  struct netlink_ext_ack *extack)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (r[i].cfa >= __ANONLEAK_UNWIND_CFA_MAX ||
		    r[i].fp >= __ANONLEAK_UNWIND_FP_MAX) {
			NL_SET_ERR_MSG_FMT_COMPAT(extack, "rule %u has an unknown kind", i);
			return -EINVAL;
		}
		if (r[i].cfa_off > ANONLEAK_UNWIND_MAX_OFF ||
		    r[i].cfa_off < -ANONLEAK_UNWIND_MAX_OFF) {
			NL_SET_ERR_MSG_FMT_COMPAT(extack, "rule %u: CFA offset out of range", i);
			return -EINVAL;
		}
	}
	return 0;
}

/* Split the uploaded rows into t->off / t->rix, checking them. */
static int al_rows_take(struct al_utable *t, const struct anonleak_unwind_row *rows,
			struct netlink_ext_ack *extack)
{
	u32 *off = (u32 *)t->off, *rix = (u32 *)t->rix;
	u32 i;

	for (i = 0; i < t->nrows; i++) {
		if (i && rows[i].off <= rows[i - 1].off) {
			NL_SET_ERR_MSG_FMT_COMPAT(extack, "row %u is not after row %u", i, i - 1);
			return -EINVAL;
		}
		if (rows[i].rule >= t->nrules) {
			NL_SET_ERR_MSG_FMT_COMPAT(extack, "row %u names rule %u of %u", i,
						  rows[i].rule, t->nrules);
			return -EINVAL;
		}
		off[i] = rows[i].off;
		rix[i] = rows[i].rule;
	}
	return 0;
}

/* page[p]: the last row at or before the start of page first_page + p. */
static int al_page_index(struct al_utable *t)
{
	u32 *page, p, i = 0;

	t->first_page = t->off[0] >> AL_UPAGE_SHIFT;
	t->npages = (t->off[t->nrows - 1] >> AL_UPAGE_SHIFT) - t->first_page + 1;
	page = kvmalloc_array(t->npages + 1, sizeof(*page), GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	for (p = 0; p < t->npages; p++) {
		u64 start = (u64)(t->first_page + p) << AL_UPAGE_SHIFT;

		while (i + 1 < t->nrows && t->off[i + 1] <= start)
			i++;
		page[p] = i;
	}
	page[t->npages] = t->nrows - 1;
	t->page = page;
	return 0;
}

/* Sizes from the request, then the rows and rules, checked. */
static int al_utable_fill(struct al_utable *t, const struct al_chunks *c,
			  const struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct anonleak_unwind_row *rows;
	long rows_len, rules_len;
	int err;

	rows_len = al_chunks_len(c, ANONLEAK_A_UNWIND_ROWS, sizeof(*rows), extack);
	rules_len = al_chunks_len(c, ANONLEAK_A_UNWIND_RULES,
				  sizeof(struct anonleak_unwind_rule), extack);
	if (rows_len < 0 || rules_len < 0)
		return -EINVAL;
	t->nrows = rows_len / sizeof(*rows);
	t->nrules = rules_len / sizeof(struct anonleak_unwind_rule);
	if (!t->nrows || t->nrows > ANONLEAK_UNWIND_MAX_ROWS ||
	    !t->nrules || t->nrules > ANONLEAK_UNWIND_MAX_RULES) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "rows or rules missing, or too many");
		return -EINVAL;
	}
	t->rules = kvmalloc(rules_len, GFP_KERNEL);
	t->off = kvmalloc_array(t->nrows, 2 * sizeof(u32), GFP_KERNEL);
	rows = kvmalloc(rows_len, GFP_KERNEL);
	err = -ENOMEM;
	if (!t->rules || !t->off || !rows)
		goto out;
	t->rix = t->off + t->nrows;
	al_chunks_copy(c, ANONLEAK_A_UNWIND_RULES, (void *)t->rules);
	al_chunks_copy(c, ANONLEAK_A_UNWIND_ROWS, rows);
	err = al_rules_check(t->rules, t->nrules, extack);
	if (!err)
		err = al_rows_take(t, rows, extack);
	if (!err)
		err = al_page_index(t);
	t->bytes = sizeof(*t) + strlen(t->path) + 1 + rules_len +
		   t->nrows * 2 * sizeof(u32) + (t->npages + 1) * sizeof(u32);
out:
	kvfree(rows);
	return err;
}

static struct al_utable *al_utable_lookup_id(u32 dev, u64 ino)
{
	struct al_utable *t;

	lockdep_assert_held(&al_unwind_mutex);
	hash_for_each_possible(al_utable_hash, t, node, al_utable_key(dev, ino))
		if (t->dev == dev && t->ino == ino)
			return t;
	return NULL;
}

static void al_utable_unpublish(struct al_utable *t)
{
	lockdep_assert_held(&al_unwind_mutex);
	hash_del_rcu(&t->node);
	list_del_rcu(&t->list);
	WRITE_ONCE(al_unwind_tables, al_unwind_tables - 1);
	WRITE_ONCE(al_unwind_rows, al_unwind_rows - t->nrows);
	WRITE_ONCE(al_unwind_bytes, al_unwind_bytes - t->bytes);
	call_rcu(&t->rcu, al_utable_free_rcu);
}

/* Within max_unwind_bytes, counting what @t replaces? Then publish it. */
static int al_utable_publish(struct al_utable *t, struct netlink_ext_ack *extack)
{
	struct al_utable *old;
	u64 total;

	mutex_lock(&al_unwind_mutex);
	old = al_utable_lookup_id(t->dev, t->ino);
	total = al_unwind_bytes - (old ? old->bytes : 0) + t->bytes;
	if (total > READ_ONCE(al_max_unwind_bytes)) {
		mutex_unlock(&al_unwind_mutex);
		atomic64_inc(&al_unwind_refused);
		NL_SET_ERR_MSG(extack, "max_unwind_bytes reached: table not loaded");
		return -ENOSPC;
	}
	if (old)
		al_utable_unpublish(old);
	t->id = al_utable_next_id++;
	t->loaded = ktime_get_boottime_ns();
	hash_add_rcu(al_utable_hash, &t->node, al_utable_key(t->dev, t->ino));
	list_add_tail_rcu(&t->list, &al_utables);
	WRITE_ONCE(al_unwind_tables, al_unwind_tables + 1);
	WRITE_ONCE(al_unwind_rows, al_unwind_rows + t->nrows);
	WRITE_ONCE(al_unwind_bytes, al_unwind_bytes + t->bytes);
	mutex_unlock(&al_unwind_mutex);
	return 0;
}

static const int al_unwind_required[] = {
	ANONLEAK_UNWIND_A_DEV, ANONLEAK_UNWIND_A_INO, ANONLEAK_UNWIND_A_SIZE,
	ANONLEAK_UNWIND_A_MTIME,
};

/* The identity and path of the table in @tb; the table itself after. */
static struct al_utable *al_utable_new(struct nlattr **tb, struct nlattr *nest,
				       struct netlink_ext_ack *extack)
{
	const char *path = tb[ANONLEAK_UNWIND_A_PATH] ?
			   nla_data(tb[ANONLEAK_UNWIND_A_PATH]) : "";
	struct nlattr *bid = tb[ANONLEAK_UNWIND_A_BUILD_ID];
	struct al_utable *t;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(al_unwind_required); i++) {
		if (!tb[al_unwind_required[i]]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "DEV, INO, SIZE and MTIME are required");
			return ERR_PTR(-EINVAL);
		}
	}
	if (bid && !nla_len(bid)) {
		NL_SET_ERR_MSG_ATTR(extack, bid, "empty build-id");
		return ERR_PTR(-EINVAL);
	}
	t = kzalloc(sizeof(*t) + strlen(path) + 1, GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	strcpy((char *)(t + 1), path);
	t->path = (const char *)(t + 1);
	t->dev = nla_get_u32(tb[ANONLEAK_UNWIND_A_DEV]);
	t->ino = nla_get_u64(tb[ANONLEAK_UNWIND_A_INO]);
	t->size = nla_get_u64(tb[ANONLEAK_UNWIND_A_SIZE]);
	t->mtime = nla_get_u64(tb[ANONLEAK_UNWIND_A_MTIME]);
	if (bid) {
		t->build_id_len = nla_len(bid);
		memcpy(t->build_id, nla_data(bid), t->build_id_len);
	}
	return t;
}

int al_unwind_load_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[ANONLEAK_UNWIND_A_MAX + 1];
	struct nlattr *nest = info->attrs[ANONLEAK_A_UNWIND];
	struct al_chunks c = {
		.head = nlmsg_attrdata(info->nlhdr, GENL_HDRLEN),
		.len = nlmsg_attrlen(info->nlhdr, GENL_HDRLEN),
	};
	struct al_utable *t;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "the file goes in an ANONLEAK_A_UNWIND nest");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, ANONLEAK_UNWIND_A_MAX, nest, al_unwind_policy,
			       info->extack);
	if (err)
		return err;
	t = al_utable_new(tb, nest, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);
	err = al_utable_fill(t, &c, nest, info->extack);
	if (!err)
		err = al_utable_publish(t, info->extack);
	if (err)
		al_utable_free(t);
	return err;
}

/* UNWIND_DROP --------------------------------------------------------- */

static void al_unwind_drop_all(void)
{
	struct al_utable *t, *tmp;

	lockdep_assert_held(&al_unwind_mutex);
	list_for_each_entry_safe(t, tmp, &al_utables, list)
		al_utable_unpublish(t);
}

int al_unwind_drop_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[ANONLEAK_UNWIND_A_MAX + 1];
	struct nlattr *nest = info->attrs[ANONLEAK_A_UNWIND];
	struct al_utable *t;
	int err;

	mutex_lock(&al_unwind_mutex);
	if (!nest) {
		al_unwind_drop_all();
		mutex_unlock(&al_unwind_mutex);
		return 0;
	}
	err = nla_parse_nested(tb, ANONLEAK_UNWIND_A_MAX, nest,
			       al_unwind_id_policy, info->extack);
	if (!err && (!tb[ANONLEAK_UNWIND_A_DEV] || !tb[ANONLEAK_UNWIND_A_INO])) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "DEV and INO are required");
		err = -EINVAL;
	}
	if (!err) {
		t = al_utable_lookup_id(nla_get_u32(tb[ANONLEAK_UNWIND_A_DEV]),
					nla_get_u64(tb[ANONLEAK_UNWIND_A_INO]));
		if (t) {
			al_utable_unpublish(t);
		} else {
			NL_SET_ERR_MSG_ATTR(info->extack, nest, "no table of this file");
			err = -ENOENT;
		}
	}
	mutex_unlock(&al_unwind_mutex);
	return err;
}

/* GET_UNWIND ---------------------------------------------------------- */

/* The largest GET_UNWIND message: a table with the longest path allowed. */
static size_t al_unwind_msg_size(void)
{
	return nlmsg_total_size(GENL_HDRLEN +
		nla_total_size(0) +				/* ANONLEAK_A_UNWIND */
		3 * nla_total_size(sizeof(u32)) +		/* DEV, NROWS, NRULES */
		6 * nla_total_size_64bit(sizeof(u64)) +		/* INO, SIZE, MTIME, */
								/* ID, BYTES, LOADED */
		nla_total_size(sizeof_field(struct al_utable, build_id)) +
		nla_total_size(PATH_MAX));			/* PATH, its NUL */
}

/*
 * A dump's first skb is NLMSG_GOODSIZE (under 4 KiB) unless the reader
 * made the socket's reads larger before: a table with a long path would
 * not fit an empty one, and the dump would end in -EMSGSIZE. Ask for room
 * for the largest message.
 */
int al_unwind_dump_start(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(u64) > sizeof(cb->ctx));
	*(u64 *)cb->ctx = 0;
	cb->min_dump_alloc = al_unwind_msg_size();
	return 0;
}

static int al_unwind_fill(struct sk_buff *skb, const struct al_utable *t)
{
	struct nlattr *nest = nla_nest_start(skb, ANONLEAK_A_UNWIND);

	if (!nest ||
	    nla_put_u32(skb, ANONLEAK_UNWIND_A_DEV, t->dev) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_INO, t->ino, ANONLEAK_UNWIND_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_SIZE, t->size, ANONLEAK_UNWIND_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_MTIME, t->mtime, ANONLEAK_UNWIND_A_PAD) ||
	    (t->build_id_len &&
	     nla_put(skb, ANONLEAK_UNWIND_A_BUILD_ID, t->build_id_len, t->build_id)) ||
	    nla_put_string(skb, ANONLEAK_UNWIND_A_PATH, t->path) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_ID, t->id, ANONLEAK_UNWIND_A_PAD) ||
	    nla_put_u32(skb, ANONLEAK_UNWIND_A_NROWS, t->nrows) ||
	    nla_put_u32(skb, ANONLEAK_UNWIND_A_NRULES, t->nrules) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_BYTES, t->bytes, ANONLEAK_UNWIND_A_PAD) ||
	    al_put_u64(skb, ANONLEAK_UNWIND_A_LOADED, t->loaded, ANONLEAK_UNWIND_A_PAD)) {
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int al_unwind_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	u64 *next = (u64 *)cb->ctx;
	const struct al_utable *t;
	int err = 0;
	void *hdr;

	rcu_read_lock();
	list_for_each_entry_rcu(t, &al_utables, list) {
		if (t->id <= *next)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &al_genl_family, NLM_F_MULTI, ANONLEAK_CMD_GET_UNWIND);
		if (!hdr || al_unwind_fill(skb, t)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			err = skb->len ? skb->len : -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		*next = t->id;
	}
	rcu_read_unlock();
	return err ? err : skb->len;
}

void al_unwind_stats_snapshot(struct al_stats *st)
{
	st->unwind_tables = READ_ONCE(al_unwind_tables);
	st->unwind_rows = READ_ONCE(al_unwind_rows);
	st->unwind_bytes = READ_ONCE(al_unwind_bytes);
	st->unwind_refused = atomic64_read(&al_unwind_refused);
}

int al_unwind_init(void)
{
	al_rule_cache = alloc_percpu(struct al_rule_cache);
	return al_rule_cache ? 0 : -ENOMEM;
}

/* Probes are gone: nothing can be looking at a table any more. */
void al_unwind_uninit(void)
{
	mutex_lock(&al_unwind_mutex);
	al_unwind_drop_all();
	mutex_unlock(&al_unwind_mutex);
	rcu_barrier();
	free_percpu(al_rule_cache);
}
