// SPDX-License-Identifier: GPL-2.0
/*
 * Probe handlers: tiny, they only collect arguments and call into
 * ranges.c and procs.c.
 *
 * do_mmap()           kretprobe: every mapping user space creates, whatever
 *                     path it took; anonymous ones are recorded on success,
 *                     MAP_FIXED ones retire what they replaced.
 * do_vmi_munmap()     kretprobe: the internal munmap that munmap(2), mremap
 *  / do_mas_munmap()  and MAP_FIXED replacement go through (6.2+ / 6.1 /
 *  / __do_munmap()    5.10).
 * exit_mmap()         kprobe: mm teardown, at exit and at execve.
 * sys_mremap()        kretprobe: brackets mremap(2) for the two below.
 * move_page_tables()  kprobe: where mremap() moves a range, under mmap_lock.
 * vma_merge_extend()  kretprobe: mremap() growing a mapping in place, under
 *  / vma_merge()      mmap_lock (6.2+ / 6.1 / 5.10; filtered by the
 *  / __vma_adjust()   bracket).
 *
 * The probes are a table (al_probes, in registration order) and their
 * candidate kernel functions another (al_syms), tried in order; each
 * probe's function can be forced with its <what>_symbol module parameter
 * (mmap_symbol, munmap_symbol, exit_symbol, mremap_symbol, move_symbol,
 * grow_symbol).
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
#include "compat.h"

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

	if ((!READ_ONCE(al_enabled) && !al_checking()) || !al_user_task())
		return 1;
	d->flags = regs_get_kernel_argument(regs, 4);
	d->anon = !file || (d->flags & MAP_ANONYMOUS) || al_file_is_zero(file);
	d->prot = regs_get_kernel_argument(regs, 3);
	/* An executable file: the agent may want to load its unwind table. */
	if (!d->anon && !(d->flags & MAP_FIXED) &&
	    (!(d->prot & PROT_EXEC) || !al_genl_objects_listened()))
		return 1;
	d->len = regs_get_kernel_argument(regs, 2);
	if (d->anon && !(d->flags & MAP_FIXED))
		al_mmap_mark(current->mm, current);
	return 0;
}

static int al_mmap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_mmap_data *d = (struct al_mmap_data *)ri->data;
	unsigned long addr = regs_return_value(regs);

	if (al_checking())
		al_check_note(AL_CHECK_MMAP, current->mm, addr,
			      addr + PAGE_ALIGN(d->len),
			      d->anon && !IS_ERR_VALUE(addr));
	/* Failed, or the self-check's: not recorded. */
	if (IS_ERR_VALUE(addr) || al_checking()) {
		if (d->anon && !(d->flags & MAP_FIXED))
			al_mmap_mark(current->mm, NULL);
		return 0;
	}
	if (d->anon || (d->flags & MAP_FIXED))
		al_map(current->mm, task_pt_regs(current), addr, PAGE_ALIGN(d->len),
		       d->prot, d->flags, d->anon);
	if (!d->anon && (d->prot & PROT_EXEC))
		al_object_mapped(current->mm, addr);
	return 0;
}

/*
 * The munmap function: @mm, [@start, @start + @len). @unlocks: it drops
 * mmap_lock before it returns, so that another task may map into the hole
 * before the return probe runs (see al_unmap_begin()).
 */
static __always_inline int al_munmap_begin(struct kretprobe_instance *ri,
					   struct mm_struct *mm,
					   unsigned long start,
					   unsigned long len, bool unlocks)
{
	struct al_munmap_data *d = (struct al_munmap_data *)ri->data;

	d->mm = mm;
	d->ctx.start = start;
	d->ctx.end = len > TASK_SIZE ? start : start + PAGE_ALIGN(len);
	if (al_checking())
		return 0;
	return al_unmap_begin(mm, &d->ctx, unlocks) ? 0 : 1;
}

/* do_vmi_munmap(vmi, mm, start, len, uf, unlock) (6.2+): unlock drops it. */
static int al_munmap_vmi_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	return al_munmap_begin(ri,
			       (struct mm_struct *)regs_get_kernel_argument(regs, 1),
			       regs_get_kernel_argument(regs, 2),
			       regs_get_kernel_argument(regs, 3),
			       regs_get_kernel_argument(regs, 5));
}

/*
 * do_mas_munmap(mas, mm, start, len, uf, downgrade) (6.1): a downgrade
 * keeps mmap_lock for reading until after the return, so nothing can map
 * in between.
 */
static int al_munmap_mas_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	return al_munmap_begin(ri,
			       (struct mm_struct *)regs_get_kernel_argument(regs, 1),
			       regs_get_kernel_argument(regs, 2),
			       regs_get_kernel_argument(regs, 3), false);
}

