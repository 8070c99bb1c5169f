// SPDX-License-Identifier: GPL-2.0
/*
 * Call sites: the user stack that asked for a mapping, and the table of
 * (proc, stack) records that counters are kept in.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>
#include <asm/ptrace.h>

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
 * The last two executable VMAs seen, to spare find_vma() for frames in one
 * object: a stack alternates between two (libc and the program) at least.
 */
struct al_text_cache {
	unsigned long start[2];
	unsigned long end[2];
	unsigned int next;
};

/* mmap_lock is held by our caller (do_mmap()). */
static __always_inline bool al_text_addr(struct mm_struct *mm,
					 unsigned long addr,
					 struct al_text_cache *c)
{
	struct vm_area_struct *vma;

	if ((addr >= c->start[0] && addr < c->end[0]) ||
	    (addr >= c->start[1] && addr < c->end[1]))
		return true;
	vma = find_vma(mm, addr);
	if (!vma || addr < vma->vm_start || !(vma->vm_flags & VM_EXEC))
		return false;
	c->start[c->next] = vma->vm_start;
	c->end[c->next] = vma->vm_end;
	c->next ^= 1;
	return true;
}

/*
 * User reads without copy_from_user_nofault(): its checks and the STAC/CLAC
 * pair around a generic copy cost more than the read itself, twice per
 * frame. Inlined, like al_text_addr(): as calls they cost ~45 instructions
 * per frame (make bench). The caller has page faults disabled (we run in a kprobe handler,
 * preemption off), so a fault just takes the exception-table exit.
 */
static __always_inline bool al_read_words(unsigned long addr, bool compat,
					  unsigned int n, unsigned long *val)
{
	unsigned int i;

	if (compat) {
		const u32 __user *p = (const u32 __user *)addr;
		u32 v;

		if (!user_access_begin(p, n * sizeof(*p)))
			return false;
		for (i = 0; i < n; i++) {
			unsafe_get_user(v, p + i, fault);
			val[i] = v;
		}
	} else {
		const unsigned long __user *p = (const unsigned long __user *)addr;

		if (!user_access_begin(p, n * sizeof(*p)))
			return false;
		for (i = 0; i < n; i++)
			unsafe_get_user(val[i], p + i, fault);
	}
	user_access_end();
	return true;
fault:
	user_access_end();
	return false;
}

/*
 * Capture the user call stack of the current syscall, innermost first:
 *  1. the user instruction pointer (inside the libc or syscall() wrapper);
 *  2. the word at the user stack pointer, if it points into executable
 *     memory: the return address into the wrapper's caller when the wrapper
 *     is a leaf that did not touch the stack, as glibc's are;
 *  3. the frame-pointer chain from the user frame pointer, for as long as it
 *     climbs the stack and its return addresses are executable.
 * User reads cannot fault in: we run with preemption off and mmap_lock held.
 */
unsigned int al_stack_capture(struct mm_struct *mm, struct pt_regs *uregs,
			      unsigned long *frames, unsigned int max)
{
	struct al_text_cache cache = { };
	unsigned long sp, fp, ret, next;
	bool compat = in_compat_syscall();
	unsigned int word = compat ? 4 : 8;
	unsigned int n = 0;

	if (!uregs || !user_mode(uregs))
		return 0;
	frames[n++] = instruction_pointer(uregs);
	sp = user_stack_pointer(uregs);

	pagefault_disable();
	if (n < max && al_read_words(sp, compat, 1, &ret) &&
	    al_text_addr(mm, ret, &cache))
		frames[n++] = ret;

	fp = frame_pointer(uregs);
	while (n < max) {
		unsigned long w[2];

		if (fp < sp || (fp & (word - 1)))
			break;
		if (!al_read_words(fp, compat, 2, w))
			break;
		next = w[0];
		ret = w[1];
		if (!al_text_addr(mm, ret, &cache))
			break;
		/* The wrapper kept a frame: do not count its caller twice. */
		if (ret != frames[n - 1])
			frames[n++] = ret;
		if (next <= fp)
			break;
		fp = next;
	}
	pagefault_enable();
	return n;
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

/*
 * Find or create the site of @proc for this stack. Called with proc->lock
 * held, which serialises site creation per proc.
 */
static bool al_site_match(const struct al_site *site,
			  const struct al_proc *proc, u32 hash,
			  const unsigned long *frames, unsigned int depth)
{
	unsigned int i;

	if (site->proc != proc || site->hash != hash || site->depth != depth)
		return false;
	for (i = 0; i < depth; i++)
		if ((site->frames[i] & AL_FRAME_ADDR_MASK) != frames[i])
			return false;
	return true;
}

struct al_site *al_site_get(struct al_proc *proc, struct mm_struct *mm,
			    const unsigned long *frames, unsigned int depth,
			    u64 now)
{
	u32 hash = al_stack_hash(proc, frames, depth);
	unsigned int b = hash_32(hash, al_site_hash_bits);
	spinlock_t *lock = &al_site_locks[b % AL_SITE_LOCKS];
	struct al_site *site;
	u32 id;

	lockdep_assert_held(&proc->lock);
	hlist_for_each_entry_rcu(site, &al_site_hash[b], hnode) {
		if (al_site_match(site, proc, hash, frames, depth))
			return site;
	}

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
	if (xa_alloc_cyclic(&al_sites, &id, site, xa_limit_32b, &al_site_next,
			    GFP_NOWAIT | __GFP_NOWARN) < 0) {
		al_site_unresolve(site);
		kmem_cache_free(al_site_cache(depth), site);
		goto err_nomem;
	}
	site->id = id;
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
