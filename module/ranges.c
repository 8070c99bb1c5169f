// SPDX-License-Identifier: GPL-2.0
/*
 * Range records: what each running address space still has mapped, as
 * al_range records in its proc's rbtree, and the arithmetic that keeps them
 * true: a mapping inserts one (retiring whatever it replaced), an unmap
 * retires, trims or splits them, mremap() moves, copies or grows them. All
 * of it runs in probe handlers, under proc->lock, with preemption off: the
 * allocations are GFP_NOWAIT, and a record that cannot be made is a drop.
 */
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/uidgid.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/percpu.h>
#include <linux/irqflags.h>
#include <linux/moduleparam.h>

#include <linux/anonleak.h>

#include "anonleak.h"

static struct kmem_cache *al_range_cache;
atomic_long_t al_nr_ranges = ATOMIC_LONG_INIT(0);

/*
 * Records freed in a probe go to a small per-CPU stack and come back from
 * it at the next mapping: a pair of slab calls saved on every mmap+munmap
 * pair. Bounded by range_pool per CPU (0: straight to the slab); the
 * records in it are not counted in al_nr_ranges (they are not live), they
 * go back to the slab at unload.
 */
struct al_range_pool {
	struct al_range *head;		/* linked through node.rb_right */
	unsigned int nr;
};

static DEFINE_PER_CPU(struct al_range_pool, al_range_pools);
static unsigned int range_pool = 32;
module_param(range_pool, uint, 0444);
MODULE_PARM_DESC(range_pool,
		 "Freed mapping records each CPU keeps for reuse (default 32, at most 1024)");

static __always_inline struct al_range *al_range_pool_get(void)
{
	struct al_range_pool *pool;
	struct al_range *r;
	unsigned long flags;

	local_irq_save(flags);
	pool = this_cpu_ptr(&al_range_pools);
	r = pool->head;
	if (r) {
		pool->head = (struct al_range *)r->node.rb_right;
		pool->nr--;
	}
	local_irq_restore(flags);
	return r;
}

static __always_inline bool al_range_pool_put(struct al_range *r)
{
	struct al_range_pool *pool;
	unsigned long flags;
	bool kept = false;

	local_irq_save(flags);
	pool = this_cpu_ptr(&al_range_pools);
	if (pool->nr < min(READ_ONCE(range_pool), 1024U)) {
		r->node.rb_right = (struct rb_node *)pool->head;
		pool->head = r;
		pool->nr++;
		kept = true;
	}
	local_irq_restore(flags);
	return kept;
}

/*
 * A new record, counted against max_mappings; NULL, with the drop counted,
 * when the cap is reached or memory is short.
 */
static __always_inline struct al_range *al_range_alloc(void)
{
	struct al_range *r;

	if (!al_cap_take(&al_nr_ranges, READ_ONCE(al_max_mappings))) {
		al_drop(mappings, "max_mappings reached");
		return NULL;
	}
	r = al_range_pool_get();
	if (!r)
		r = kmem_cache_alloc(al_range_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!r) {
		atomic_long_dec(&al_nr_ranges);
		al_drop(nomem, "out of memory in a probe");
	}
	return r;
}

