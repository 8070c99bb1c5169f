// SPDX-License-Identifier: GPL-2.0
/*
 * The process lifecycle. A proc is created by the first tracked anonymous
 * mapping of an mm and is found again through al_mm_hash, keyed by the mm
 * pointer. At mm teardown it is unhashed (so a later mm at the same address
 * is a new proc, and pid reuse never mixes two processes), its ranges are
 * handed to the reaper, and it stays in al_procs as an "exited" summary
 * until max_exited newer ones push it out. CLEAR forgets records, and
 * GET_STATS' counters are summed here. The ranges themselves, and what
 * maps, unmaps and moves them, are in ranges.c.
 */
#include <linux/slab.h>
#include <linux/cgroup.h>
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

#include <linux/anonleak.h>

#include "anonleak.h"

DEFINE_HASHTABLE(al_mm_hash, AL_MM_HASH_BITS);
static DEFINE_SPINLOCK(al_procs_lock);
static LIST_HEAD(al_exited);		/* oldest first, under al_procs_lock */
static u32 al_proc_next;		/* xa_alloc_cyclic() cursor */

static LLIST_HEAD(al_reap_list);
/* Held by the reaper and by CLEAR: no proc is freed under the other's feet. */
static DEFINE_MUTEX(al_reap_mutex);
static void al_reap_fn(struct work_struct *work);
static DECLARE_WORK(al_reap_work, al_reap_fn);

DEFINE_XARRAY_ALLOC(al_procs);
DEFINE_PER_CPU(struct al_pcpu_stats, al_pcpu_stats);
atomic_t al_gen = ATOMIC_INIT(1);

static atomic_long_t al_nr_procs = ATOMIC_LONG_INIT(0);	/* running */
static atomic_long_t al_nr_exited = ATOMIC_LONG_INIT(0);
static atomic_long_t al_drops_exited = ATOMIC_LONG_INIT(0);

/* The process's cgroup v2 id (the cgroup2 directory's inode), 0 if none. */
static u64 al_current_cgroup_id(void)
{
	u64 id = 0;

#ifdef CONFIG_CGROUPS
	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
#endif
	return id;
}

/* Creation is serialised per mm by mmap_lock, held for write in do_mmap(). */
struct al_proc *al_proc_create(struct mm_struct *mm)
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
	proc->cgroup_id = al_current_cgroup_id();
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
	proc->last_site = NULL;
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
		st->unwind_frames += READ_ONCE(s->unwind_frames);
		st->unwind_no_table += READ_ONCE(s->unwind_no_table);
		st->partial_sites += READ_ONCE(s->partial_sites);
		st->drops_exemplars += READ_ONCE(s->drops_exemplars);
		st->object_events += READ_ONCE(s->object_events);
		st->object_events_dropped += READ_ONCE(s->object_events_dropped);
		live += READ_ONCE(s->live_bytes);
	}
	st->live_bytes = live > 0 ? live : 0;
	st->live_count = max(atomic_long_read(&al_nr_ranges), 0L);
	st->procs = max(atomic_long_read(&al_nr_procs), 0L);
	st->exited = max(atomic_long_read(&al_nr_exited), 0L);
	st->sites = max(atomic_long_read(&al_nr_sites), 0L);
	st->drops_exited = atomic_long_read(&al_drops_exited);
}

/* Probes are gone: free every proc, running or exited, and its records. */
void al_procs_uninit(void)
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
}
