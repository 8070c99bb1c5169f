/* SPDX-License-Identifier: GPL-2.0 */
/*
 * anonleak internal interfaces.
 *
 * Objects
 * -------
 * struct al_proc   one per address space (mm) that made a tracked anonymous
 *                  mapping; survives the mm as an "exited" summary.
 * struct al_range  one live tracked range [start, end) of a running proc.
 * struct al_site   one (proc, user call stack) pair with its counters.
 *
 * Locks
 * -----
 * Everything runs in process context: probe handlers (preemption off, so
 * no sleeping, GFP_NOWAIT only), netlink ops, the reaper work. No lock is
 * taken in hard or soft interrupt context, so spinlocks are plain
 * spin_lock(). Each lock, what it protects, and who takes it:
 *
 * genl's own            cb_lock and genl_mutex, held by the genetlink core
 *                       around every op and dump of this family (no
 *                       parallel_ops): ops are serialised, which SET_CONFIG
 *                       and CLEAR rely on. Not ours.
 * mm_struct.mmap_lock   held by the kernel around do_mmap() and the unmap
 *                       paths (for writing), move_page_tables() and the
 *                       mremap growth; we never take it, but rely on it to
 *                       serialise a proc's creation and its mappings, and
 *                       to walk VMAs (stacks, objects). Not held in the
 *                       exit_mmap() and sys_mremap() probes, and not always
 *                       (6.2+, unlock) in the munmap probe's return.
 * al_reap_mutex         (procs.c) held by the reaper and by CLEAR: no proc
 *                       is freed under the other's feet. Process context
 *                       only; CLEAR takes it under genl_mutex, after
 *                       flush_work() of the reaper (which never takes
 *                       genl_mutex).
 * al_events_lock        (netlink.c) mutex: keeps EXIT_EVENTs off a family
 *                       being registered or unregistered. The reaper takes
 *                       it, under al_reap_mutex; GFP_KERNEL inside.
 * al_procs_lock         (procs.c) the mm hash (writers), the exited FIFO,
 *                       al_nr_exited's bookkeeping, the proc xarray's
 *                       allocation. Probe handlers (proc creation, mm exit),
 *                       the reaper, CLEAR.
 * al_proc.lock          the proc's ranges, its sites list and their
 *                       counters, its mremap and unmap contexts, its state.
 *                       Probe handlers; dumps and events (to copy
 *                       counters); CLEAR (reset). Never held across
 *                       anything that sleeps; GFP_NOWAIT inside.
 * al_site_locks[]       (sites.c) hashed, the site hash buckets (writers).
 * al_obj_lock           (objects.c) the object hash and every object's refs.
 * al_unwind_mutex       (unwind.c) writers of the unwind tables' hash and
 *                       list and their totals: UNWIND_LOAD, UNWIND_DROP,
 *                       unload. Process context (under genl_mutex); the
 *                       probe reads the tables under RCU only.
 * al_announce_lock      (announce.c) the OBJECT_EVENT ring, the recently
 *                       announced files and the rate budget. Probe handlers
 *                       (the stack walk, before al_proc.lock is taken; the
 *                       do_mmap() return of an executable file mapping) and
 *                       the work item that sends the ring (which then takes
 *                       al_events_lock, after dropping it).
 * xa_lock(al_procs),    taken inside the xarray API only (xa_alloc_cyclic(),
 * xa_lock(al_sites)     xa_erase()); lookups and walks are RCU.
 *
 * Nesting, outermost first (a lock is only ever taken inside those above
 * it, never the reverse):
 *
 *   genl_mutex -> al_reap_mutex -> al_events_lock -> al_proc.lock
 *   al_reap_mutex -> al_procs_lock -> xa_lock(al_procs)
 *   mmap_lock -> al_procs_lock -> xa_lock(al_procs)
 *   mmap_lock -> al_proc.lock -> al_site_locks[] | xa_lock(al_sites) |
 *                                al_obj_lock
 *   mmap_lock -> al_announce_lock
 *   genl_mutex -> al_unwind_mutex
 *
 * al_proc.lock and al_procs_lock are never held together (al_mm_exit()
 * drops one before it takes the other). al_site_locks[], xa_lock(al_sites)
 * and al_obj_lock are leaves, taken one at a time: under al_proc.lock when
 * a site is created (al_site_get() -> al_site_resolve() -> al_object_get())
 * or freed by a reset, and alone when a proc is destroyed. The mutexes are
 * never taken in probe handlers, and mmap_lock is never taken where they
 * are held.
 *
 * Readers of the mm hash, the site hash and both xarrays use RCU; procs
 * and sites are freed after a grace period, so a netlink dump may look at
 * them under rcu_read_lock() and then take al_proc.lock to copy counters.
 */
