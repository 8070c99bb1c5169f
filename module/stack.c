// SPDX-License-Identifier: GPL-2.0
/*
 * The user call stack of the syscall that asks for a mapping, captured in
 * the do_mmap() return probe: preemption off, mmap_lock held, page faults
 * disabled. The frames are return addresses, innermost first; sites.c
 * keys records by them.
 *
 * With unwind tables loaded (unwind.c), each frame is found from the table
 * of the object its pc lies in: the walk below is the kernel twin of what
 * libdwfl does with .eh_frame, checked against it on Debian's binaries.
 * Objects without a table get frame-pointer steps and make the stack
 * "partial"; with no table at all (or a 32-bit task) the stack is what
 * frame pointers alone give (al_stack_fp()).
 */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <asm/ptrace.h>

#include <linux/anonleak.h>

#include "anonleak.h"
#include "unwind.h"

/* x86-64 struct ucontext: uc_mcontext starts at 40; rbp, rsp, rip in it. */
#define AL_UC_RBP	120
#define AL_UC_RSP	160
#define AL_UC_RIP	168

enum al_text_kind {
	AL_TEXT_NONE,		/* not executable: not a frame */
	AL_TEXT_FILE,		/* an executable file mapping */
	AL_TEXT_ANON,		/* anonymous executable memory (JIT) */
};

/*
 * The last few executable VMAs seen, to spare find_vma() for frames in one
 * object: a stack goes through a handful of objects (the program, libc,
 * an interpreter, a library or two).
 */
#define AL_TEXT_ENTS	4
struct al_text_ent {
	unsigned long start;
	unsigned long end;
	unsigned long base;		/* vm_start - file offset of vm_start */
	const struct al_utable *t;	/* RCU; NULL: no table */
	u8 kind;
};

struct al_text_cache {
	struct al_text_ent e[AL_TEXT_ENTS];
	unsigned int next;
	bool tables;			/* look tables up (else: FP only) */
};

static noinline void al_text_fill(struct mm_struct *mm, unsigned long addr,
				  struct al_text_cache *c, struct al_text_ent *e)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	e->kind = AL_TEXT_NONE;
	if (!vma || addr < vma->vm_start || !(vma->vm_flags & VM_EXEC))
		return;
	e->start = vma->vm_start;
	e->end = vma->vm_end;
	e->base = vma->vm_start - (vma->vm_pgoff << PAGE_SHIFT);
	e->t = NULL;
	e->kind = vma->vm_file ? AL_TEXT_FILE : AL_TEXT_ANON;
	if (c->tables && vma->vm_file) {
		e->t = al_utable_find(file_inode(vma->vm_file));
		if (!e->t) {
			al_stat_inc(unwind_no_table);
			al_object_announce(mm, vma);
		}
	}
}

/* mmap_lock is held by our caller (do_mmap()). */
static __always_inline const struct al_text_ent *
al_text(struct mm_struct *mm, unsigned long addr, struct al_text_cache *c)
{
	struct al_text_ent *e;
	unsigned int i;

	for (i = 0; i < AL_TEXT_ENTS; i++) {
		e = &c->e[i];
		if (e->kind != AL_TEXT_NONE && addr >= e->start && addr < e->end)
			return e;
	}
	e = &c->e[c->next];
	c->next = (c->next + 1) % AL_TEXT_ENTS;
	al_text_fill(mm, addr, c, e);
	return e->kind == AL_TEXT_NONE ? NULL : e;
}

/*
 * User reads without copy_from_user_nofault(): its checks and the STAC/CLAC
 * pair around a generic copy cost more than the read itself. Inlined: as
 * calls they cost ~45 instructions per frame (make bench). The caller has
 * page faults disabled (a kprobe handler, preemption off), so a fault just
 * takes the exception-table exit.
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

/* Two words at any two addresses, in one user-access block. */
static __always_inline bool al_read_pair(unsigned long a, unsigned long b,
					 unsigned long *va, unsigned long *vb)
{
	const unsigned long __user *pa = (const unsigned long __user *)a;
	const unsigned long __user *pb = (const unsigned long __user *)b;

	if (!access_ok(pb, sizeof(*pb)) || !user_access_begin(pa, sizeof(*pa)))
		return false;
	unsafe_get_user(*va, pa, fault);
	unsafe_get_user(*vb, pb, fault);
	user_access_end();
	return true;
fault:
	user_access_end();
	return false;
}

/*
 * Frame pointers only, innermost first:
 *  1. the user instruction pointer (inside the libc or syscall() wrapper);
 *  2. the word at the user stack pointer, if it points into executable
 *     memory: the return address into the wrapper's caller when the wrapper
 *     is a leaf that did not touch the stack, as glibc's are;
 *  3. the frame-pointer chain from the user frame pointer, for as long as it
 *     climbs the stack and its return addresses are executable.
 */