/*
 * __do_munmap(mm, start, len, uf, downgrade) (5.10): as do_mas_munmap(),
 * a downgrade keeps mmap_lock for reading.
 */
static int al_munmap_mm_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	return al_munmap_begin(ri,
			       (struct mm_struct *)regs_get_kernel_argument(regs, 0),
			       regs_get_kernel_argument(regs, 1),
			       regs_get_kernel_argument(regs, 2), false);
}

static int al_munmap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_munmap_data *d = (struct al_munmap_data *)ri->data;
	long ret = (long)regs_return_value(regs);

	if (al_checking()) {
		al_check_note(AL_CHECK_MUNMAP, d->mm, d->ctx.start, d->ctx.end,
			      ret >= 0);
		return 0;
	}
	/* 0 on success (6.1 and 5.10 may also return 1: lock downgraded). */
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
	bool ret_errno;			/* returns 0 or -errno, else a VMA */
};

/*
 * Growing in place: only calls made while some task is inside a tracked
 * mremap() go further than one atomic read (vma_merge() has many other
 * callers).
 */
static bool al_grow_wanted(struct kretprobe_instance *ri)
{
	if (!atomic_read(&al_mremaps_inflight) || !al_user_task())
		return false;
	((struct al_grow_data *)ri->data)->mm = current->mm;
	return true;
}

/* vma_merge_extend(vmi, vma, delta) (6.2+) */
static int al_grow_extend_entry(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct al_grow_data *d = (struct al_grow_data *)ri->data;
	struct vm_area_struct *vma;

	if (!al_grow_wanted(ri))
		return 1;
	vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 1);
	d->old_end = vma->vm_end;
	d->new_end = d->old_end + regs_get_kernel_argument(regs, 2);
	d->ret_errno = false;
	return 0;
}

/* vma_merge(mm, prev, addr, end, ...) (6.1) */
static int al_grow_merge_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct al_grow_data *d = (struct al_grow_data *)ri->data;

	if (!al_grow_wanted(ri))
		return 1;
	d->old_end = regs_get_kernel_argument(regs, 2);
	d->new_end = regs_get_kernel_argument(regs, 3);
	d->ret_errno = false;
	return 0;
}

/*
 * __vma_adjust(vma, start, end, pgoff, insert, expand) (5.10): vma_adjust()
 * is how mremap() grows in place there. Splits and trims come through here
 * too: only a VMA that ends further out is growing.
 */
static int al_grow_adjust_entry(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct al_grow_data *d = (struct al_grow_data *)ri->data;
	struct vm_area_struct *vma;

	if (!al_grow_wanted(ri))
		return 1;
	vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 0);
	d->old_end = vma->vm_end;
	d->new_end = regs_get_kernel_argument(regs, 2);
	d->ret_errno = true;
	return d->new_end > d->old_end ? 0 : 1;
}

static int al_grow_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct al_grow_data *d = (struct al_grow_data *)ri->data;
	unsigned long ret = regs_return_value(regs);

	if (d->ret_errno ? !ret : ret && !IS_ERR_VALUE(ret))
		al_mremap_grow(d->mm, d->old_end, d->new_end);
	return 0;
}

/* move_page_tables(): its arguments differ by kernel (compat.h). */
static int al_move_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct al_move_args a;

	if (!al_user_task())
		return 0;
	al_move_args(regs, &a);
	al_mremap_move(a.mm, a.old_addr, a.new_addr, a.len);
	return 0;
}

enum { AL_P_EXIT, AL_P_MUNMAP, AL_P_MREMAP, AL_P_MOVE, AL_P_GROW, AL_P_MMAP };

/*
 * A kernel function that probe @probe can be registered on, and the handler
 * that reads its arguments (a kprobe's pre_handler, a kretprobe's
 * entry_handler): a new kernel is a new candidate, with a handler of its
 * own where it lays the arguments out differently.
 */
struct al_sym {
	u8 probe;			/* AL_P_* */
	u8 gens;			/* AL_GEN_* it fits (compat.h), 0: all */
	const char *name;
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry;
};

/*
 * A probe: the candidates of al_syms, tried in order (or the function the
 * <what>_symbol= parameter names, with the handler of the candidate of that
 * name, else of the first), and the kretprobe (handler, data size) or
 * kprobe (rp.kp) registered on the one found.
 */
struct al_probe {
	const char *what;
	char **forced;
	bool ret;			/* a kretprobe, else a kprobe */
	struct kretprobe rp;
	atomic_long_t faults;		/* in its handlers (module/compat.h) */
};

static char *mmap_symbol;
static char *munmap_symbol;
static char *mremap_symbol;
static char *move_symbol;
static char *grow_symbol;
static char *exit_symbol;