#ifndef _ANONLEAK_H
#define _ANONLEAK_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/rbtree.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/percpu.h>
#include <linux/xarray.h>
#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/hashtable.h>
#include <linux/rculist.h>
#include <linux/timekeeping.h>
#include <linux/anonleak.h>
#include <net/netlink.h>
#include <net/genetlink.h>

struct pt_regs;
struct mm_struct;
struct pid;
struct sk_buff;
struct pid_namespace;
struct nlattr;
struct netlink_ext_ack;

/* Settings: module parameters and GET/SET_CONFIG (config.c). */
extern unsigned long al_max_mappings;
extern unsigned long al_max_sites;
extern unsigned long al_max_procs;
extern unsigned long al_max_exited;
extern unsigned int al_stack_depth;
extern bool al_enabled;
extern int al_filter_pid;
extern int al_filter_uid;
extern char al_filter_comm[TASK_COMM_LEN];
extern unsigned long al_min_size;
extern bool al_unwind;
extern unsigned long al_max_unwind_bytes;
extern unsigned long al_max_exemplars;
extern unsigned int al_exemplar_size;
extern struct nla_policy al_config_policy[ANONLEAK_CONFIG_A_MAX + 1];
void al_config_init(void);
size_t al_config_size(void);
int al_config_fill(struct sk_buff *skb);
int al_config_set(struct nlattr **tb, struct netlink_ext_ack *extack);

/* An executable or library that frames point into; see objects.c. */
struct al_object {
	struct hlist_node node;		/* al_obj_hash, under al_obj_lock */
	struct rcu_head rcu;		/* freed after a grace period: dumps */
	dev_t dev;
	unsigned long ino;
	u32 refs;			/* sites and exemplars using it */
	u8 build_id_len;
	u8 build_id[20];
	char path[];
};

/*
 * The stack copy of a site's first mapping (exemplar.c): immutable once the
 * site is published, freed with it.
 */
struct al_exmap {
	unsigned long start;
	unsigned long end;
	u64 off;			/* file offset of start */
	struct al_object *obj;		/* a reference */
};

struct al_exemplar {
	u64 regs[ANONLEAK_EXEMPLAR_REGS];	/* DWARF order */
	u8 *stack;			/* stack_len bytes from regs[7] (rsp) */
	u32 stack_len;
	u32 bytes;			/* both allocations, as allocated */
	u16 nmaps;
	struct rcu_head rcu;
	struct al_exmap maps[];
};

/*
 * Frames are user addresses; the top bits of a resolved frame hold the
 * 1-based index of its object in al_site.objs (user addresses stay below
 * 2^57 even with 5-level paging).
 */
#define AL_SITE_OBJS		4
#define AL_FRAME_OBJ_SHIFT	57
#define AL_FRAME_ADDR_MASK	((1UL << AL_FRAME_OBJ_SHIFT) - 1)

struct al_site_obj {
	struct al_object *obj;
	unsigned long bias;		/* vm_start - file offset */
};

struct al_site {
	struct hlist_node hnode;	/* al_site_hash bucket, RCU */
	struct list_head proc_node;	/* al_proc.sites, under proc->lock */
	struct al_proc *proc;		/* owner; outlives the site */
	u32 id;				/* key in al_sites */
	u32 hash;
	u32 depth;
	/* Counters below are protected by proc->lock. */
	u64 live_count;
	u64 live_bytes;
	u64 total_maps;
	u64 total_unmaps;
	u64 splits;
	u64 mapped_bytes;
	u64 unmapped_bytes;
	u64 peak_bytes;
	u64 first_seen;
	u64 last_seen;
	u64 oldest;			/* birth of oldest live range, 0: none */
	u32 flags;			/* ANONLEAK_SITE_F_*, set at creation */
	struct al_exemplar *exemplar;	/* or NULL; set at creation */
	struct al_site_obj objs[AL_SITE_OBJS];	/* set at creation */
	struct rcu_head rcu;
	unsigned long frames[];
};

