// SPDX-License-Identifier: GPL-2.0
/*
 * Call sites: the table of (proc, user call stack) records that counters
 * are kept in. The stacks themselves are captured in stack.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>

#include <linux/anonleak.h>

#include "anonleak.h"

#define AL_SITE_LOCKS	256
/* Sites come from one slab cache per depth class: exact sizes, no rounding. */
#define AL_SITE_CLASSES	(ANONLEAK_MAX_FRAMES / 8)

static struct hlist_head *al_site_hash;
static unsigned int al_site_hash_bits;
static spinlock_t al_site_locks[AL_SITE_LOCKS];
static u32 al_site_next;
static struct kmem_cache *al_site_caches[AL_SITE_CLASSES];
static char al_site_cache_names[AL_SITE_CLASSES][16];

DEFINE_XARRAY_ALLOC(al_sites);
atomic_long_t al_nr_sites = ATOMIC_LONG_INIT(0);

size_t al_site_size(unsigned int depth)
{
	return struct_size((struct al_site *)NULL, frames, depth);
}

static struct kmem_cache *al_site_cache(unsigned int depth)
{
	return al_site_caches[(max(depth, 1U) - 1) / 8];
}

/* Bytes of slab per site of @depth frames, as allocated. */
unsigned int al_site_slab_size(unsigned int depth)
{
	return kmem_cache_size(al_site_cache(depth));
}

static void al_site_free_rcu(struct rcu_head *head)
{
	struct al_site *site = container_of(head, struct al_site, rcu);

	kmem_cache_free(al_site_cache(site->depth), site);
}

/*
 * A multiply-xor per frame: a quarter of jhash2()'s instructions on two
 * words per frame, and mixed enough for hash_32() of the bucket.
 */
static u32 al_stack_hash(struct al_proc *proc, const unsigned long *frames,
			 unsigned int depth)
{
	u64 h = (unsigned long)proc ^ depth;
	unsigned int i;

	for (i = 0; i < depth; i++)
		h = (h ^ frames[i]) * 0x9e3779b97f4a7c15ULL;
	return (u32)(h >> 32) ^ (u32)h;
}

/* Is @site, a site of this proc, the one of this stack? */
static __always_inline bool al_site_is(const struct al_site *site,
				       const unsigned long *frames,
				       unsigned int depth)
{
	unsigned int i;

	if (site->depth != depth)
		return false;
	for (i = 0; i < depth; i++)
		if ((site->frames[i] & AL_FRAME_ADDR_MASK) != frames[i])
			return false;
	return true;
}

static bool al_site_match(const struct al_site *site,
			  const struct al_proc *proc, u32 hash,
			  const unsigned long *frames, unsigned int depth)
{
	return site->proc == proc && site->hash == hash &&
	       al_site_is(site, frames, depth);
}

/* A new site of @proc for this stack, in the hash table; NULL: a drop. */
static struct al_site *al_site_new(struct al_proc *proc, struct mm_struct *mm,
				   const unsigned long *frames,
				   unsigned int depth, u64 now, u32 flags,
				   struct pt_regs *uregs, u32 hash)
{
	unsigned int b = hash_32(hash, al_site_hash_bits);
	spinlock_t *lock = &al_site_locks[b % AL_SITE_LOCKS];
	struct al_site *site;
	u32 id;

	if (!al_cap_take(&al_nr_sites, READ_ONCE(al_max_sites))) {
		al_drop(sites, "max_sites reached");
		return NULL;
	}
	site = kmem_cache_zalloc(al_site_cache(depth), GFP_NOWAIT | __GFP_NOWARN);
	if (!site)
		goto err_nomem;
	site->proc = proc;
	site->hash = hash;
	site->depth = depth;
	site->first_seen = now;
	memcpy(site->frames, frames, depth * sizeof(*frames));
	al_site_resolve(mm, site);
	site->exemplar = al_exemplar_take(mm, uregs);
	site->flags = flags | (site->exemplar ? ANONLEAK_SITE_F_EXEMPLAR : 0);
	if (xa_alloc_cyclic(&al_sites, &id, site, xa_limit_32b, &al_site_next,
			    GFP_NOWAIT | __GFP_NOWARN) < 0) {
		al_exemplar_release(site->exemplar);
		al_site_unresolve(site);
		kmem_cache_free(al_site_cache(depth), site);
		goto err_nomem;
	}
	site->id = id;
	if (flags & ANONLEAK_SITE_F_PARTIAL)
		al_stat_inc(partial_sites);
	list_add_tail(&site->proc_node, &proc->sites);
	proc->nr_sites++;

