// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process range records: what each address space still has mapped.
 *
 * A proc is created by the first tracked anonymous mapping of an mm and is
 * found again through al_mm_hash, keyed by the mm pointer. At mm teardown it
 * is unhashed (so a later mm at the same address is a new proc, and pid reuse
 * never mixes two processes), its ranges are handed to the reaper, and it
 * stays in al_procs as an "exited" summary until max_exited newer ones push
 * it out.
 */
#include <linux/slab.h>
#include <linux/hashtable.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/uidgid.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/mman.h>

#include <linux/anonleak.h>

#include "anonleak.h"

#define AL_MM_HASH_BITS	10

static DEFINE_HASHTABLE(al_mm_hash, AL_MM_HASH_BITS);
static DEFINE_SPINLOCK(al_procs_lock);
static LIST_HEAD(al_exited);		/* oldest first, under al_procs_lock */
static u32 al_proc_next;		/* xa_alloc_cyclic() cursor */
static struct kmem_cache *al_range_cache;

static LLIST_HEAD(al_reap_list);
/* Held by the reaper and by CLEAR: no proc is freed under the other's feet. */
static DEFINE_MUTEX(al_reap_mutex);
static void al_reap_fn(struct work_struct *work);
static DECLARE_WORK(al_reap_work, al_reap_fn);

DEFINE_XARRAY_ALLOC(al_procs);
DEFINE_PER_CPU(struct al_pcpu_stats, al_pcpu_stats);
atomic_t al_gen = ATOMIC_INIT(1);

static atomic_long_t al_nr_ranges = ATOMIC_LONG_INIT(0);
static atomic_long_t al_nr_procs = ATOMIC_LONG_INIT(0);	/* running */
static atomic_long_t al_nr_exited = ATOMIC_LONG_INIT(0);
static atomic_long_t al_drops_exited = ATOMIC_LONG_INIT(0);

static inline u64 al_now(void)
{
	return ktime_get_boottime_ns();
}

/* Called under rcu_read_lock(). */
struct al_proc *al_proc_lookup(struct mm_struct *mm)
{
	struct al_proc *proc;

	hash_for_each_possible_rcu(al_mm_hash, proc, mm_node, (unsigned long)mm)
		if (proc->mm == mm)
			return proc;
	return NULL;
}

static bool al_cap_take(atomic_long_t *nr, unsigned long max)
{
	if (atomic_long_inc_return(nr) <= (long)max)
		return true;
	atomic_long_dec(nr);
	return false;
}

/* Is current's process one the filters let in? */
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

/* Creation is serialised per mm by mmap_lock, held for write in do_mmap(). */
static struct al_proc *al_proc_create(struct mm_struct *mm)
{
	struct al_proc *proc, *old;
	u32 id;

	if (!al_cap_take(&al_nr_procs, READ_ONCE(al_max_procs))) {
		al_drop(procs, "max_procs reached");
		return NULL;
	}
	proc = kzalloc(sizeof(*proc), GFP_NOWAIT | __GFP_NOWARN);
	if (!proc)
		goto err_nomem;
	spin_lock_init(&proc->lock);
	proc->mm = mm;
	proc->ranges = RB_ROOT;
	proc->reap_ranges = RB_ROOT;
	INIT_LIST_HEAD(&proc->sites);
	INIT_LIST_HEAD(&proc->mremaps);
	INIT_LIST_HEAD(&proc->unmaps);
	INIT_LIST_HEAD(&proc->exited_node);
	proc->state = AL_PROC_RUNNING;
	proc->start_time = al_now();
	proc->pid = get_pid(task_tgid(current));
	proc->uid = from_kuid(&init_user_ns, current_uid());
	get_task_comm(proc->comm, current->group_leader);

