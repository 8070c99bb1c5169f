// SPDX-License-Identifier: GPL-2.0
/*
 * Probe handlers: tiny, they only collect arguments and call into track.c.
 *
 * do_mmap()           kretprobe: every mapping user space creates, whatever
 *                     path it took; anonymous ones are recorded on success,
 *                     MAP_FIXED ones retire what they replaced.
 * do_vmi_munmap()     kretprobe: the internal munmap that munmap(2), mremap
 *  / do_mas_munmap()  and MAP_FIXED replacement go through (6.2+ / 6.1).
 * exit_mmap()         kprobe: mm teardown, at exit and at execve.
 * sys_mremap()        kretprobe: brackets mremap(2) for the two below.
 * move_page_tables()  kprobe: where mremap() moves a range, under mmap_lock.
 * vma_merge_extend()  kretprobe: mremap() growing a mapping in place, under
 *  / vma_merge()      mmap_lock (6.2+ / 6.1; filtered by the bracket).
 *
 * Symbols are tried in order from a per-version list, and can be forced
 * with the mmap_symbol / munmap_symbol / exit_symbol module parameters.
 */
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/sched/task_stack.h>
#include <linux/mman.h>
#include <linux/major.h>
#include <linux/kdev_t.h>
#include <linux/fs.h>
#include <linux/err.h>
#include <linux/cpumask.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>

#include <linux/anonleak.h>

#include "anonleak.h"

static char *mmap_symbol;
module_param(mmap_symbol, charp, 0444);
MODULE_PARM_DESC(mmap_symbol, "Kernel function creating mappings (default: do_mmap)");

static char *munmap_symbol;
module_param(munmap_symbol, charp, 0444);
MODULE_PARM_DESC(munmap_symbol,
		 "Kernel function unmapping ranges (default: do_vmi_munmap, else do_mas_munmap)");

static char *mremap_symbol;
module_param(mremap_symbol, charp, 0444);
MODULE_PARM_DESC(mremap_symbol, "The mremap syscall entry (default: __x64_sys_mremap)");

static char *move_symbol;
module_param(move_symbol, charp, 0444);
MODULE_PARM_DESC(move_symbol, "Kernel function moving page tables (default: move_page_tables)");

static char *grow_symbol;
module_param(grow_symbol, charp, 0444);
MODULE_PARM_DESC(grow_symbol,
		 "Kernel function growing a mapping in place for mremap (default: vma_merge_extend, else vma_merge)");

static char *exit_symbol;
module_param(exit_symbol, charp, 0444);
MODULE_PARM_DESC(exit_symbol, "Kernel function tearing down an mm (default: exit_mmap)");

static const char * const al_mmap_syms[] = { "do_mmap", NULL };
static const char * const al_munmap_syms[] = { "do_vmi_munmap", "do_mas_munmap", NULL };
static const char * const al_exit_syms[] = { "exit_mmap", NULL };
static const char * const al_mremap_syms[] = { "__x64_sys_mremap", "__arm64_sys_mremap", NULL };
/*
 * GCC may split move_page_tables() into a wrapper that returns early for
 * len == 0 and "move_page_tables.part.0" with the same arguments, which
 * move_vma() then calls directly (seen on a 6.1 allnoconfig-based build):
 * probe the part when there is one.
 */
static const char * const al_move_syms[] = {
	"move_page_tables.part.0", "move_page_tables", NULL
};

static const char * const al_grow_syms[] = { "vma_merge_extend", "vma_merge", NULL };

struct al_mmap_data {
	unsigned long len;
	unsigned long prot;
	unsigned long flags;
	bool anon;
};

struct al_munmap_data {
	struct mm_struct *mm;
	struct al_unmap_ctx ctx;
};

static bool al_user_task(void)
{
	return current->mm && !(current->flags & PF_KTHREAD);
}