static unsigned int al_stack_fp(struct mm_struct *mm, struct pt_regs *uregs,
				unsigned long *frames, unsigned int max,
				struct al_text_cache *c)
{
	unsigned long sp, fp, ret, next;
	bool compat = in_compat_syscall();
	unsigned int word = compat ? 4 : 8;
	unsigned int n = 0;

	frames[n++] = instruction_pointer(uregs);
	sp = user_stack_pointer(uregs);
	if (n < max && al_read_words(sp, compat, 1, &ret) && al_text(mm, ret, c))
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
		if (!al_text(mm, ret, c))
			break;
		/* The wrapper kept a frame: do not count its caller twice. */
		if (ret != frames[n - 1])
			frames[n++] = ret;
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

/* Where the walk is: the registers of the frame being unwound. */
struct al_uframe {
	unsigned long ip;
	unsigned long sp;
	unsigned long bp;
	bool bp_ok;			/* bp holds the caller's value */
	bool exact;			/* ip is not a return address */
};

enum al_step {
	AL_STEP_ON,			/* one more frame */
	AL_STEP_END,			/* the outermost frame: complete */
	AL_STEP_STOP,			/* cannot go on: partial */
};

/* No table for this object: a frame-pointer step, if the chain is sane. */
static __always_inline enum al_step al_step_fp(struct al_uframe *f)
{
	unsigned long next, ret;

	if (!f->bp_ok || f->bp < f->sp || (f->bp & 7))
		return AL_STEP_STOP;
	if (!al_read_pair(f->bp + 8, f->bp, &ret, &next))
		return AL_STEP_STOP;
	f->sp = f->bp + 16;
	f->bp = next;
	f->ip = ret;
	f->exact = false;
	return ret ? AL_STEP_ON : AL_STEP_END;
}

/* A signal trampoline: sp points at the ucontext the kernel pushed. */
static __always_inline enum al_step al_step_signal(struct al_uframe *f)
{
	unsigned long w[3];

	/* rbp, (r)bx dx ax cx, rsp, rip: one block from rbp to rip. */
	if (!al_read_words(f->sp + AL_UC_RBP, false, 1, &w[0]) ||
	    !al_read_pair(f->sp + AL_UC_RSP, f->sp + AL_UC_RIP, &w[1], &w[2]))
		return AL_STEP_STOP;
	f->bp = w[0];
	f->sp = w[1];
	f->ip = w[2];
	f->bp_ok = true;
	f->exact = true;
	return AL_STEP_ON;
}

/* One frame by @r: the CFA, then the return address and the caller's rbp. */
static __always_inline enum al_step
al_step_rule(struct al_uframe *f, const struct anonleak_unwind_rule *r)
{
	unsigned long cfa, ra, fp = 0, slot;

	switch (r->cfa) {
	case ANONLEAK_UNWIND_CFA_SP:
		cfa = f->sp + r->cfa_off;
		break;
	case ANONLEAK_UNWIND_CFA_FP:
		if (!f->bp_ok)
			return AL_STEP_STOP;
		cfa = f->bp + r->cfa_off;
		break;
	case ANONLEAK_UNWIND_CFA_FP_DEREF:
		if (!f->bp_ok ||
		    !al_read_words(f->bp + r->cfa_off, false, 1, &cfa))
			return AL_STEP_STOP;
		break;
	case ANONLEAK_UNWIND_CFA_SIGNAL:
		return al_step_signal(f);
	case ANONLEAK_UNWIND_CFA_END:
		return AL_STEP_END;
	default:
		return AL_STEP_STOP;
	}
	/* The caller's frame lies above ours, always: else a loop or garbage. */
	if (cfa <= f->sp)
		return AL_STEP_STOP;
	slot = r->fp == ANONLEAK_UNWIND_FP_AT_FP ? f->bp + r->fp_off :
						     cfa + r->fp_off;
	if (r->fp == ANONLEAK_UNWIND_FP_AT_CFA || r->fp == ANONLEAK_UNWIND_FP_AT_FP) {
		if (r->fp == ANONLEAK_UNWIND_FP_AT_FP && !f->bp_ok)
			return AL_STEP_STOP;
		if (!al_read_pair(cfa - 8, slot, &ra, &fp))
			return AL_STEP_STOP;
		f->bp = fp;
	} else {
		if (!al_read_words(cfa - 8, false, 1, &ra))
			return AL_STEP_STOP;
		if (r->fp == ANONLEAK_UNWIND_FP_UNDEF)
			f->bp_ok = false;
	}
	f->sp = cfa;
	f->ip = ra;
	f->exact = false;
	return ra ? AL_STEP_ON : AL_STEP_END;
}

/* One frame of the table walk from @f; sets ANONLEAK_SITE_F_* in @flags. */
static __always_inline enum al_step al_step(struct mm_struct *mm,
					    struct al_uframe *f,
					    struct al_text_cache *c, u32 *flags)
{
	unsigned long pc = f->exact ? f->ip : f->ip - 1;
	const struct anonleak_unwind_rule *r;
	const struct al_text_ent *e = al_text(mm, pc, c);
	unsigned long off;