	spin_lock(&al_procs_lock);
	old = al_proc_lookup(mm);
	if (old) {
		spin_unlock(&al_procs_lock);
		put_pid(proc->pid);
		kfree(proc);
		atomic_long_dec(&al_nr_procs);
		return old;
	}
	if (xa_alloc_cyclic(&al_procs, &id, proc, xa_limit_32b, &al_proc_next,
			    GFP_NOWAIT | __GFP_NOWARN) < 0) {
		spin_unlock(&al_procs_lock);
		put_pid(proc->pid);
		kfree(proc);
		goto err_nomem;
	}
	proc->id = id;
	hash_add_rcu(al_mm_hash, &proc->mm_node, (unsigned long)mm);
	spin_unlock(&al_procs_lock);
	return proc;

err_nomem:
	atomic_long_dec(&al_nr_procs);
	al_drop(nomem, "out of memory in a probe");
	return NULL;
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

static void al_range_free(struct al_range *r)
{
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
			struct al_range *right = NULL;

			if (al_cap_take(&al_nr_ranges, READ_ONCE(al_max_mappings))) {
				right = kmem_cache_alloc(al_range_cache,
							 GFP_NOWAIT | __GFP_NOWARN);
				if (!right) {
					atomic_long_dec(&al_nr_ranges);
					al_drop(nomem, "out of memory in a probe");
				}
			} else {
				al_drop(mappings, "max_mappings reached");
			}
			if (right) {
				*right = *r;
				right->start = end;
				r->end = start;
				al_range_insert(proc, right);
				r->site->live_count++;
				r->site->splits++;
				proc->live_count++;
				al_account_unmap(proc, r, end - start, false);
			} else {
				/* Cannot keep the right part: forget it. */
				al_account_unmap(proc, r, r->end - start, false);
				r->end = start;
			}
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

void al_map(struct mm_struct *mm, struct pt_regs *uregs, unsigned long start,
	    unsigned long len, unsigned long prot, unsigned long flags,
	    bool anon)
{
	unsigned long frames[ANONLEAK_MAX_FRAMES];
	unsigned long end = start + len;
	struct al_range *r = NULL;
	struct al_site *site;
	struct al_proc *proc;
	unsigned int depth;
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
					   ANONLEAK_MAX_FRAMES));
	now = al_now();

	if (!al_cap_take(&al_nr_ranges, READ_ONCE(al_max_mappings))) {
		al_drop(mappings, "max_mappings reached");
	} else {
		r = kmem_cache_alloc(al_range_cache, GFP_NOWAIT | __GFP_NOWARN);
		if (!r) {
			atomic_long_dec(&al_nr_ranges);
			al_drop(nomem, "out of memory in a probe");
		}
	}

	spin_lock(&proc->lock);
	/* Whatever was recorded here before is gone (MAP_FIXED, missed unmap). */
	__al_retire(proc, start, end, false, 0);
	if (!r)
		goto unlock;
	site = al_site_get(proc, mm, frames, depth, now);
	if (!site) {
		al_range_free(r);
		goto unlock;
	}
	r->start = start;
	r->end = end;
	r->site = site;
	r->birth = now;
	r->prot = prot & 0xf;
	r->flags = flags;
	r->seq = ++proc->seq;
	al_range_insert(proc, r);

	if (!site->live_count)
		site->oldest = now;
	site->live_count++;
	site->live_bytes += len;
	site->total_maps++;
	site->mapped_bytes += len;
	site->last_seen = now;
	if (site->live_bytes > site->peak_bytes)
		site->peak_bytes = site->live_bytes;
	proc->live_count++;
	proc->live_bytes += len;
	al_stat_inc(maps);
	al_stat_add(live_bytes, len);
unlock:
	spin_unlock(&proc->lock);
out:
	rcu_read_unlock();
}

/*
 * do_mmap() without MAP_FIXED is about to run in @mm, under mmap_lock held
 * for writing until it returns: see al_proc.mmap_task. al_map() unmarks.
 */
void al_mmap_mark(struct mm_struct *mm)
{
	struct al_proc *proc;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (proc)
		WRITE_ONCE(proc->mmap_task, current);
	rcu_read_unlock();
}

/* The do_mmap() failed: al_map() will not be called. */
void al_mmap_unmark(struct mm_struct *mm)
{
	struct al_proc *proc;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (proc && proc->mmap_task == current)
		WRITE_ONCE(proc->mmap_task, NULL);
	rcu_read_unlock();
}