/* Private mappings of /dev/zero are anonymous memory like any other. */
static bool al_file_is_zero(struct file *file)
{
	struct inode *inode = file_inode(file);

	return S_ISCHR(inode->i_mode) && inode->i_rdev == MKDEV(MEM_MAJOR, 5);
}

/*
 * do_mmap(file, addr, len, prot, flags, ...): the first five arguments are
 * in the same place on every supported kernel. Anonymous is what the caller
 * asked for: no file, MAP_ANONYMOUS (MAP_HUGETLB and MAP_SHARED get a file
 * of their own inside the kernel), or /dev/zero.
 */
static int al_mmap_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_mmap_data *d = (struct al_mmap_data *)ri->data;
	struct file *file = (struct file *)regs_get_kernel_argument(regs, 0);

	if (!READ_ONCE(al_enabled) || !al_user_task())
		return 1;
	d->flags = regs_get_kernel_argument(regs, 4);
	d->anon = !file || (d->flags & MAP_ANONYMOUS) || al_file_is_zero(file);
	if (!d->anon && !(d->flags & MAP_FIXED))
		return 1;
	d->len = regs_get_kernel_argument(regs, 2);
	d->prot = regs_get_kernel_argument(regs, 3);
	if (d->anon && !(d->flags & MAP_FIXED))
		al_mmap_mark(current->mm);
	return 0;
}

static int al_mmap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_mmap_data *d = (struct al_mmap_data *)ri->data;
	unsigned long addr = regs_return_value(regs);

	if (IS_ERR_VALUE(addr)) {
		if (d->anon && !(d->flags & MAP_FIXED))
			al_mmap_unmark(current->mm);
		return 0;
	}
	al_map(current->mm, task_pt_regs(current), addr, PAGE_ALIGN(d->len),
	       d->prot, d->flags, d->anon);
	return 0;
}

/* do_{vmi,mas}_munmap(iter, mm, start, len, uf, unlock/downgrade) */
/*
 * Whether the munmap function probed may drop mmap_lock before it returns
 * when its last argument is true: 6.12's do_vmi_munmap(..., unlock) does;
 * 6.1's do_mas_munmap(..., downgrade) keeps it for reading until after
 * the return, so nothing can map in between there. Unknown functions
 * (munmap_symbol=) are assumed to.
 */
static bool al_munmap_unlocks = true;

static int al_munmap_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_munmap_data *d = (struct al_munmap_data *)ri->data;
	unsigned long start = regs_get_kernel_argument(regs, 2);
	unsigned long len = regs_get_kernel_argument(regs, 3);

	d->mm = (struct mm_struct *)regs_get_kernel_argument(regs, 1);
	d->ctx.start = start;
	d->ctx.end = len > TASK_SIZE ? start : start + PAGE_ALIGN(len);
	return al_unmap_begin(d->mm, &d->ctx,
			      al_munmap_unlocks && regs_get_kernel_argument(regs, 5)) ? 0 : 1;
}

static int al_munmap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_munmap_data *d = (struct al_munmap_data *)ri->data;
	long ret = (long)regs_return_value(regs);

	/* 0 on success (6.1 may also return 1: lock downgraded). */
	al_unmap_end(d->mm, &d->ctx, ret >= 0);
	return 0;
}

static int al_exit_pre(struct kprobe *kp, struct pt_regs *regs)
{
	al_mm_exit((struct mm_struct *)regs_get_kernel_argument(regs, 0));
	return 0;
}

/* The syscall's own arguments, from the user registers. */
static int al_mremap_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_mremap_ctx *ctx = (struct al_mremap_ctx *)ri->data;
	unsigned long args[6];

	if (!al_user_task())
		return 1;
	syscall_get_arguments(current, task_pt_regs(current), args);
	ctx->task = current;
	ctx->mm = current->mm;
	ctx->addr = args[0];
	ctx->old_len = PAGE_ALIGN(args[1]);
	ctx->new_len = PAGE_ALIGN(args[2]);
	ctx->flags = args[3];
	ctx->moved = false;
	ctx->moved_to = 0;
	return al_mremap_begin(ctx) ? 0 : 1;
}