module_param(mmap_symbol, charp, 0444);
module_param(munmap_symbol, charp, 0444);
module_param(mremap_symbol, charp, 0444);
module_param(move_symbol, charp, 0444);
module_param(grow_symbol, charp, 0444);
module_param(exit_symbol, charp, 0444);

MODULE_PARM_DESC(mmap_symbol, "Kernel function creating mappings (default: do_mmap)");
MODULE_PARM_DESC(munmap_symbol,
		 "Kernel function unmapping ranges (default: do_vmi_munmap, else do_mas_munmap, else __do_munmap)");
MODULE_PARM_DESC(mremap_symbol, "The mremap syscall entry (default: __x64_sys_mremap)");
MODULE_PARM_DESC(move_symbol, "Kernel function moving page tables (default: move_page_tables)");
MODULE_PARM_DESC(grow_symbol,
		 "Kernel function growing a mapping in place for mremap (default: vma_merge_extend, else vma_merge; __vma_adjust before 6.1)");
MODULE_PARM_DESC(exit_symbol, "Kernel function tearing down an mm (default: exit_mmap)");

/*
 * Every candidate, in order of preference for each probe. GCC may split
 * move_page_tables() into a wrapper that returns early for len == 0 and
 * "move_page_tables.part.0" with the same arguments, which move_vma() then
 * calls directly (seen on a 6.1 allnoconfig-based build): the part is
 * probed when there is one.
 */
static const struct al_sym al_syms[] = {
	{ AL_P_EXIT, 0, "exit_mmap", .pre = al_exit_pre },
	{ AL_P_MUNMAP, 0, "do_vmi_munmap", .entry = al_munmap_vmi_entry },	/* 6.2+ */
	{ AL_P_MUNMAP, 0, "do_mas_munmap", .entry = al_munmap_mas_entry },	/* 6.1 */
	{ AL_P_MUNMAP, AL_GEN_RBTREE, "__do_munmap", .entry = al_munmap_mm_entry },
	{ AL_P_MREMAP, 0, "__x64_sys_mremap", .entry = al_mremap_entry },
	{ AL_P_MREMAP, 0, "__arm64_sys_mremap", .entry = al_mremap_entry },
	{ AL_P_MOVE, 0, "move_page_tables.part.0", .pre = al_move_pre },
	{ AL_P_MOVE, 0, "move_page_tables", .pre = al_move_pre },
	{ AL_P_GROW, 0, "vma_merge_extend", .entry = al_grow_extend_entry },	/* 6.2+ */
	/* 5.10 has a vma_merge() too, but its mremap() calls vma_adjust(). */
	{ AL_P_GROW, AL_GEN_MAPLE, "vma_merge", .entry = al_grow_merge_entry },
	{ AL_P_GROW, AL_GEN_RBTREE, "__vma_adjust", .entry = al_grow_adjust_entry },
	{ AL_P_MMAP, 0, "do_mmap", .entry = al_mmap_entry },
};

#define AL_KPROBE(what)	{ #what, &what##_symbol }
#define AL_KRETPROBE(what, ret_handler, data)				\
	{ #what, &what##_symbol, true,					\
	  { .handler = ret_handler, .data_size = sizeof(data) } }

/*
 * In registration order: teardown first, then unmap, then mremap, then
 * map: a mapping is never recorded for an mm whose changes we cannot see.
 * The move and grow hooks walk the contexts that the mremap bracket links
 * into procs, so they go up after the bracket and come down before it.
 */
static struct al_probe al_probes[] = {
	[AL_P_EXIT] = AL_KPROBE(exit),
	[AL_P_MUNMAP] = AL_KRETPROBE(munmap, al_munmap_ret, struct al_munmap_data),
	[AL_P_MREMAP] = AL_KRETPROBE(mremap, al_mremap_ret, struct al_mremap_ctx),
	[AL_P_MOVE] = AL_KPROBE(move),
	[AL_P_GROW] = AL_KRETPROBE(grow, al_grow_ret, struct al_grow_data),
	[AL_P_MMAP] = AL_KRETPROBE(mmap, al_mmap_ret, struct al_mmap_data),
};

/* The order GET_STATS ('anonleak status') and the load message use. */
static const u8 al_probes_shown[] = {
	AL_P_MMAP, AL_P_MUNMAP, AL_P_EXIT, AL_P_MREMAP, AL_P_MOVE, AL_P_GROW,
};

/* The @n-th candidate of @p, or NULL. */
static const struct al_sym *al_probe_cand(const struct al_probe *p,
					  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(al_syms); i++)
		if (&al_probes[al_syms[i].probe] == p &&
		    (!al_syms[i].gens || (al_syms[i].gens & AL_GEN_THIS)) && !n--)
			return &al_syms[i];
	return NULL;
}