/*
 * The munmap probe's entry, under mmap_lock held for writing. If the munmap
 * @unlocks mmap_lock before it returns, link @ctx on the proc of @mm, so
 * that a mapping made in the hole meanwhile applies it first (see
 * __al_retire()); otherwise nothing can happen in between. Returns false
 * if @mm has no proc (nothing to retire).
 */
bool al_unmap_begin(struct mm_struct *mm, struct al_unmap_ctx *ctx,
		    bool unlocks)
{
	struct al_proc *proc;
	bool tracked = false;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	/* mmap_region() making room for a new mapping: see al_proc.mmap_task */
	if (proc && READ_ONCE(proc->mmap_task) != current) {
		ctx->proc_id = proc->id;
		ctx->done = false;
		ctx->linked = unlocks;
		if (unlocks) {
			spin_lock(&proc->lock);
			ctx->seq = proc->seq;
			list_add(&ctx->node, &proc->unmaps);
			spin_unlock(&proc->lock);
		} else {
			ctx->seq = READ_ONCE(proc->seq);
		}
		tracked = true;
	}
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
	struct al_range *n;

	if (!al_cap_take(&al_nr_ranges, READ_ONCE(al_max_mappings))) {
		al_drop(mappings, "max_mappings reached");
		return NULL;
	}
	n = kmem_cache_alloc(al_range_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!n) {
		atomic_long_dec(&al_nr_ranges);
		al_drop(nomem, "out of memory in a probe");
		return NULL;
	}
	*n = *r;
	n->start = start;
	n->end = end;
	n->seq = ++proc->seq;
	al_range_insert(proc, n);
	n->site->live_count++;
	n->site->splits++;
	proc->live_count++;
	return n;
}