/*
 * 64 bytes on 64-bit: the per-mapping cost. prot and the mmap flags are kept
 * for GET_MAPPINGS; seq orders inserts against in-flight unmaps (see
 * __al_retire()).
 */
struct al_range {
	struct rb_node node;
	unsigned long start;
	unsigned long end;
	struct al_site *site;
	u64 birth : 60;
	u64 prot : 4;
	u32 seq;
	u32 flags;
};

enum al_proc_state {
	AL_PROC_RUNNING,
	AL_PROC_EXITED,
};

struct al_proc {
	struct hlist_node mm_node;	/* al_mm_hash, RCU; unhashed at exit */
	struct list_head exited_node;	/* al_exited FIFO once exited */
	struct mm_struct *mm;		/* hash key only, never dereferenced */
	struct pid *pid;		/* thread group leader's pid, counted */
	u32 id;				/* key in al_procs, never reused soon */
	char comm[TASK_COMM_LEN];
	spinlock_t lock;		/* ranges, site counters, state */
	struct rb_root ranges;		/* al_range by start */
	struct list_head sites;		/* al_site, in creation order */
	struct list_head mremaps;	/* al_mremap_ctx of tasks in mremap() */
	struct list_head unmaps;	/* al_unmap_ctx of unmaps in flight */
	/*
	 * The task inside a do_mmap() without MAP_FIXED, under mmap_lock held
	 * for writing: the munmap that mmap_region() does first (6.1) has
	 * nothing to retire there, and al_map() retires the range anyway.
	 */
	struct task_struct *mmap_task;
	/*
	 * The site the last mapping went to (under lock): a loop mapping from
	 * one stack finds it without hashing. Cleared when sites go.
	 */
	struct al_site *last_site;
	u32 seq;			/* last al_range.seq handed out */
	u32 changes;			/* bumped on every change of ranges */
	u32 uid;			/* real uid, initial user namespace */
	u64 cgroup_id;			/* cgroup v2 id when first seen, 0: none */
	u8 state;			/* enum al_proc_state */
	bool oldest_stale;		/* a site's oldest range went away */
	u64 live_count;
	u64 live_bytes;
	u64 nr_sites;
	u64 start_time;
	u64 exit_time;
	struct rb_root reap_ranges;	/* detached at exit, freed by reaper */
	struct llist_node reap_node;
	struct rcu_head rcu;
};

struct al_pcpu_stats {
	u64 unwind_frames;
	u64 unwind_no_table;
	u64 partial_sites;
	u64 drops_exemplars;
	u64 object_events;
	u64 object_events_dropped;
	u64 maps;
	u64 unmaps;
	u64 drops_nomem;
	u64 drops_mappings;
	u64 drops_sites;
	u64 drops_procs;
	u64 filtered;
	u64 unnamed;
	s64 live_bytes;
};

DECLARE_PER_CPU(struct al_pcpu_stats, al_pcpu_stats);

#define al_stat_inc(field)	this_cpu_inc(al_pcpu_stats.field)
#define al_stat_add(field, v)	this_cpu_add(al_pcpu_stats.field, v)

/* Count a record not made, and say so once per cause in the kernel log. */
#define al_drop(cause, why) do {					\
	al_stat_inc(drops_##cause);					\
	pr_warn_once("%s: records are being dropped (counted in 'anonleak status')\n", \
		     why);						\
} while (0)

struct al_stats {
	u64 maps;
	u64 unmaps;
	u64 live_count;
	u64 live_bytes;
	u64 procs;
	u64 exited;
	u64 sites;
	u64 drops_nomem;
	u64 drops_mappings;
	u64 drops_sites;
	u64 drops_procs;
	u64 drops_exited;
	u64 filtered;
	u64 unnamed;
	/* Filled by netlink.c for GET_STATS. */
	u64 drops;			/* all causes */
	u64 missed;			/* probe hits not delivered */
	u64 mapping_size;
	u64 site_size;
	u64 stack_depth;
	u64 max_mappings;
	u64 max_sites;
	u64 max_procs;
	u64 max_exited;
	u64 unwind_tables;
	u64 unwind_rows;
	u64 unwind_bytes;
	u64 unwind_refused;
	u64 unwind_frames;
	u64 unwind_no_table;
	u64 partial_sites;
	u64 exemplars;
	u64 exemplar_bytes;
	u64 drops_exemplars;
	u64 object_events;
	u64 object_events_dropped;
	u64 max_unwind_bytes;
	u64 max_exemplars;
};