/* The candidate of that name, else the first one: its handler fits. */
static const struct al_sym *al_probe_sym(const struct al_probe *p,
					 const char *name)
{
	const struct al_sym *sym;
	unsigned int n;

	for (n = 0; (sym = al_probe_cand(p, n)); n++)
		if (!strcmp(sym->name, name))
			return sym;
	return al_probe_cand(p, 0);
}

/* A fault in @kp's handler, fixed up by the exception table: not a miss. */
static AL_FAULT_HANDLER(al_probe_fault)
{
	struct al_probe *p = container_of(kp, struct al_probe, rp.kp);

	atomic_long_inc(&p->faults);
	return 0;
}

static int al_probe_register(struct al_probe *p, const char *name)
{
	const struct al_sym *sym = al_probe_sym(p, name);
	struct kprobe *kp = &p->rp.kp;

	kp->symbol_name = name;
	kp->addr = NULL;
	kp->flags = 0;
	atomic_long_set(&p->faults, 0);
	if (!p->ret) {
		kp->pre_handler = sym->pre;
		return al_register_kprobe(kp, al_probe_fault);
	}
	p->rp.entry_handler = sym->entry;
	/* Every task in the function at once needs an instance. */
	p->rp.maxactive = max_t(int, 64, 8 * num_possible_cpus());
	return al_register_kretprobe(&p->rp, al_probe_fault);
}

static void al_probe_unregister(struct al_probe *p)
{
	if (p->ret)
		unregister_kretprobe(&p->rp);
	else
		unregister_kprobe(&p->rp.kp);
}

/* Register @p on the function forced, or on the first candidate there is. */
static int al_probe_init(struct al_probe *p)
{
	const struct al_sym *first = al_probe_cand(p, 0), *sym;
	const char *forced = *p->forced;
	int err = -ENOENT;
	unsigned int n;

	if (forced)
		err = al_probe_register(p, forced);
	for (n = 0; !forced && err && (sym = al_probe_cand(p, n)); n++)
		err = al_probe_register(p, sym->name);
	if (!err)
		return 0;
	if (p->ret && forced)
		pr_err("cannot probe %s function %s: %d\n", p->what, forced, err);
	else if (p->ret)
		pr_err("no %s function to probe (tried %s%s); set %s_symbol=\n",
		       p->what, first->name,
		       al_probe_cand(p, 1) ? " and others" : "", p->what);
	else
		pr_err("no %s function to probe (tried %s): %d; set %s_symbol=\n",
		       p->what, forced ? forced : first->name, err, p->what);
	return err;
}

/* Hits of @p not delivered to its handlers. */
static u64 al_probe_missed(const struct al_probe *p)
{
	u64 kp_missed = READ_ONCE(p->rp.kp.nmissed);
	u64 faults = atomic_long_read(&p->faults);

	/* Never below zero: the two are read at different times. */
	return p->rp.nmissed + (kp_missed > faults ? kp_missed - faults : 0);
}

u64 al_probes_missed(void)
{
	u64 missed = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(al_probes); i++)
		missed += al_probe_missed(&al_probes[i]);
	return missed;
}

unsigned int al_probes_count(void)
{
	return ARRAY_SIZE(al_probes);
}

const char *al_probe_symbol(unsigned int i)
{
	if (i >= ARRAY_SIZE(al_probes_shown))
		return NULL;
	return al_probes[al_probes_shown[i]].rp.kp.symbol_name;
}

/* The function the probe named @what ("mmap", "munmap", ...) is on. */
const char *al_probe_function(const char *what)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(al_probes); i++)
		if (!strcmp(al_probes[i].what, what))
			return al_probes[i].rp.kp.symbol_name;
	return "?";
}

int al_probes_init(void)
{
	char msg[256];
	unsigned int i;
	int n = 0;
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(al_probes_shown) != ARRAY_SIZE(al_probes));
	for (i = 0; i < ARRAY_SIZE(al_probes); i++) {
		err = al_probe_init(&al_probes[i]);
		if (err)
			goto err;
	}
	for (i = 0; i < al_probes_count(); i++)
		n += scnprintf(msg + n, sizeof(msg) - n, "%s%s", i ? ", " : "",
			       al_probe_symbol(i));
	pr_info("probing %s\n", msg);
	return 0;

err:
	while (i--)
		al_probe_unregister(&al_probes[i]);
	return err;
}

void al_probes_uninit(void)
{
	unsigned int i = ARRAY_SIZE(al_probes);
	struct al_probe *p;
	u64 missed;

	while (i--) {
		p = &al_probes[i];
		al_probe_unregister(p);
		missed = al_probe_missed(p);
		if (missed)
			pr_info("%s probe on %s missed %llu hits\n", p->what,
				p->rp.kp.symbol_name, missed);
	}
}