static int al_mremap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	al_mremap_end((struct al_mremap_ctx *)ri->data);
	return 0;
}

struct al_grow_data {
	struct mm_struct *mm;
	unsigned long old_end;
	unsigned long new_end;
};

/*
 * vma_merge_extend(vmi, vma, delta) on 6.2+; vma_merge(mm, prev, addr, end,
 * ...) on 6.1, which has many other callers: only calls made while some
 * task is inside a tracked mremap() go further than one atomic read.
 */
static int al_grow_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_grow_data *d = (struct al_grow_data *)ri->data;
	struct kretprobe *rp = get_kretprobe(ri);

	if (!atomic_read(&al_mremaps_inflight) || !al_user_task() || !rp)
		return 1;
	d->mm = current->mm;
	if (!strcmp(rp->kp.symbol_name, "vma_merge")) {
		d->old_end = regs_get_kernel_argument(regs, 2);
		d->new_end = regs_get_kernel_argument(regs, 3);
	} else {
		struct vm_area_struct *vma;

		vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 1);
		d->old_end = vma->vm_end;
		d->new_end = d->old_end + regs_get_kernel_argument(regs, 2);
	}
	return 0;
}

static int al_grow_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_grow_data *d = (struct al_grow_data *)ri->data;
	unsigned long vma = regs_return_value(regs);

	if (vma && !IS_ERR_VALUE(vma))
		al_mremap_grow(d->mm, d->old_end, d->new_end);
	return 0;
}

/* move_page_tables(vma, old_addr, new_vma, new_addr, len, ...) */
static int al_move_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct vm_area_struct *vma;

	if (!al_user_task())
		return 0;
	vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 0);
	al_mremap_move(vma->vm_mm, regs_get_kernel_argument(regs, 1),
		       regs_get_kernel_argument(regs, 3),
		       regs_get_kernel_argument(regs, 4));
	return 0;
}

static struct kretprobe al_mmap_probe = {
	.entry_handler	= al_mmap_entry,
	.handler	= al_mmap_ret,
	.data_size	= sizeof(struct al_mmap_data),
};

static struct kretprobe al_munmap_probe = {
	.entry_handler	= al_munmap_entry,
	.handler	= al_munmap_ret,
	.data_size	= sizeof(struct al_munmap_data),
};

static struct kprobe al_exit_probe = {
	.pre_handler	= al_exit_pre,
};

static struct kretprobe al_mremap_probe = {
	.entry_handler	= al_mremap_entry,
	.handler	= al_mremap_ret,
	.data_size	= sizeof(struct al_mremap_ctx),
};

static struct kprobe al_move_probe = {
	.pre_handler	= al_move_pre,
};

static struct kretprobe al_grow_probe = {
	.entry_handler	= al_grow_entry,
	.handler	= al_grow_ret,
	.data_size	= sizeof(struct al_grow_data),
};

/* Register @rp on @forced, or on the first symbol of @syms that exists. */
static int al_register_kretprobe(struct kretprobe *rp, const char *forced,
				 const char * const *syms, const char *what)
{
	const char * const *s;
	int err = -ENOENT;

	/* Every task in the function at once needs an instance. */
	rp->maxactive = max_t(int, 64, 8 * num_possible_cpus());
	if (forced) {
		rp->kp.symbol_name = forced;
		err = register_kretprobe(rp);
		if (err)
			pr_err("cannot probe %s function %s: %d\n", what, forced, err);
		return err;
	}
	for (s = syms; *s; s++) {
		rp->kp.symbol_name = *s;
		rp->kp.addr = NULL;
		rp->kp.flags = 0;
		err = register_kretprobe(rp);
		if (!err)
			return 0;
	}
	pr_err("no %s function to probe (tried %s%s); set %s_symbol=\n", what,
	       syms[0], syms[1] ? " and others" : "", what);
	return err;
}