/*
 * A task inside mremap(2), from syscall entry to return: lives in the
 * kretprobe instance, linked on its proc while the syscall runs, so that
 * the page-table move (under mmap_lock) knows what it belongs to.
 */
struct al_mremap_ctx {
	struct list_head node;		/* al_proc.mremaps, under proc->lock */
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long addr;
	unsigned long old_len;
	unsigned long new_len;
	unsigned long flags;
	unsigned long moved_to;
	u32 proc_id;
	bool moved;
};

/*
 * An unmap in flight, from the munmap probe's entry (under mmap_lock) to its
 * return: lives in the kretprobe instance, linked on its proc. On kernels
 * whose munmap drops mmap_lock before returning, another task may map into
 * the hole first: that mapping then applies the unmap (see __al_retire()).
 */
struct al_unmap_ctx {
	struct list_head node;		/* al_proc.unmaps, under proc->lock */
	unsigned long start;
	unsigned long end;
	u32 proc_id;
	u32 seq;			/* proc->seq when the unmap began */
	bool done;			/* applied already */
	bool linked;			/* on al_proc.unmaps */
};

/* procs.c: the process lifecycle */
#define AL_MM_HASH_BITS	10
extern DECLARE_HASHTABLE(al_mm_hash, AL_MM_HASH_BITS);
extern struct xarray al_procs;
extern atomic_t al_gen;
extern atomic_long_t al_nr_sites;
struct al_proc *al_proc_create(struct mm_struct *mm);
void al_mm_exit(struct mm_struct *mm);
int al_clear(struct pid_namespace *ns, pid_t nr);
void al_stats_read(struct al_stats *st);
void al_procs_uninit(void);

static inline u64 al_now(void)
{
	return ktime_get_boottime_ns();
}

/* The proc of @mm, under rcu_read_lock(). */
static inline struct al_proc *al_proc_lookup(struct mm_struct *mm)
{
	struct al_proc *proc;

	hash_for_each_possible_rcu(al_mm_hash, proc, mm_node, (unsigned long)mm)
		if (proc->mm == mm)
			return proc;
	return NULL;
}

/*
 * do_mmap() without MAP_FIXED is about to run in @mm for @task (current),
 * under mmap_lock held for writing until it returns: see al_proc.mmap_task.
 * With @task NULL, it failed: al_map(), which unmarks too, will not run.
 */
static __always_inline void al_mmap_mark(struct mm_struct *mm,
					 struct task_struct *task)
{
	struct al_proc *proc;

	rcu_read_lock();
	proc = al_proc_lookup(mm);
	if (proc && (task || proc->mmap_task == current))
		WRITE_ONCE(proc->mmap_task, task);
	rcu_read_unlock();
}

/* Count one more against the cap @max; false (nothing counted) if full. */
static inline bool al_cap_take(atomic_long_t *nr, unsigned long max)
{
	if (atomic_long_inc_return(nr) <= (long)max)
		return true;
	atomic_long_dec(nr);
	return false;
}

/* ranges.c: range records, and what maps, unmaps and moves them */
extern atomic_long_t al_nr_ranges;
extern atomic_t al_mremaps_inflight;
int al_ranges_init(void);
void al_ranges_uninit(void);
unsigned int al_range_size(void);
void al_map(struct mm_struct *mm, struct pt_regs *uregs, unsigned long start,
	    unsigned long len, unsigned long prot, unsigned long flags,
	    bool anon);
bool al_unmap_begin(struct mm_struct *mm, struct al_unmap_ctx *ctx,
		    bool unlocks);
void al_unmap_end(struct mm_struct *mm, struct al_unmap_ctx *ctx, bool ok);
bool al_mremap_begin(struct al_mremap_ctx *ctx);
void al_mremap_move(struct mm_struct *mm, unsigned long old_addr,
		    unsigned long new_addr, unsigned long len);
void al_mremap_grow(struct mm_struct *mm, unsigned long old_end,
		    unsigned long new_end);