	spin_lock(lock);
	hlist_add_head_rcu(&site->hnode, &al_site_hash[b]);
	spin_unlock(lock);
	return site;

err_nomem:
	atomic_long_dec(&al_nr_sites);
	al_drop(nomem, "out of memory in a probe");
	return NULL;
}

/*
 * Find or create the site of @proc for this stack. Called with proc->lock
 * held, which serialises site creation per proc.
 */
struct al_site *al_site_get(struct al_proc *proc, struct mm_struct *mm,
			    const unsigned long *frames, unsigned int depth,
			    u64 now, u32 flags, struct pt_regs *uregs)
{
	struct al_site *site = proc->last_site;
	unsigned int b;
	u32 hash;

	lockdep_assert_held(&proc->lock);
	if (site && al_site_is(site, frames, depth))
		return site;
	hash = al_stack_hash(proc, frames, depth);
	b = hash_32(hash, al_site_hash_bits);
	hlist_for_each_entry_rcu(site, &al_site_hash[b], hnode) {
		if (al_site_match(site, proc, hash, frames, depth))
			goto found;
	}
	site = al_site_new(proc, mm, frames, depth, now, flags, uregs, hash);
	if (!site)
		return NULL;
found:
	proc->last_site = site;
	return site;
}

/* Unlink and free (after a grace period) a site already off its proc. */
void al_site_free(struct al_site *site)
{
	unsigned int b = hash_32(site->hash, al_site_hash_bits);
	spinlock_t *lock = &al_site_locks[b % AL_SITE_LOCKS];

	spin_lock(lock);
	hlist_del_rcu(&site->hnode);
	spin_unlock(lock);
	xa_erase(&al_sites, site->id);
	atomic_long_dec(&al_nr_sites);
	al_exemplar_release(site->exemplar);
	al_site_unresolve(site);
	/* Not kfree_rcu(): the caches go at unload, after an rcu_barrier(). */
	call_rcu(&site->rcu, al_site_free_rcu);
}

int al_sites_init(void)
{
	unsigned long n = clamp_val(al_max_sites, 1024UL, 1UL << 20);
	unsigned int i;

	for (i = 0; i < AL_SITE_CLASSES; i++) {
		snprintf(al_site_cache_names[i], sizeof(al_site_cache_names[i]),
			 "al_site_%u", (i + 1) * 8);
		al_site_caches[i] = kmem_cache_create(al_site_cache_names[i],
						      al_site_size((i + 1) * 8),
						      0, 0, NULL);
		if (!al_site_caches[i])
			goto err;
	}
	al_site_hash_bits = ilog2(roundup_pow_of_two(n));
	al_site_hash = kvcalloc(1UL << al_site_hash_bits,
				sizeof(*al_site_hash), GFP_KERNEL);
	if (!al_site_hash)
		goto err;
	for (i = 0; i < AL_SITE_LOCKS; i++)
		spin_lock_init(&al_site_locks[i]);
	return 0;

err:
	while (i--)
		kmem_cache_destroy(al_site_caches[i]);
	return -ENOMEM;
}

/* Every site has been freed with its proc, and rcu_barrier() has run. */
void al_sites_uninit(void)
{
	unsigned int i;

	WARN_ON(!xa_empty(&al_sites));
	kvfree(al_site_hash);
	for (i = 0; i < AL_SITE_CLASSES; i++)
		kmem_cache_destroy(al_site_caches[i]);
}