static int al_register_kprobe(struct kprobe *kp, const char *forced,
			      const char * const *syms, const char *what)
{
	const char * const *s;
	int err = -ENOENT;

	for (s = forced ? &forced : syms; *s; s++) {
		kp->symbol_name = *s;
		kp->addr = NULL;
		kp->flags = 0;
		err = register_kprobe(kp);
		if (!err || forced)
			break;
	}
	if (err)
		pr_err("no %s function to probe (tried %s): %d; set %s_symbol=\n",
		       what, forced ? forced : syms[0], err, what);
	return err;
}

u64 al_probes_missed(void)
{
	return (u64)al_mmap_probe.nmissed + al_mmap_probe.kp.nmissed +
	       al_munmap_probe.nmissed + al_munmap_probe.kp.nmissed +
	       al_mremap_probe.nmissed + al_mremap_probe.kp.nmissed +
	       al_grow_probe.nmissed + al_grow_probe.kp.nmissed +
	       al_move_probe.nmissed + al_exit_probe.nmissed;
}

unsigned int al_probes_count(void)
{
	return 6;
}

const char *al_probe_symbol(unsigned int i)
{
	switch (i) {
	case 0:
		return al_mmap_probe.kp.symbol_name;
	case 1:
		return al_munmap_probe.kp.symbol_name;
	case 2:
		return al_exit_probe.symbol_name;
	case 3:
		return al_mremap_probe.kp.symbol_name;
	case 4:
		return al_move_probe.symbol_name;
	case 5:
		return al_grow_probe.kp.symbol_name;
	}
	return NULL;
}

/*
 * Teardown first, then unmap, then mremap, then map: a mapping is never
 * recorded for an mm whose changes we cannot see. The move and grow hooks
 * walk the contexts that the mremap bracket links into procs, so they go up
 * after the bracket and come down before it.
 */
int al_probes_init(void)
{
	int err;

	err = al_register_kprobe(&al_exit_probe, exit_symbol, al_exit_syms, "exit");
	if (err)
		goto err_exit;
	err = al_register_kretprobe(&al_munmap_probe, munmap_symbol,
				    al_munmap_syms, "munmap");
	if (err)
		goto err_munmap;
	al_munmap_unlocks = strcmp(al_munmap_probe.kp.symbol_name, "do_mas_munmap");
	err = al_register_kretprobe(&al_mremap_probe, mremap_symbol,
				    al_mremap_syms, "mremap");
	if (err)
		goto err_mremap;
	err = al_register_kprobe(&al_move_probe, move_symbol, al_move_syms, "move");
	if (err)
		goto err_move;
	err = al_register_kretprobe(&al_grow_probe, grow_symbol, al_grow_syms,
				    "grow");
	if (err)
		goto err_grow;
	err = al_register_kretprobe(&al_mmap_probe, mmap_symbol, al_mmap_syms,
				    "mmap");
	if (err)
		goto err_mmap;
	pr_info("probing %s, %s, %s, %s, %s, %s\n", al_probe_symbol(0),
		al_probe_symbol(1), al_probe_symbol(2), al_probe_symbol(3),
		al_probe_symbol(4), al_probe_symbol(5));
	return 0;

err_mmap:
	unregister_kretprobe(&al_grow_probe);
err_grow:
	unregister_kprobe(&al_move_probe);
err_move:
	unregister_kretprobe(&al_mremap_probe);
err_mremap:
	unregister_kretprobe(&al_munmap_probe);
err_munmap:
	unregister_kprobe(&al_exit_probe);
err_exit:
	return err;
}

void al_probes_uninit(void)
{
	unregister_kretprobe(&al_mmap_probe);
	unregister_kretprobe(&al_grow_probe);
	unregister_kprobe(&al_move_probe);
	unregister_kretprobe(&al_mremap_probe);
	unregister_kretprobe(&al_munmap_probe);
	unregister_kprobe(&al_exit_probe);
}