void al_mremap_end(struct al_mremap_ctx *ctx);
void al_oldest_refresh(struct al_proc *proc);
struct al_range *al_range_first(struct al_proc *proc, unsigned long start);
void al_ranges_free(struct rb_root *root, bool can_sleep);

/* stack.c: the user call stack of a mapping */
unsigned int al_stack_capture(struct mm_struct *mm, struct pt_regs *uregs,
			      unsigned long *frames, unsigned int max, u32 *flags);

/* exemplar.c: stack copies of new sites, GET_EXEMPLAR */
struct al_exemplar *al_exemplar_take(struct mm_struct *mm, struct pt_regs *uregs);
void al_exemplar_release(struct al_exemplar *ex);
void al_exemplar_stats(u64 *count, u64 *bytes);
int al_exemplar_doit(struct sk_buff *skb, struct genl_info *info);
extern const struct nla_policy al_exemplar_policy[ANONLEAK_A_MAX + 1];

/* announce.c: OBJECT_EVENTs for files without an unwind table */
struct al_object_event {
	u64 ino;
	unsigned long start;
	unsigned long end;
	u32 dev;
	pid_t pid;			/* initial pid namespace */
};

void al_object_announce(struct mm_struct *mm, struct vm_area_struct *vma);
void al_object_mapped(struct mm_struct *mm, unsigned long addr);
void al_announce_uninit(void);

/* sites.c: the site table */
extern struct xarray al_sites;
int al_sites_init(void);
void al_sites_uninit(void);
struct al_site *al_site_get(struct al_proc *proc, struct mm_struct *mm,
			    const unsigned long *frames, unsigned int depth,
			    u64 now, u32 flags, struct pt_regs *uregs);
void al_site_free(struct al_site *site);
size_t al_site_size(unsigned int depth);
unsigned int al_site_slab_size(unsigned int depth);

/* objects.c: what frames point into */
void al_site_resolve(struct mm_struct *mm, struct al_site *site);
void al_site_unresolve(struct al_site *site);
struct al_object *al_object_get(struct mm_struct *mm, struct vm_area_struct *vma);
void al_object_put(struct al_object *obj);
unsigned long al_frame(const struct al_site *site, unsigned int i,
		       const struct al_object **obj, u64 *offset);

/* probes.c */
int al_probes_init(void);
void al_probes_uninit(void);
u64 al_probes_missed(void);
unsigned int al_probes_count(void);
const char *al_probe_symbol(unsigned int i);
const char *al_probe_function(const char *what);

/* selfcheck.c: the load-time check of the probes */
enum al_check_event { AL_CHECK_MMAP, AL_CHECK_MUNMAP, AL_CHECK_N };
extern struct task_struct *al_check_task;
int al_selfcheck(void);
void al_check_note(enum al_check_event ev, struct mm_struct *mm,
		   unsigned long start, unsigned long end, bool ok);

/* In a probe handler: current is the self-check's task (noted, not recorded). */
static __always_inline bool al_checking(void)
{
	return unlikely(READ_ONCE(al_check_task) == current);
}

/* netlink.c: the family, its policies and doit ops */
extern struct genl_family al_genl_family;
extern const struct nla_policy al_sites_policy[ANONLEAK_A_MAX + 1];
extern const struct nla_policy al_procs_policy[ANONLEAK_A_MAX + 1];
extern const struct nla_policy al_mappings_policy[ANONLEAK_A_MAX + 1];
int al_genl_init(void);
void al_genl_uninit(void);
void al_genl_exit_event(struct al_proc *proc);
bool al_genl_objects_listened(void);
bool al_genl_object_event(const struct al_object_event *ev);

/* A u64 attribute, 64-bit aligned with the @pad attribute of its level. */
static inline int al_put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

/* dump.c: GET_SITES, GET_PROCS, GET_MAPPINGS */
struct netlink_callback;
int al_sites_start(struct netlink_callback *cb);
int al_sites_dump(struct sk_buff *skb, struct netlink_callback *cb);
int al_procs_start(struct netlink_callback *cb);
int al_procs_dump(struct sk_buff *skb, struct netlink_callback *cb);
int al_mappings_start(struct netlink_callback *cb);
int al_mappings_dump(struct sk_buff *skb, struct netlink_callback *cb);
struct sk_buff *al_exit_event_msg(struct al_proc *proc);

#endif /* _ANONLEAK_H */
