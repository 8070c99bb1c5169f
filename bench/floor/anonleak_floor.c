// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak_floor: the bare cost of anonleak's probing mechanism.
 *
 * Registers the same kinds of probes on the same kernel functions as
 * anonleak, with handlers that do nothing, so the benchmark can tell the
 * cost of the kprobe/kretprobe machinery itself from what anonleak does in
 * its handlers. Not part of anonleak; built and loaded by bench/ only.
 *
 *   all=0 (default)  what an mmap+munmap pair goes through:
 *                    kretprobe do_mmap, kretprobe do_vmi_munmap (6.2+) or
 *                    do_mas_munmap (6.1), kprobe exit_mmap
 *   all=1            also anonleak's mremap hooks: kretprobe
 *                    __x64_sys_mremap, kprobe move_page_tables, kretprobe
 *                    vma_merge_extend (6.2+) or vma_merge (6.1)
 *
 *   ret=0            kretprobes whose entry handler declines the return
 *                    probe: the cost of the entry hook alone, what a
 *                    handler saves by returning 1
 *
 * By default kretprobes get no entry handler: every call arms the return
 * probe, as anonleak's do when they record something.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>

static bool all;
module_param(all, bool, 0444);
MODULE_PARM_DESC(all, "Also probe the mremap functions (default 0)");

static bool ret = true;
module_param(ret, bool, 0444);
MODULE_PARM_DESC(ret, "Arm the return probes (default 1)");

static int floor_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static int floor_entry_skip(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 1;
}

static int floor_pre(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}

struct floor_probe {
	const char *const syms[3];	/* first one that exists */
	bool ret;			/* kretprobe, else kprobe */
	bool mremap;			/* only with all=1 */
	struct kretprobe rp;
	struct kprobe kp;
	bool on;
};

static struct floor_probe floor_probes[] = {
	{ .syms = { "do_mmap" }, .ret = true },
	{ .syms = { "do_vmi_munmap", "do_mas_munmap" }, .ret = true },
	{ .syms = { "exit_mmap" } },
	{ .syms = { "__x64_sys_mremap" }, .ret = true, .mremap = true },
	{ .syms = { "move_page_tables" }, .mremap = true },
	{ .syms = { "vma_merge_extend", "vma_merge" }, .ret = true, .mremap = true },
};

static int floor_register(struct floor_probe *p)
{
	int i, err = -ENOENT;

	for (i = 0; i < ARRAY_SIZE(p->syms) && p->syms[i]; i++) {
		if (p->ret) {
			memset(&p->rp, 0, sizeof(p->rp));
			p->rp.kp.symbol_name = p->syms[i];
			p->rp.handler = floor_ret;
			if (!ret)
				p->rp.entry_handler = floor_entry_skip;
			p->rp.maxactive = max_t(int, 64, 8 * num_possible_cpus());
			err = register_kretprobe(&p->rp);
		} else {
			memset(&p->kp, 0, sizeof(p->kp));
			p->kp.symbol_name = p->syms[i];
			p->kp.pre_handler = floor_pre;
			err = register_kprobe(&p->kp);
		}
		if (!err) {
			pr_info("anonleak_floor: %s %s\n",
				p->ret ? "kretprobe" : "kprobe", p->syms[i]);
			p->on = true;
			return 0;
		}
	}
	pr_err("anonleak_floor: cannot probe %s: %d\n", p->syms[0], err);
	return err;
}

static void floor_unregister_all(void)
{
	int i;

	for (i = ARRAY_SIZE(floor_probes) - 1; i >= 0; i--) {
		struct floor_probe *p = &floor_probes[i];

		if (!p->on)
			continue;
		if (p->ret)
			unregister_kretprobe(&p->rp);
		else
			unregister_kprobe(&p->kp);
		p->on = false;
	}
}

static int __init floor_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(floor_probes); i++) {
		if (floor_probes[i].mremap && !all)
			continue;
		err = floor_register(&floor_probes[i]);
		if (err) {
			floor_unregister_all();
			return err;
		}
	}
	return 0;
}

static void __exit floor_exit(void)
{
	floor_unregister_all();
}

module_init(floor_init);
module_exit(floor_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("anonleak benchmark: empty probes on anonleak's symbols");