/* Account @bytes of new memory to @r's site (a copy, or a growth). */
static void al_account_grow(struct al_proc *proc, struct al_range *r,
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

void al_mremap_move(struct mm_struct *mm, unsigned long old_addr,
		    unsigned long new_addr, unsigned long len)
{
	struct al_mremap_ctx *ctx;
	struct al_proc *proc;
	struct al_range *r;
	bool copy;

	if (!len || old_addr == new_addr)
		return;
	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (!proc)
		goto out;
	spin_lock(&proc->lock);
	ctx = al_mremap_find(proc);
	if (!ctx)	/* exec moving the stack, not mremap() */
		goto unlock;

	copy = ctx->flags & MREMAP_DONTUNMAP;
	if (ctx->moved && old_addr == ctx->moved_to) {
		/* The move failed and is being undone. */
		if (!copy)
			__al_move(proc, old_addr, new_addr, len, false);
		ctx->moved = false;
		goto unlock;
	}
	/* Nothing tracked can be at the target any more; make sure. */
	__al_retire(proc, new_addr, new_addr + len, false, 0);
	__al_move(proc, old_addr, new_addr, len, copy);
	ctx->moved = true;
	ctx->moved_to = new_addr;

	/* Moved and grown: the growth belongs to the record now at the end. */
	if (ctx->new_len > len) {
		r = al_range_first(proc, new_addr + len - 1);
		if (r && r->end == new_addr + len) {
			__al_retire(proc, new_addr + len, new_addr + ctx->new_len,
				    false, 0);
			r->end = new_addr + ctx->new_len;
			proc->changes++;
			al_account_grow(proc, r, ctx->new_len - len);
		}
	}
unlock:
	spin_unlock(&proc->lock);
out:
	rcu_read_unlock();
}

/*
 * Grow in place, under mmap_lock: the kernel has just extended the mapping
 * that ended at @old_end to @new_end for this task's mremap(). Extend the
 * record that ends there.
 */
void al_mremap_grow(struct mm_struct *mm, unsigned long old_end,
		    unsigned long new_end)
{
	struct al_mremap_ctx *ctx;
	struct al_proc *proc;
	struct al_range *r;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (!proc)
		goto out;
	spin_lock(&proc->lock);
	ctx = al_mremap_find(proc);
	if (!ctx || ctx->addr + ctx->old_len != old_end ||
	    ctx->addr + ctx->new_len != new_end)
		goto unlock;
	r = al_range_first(proc, old_end - 1);
	if (!r || r->end != old_end || r->start < ctx->addr)
		goto unlock;
	__al_retire(proc, old_end, new_end, false, 0);
	r->end = new_end;
	proc->changes++;
	al_account_grow(proc, r, new_end - old_end);
unlock:
	spin_unlock(&proc->lock);
out:
	rcu_read_unlock();
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

static void al_ranges_free(struct rb_root *root, bool can_sleep)
{
	struct al_range *r, *tmp;
	unsigned long n = 0;

	rbtree_postorder_for_each_entry_safe(r, tmp, root, node) {
		al_range_free(r);
		if (can_sleep && !(++n % 1024))
			cond_resched();
	}
	*root = RB_ROOT;
}

static void al_proc_free_rcu(struct rcu_head *head)
{
	struct al_proc *proc = container_of(head, struct al_proc, rcu);

	put_pid(proc->pid);
	kfree(proc);
}

/*
 * Free an exited proc and its sites: it is already out of al_mm_hash and
 * off every list, and has no ranges left.
 */
static void al_proc_destroy(struct al_proc *proc)
{
	struct al_site *site, *tmp;

	xa_erase(&al_procs, proc->id);
	list_for_each_entry_safe(site, tmp, &proc->sites, proc_node) {
		list_del(&site->proc_node);
		al_site_free(site);
	}
	atomic_inc(&al_gen);
	call_rcu(&proc->rcu, al_proc_free_rcu);
}

/*
 * The reaper runs in process context: it frees the ranges of exited procs,
 * queues the procs as exited summaries and pushes the oldest ones out.
 */
static void al_reap_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&al_reap_list);
	struct al_proc *proc, *tmp;
	LIST_HEAD(victims);

	mutex_lock(&al_reap_mutex);
	list = llist_reverse_order(list);
	llist_for_each_entry_safe(proc, tmp, list, reap_node) {
		al_ranges_free(&proc->reap_ranges, true);
		if (proc->live_count)
			al_genl_exit_event(proc);

		spin_lock(&al_procs_lock);
		list_add_tail(&proc->exited_node, &al_exited);
		atomic_long_inc(&al_nr_exited);
		while (atomic_long_read(&al_nr_exited) >
		       (long)READ_ONCE(al_max_exited)) {
			struct al_proc *old = list_first_entry(&al_exited,
							       struct al_proc,
							       exited_node);

			list_move_tail(&old->exited_node, &victims);
			atomic_long_dec(&al_nr_exited);
			atomic_long_inc(&al_drops_exited);
		}
		spin_unlock(&al_procs_lock);
	}

	list_for_each_entry_safe(proc, tmp, &victims, exited_node) {
		list_del(&proc->exited_node);
		al_proc_destroy(proc);
	}
	mutex_unlock(&al_reap_mutex);
}

/* exit_mmap(): the mm is going away, nothing can map into it any more. */
void al_mm_exit(struct mm_struct *mm)
{
	struct al_proc *proc;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (!proc)
		goto out;

	spin_lock(&al_procs_lock);
	hash_del_rcu(&proc->mm_node);
	spin_unlock(&al_procs_lock);
	atomic_long_dec(&al_nr_procs);

	spin_lock(&proc->lock);
	al_oldest_refresh(proc);
	proc->state = AL_PROC_EXITED;
	proc->exit_time = al_now();
	proc->reap_ranges = proc->ranges;
	proc->ranges = RB_ROOT;
	/* What was live is now "outstanding at exit" and no longer live. */
	al_stat_add(live_bytes, -(s64)proc->live_bytes);
	spin_unlock(&proc->lock);

	llist_add(&proc->reap_node, &al_reap_list);
	queue_work(system_unbound_wq, &al_reap_work);
out:
	rcu_read_unlock();
}

/*
 * Forget what a running proc recorded: its ranges and sites go, the proc
 * stays and keeps being tracked from zero. Process context.
 */