	if (!e)
		return AL_STEP_STOP;
	if (e->kind == AL_TEXT_ANON) {
		*flags |= ANONLEAK_SITE_F_ANON_EXEC | ANONLEAK_SITE_F_PARTIAL;
		return AL_STEP_STOP;
	}
	if (!e->t) {
		*flags |= ANONLEAK_SITE_F_PARTIAL;
		return al_step_fp(f);
	}
	off = pc - e->base;
	r = off <= U32_MAX ? al_utable_rule(e->t, off) : NULL;
	if (!r) {
		*flags |= ANONLEAK_SITE_F_PARTIAL;
		return AL_STEP_STOP;
	}
	*flags |= ANONLEAK_SITE_F_UNWOUND;
	al_stat_inc(unwind_frames);
	return al_step_rule(f, r);
}

/*
 * Frame 0 has no table (its object's table is not loaded yet): take the
 * leaf rule glibc's syscall wrappers follow (return address at sp, CFA
 * sp + 8, rbp untouched) if the word at sp is a return address.
 */
static __always_inline enum al_step al_step_leaf(struct mm_struct *mm,
						 struct al_uframe *f,
						 struct al_text_cache *c)
{
	static const struct anonleak_unwind_rule leaf = {
		.cfa = ANONLEAK_UNWIND_CFA_SP, .cfa_off = 8,
		.fp = ANONLEAK_UNWIND_FP_SAME,
	};
	unsigned long ra;

	if (!al_read_words(f->sp, false, 1, &ra) || !al_text(mm, ra, c))
		return AL_STEP_STOP;
	return al_step_rule(f, &leaf);
}

static unsigned int al_stack_tables(struct mm_struct *mm, struct pt_regs *uregs,
				    unsigned long *frames, unsigned int max,
				    struct al_text_cache *c, u32 *flags)
{
	struct al_uframe f = {
		.ip = instruction_pointer(uregs), .sp = user_stack_pointer(uregs),
		.bp = frame_pointer(uregs), .bp_ok = true, .exact = true,
	};
	const struct al_text_ent *e;
	enum al_step st = AL_STEP_ON;
	unsigned int n = 0;

	frames[n++] = f.ip;
	e = al_text(mm, f.ip, c);
	if (n < max && e && e->kind == AL_TEXT_FILE && !e->t) {
		*flags |= ANONLEAK_SITE_F_PARTIAL;
		st = al_step_leaf(mm, &f, c);
		if (st == AL_STEP_ON)
			frames[n++] = f.ip;
	}
	while (st == AL_STEP_ON && n < max) {
		st = al_step(mm, &f, c, flags);
		if (st == AL_STEP_ON)
			frames[n++] = f.ip;
	}
	if (st == AL_STEP_END && !(*flags & ANONLEAK_SITE_F_PARTIAL))
		*flags |= ANONLEAK_SITE_F_COMPLETE;
	else if (st == AL_STEP_ON)
		*flags |= ANONLEAK_SITE_F_TRUNCATED;
	else if (st == AL_STEP_STOP)
		/* An UNKNOWN rule, or a rule whose reads failed: as the UAPI says. */
		*flags |= ANONLEAK_SITE_F_PARTIAL;
	return n;
}

/*
 * Capture the user call stack of the current syscall into @frames (at most
 * @max), and how it was found into @flags (ANONLEAK_SITE_F_*). User reads
 * cannot fault in: preemption is off and mmap_lock held.
 */
unsigned int al_stack_capture(struct mm_struct *mm, struct pt_regs *uregs,
			      unsigned long *frames, unsigned int max, u32 *flags)
{
	struct al_text_cache cache;
	unsigned int n;

	*flags = 0;
	if (!uregs || !user_mode(uregs) || !max)
		return 0;
	memset(&cache, 0, sizeof(cache));
	cache.tables = READ_ONCE(al_unwind) && al_unwind_any() &&
		       !in_compat_syscall();
	pagefault_disable();
	if (cache.tables)
		n = al_stack_tables(mm, uregs, frames, max, &cache, flags);
	else
		n = al_stack_fp(mm, uregs, frames, max, &cache);
	pagefault_enable();
	if (n == max && !(*flags & ANONLEAK_SITE_F_COMPLETE))
		*flags |= ANONLEAK_SITE_F_TRUNCATED;
	return n;
}