static void al_range_insert(struct al_proc *proc, struct al_range *new)
{
	struct rb_node **link = &proc->ranges.rb_node, *parent = NULL;

	while (*link) {
		struct al_range *r = rb_entry(*link, struct al_range, node);

		parent = *link;
		if (new->start < r->start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &proc->ranges);
	proc->changes++;
}

/* The first range that ends after @start, or NULL. */
struct al_range *al_range_first(struct al_proc *proc, unsigned long start)
{
	struct rb_node *node = proc->ranges.rb_node;
	struct al_range *found = NULL;

	while (node) {
		struct al_range *r = rb_entry(node, struct al_range, node);

		if (r->end > start) {
			found = r;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found;
}

/* A record gone in a probe: into this CPU's pool, else to the slab. */
static void al_range_free(struct al_range *r)
{
	if (!al_range_pool_put(r))
		kmem_cache_free(al_range_cache, r);
	atomic_long_dec(&al_nr_ranges);
}

/* Account @bytes of @r's site as gone; @whole: the record itself is gone. */
static void al_account_unmap(struct al_proc *proc, struct al_range *r,
			     unsigned long bytes, bool whole)
{
	struct al_site *site = r->site;

	site->live_bytes -= bytes;
	site->unmapped_bytes += bytes;
	proc->live_bytes -= bytes;
	al_stat_add(live_bytes, -(s64)bytes);
	if (whole) {
		site->live_count--;
		site->total_unmaps++;
		proc->live_count--;
		al_stat_inc(unmaps);
		if (r->birth == site->oldest)
			proc->oldest_stale = true;
	}
}

/*
 * A copy of @r for [@start, @end) in @proc's tree: one more live range of
 * its site, counted as a split. NULL (a drop) if it cannot be made.
 */
static struct al_range *al_range_dup(struct al_proc *proc,
				     const struct al_range *r,
				     unsigned long start, unsigned long end)
{
	struct al_range *n = al_range_alloc();

	if (!n)
		return NULL;
	*n = *r;
	n->start = start;
	n->end = end;
	al_range_insert(proc, n);
	n->site->live_count++;
	n->site->splits++;
	proc->live_count++;
	return n;
}

/*
 * Unmap [@start, @end) from the middle of @r: the right part becomes a
 * record of its own, with @r's seq (an unmap in flight still covers it).
 */
static void al_range_split(struct al_proc *proc, struct al_range *r,
			   unsigned long start, unsigned long end)
{
	if (!al_range_dup(proc, r, end, r->end)) {
		/* Cannot keep the right part: forget it. */
		al_account_unmap(proc, r, r->end - start, false);
		r->end = start;
		return;
	}
	r->end = start;
	al_account_unmap(proc, r, end - start, false);
}

/*
 * Retire [start, end) from @proc's records: remove ranges inside it, trim
 * ranges that stick out, split a range that contains it. When @seq_limit is
 * set, ranges inserted after the unmap began (seq newer than @seq) are left
 * alone: on kernels whose munmap drops mmap_lock before returning, another
 * thread may already have mapped the hole again.
 *
 * Without @seq_limit the caller maps or moves something into [start, end)
 * under mmap_lock held for write, so an unmap in flight that overlaps it has
 * done its work and only its probe has yet to return: apply that unmap
 * first, so that its ranges are counted as it unmapped them (whole, trimmed
 * or split) rather than as cut by the new mapping.
 */
static void __al_retire(struct al_proc *proc, unsigned long start,
			unsigned long end, bool seq_limit, u32 seq)
{
	struct al_range *r, *next;
	struct al_unmap_ctx *u;
	struct rb_node *node;

	lockdep_assert_held(&proc->lock);
	if (!seq_limit) {
		list_for_each_entry(u, &proc->unmaps, node) {
			if (u->done || u->end <= start || end <= u->start)
				continue;
			u->done = true;
			__al_retire(proc, u->start, u->end, true, u->seq);
		}
	}
	for (r = al_range_first(proc, start); r && r->start < end; r = next) {
		node = rb_next(&r->node);
		next = node ? rb_entry(node, struct al_range, node) : NULL;

		if (seq_limit && (s32)(r->seq - seq) > 0)
			continue;
		proc->changes++;

		if (r->start >= start && r->end <= end) {
			al_account_unmap(proc, r, r->end - r->start, true);
			rb_erase(&r->node, &proc->ranges);
			al_range_free(r);
		} else if (r->start < start && r->end > end) {
			al_range_split(proc, r, start, end);
			return;
		} else if (r->start < start) {
			al_account_unmap(proc, r, r->end - start, false);
			r->end = start;
		} else {
			al_account_unmap(proc, r, end - r->start, false);
			r->start = end;
		}
	}
}

/* Account @bytes of new memory to @r's site (a mapping, a copy, a growth). */
static __always_inline void al_account_grow(struct al_proc *proc,
					    struct al_range *r,
					    unsigned long bytes)
{
	struct al_site *site = r->site;

	site->live_bytes += bytes;
	site->mapped_bytes += bytes;
	if (site->live_bytes > site->peak_bytes)
		site->peak_bytes = site->live_bytes;
	proc->live_bytes += bytes;
	al_stat_add(live_bytes, bytes);
}

/*
 * Is current's process one the filters let in? Asked at each mapping of a
 * process without a record, so inlined in al_map().
 */
static bool al_proc_wanted(void)
{
	int pid = READ_ONCE(al_filter_pid);
	int uid = READ_ONCE(al_filter_uid);
	struct task_struct *t;
	bool found = false;

	if (al_filter_comm[0] &&
	    strncmp(current->group_leader->comm, al_filter_comm, TASK_COMM_LEN))
		return false;
	if (uid >= 0 && from_kuid(&init_user_ns, current_uid()) != uid)
		return false;
	if (!pid)
		return true;
	/* The process itself or a descendant: walk up to init. */
	rcu_read_lock();
	for (t = current; t->pid > 1; t = rcu_dereference(t->real_parent)) {
		if (t->tgid == pid) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Record @r, whose range is set, under the site of this stack. */
static void al_range_add(struct al_proc *proc, struct mm_struct *mm,
			 struct al_range *r, const unsigned long *frames,
			 unsigned int depth, u32 sflags, struct pt_regs *uregs)
{
	struct al_site *site;
	u64 now = r->birth;

	lockdep_assert_held(&proc->lock);
	site = al_site_get(proc, mm, frames, depth, now, sflags, uregs);
	if (!site) {
		al_range_free(r);
		return;
	}
	r->site = site;
	r->seq = ++proc->seq;
	al_range_insert(proc, r);

	if (!site->live_count)
		site->oldest = now;
	site->live_count++;
	site->total_maps++;
	site->last_seen = now;
	proc->live_count++;
	al_stat_inc(maps);
	al_account_grow(proc, r, r->end - r->start);
}

void al_map(struct mm_struct *mm, struct pt_regs *uregs, unsigned long start,
	    unsigned long len, unsigned long prot, unsigned long flags,
	    bool anon)
{
	unsigned long frames[ANONLEAK_MAX_FRAMES];
	unsigned long end = start + len;
	struct al_proc *proc;
	struct al_range *r;
	unsigned int depth;
	u32 sflags;
	u64 now;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (proc && proc->mmap_task == current)
		WRITE_ONCE(proc->mmap_task, NULL);
	if (end <= start)
		goto out;
	if (!anon || len < READ_ONCE(al_min_size) ||
	    (!proc && !al_proc_wanted())) {
		if (anon)
			al_stat_inc(filtered);
		/* Not recorded, but it replaced whatever was recorded there. */
		if (proc) {
			spin_lock(&proc->lock);
			__al_retire(proc, start, end, false, 0);
			spin_unlock(&proc->lock);
		}
		goto out;
	}
	if (!proc)
		proc = al_proc_create(mm);
	if (!proc)
		goto out;

	depth = al_stack_capture(mm, uregs, frames,
				 clamp_val(READ_ONCE(al_stack_depth), 1,
					   ANONLEAK_MAX_FRAMES), &sflags);
	now = al_now();
	r = al_range_alloc();
	if (r) {
		r->start = start;
		r->end = end;
		r->birth = now;
		r->prot = prot & 0xf;
		r->flags = flags;
	}

	spin_lock(&proc->lock);
	/* Whatever was recorded here before is gone (MAP_FIXED, missed unmap). */
	__al_retire(proc, start, end, false, 0);
	if (r)
		al_range_add(proc, mm, r, frames, depth, sflags, uregs);
	spin_unlock(&proc->lock);
out:
	rcu_read_unlock();
}

/*
 * The munmap probe's entry, under mmap_lock held for writing. Returns false
 * (decline the return probe) if @mm has no proc, or if the munmap @unlocks
 * mmap_lock before it returns and nothing recorded for @mm overlaps the
 * range: under mmap_lock nothing can be recorded there before the unmap is
 * done, and what is mapped there after it unlocked is newer than it, so the
 * return would retire nothing, whether the call fails or not. Otherwise,
 * if it @unlocks, link @ctx on the proc of @mm, so that a mapping made in
 * the hole meanwhile applies it first (see __al_retire()). A munmap that
 * keeps mmap_lock (6.1) is not checked: the lock and the lookup cost more
 * per tracked munmap (59 instructions a pair, make bench) than declining
 * saves on the untracked ones of an ordinary program.
 */
bool al_unmap_begin(struct mm_struct *mm, struct al_unmap_ctx *ctx,
		    bool unlocks)
{
	struct al_proc *proc;
	struct al_range *r;
	bool tracked = false;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	/* mmap_region() making room for a new mapping: see al_proc.mmap_task */
	if (!proc || READ_ONCE(proc->mmap_task) == current)
		goto out;
	ctx->proc_id = proc->id;
	ctx->done = false;
	ctx->linked = unlocks;
	if (!unlocks) {
		ctx->seq = READ_ONCE(proc->seq);
		tracked = true;
		goto out;
	}
	spin_lock(&proc->lock);
	r = ctx->start < ctx->end ? al_range_first(proc, ctx->start) : NULL;
	if (r && r->start < ctx->end) {
		ctx->seq = proc->seq;
		list_add(&ctx->node, &proc->unmaps);
		tracked = true;
	}
	spin_unlock(&proc->lock);
out:
	rcu_read_unlock();
	return tracked;
}

/* The munmap probe's return: retire the range if @ok and not done yet. */
void al_unmap_end(struct mm_struct *mm, struct al_unmap_ctx *ctx, bool ok)
{
	struct al_proc *proc;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (proc && proc->id == ctx->proc_id) {
		spin_lock(&proc->lock);
		if (ok && !ctx->done && ctx->start < ctx->end)
			__al_retire(proc, ctx->start, ctx->end, true, ctx->seq);
		if (ctx->linked)
			list_del(&ctx->node);
		spin_unlock(&proc->lock);
	}
	rcu_read_unlock();
}

/*
 * mremap(2)
 * ---------
 * The syscall's kretprobe links an al_mremap_ctx on the proc for the time the
 * task is inside mremap(). Under mmap_lock, move_page_tables() tells where
 * the old range went (al_mremap_move): its records follow, keeping their
 * site and birth time; with MREMAP_DONTUNMAP the old range stays mapped, so
 * the records are copied instead. The munmap of the old range that follows
 * finds nothing left to retire. Shrinking is an ordinary munmap of the
 * tail. Growing in place is seen where the kernel extends the VMA, also
 * under mmap_lock (al_mremap_grow).
 */
atomic_t al_mremaps_inflight = ATOMIC_INIT(0);

bool al_mremap_begin(struct al_mremap_ctx *ctx)
{
	struct al_proc *proc;
	bool tracked = false;

	rcu_read_lock();
	proc = al_proc_lookup(ctx->mm);
	if (proc) {
		spin_lock(&proc->lock);
		ctx->proc_id = proc->id;
		list_add(&ctx->node, &proc->mremaps);
		spin_unlock(&proc->lock);
		atomic_inc(&al_mremaps_inflight);
		tracked = true;
	}
	rcu_read_unlock();
	return tracked;
}

static struct al_mremap_ctx *al_mremap_find(struct al_proc *proc)
{
	struct al_mremap_ctx *ctx;

	list_for_each_entry(ctx, &proc->mremaps, node)
		if (ctx->task == current)
			return ctx;
	return NULL;
}

/* A new record for [start, end), a copy of @r's site and birth. */
static struct al_range *al_range_clone(struct al_proc *proc,
				       const struct al_range *r,
				       unsigned long start, unsigned long end)
{
	struct al_range *n = al_range_dup(proc, r, start, end);

	if (n)
		n->seq = ++proc->seq;
	return n;
}

static void __al_move(struct al_proc *proc, unsigned long old_addr,
		      unsigned long new_addr, unsigned long len, bool copy)
{
	unsigned long end = old_addr + len, a, b;
	long delta = new_addr - old_addr;
	struct al_range *r, *next, *n;
	struct rb_node *node;

	for (r = al_range_first(proc, old_addr); r && r->start < end; r = next) {
		node = rb_next(&r->node);
		next = node ? rb_entry(node, struct al_range, node) : NULL;
		a = max(r->start, old_addr);
		b = min(r->end, end);

		if (!copy && r->start >= old_addr && r->end <= end) {
			/* The common case: the whole record moves. */
			rb_erase(&r->node, &proc->ranges);
			proc->changes++;
			r->start += delta;
			r->end += delta;
			r->seq = ++proc->seq;
			al_range_insert(proc, r);
			continue;
		}
		/* Part of a record, or a copy: a new record at the target. */
		n = al_range_clone(proc, r, a + delta, b + delta);
		if (n)
			al_account_grow(proc, n, b - a);
		if (!copy)
			__al_retire(proc, a, b, false, 0);
	}
}

/* @r, which ends where a mapping grew, ends at @new_end with it. */
static void al_range_extend(struct al_proc *proc, struct al_range *r,
			    unsigned long new_end)
{
	unsigned long old_end = r->end;

	__al_retire(proc, old_end, new_end, false, 0);
	r->end = new_end;
	proc->changes++;
	al_account_grow(proc, r, new_end - old_end);
}

/* move_page_tables() moved @len bytes at @old_addr to @new_addr. */
static void al_mremap_moved(struct al_proc *proc, struct al_mremap_ctx *ctx,
			    unsigned long old_addr, unsigned long new_addr,
			    unsigned long len)
{
	bool copy = ctx->flags & MREMAP_DONTUNMAP;
	struct al_range *r;

	if (ctx->moved && old_addr == ctx->moved_to) {
		/* The move failed and is being undone. */
		if (!copy)
			__al_move(proc, old_addr, new_addr, len, false);
		ctx->moved = false;
		return;
	}
	/* Nothing tracked can be at the target any more; make sure. */
	__al_retire(proc, new_addr, new_addr + len, false, 0);
	__al_move(proc, old_addr, new_addr, len, copy);
	ctx->moved = true;
	ctx->moved_to = new_addr;

	/*
	 * Moved and grown: the growth belongs to the record now at the end.
	 * Not a move of several VMAs one by one (7.3, old_len == new_len).
	 */
	if (ctx->new_len > ctx->old_len && len == ctx->old_len) {
		r = al_range_first(proc, new_addr + len - 1);
		if (r && r->end == new_addr + len)
			al_range_extend(proc, r, new_addr + ctx->new_len);
	}
}

/*
 * Grown in place: the kernel has just extended the mapping that ended at
 * @old_end to @new_end for this mremap(). Extend the record that ends
 * there.
 */
static void al_mremap_grown(struct al_proc *proc, struct al_mremap_ctx *ctx,
			    unsigned long old_end, unsigned long new_end)
{
	struct al_range *r;

	if (ctx->addr + ctx->old_len != old_end ||
	    ctx->addr + ctx->new_len != new_end)
		return;
	r = al_range_first(proc, old_end - 1);
	if (r && r->end == old_end && r->start >= ctx->addr)
		al_range_extend(proc, r, new_end);
}

enum al_mremap_op { AL_MREMAP_MOVE, AL_MREMAP_GROW };

/*
 * A hook inside mremap(), under mmap_lock: find current's context on the
 * proc of @mm and apply the move (@len bytes from @a to @b) or the growth
 * (the mapping that ended at @a ends at @b).
 */
static void al_mremap_hook(struct mm_struct *mm, enum al_mremap_op op,
			   unsigned long a, unsigned long b, unsigned long len)
{
	struct al_mremap_ctx *ctx;
	struct al_proc *proc;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (!proc)
		goto out;
	spin_lock(&proc->lock);
	/* None for a move: exec moving the stack, not mremap(). */
	ctx = al_mremap_find(proc);
	if (ctx && op == AL_MREMAP_MOVE)
		al_mremap_moved(proc, ctx, a, b, len);
	else if (ctx)
		al_mremap_grown(proc, ctx, a, b);
	spin_unlock(&proc->lock);
out:
	rcu_read_unlock();
}

void al_mremap_move(struct mm_struct *mm, unsigned long old_addr,
		    unsigned long new_addr, unsigned long len)
{
	if (len && old_addr != new_addr)
		al_mremap_hook(mm, AL_MREMAP_MOVE, old_addr, new_addr, len);
}

void al_mremap_grow(struct mm_struct *mm, unsigned long old_end,
		    unsigned long new_end)
{
	al_mremap_hook(mm, AL_MREMAP_GROW, old_end, new_end, 0);
}

void al_mremap_end(struct al_mremap_ctx *ctx)
{
	struct al_proc *proc;

	rcu_read_lock();
	proc = al_proc_lookup(ctx->mm);
	if (proc && proc->id == ctx->proc_id) {
		spin_lock(&proc->lock);
		list_del(&ctx->node);
		spin_unlock(&proc->lock);
		atomic_dec(&al_mremaps_inflight);
	}
	rcu_read_unlock();
}

/* Recompute each site's oldest live birth time. Called under proc->lock. */
void al_oldest_refresh(struct al_proc *proc)
{
	struct al_site *site;
	struct al_range *r;

	lockdep_assert_held(&proc->lock);
	if (!proc->oldest_stale)
		return;
	list_for_each_entry(site, &proc->sites, proc_node)
		site->oldest = 0;
	for (r = al_range_first(proc, 0); r;
	     r = rb_entry_safe(rb_next(&r->node), struct al_range, node))
		if (!r->site->oldest || r->birth < r->site->oldest)
			r->site->oldest = r->birth;
	proc->oldest_stale = false;
}

void al_ranges_free(struct rb_root *root, bool can_sleep)
{
	struct al_range *r, *tmp;
	unsigned long n = 0;

	rbtree_postorder_for_each_entry_safe(r, tmp, root, node) {
		kmem_cache_free(al_range_cache, r);
		atomic_long_dec(&al_nr_ranges);
		if (can_sleep && !(++n % 1024))
			cond_resched();
	}
	*root = RB_ROOT;
}

/* Bytes of slab per tracked mapping, alignment included. */
unsigned int al_range_size(void)
{
	return kmem_cache_size(al_range_cache);
}

int al_ranges_init(void)
{
	al_range_cache = KMEM_CACHE(al_range, 0);
	if (!al_range_cache)
		return -ENOMEM;
	return 0;
}

/* Every record has been freed with its proc; the pools go back to the slab. */
void al_ranges_uninit(void)
{
	struct al_range_pool *pool;
	struct al_range *r;
	unsigned int cpu;

	WARN_ON(atomic_long_read(&al_nr_ranges));
	for_each_possible_cpu(cpu) {
		pool = per_cpu_ptr(&al_range_pools, cpu);
		while ((r = pool->head)) {
			pool->head = (struct al_range *)r->node.rb_right;
			kmem_cache_free(al_range_cache, r);
		}
		pool->nr = 0;
	}
	kmem_cache_destroy(al_range_cache);
}
