// SPDX-License-Identifier: GPL-2.0
/*
 * The user call stack of the syscall that asks for a mapping, captured in
 * the do_mmap() return probe: preemption off, mmap_lock held, page faults
 * disabled. The frames are return addresses, innermost first; sites.c
 * keys records by them.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <asm/ptrace.h>

#include <linux/anonleak.h>

#include "anonleak.h"

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