static void al_proc_reset(struct al_proc *proc)
{
	struct al_site *site, *tmp;
	struct rb_root ranges;

	spin_lock(&proc->lock);
	ranges = proc->ranges;
	proc->ranges = RB_ROOT;
	proc->changes++;
	/* Under proc->lock: no mapping can pick a site up while it goes. */
	list_for_each_entry_safe(site, tmp, &proc->sites, proc_node) {
		list_del(&site->proc_node);
		al_site_free(site);
	}
	proc->nr_sites = 0;
	al_stat_add(live_bytes, -(s64)proc->live_bytes);
	proc->live_bytes = 0;
	proc->live_count = 0;
	proc->oldest_stale = false;
	spin_unlock(&proc->lock);
	al_ranges_free(&ranges, true);
	atomic_inc(&al_gen);
}

/*
 * CLEAR: forget the records of the process @nr as seen from @ns, or of
 * every process when @nr is 0. Returns -ESRCH when nothing matched.
 */
int al_clear(struct pid_namespace *ns, pid_t nr)
{
	struct al_proc *proc;
	unsigned long id;
	bool found = false;

	/* Exited processes still waiting for the reaper become listed. */
	flush_work(&al_reap_work);
	mutex_lock(&al_reap_mutex);
	xa_for_each(&al_procs, id, proc) {
		if (nr && pid_nr_ns(proc->pid, ns) != nr)
			continue;
		found = true;
		if (READ_ONCE(proc->state) == AL_PROC_RUNNING) {
			al_proc_reset(proc);
			continue;
		}
		spin_lock(&al_procs_lock);
		if (list_empty(&proc->exited_node)) {
			/* Exited after the flush: the reaper owns it now. */
			spin_unlock(&al_procs_lock);
			continue;
		}
		list_del_init(&proc->exited_node);
		atomic_long_dec(&al_nr_exited);
		spin_unlock(&al_procs_lock);
		al_proc_destroy(proc);
		cond_resched();
	}
	mutex_unlock(&al_reap_mutex);
	return found ? 0 : -ESRCH;
}

void al_stats_read(struct al_stats *st)
{
	int cpu;
	s64 live = 0;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct al_pcpu_stats *s = per_cpu_ptr(&al_pcpu_stats, cpu);

		st->maps += READ_ONCE(s->maps);
		st->unmaps += READ_ONCE(s->unmaps);
		st->drops_nomem += READ_ONCE(s->drops_nomem);
		st->drops_mappings += READ_ONCE(s->drops_mappings);
		st->drops_sites += READ_ONCE(s->drops_sites);
		st->drops_procs += READ_ONCE(s->drops_procs);
		st->filtered += READ_ONCE(s->filtered);
		st->unnamed += READ_ONCE(s->unnamed);
		live += READ_ONCE(s->live_bytes);
	}
	st->live_bytes = live > 0 ? live : 0;
	st->live_count = max(atomic_long_read(&al_nr_ranges), 0L);
	st->procs = max(atomic_long_read(&al_nr_procs), 0L);
	st->exited = max(atomic_long_read(&al_nr_exited), 0L);
	st->sites = max(atomic_long_read(&al_nr_sites), 0L);
	st->drops_exited = atomic_long_read(&al_drops_exited);
}

/* Bytes of slab per tracked mapping, alignment included. */
unsigned int al_range_size(void)
{
	return kmem_cache_size(al_range_cache);
}

int al_track_init(void)
{
	al_range_cache = KMEM_CACHE(al_range, 0);
	if (!al_range_cache)
		return -ENOMEM;
	return 0;
}

/* Probes are gone: free every proc, running or exited, and its records. */
void al_track_uninit(void)
{
	struct al_proc *proc;
	unsigned long id;

	flush_work(&al_reap_work);
	/* Let the reaper's own frees and any late call_rcu() settle. */
	xa_for_each(&al_procs, id, proc) {
		if (proc->state == AL_PROC_RUNNING) {
			hash_del_rcu(&proc->mm_node);
			atomic_long_dec(&al_nr_procs);
			al_ranges_free(&proc->ranges, true);
		} else {
			list_del_init(&proc->exited_node);
			atomic_long_dec(&al_nr_exited);
		}
		al_proc_destroy(proc);
	}
	rcu_barrier();
	WARN_ON(atomic_long_read(&al_nr_ranges));
	kmem_cache_destroy(al_range_cache);
}
